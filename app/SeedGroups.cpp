#include "SeedGroups.h"

#include "stats/Summary.h"

#include <QMap>

#include <algorithm>
#include <cmath>
#include <vector>

namespace meprop {

GroupValue groupValue(const QList<double>& values)
{
    std::vector<double> v;
    for (double x : values)
        if (std::isfinite(x)) v.push_back(x);
    GroupValue g;
    g.n = static_cast<int>(v.size());
    if (v.empty()) {
        g.mean = g.stddev = std::nan("");
        return g;
    }
    const stats::Summary s = stats::summarize(v);
    g.mean = s.mean;
    g.stddev = s.n >= 2 ? s.stddev : std::nan("");
    return g;
}

GroupCurve groupCurve(const QList<QList<QPointF>>& members)
{
    QMap<double, QList<double>> byX;
    for (const QList<QPointF>& m : members)
        for (const QPointF& p : m)
            if (std::isfinite(p.x()) && std::isfinite(p.y())) byX[p.x()] << p.y();
    const int need = members.size() >= 2 ? 2 : 1;
    GroupCurve c;
    for (auto it = byX.cbegin(); it != byX.cend(); ++it) {
        if (it.value().size() < need) continue;
        const GroupValue g = groupValue(it.value());
        const double sd = std::isfinite(g.stddev) ? g.stddev : 0.0;
        c.mean << QPointF(it.key(), g.mean);
        c.lower << QPointF(it.key(), g.mean - sd);
        c.upper << QPointF(it.key(), g.mean + sd);
        c.n << g.n;
    }
    return c;
}

QList<QList<const RunRecord*>> seedGroupsOf(const QList<const RunRecord*>& runs)
{
    QList<int> order;
    QMap<int, QList<const RunRecord*>> groups;
    for (const RunRecord* r : runs) {
        if (r->seedGroup == 0) continue;
        if (!groups.contains(r->seedGroup)) order << r->seedGroup;
        groups[r->seedGroup] << r;
    }
    QList<QList<const RunRecord*>> out;
    for (int g : order)
        if (groups[g].size() >= 2) out << groups[g];
    return out;
}

QString groupLegend(const QList<const RunRecord*>& members)
{
    if (members.isEmpty()) return {};
    const RunRecord* first = members.front();
    QString what = first->mode();
    if (what != QLatin1String("dense")) what += QStringLiteral(" k=%1").arg(first->k());
    int lo = first->id, hi = first->id;
    for (const RunRecord* r : members) {
        lo = std::min(lo, r->id);
        hi = std::max(hi, r->id);
    }
    return QStringLiteral("#%1-%2 %3 (%4 seeds)").arg(lo).arg(hi).arg(what).arg(members.size());
}

}  // namespace meprop
