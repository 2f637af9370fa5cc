#include "charts/LineChart.h"

#include <QChart>
#include <QChartView>
#include <QGraphicsScene>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPainter>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace meprop {

namespace {

// 1, 2 or 5 times a power of ten, close to `raw`.
double niceStep(double raw)
{
    if (!(raw > 0)) return 1.0;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / p;
    return (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0) * p;
}

}  // namespace

LineChart::LineChart(QWidget* parent) : QWidget(parent)
{
    m_chart = new QChart();
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->legend()->setShowToolTips(true);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->setAnimationOptions(QChart::NoAnimation);  // live data: animations only lag
    m_view = new QChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumSize(240, 180);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    rebuildAxes();
}

LineChart::~LineChart() = default;

void LineChart::setTitle(const QString& title)
{
    m_chart->setTitle(title);
}

QString LineChart::title() const
{
    return m_chart->title();
}

void LineChart::setAxisTitles(const QString& x, const QString& y)
{
    m_xTitle = x;
    m_yTitle = y;
    m_xAxis->setTitleText(x);
    m_yAxis->setTitleText(y);
}

void LineChart::setYRange(std::optional<std::pair<double, double>> range)
{
    m_yRange = range;
    updateRanges();
}

void LineChart::setIntegerX(bool on)
{
    m_integerX = on;
    updateRanges();
}

void LineChart::setYIncludesZero(bool on)
{
    m_yZero = on;
    updateRanges();
}

void LineChart::setLogY(bool on)
{
    if (on == m_logY) return;
    m_logY = on;
    rebuildAxes();
}

void LineChart::setLogX(bool on)
{
    if (on == m_logX) return;
    m_logX = on;
    rebuildAxes();
}

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
    updateRanges();
}

QLineSeries* LineChart::find(const QString& name) const
{
    for (auto* s : m_chart->series())
        if (s->name() == name) return static_cast<QLineSeries*>(s);
    return nullptr;
}

void LineChart::setSeries(const QString& name, const QList<QPointF>& points, const SeriesStyle& style)
{
    QList<QPointF> kept;
    kept.reserve(points.size());
    for (const QPointF& p : points)
        if (std::isfinite(p.x()) && std::isfinite(p.y()) && (!m_logX || p.x() > 0) && (!m_logY || p.y() > 0)) kept.append(p);

    QLineSeries* series = find(name);
    const bool created = series == nullptr;
    if (created) {
        series = new QLineSeries();
        series->setName(name);
        m_chart->addSeries(series);
        series->attachAxis(m_xAxis);
        series->attachAxis(m_yAxis);
    }
    if (created || style.color.isValid() || style.pen != Qt::SolidLine || style.markers) {
        QPen pen = series->pen();
        if (style.color.isValid()) pen.setColor(style.color);
        pen.setStyle(style.pen);
        pen.setWidthF(style.width);
        series->setPen(pen);
        series->setPointsVisible(style.markers);
        if (style.color.isValid()) series->setColor(style.color);
    }
    series->replace(kept);
    updateRanges();
}

void LineChart::removeSeries(const QString& name)
{
    if (QLineSeries* s = find(name)) {
        m_chart->removeSeries(s);
        delete s;
        updateRanges();
    }
}

void LineChart::clearSeries()
{
    m_chart->removeAllSeries();
    updateRanges();
}

QStringList LineChart::seriesNames() const
{
    QStringList names;
    for (auto* s : m_chart->series()) names << s->name();
    return names;
}

QList<QPointF> LineChart::seriesPoints(const QString& name) const
{
    const QLineSeries* s = find(name);
    return s ? s->points() : QList<QPointF>();
}

bool LineChart::hasSeries(const QString& name) const
{
    return find(name) != nullptr;
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

void LineChart::updateRanges()
{
    double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
    for (auto* s : m_chart->series()) {
        for (const QPointF& p : static_cast<QLineSeries*>(s)->points()) {
            x0 = std::min(x0, p.x());
            x1 = std::max(x1, p.x());
            y0 = std::min(y0, p.y());
            y1 = std::max(y1, p.y());
        }
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
    if (auto* x = qobject_cast<QValueAxis*>(m_xAxis)) {
        // A tight range (the data reaches the right edge) with ticks on round numbers.
        double step = niceStep((x1 - x0) / 6.0);
        if (m_integerX) {
            step = std::max(1.0, std::round(step));
            x0 -= 0.15;  // room for the first and last markers
            x1 += 0.15;
        }
        x->setRange(x0, x1);
        x->setTickType(QValueAxis::TicksDynamic);
        x->setTickAnchor(0.0);
        x->setTickInterval(step);
    } else if (auto* l = qobject_cast<QLogValueAxis*>(m_xAxis)) {
        l->setRange(x0 / 1.25, x1 * 1.25);
    }
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
    y->setRange(y0, y1);
    if (!m_yRange) y->applyNiceNumbers();
}

QSize LineChart::exportSize(QSize requested) const { return chartExportSize(m_view, requested); }

void LineChart::paintTo(QPainter& painter, const QSize& size) const { paintChart(m_chart, painter, size); }

QImage LineChart::toImage(QSize size) const
{
    const QSize s = exportSize(size);
    return renderToImage([this](QPainter& p, const QSize& sz) { paintTo(p, sz); }, s);
}

bool LineChart::exportPng(const QString& path, QString* error, QSize size) const
{
    return savePng(toImage(size), path, error);
}

bool LineChart::exportSvg(const QString& path, QString* error, QSize size) const
{
    return meprop::exportSvg([this](QPainter& p, const QSize& sz) { paintTo(p, sz); }, exportSize(size), path,
                             title(), error);
}

}  // namespace meprop
