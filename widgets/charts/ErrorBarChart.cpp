#include "charts/ErrorBarChart.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPainter>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace meprop {

namespace {

const QColor kPalette[] = {QColor("#1f77b4"), QColor("#d62728"), QColor("#2ca02c"), QColor("#9467bd"), QColor("#ff7f0e"), QColor("#8c564b")};

void hideFromLegend(QChart* chart, QAbstractSeries* s)
{
    for (QLegendMarker* m : chart->legend()->markers(s)) m->setVisible(false);
}

}  // namespace

ErrorBarChart::ErrorBarChart(QWidget* parent) : QWidget(parent)
{
    m_chart = new QChart();
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_view = new QChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumSize(240, 180);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    rebuild();
}

ErrorBarChart::~ErrorBarChart() = default;

void ErrorBarChart::setTitle(const QString& title) { m_chart->setTitle(title); }

void ErrorBarChart::setAxisTitles(const QString& x, const QString& y)
{
    m_xTitle = x;
    m_yTitle = y;
    rebuild();
}

void ErrorBarChart::setLogX(bool on)
{
    m_logX = on;
    rebuild();
}

void ErrorBarChart::setYBounds(std::optional<std::pair<double, double>> bounds)
{
    m_yBounds = bounds;
    rebuild();
}

void ErrorBarChart::setData(const QList<ErrorBarSeries>& series)
{
    m_data = series;
    rebuild();
}

QRectF ErrorBarChart::axisRange() const { return QRectF(m_xmin, m_ymin, m_xmax - m_xmin, m_ymax - m_ymin); }

void ErrorBarChart::rebuild()
{
    m_chart->removeAllSeries();
    for (auto* axis : m_chart->axes()) {
        m_chart->removeAxis(axis);
        delete axis;
    }
    m_bars = 0;
    // Ranges: x from the points of the non-horizontal series, y from every interval.
    double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
    for (const ErrorBarSeries& s : m_data)
        for (const ErrorBarPoint& p : s.points) {
            if (!s.horizontal && m_logX && p.x <= 0) continue;  // not drawn
            if (!s.horizontal) {
                xmin = std::min(xmin, p.x);
                xmax = std::max(xmax, p.x);
            }
            ymin = std::min({ymin, p.low, p.y});
            ymax = std::max({ymax, p.high, p.y});
        }
    if (!std::isfinite(xmin)) xmin = 1, xmax = 10;
    if (!std::isfinite(ymin)) ymin = 0, ymax = 1;
    if (m_logX) {
        xmin /= 1.4;
        xmax *= 1.4;
    } else {
        const double pad = std::max(0.05 * (xmax - xmin), 0.5);
        xmin -= pad;
        xmax += pad;
    }
    const double ypad = std::max(0.06 * (ymax - ymin), 0.05);
    ymin -= ypad;
    ymax += ypad;
    auto bound = [this](double& lo, double& hi) {
        if (!m_yBounds) return;
        lo = std::max(lo, m_yBounds->first);
        hi = std::min(hi, m_yBounds->second);
        if (!(lo < hi)) lo = m_yBounds->first, hi = m_yBounds->second;
    };
    bound(ymin, ymax);
    m_xmin = xmin, m_xmax = xmax, m_ymin = ymin, m_ymax = ymax;

    QAbstractAxis* xAxis = nullptr;
    if (m_logX) {
        auto* x = new QLogValueAxis();
        x->setBase(10.0);
        x->setLabelFormat(QStringLiteral("%g"));
        x->setMinorTickCount(8);
        x->setRange(xmin, xmax);
        xAxis = x;
    } else {
        auto* x = new QValueAxis();
        x->setLabelFormat(QStringLiteral("%g"));
        x->setRange(xmin, xmax);
        xAxis = x;
    }
    auto* yAxis = new QValueAxis();
    yAxis->setLabelFormat(QStringLiteral("%g"));
    yAxis->setRange(ymin, ymax);
    yAxis->applyNiceNumbers();
    if (m_yBounds) {
        double lo = yAxis->min(), hi = yAxis->max();
        bound(lo, hi);
        yAxis->setRange(lo, hi);
    }
    m_ymin = yAxis->min();
    m_ymax = yAxis->max();
    xAxis->setTitleText(m_xTitle);
    yAxis->setTitleText(m_yTitle);
    m_chart->addAxis(xAxis, Qt::AlignBottom);
    m_chart->addAxis(yAxis, Qt::AlignLeft);
    auto attach = [&](QAbstractSeries* s) {
        m_chart->addSeries(s);
        s->attachAxis(xAxis);
        s->attachAxis(yAxis);
    };

    for (int i = 0; i < m_data.size(); ++i) {
        const ErrorBarSeries& s = m_data[i];
        const QColor colour = s.color.isValid() ? s.color : kPalette[i % 6];
        if (s.horizontal) {
            if (s.points.isEmpty()) continue;
            const ErrorBarPoint& p = s.points.front();
            auto* upper = new QLineSeries();
            auto* lower = new QLineSeries();
            upper->append({{xmin, p.high}, {xmax, p.high}});
            lower->append({{xmin, p.low}, {xmax, p.low}});
            auto* band = new QAreaSeries(upper, lower);
            QColor fill = colour;
            fill.setAlphaF(0.15);
            band->setBrush(fill);
            band->setPen(Qt::NoPen);
            attach(band);
            hideFromLegend(m_chart, band);
            auto* line = new QLineSeries();
            line->setName(s.name);
            QPen pen(colour, 2.0, Qt::DashLine);
            line->setPen(pen);
            line->append({{xmin, p.y}, {xmax, p.y}});
            attach(line);
            continue;
        }
        auto* line = new QLineSeries();
        line->setName(s.name);
        line->setPen(QPen(colour, 2.0));
        line->setPointsVisible(true);
        for (const ErrorBarPoint& p : s.points)
            if (!m_logX || p.x > 0) line->append(p.x, p.y);
        attach(line);
        for (const ErrorBarPoint& p : s.points) {
            if (!(p.high > p.low) || (m_logX && p.x <= 0)) continue;
            // One vertical segment plus two caps, as three small series (Qt Charts has no error bars).
            const double cap = m_logX ? p.x * 0.06 : 0.01 * (xmax - xmin);
            const QList<QList<QPointF>> parts = {{{p.x, p.low}, {p.x, p.high}},
                                                 {{p.x - cap, p.low}, {p.x + cap, p.low}},
                                                 {{p.x - cap, p.high}, {p.x + cap, p.high}}};
            for (const auto& part : parts) {
                auto* bar = new QLineSeries();
                bar->setPen(QPen(colour, 1.5));
                bar->append(part);
                attach(bar);
                hideFromLegend(m_chart, bar);
            }
            ++m_bars;
        }
    }
}

void ErrorBarChart::paintTo(QPainter& painter, const QSize& size) const { paintChart(m_chart, painter, size); }

QImage ErrorBarChart::toImage(QSize size) const
{
    return renderToImage([this](QPainter& p, const QSize& s) { paintTo(p, s); }, chartExportSize(m_view, size));
}

bool ErrorBarChart::exportPng(const QString& path, QString* error, QSize size) const
{
    return meprop::exportPng([this](QPainter& p, const QSize& s) { paintTo(p, s); }, chartExportSize(m_view, size), path, error);
}

bool ErrorBarChart::exportSvg(const QString& path, QString* error, QSize size) const
{
    return meprop::exportSvg([this](QPainter& p, const QSize& s) { paintTo(p, s); }, chartExportSize(m_view, size), path, m_chart->title(),
                             error);
}

}  // namespace meprop
