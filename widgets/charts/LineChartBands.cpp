// LineChart's shaded bands (a group's mean ± std) and error bars (a band drawn as bars): the part
// of LineChart that draws intervals rather than lines. The class is declared in LineChart.h.
#include "charts/LineChart.h"

#include "charts/Smoothing.h"

#include <QAreaSeries>
#include <QChart>
#include <QLineSeries>

#include <algorithm>

namespace meprop {

void LineChart::redraw(Band& b)
{
    QList<QPointF> lo, up;
    const qsizetype n = std::min(b.lower.size(), b.upper.size());
    for (qsizetype i = 0; i < n; ++i) {
        const QPointF l = b.lower[i], u = b.upper[i];
        if (!std::isfinite(l.y()) || !std::isfinite(u.y()) || !std::isfinite(l.x())) continue;
        if (m_logX && !(l.x() > 0)) continue;
        if (m_logY && !(u.y() > 0)) continue;
        lo << QPointF(l.x(), m_logY ? std::max(l.y(), u.y() * 1e-3) : l.y());
        up << u;
    }
    b.lo->replace(b.bars ? lo : thinnedTo(lo, m_maxPoints));
    b.up->replace(b.bars ? up : thinnedTo(up, m_maxPoints));
    const bool visible = !m_hidden.contains(b.group.isEmpty() ? b.name : b.group);
    b.area->setVisible(visible);
    if (!b.bars) return;
    for (QLineSeries* seg : std::as_const(b.segments)) {
        m_chart->removeSeries(seg);
        delete seg;
    }
    b.segments.clear();
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0;
    for (const QPointF& p : lo) {
        x0 = std::min(x0, p.x());
        x1 = std::max(x1, p.x());
    }
    // Caps: 4 % of x on a log axis, 1 % of the bars' x range (or 0.05) on a linear one.
    auto capLeft = [&](double x) { return m_logX ? x / 1.04 : x - std::max(0.01 * (x1 - x0), 0.05); };
    auto capRight = [&](double x) { return m_logX ? x * 1.04 : x + std::max(0.01 * (x1 - x0), 0.05); };
    QPen pen(b.color, 1.5);
    for (qsizetype i = 0; i < lo.size() && i < up.size(); ++i) {
        if (!(up[i].y() > lo[i].y())) continue;
        const double x = lo[i].x();
        for (const QList<QPointF>& part : {QList<QPointF>{{x, lo[i].y()}, {x, up[i].y()}},
                                           QList<QPointF>{{capLeft(x), lo[i].y()}, {capRight(x), lo[i].y()}},
                                           QList<QPointF>{{capLeft(x), up[i].y()}, {capRight(x), up[i].y()}}}) {
            auto* seg = new QLineSeries();
            seg->setPen(pen);
            seg->append(part);
            m_chart->addSeries(seg);
            seg->attachAxis(m_xAxis);
            seg->attachAxis(m_yAxis);
            seg->setVisible(visible);
            b.segments << seg;
        }
    }
}

void LineChart::setBand(const QString& name, const QList<QPointF>& lower, const QList<QPointF>& upper, const QColor& color,
                        const QString& group)
{
    addBand(name, lower, upper, color, group, false);
}

void LineChart::setErrorBars(const QString& name, const QList<QPointF>& lower, const QList<QPointF>& upper, const QColor& color,
                             const QString& group)
{
    addBand(name, lower, upper, color, group, true);
}

int LineChart::errorBarCount() const
{
    int n = 0;
    for (const Band& b : m_bands) n += static_cast<int>(b.segments.size()) / 3;
    return n;
}

void LineChart::addBand(const QString& name, const QList<QPointF>& lower, const QList<QPointF>& upper, const QColor& color,
                        const QString& group, bool bars)
{
    Band* b = nullptr;
    for (Band& x : m_bands)
        if (x.name == name) b = &x;
    if (!b) {
        Band fresh;
        fresh.name = name;
        fresh.area = new QAreaSeries();
        fresh.area->setName(name);
        // The edges belong to the area series and go with it.
        fresh.lo = new QLineSeries(fresh.area);
        fresh.up = new QLineSeries(fresh.area);
        fresh.area->setLowerSeries(fresh.lo);
        fresh.area->setUpperSeries(fresh.up);
        // A light tint, so the lines stay readable where the band is drawn over them.
        m_chart->addSeries(fresh.area);
        fresh.area->attachAxis(m_xAxis);
        fresh.area->attachAxis(m_yAxis);
        m_bands.append(fresh);
        b = &m_bands.back();
    }
    b->group = group;
    b->lower = lower;
    b->upper = upper;
    b->color = color;
    b->bars = bars;
    QColor fill = color;
    fill.setAlphaF(bars ? 0.0 : 0.18);
    b->area->setBrush(fill);
    b->area->setPen(Qt::NoPen);
    redraw(*b);
    updateRanges();
    updateLegend();
}

void LineChart::removeBand(const QString& name)
{
    for (int i = 0; i < m_bands.size(); ++i)
        if (m_bands[i].name == name) {
            for (QLineSeries* seg : std::as_const(m_bands[i].segments)) {
                m_chart->removeSeries(seg);
                delete seg;
            }
            m_chart->removeSeries(m_bands[i].area);
            delete m_bands[i].area;
            m_bands.removeAt(i);
            updateRanges();
            updateLegend();
            return;
        }
}

QStringList LineChart::bandNames() const
{
    QStringList out;
    for (const Band& b : m_bands) out << b.name;
    return out;
}

QPair<QList<QPointF>, QList<QPointF>> LineChart::bandPoints(const QString& name) const
{
    for (const Band& b : m_bands)
        if (b.name == name) return {b.lo->points(), b.up->points()};
    return {};
}

}  // namespace meprop
