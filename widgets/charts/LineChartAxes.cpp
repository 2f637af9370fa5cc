// LineChart's axes: their ranges from the visible data (with zoom, log scales and integer x), nice tick
// steps, and the values a tooltip reads off them. The class is declared in LineChart.h.
#include "charts/LineChart.h"

#include "charts/ChartView.h"

#include <QAreaSeries>
#include <QChart>
#include <QFontMetrics>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace meprop {

namespace {

// 1, 2 or 5 times a power of ten, at least `raw`.
double niceStepAtLeast(double raw)
{
    if (!(raw > 0)) return 1.0;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double f : {1.0, 2.0, 5.0, 10.0})
        if (f * p >= raw * (1 - 1e-9)) return f * p;
    return 10.0 * p;
}

QString number(double v)
{
    return QString::number(v, 'g', 4);
}

}  // namespace

void LineChart::rebuildAxes()
{
    const auto series = m_chart->series();
    for (auto* axis : m_chart->axes()) {
        m_chart->removeAxis(axis);
        delete axis;
    }
    if (m_logX) {
        auto* x = new QLogValueAxis();
        x->setBase(10.0);
        x->setLabelFormat(QStringLiteral("%g"));
        x->setMinorTickCount(-1);
        m_xAxis = x;
    } else {
        auto* x = new QValueAxis();
        x->setLabelFormat(QStringLiteral("%g"));
        m_xAxis = x;
    }
    if (m_logY) {
        auto* y = new QLogValueAxis();
        y->setBase(10.0);
        y->setLabelFormat(QStringLiteral("%g"));
        y->setMinorTickCount(-1);
        m_yAxis = y;
    } else {
        auto* y = new QValueAxis();
        y->setLabelFormat(QStringLiteral("%g"));
        m_yAxis = y;
    }
    m_xAxis->setTitleText(m_xTitle);
    m_yAxis->setTitleText(m_yTitle);
    m_chart->addAxis(m_xAxis, Qt::AlignBottom);
    m_chart->addAxis(m_yAxis, Qt::AlignLeft);
    for (auto* s : series) {
        s->attachAxis(m_xAxis);
        s->attachAxis(m_yAxis);
    }
    m_zoomed = false;
    updateRanges();
}

QRectF LineChart::axisRange() const
{
    double x0 = 0, x1 = 0;
    if (auto* v = qobject_cast<QValueAxis*>(m_xAxis)) {
        x0 = v->min();
        x1 = v->max();
    } else if (auto* l = qobject_cast<QLogValueAxis*>(m_xAxis)) {
        x0 = l->min();
        x1 = l->max();
    }
    double y0 = 0, y1 = 0;
    if (auto* v = qobject_cast<QValueAxis*>(m_yAxis)) {
        y0 = v->min();
        y1 = v->max();
    } else if (auto* l = qobject_cast<QLogValueAxis*>(m_yAxis)) {
        y0 = l->min();
        y1 = l->max();
    }
    return QRectF(QPointF(x0, y0), QPointF(x1, y1));
}

void LineChart::zoomTo(const QRectF& r)
{
    const QRectF n = r.normalized();
    if (qobject_cast<QValueAxis*>(m_xAxis)) setXRangeWithTicks(n.left(), n.right());
    else if (auto* l = qobject_cast<QLogValueAxis*>(m_xAxis)) l->setRange(n.left(), n.right());
    if (auto* v = qobject_cast<QValueAxis*>(m_yAxis)) v->setRange(n.top(), n.bottom());
    else if (auto* l = qobject_cast<QLogValueAxis*>(m_yAxis)) l->setRange(n.top(), n.bottom());
    m_zoomed = true;
    updateControls();
}

void LineChart::resetZoom()
{
    m_chart->zoomReset();
    m_zoomed = false;
    updateRanges();
    updateControls();
}

QString LineChart::tooltipAt(const QPointF& viewPos) const
{
    const QPointF pos = m_chart->mapFromScene(m_view->mapToScene(viewPos.toPoint()));
    if (!m_chart->plotArea().contains(pos)) return {};
    const Entry* best = nullptr;
    QPointF bestPoint;
    double bestDist = 12.0;  // pixels
    for (const Entry& e : m_entries) {
        if (!e.series->isVisible()) continue;
        const QList<QPointF> pts = e.series->points();
        if (pts.isEmpty()) continue;
        const double x = m_chart->mapToValue(pos, e.series).x();
        // Points are in x order (steps, epochs, k): look around the cursor's x only.
        qsizetype i = std::lower_bound(pts.begin(), pts.end(), x, [](const QPointF& p, double v) { return p.x() < v; }) - pts.begin();
        for (qsizetype j = std::max<qsizetype>(0, i - 3); j < std::min<qsizetype>(pts.size(), i + 3); ++j) {
            const QPointF at = m_chart->mapToPosition(pts[j], e.series);
            const double d = std::hypot(at.x() - pos.x(), at.y() - pos.y());
            if (d < bestDist) {
                bestDist = d;
                best = &e;
                bestPoint = pts[j];
            }
        }
    }
    if (!best) return {};
    const QString xs = m_integerX ? QString::number(std::lround(bestPoint.x())) : number(bestPoint.x());
    return tr("%1\n%2 = %3, %4 = %5")
        .arg(best->name, m_xTitle.isEmpty() ? QStringLiteral("x") : m_xTitle.section(QLatin1Char(' '), 0, 0), xs,
             m_yTitle.isEmpty() ? QStringLiteral("y") : m_yTitle.section(QLatin1Char(' '), 0, 0), number(bestPoint.y()));
}

void LineChart::updateRanges()
{
    if (m_zoomed) return;  // the user's range stays until reset
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    auto take = [&](const QList<QPointF>& pts) {
        for (const QPointF& p : pts) {
            x0 = std::min(x0, p.x());
            x1 = std::max(x1, p.x());
            y0 = std::min(y0, p.y());
            y1 = std::max(y1, p.y());
        }
    };
    for (const Entry& e : m_entries)
        if (e.series->isVisible()) take(e.series->points());
    for (const Band& b : m_bands)
        if (b.area->isVisible()) {
            take(b.lo->points());
            take(b.up->points());
        }
    const bool empty = !(x0 <= x1);
    const double rawY0 = y0, rawY1 = y1;
    if (empty) {
        x0 = m_logX ? 1 : 0;
        x1 = m_logX ? 100 : 1;
        y0 = 0;
        y1 = 1;
    }
    if (x1 - x0 < 1e-12) {
        x0 = m_logX ? x0 / 2 : x0 - 0.5;
        x1 = m_logX ? x1 * 2 : x1 + 0.5;
    }
    if (m_yRange) {
        y0 = m_yRange->first;
        y1 = m_yRange->second;
    } else {
        if (m_yZero) {
            y0 = std::min(y0, 0.0);
            y1 = std::max(y1, 0.0);
        }
        if (y1 - y0 < 1e-12) {
            const double pad = std::max(std::abs(y0) * 0.05, 0.05);
            y0 -= pad;
            y1 += pad;
        } else {
            const double pad = (y1 - y0) * 0.05;
            if (!(m_yZero && y0 == 0.0)) y0 -= pad;
            y1 += pad;
        }
    }
    if (qobject_cast<QValueAxis*>(m_xAxis)) {
        if (m_integerX) {
            x0 -= 0.15;  // room for the first and last markers
            x1 += 0.15;
        }
        setXRangeWithTicks(x0, x1);
    } else if (auto* l = qobject_cast<QLogValueAxis*>(m_xAxis)) {
        l->setRange(x0 / 1.25, x1 * 1.25);
    }
    const double plotH = m_chart->plotArea().height() > 20 ? m_chart->plotArea().height() : std::max(100, m_view->height() - 60);
    if (auto* l = qobject_cast<QLogValueAxis*>(m_yAxis)) {
        // From the power of ten below the data to a little above it: labels sit on powers of ten.
        if (!m_yRange) {
            // A hair below the power of ten under the data, so that its label is drawn.
            y0 = 0.98 * (empty ? 0.1 : std::pow(10.0, std::floor(std::log10(std::max(rawY0, 1e-12)))));
            y1 = empty ? 1.0 : std::max(rawY1 * 1.5, y0 * 10.0);
        }
        l->setRange(y0, y1);
        return;
    }
    auto* y = static_cast<QValueAxis*>(m_yAxis);
    // Ticks on multiples of a 1-2-5 step, as many as fit one above the other with room to spare;
    // the range widens to whole steps unless it is fixed. Every label gets the decimals the step
    // needs ("52.5" and "50.0"): Qt Charts sizes the label column from the end labels and elides
    // wider ones to "5...".
    const int maxTicks = std::clamp(int(plotH / (QFontMetrics(y->labelsFont()).height() * 2.2)), 2, 8);
    const double step = niceStepAtLeast((y1 - y0) / maxTicks);
    if (!m_yRange) {
        y0 = std::floor(y0 / step + 1e-9) * step;
        y1 = std::ceil(y1 / step - 1e-9) * step;
    }
    const int decimals = std::max(0, int(-std::floor(std::log10(step) + 1e-9)));
    y->setLabelFormat(QStringLiteral("%.%1f").arg(decimals));
    y->setTickType(QValueAxis::TicksDynamic);
    y->setTickAnchor(0.0);
    if (step >= y->tickInterval()) {
        y->setTickInterval(step);
        y->setRange(y0, y1);
    } else {
        y->setRange(y0, y1);
        y->setTickInterval(step);
    }
}

void LineChart::setXRangeWithTicks(double x0, double x1)
{
    auto* x = qobject_cast<QValueAxis*>(m_xAxis);
    if (!x) return;
    // As many ticks on round numbers as fit with their labels apart: the plot's width over the
    // widest label.
    const QFontMetrics fm(x->labelsFont());
    const double plotW = m_chart->plotArea().width() > 20 ? m_chart->plotArea().width() : std::max(120, m_view->width() - 70);
    const int labelW = std::max(fm.horizontalAdvance(number(x1)), fm.horizontalAdvance(number(x0))) + 18;
    const int maxTicks = std::max(2, int(plotW / labelW));
    double step = niceStepAtLeast((x1 - x0) / maxTicks);
    if (m_integerX) step = std::max(1.0, std::ceil(step));
    x->setTickType(QValueAxis::TicksDynamic);
    x->setTickAnchor(0.0);
    // Never a fine interval over a wide range, not even for a moment (that is a million ticks).
    if (step >= x->tickInterval()) {
        x->setTickInterval(step);
        x->setRange(x0, x1);
    } else {
        x->setRange(x0, x1);
        x->setTickInterval(step);
    }
}

void LineChart::onUserZoom()
{
    m_zoomed = true;
    if (auto* x = qobject_cast<QValueAxis*>(m_xAxis)) setXRangeWithTicks(x->min(), x->max());
    updateControls();
}

}  // namespace meprop
