#include "charts/Smoothing.h"

#include <algorithm>
#include <cmath>

namespace meprop {

QList<QPointF> emaSmoothed(const QList<QPointF>& points, double weight)
{
    weight = std::clamp(weight, 0.0, 1.0);
    if (weight == 0.0 || points.isEmpty()) return points;
    bool constant = true;
    for (const QPointF& p : points) constant = constant && p.y() == points.front().y();
    if (constant) return points;
    QList<QPointF> out;
    out.reserve(points.size());
    double last = 0.0;
    int n = 0;
    for (const QPointF& p : points) {
        if (!std::isfinite(p.y())) {
            out.append(p);
            continue;
        }
        last = last * weight + (1.0 - weight) * p.y();
        ++n;
        const double debias = weight == 1.0 ? 1.0 : 1.0 - std::pow(weight, n);
        out.append(QPointF(p.x(), last / debias));
    }
    return out;
}

QList<QPointF> thinnedTo(const QList<QPointF>& points, int maxPoints)
{
    if (maxPoints <= 0 || points.size() <= maxPoints) return points;
    QList<QPointF> out;
    const qsizetype every = (points.size() + maxPoints - 1) / maxPoints;
    out.reserve(points.size() / every + 2);
    for (qsizetype i = 0; i < points.size(); ++i)
        if (i % every == 0 || i == points.size() - 1) out.append(points[i]);
    return out;
}

}  // namespace meprop
