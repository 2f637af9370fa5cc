#include "charts/BarChart.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QGraphicsScene>
#include <QPainter>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace meprop {

BarChart::BarChart(QWidget* parent) : QWidget(parent)
{
    m_chart = new QChart();
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_series = new QBarSeries();
    m_series->setLabelsVisible(true);
    m_series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    m_series->setLabelsPrecision(3);  // significant digits
    m_chart->addSeries(m_series);
    m_xAxis = new QBarCategoryAxis();
    m_yAxis = new QValueAxis();
    m_yAxis->setLabelFormat(QStringLiteral("%g"));
    m_chart->addAxis(m_xAxis, Qt::AlignBottom);
    m_chart->addAxis(m_yAxis, Qt::AlignLeft);
    m_series->attachAxis(m_xAxis);
    m_series->attachAxis(m_yAxis);
    m_yAxis->setRange(0, 1);
    m_view = new QChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumSize(240, 180);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
}

BarChart::~BarChart() = default;

void BarChart::setTitle(const QString& title)
{
    m_chart->setTitle(title);
}

QString BarChart::title() const
{
    return m_chart->title();
}

void BarChart::setValueTitle(const QString& title)
{
    m_yAxis->setTitleText(title);
}

void BarChart::setLabelFormat(const QString& format)
{
    m_labelFormat = format;
    m_series->setLabelsFormat(format);
}

QStringList BarChart::setNames() const
{
    QStringList names;
    for (auto* s : m_series->barSets()) names << s->label();
    return names;
}

QList<double> BarChart::values(const QString& setName) const
{
    QList<double> out;
    for (auto* s : m_series->barSets())
        if (s->label() == setName)
            for (int i = 0; i < s->count(); ++i) out << s->at(i);
    return out;
}

double BarChart::valueMax() const
{
    return m_yAxis->max();
}

void BarChart::clear()
{
    setData({}, {});
}

void BarChart::setData(const QStringList& categories, const QList<BarSetData>& sets)
{
    auto clean = [&](const BarSetData& d) {
        QList<qreal> v;
        for (int i = 0; i < categories.size(); ++i) {
            const double x = i < d.values.size() ? d.values[i] : 0.0;
            v << (std::isfinite(x) ? x : 0.0);
        }
        return v;
    };
    QStringList names;
    for (const auto& s : sets) names << s.name;
    const bool sameShape = categories == m_categories && names == setNames();
    if (sameShape) {
        const auto bars = m_series->barSets();
        for (int i = 0; i < sets.size(); ++i) {
            const QList<qreal> v = clean(sets[i]);
            for (int j = 0; j < v.size(); ++j)
                if (bars[i]->at(j) != v[j]) bars[i]->replace(j, v[j]);
        }
    } else {
        m_series->clear();
        m_xAxis->clear();
        m_categories = categories;
        m_xAxis->append(categories);
        for (const auto& s : sets) {
            auto* bar = new QBarSet(s.name);
            bar->append(clean(s));
            if (s.color.isValid()) {
                bar->setColor(s.color);
                bar->setBorderColor(s.color.darker(130));
            }
            bar->setLabelColor(Qt::black);
            m_series->append(bar);
        }
        m_series->setLabelsFormat(m_labelFormat);
    }
    double top = 0.0;
    for (const auto& s : sets)
        for (double v : clean(s)) top = std::max(top, v);
    // Head room above the tallest bar for its value label.
    m_yAxis->setRange(0.0, top > 0 ? top * 1.18 : 1.0);
    m_yAxis->applyNiceNumbers();
}

QSize BarChart::exportSize(QSize requested) const { return chartExportSize(m_view, requested); }

void BarChart::paintTo(QPainter& painter, const QSize& size) const { paintChart(m_chart, painter, size); }

QImage BarChart::toImage(QSize size) const
{
    return renderToImage([this](QPainter& p, const QSize& sz) { paintTo(p, sz); }, exportSize(size));
}

bool BarChart::exportPng(const QString& path, QString* error, QSize size) const
{
    return savePng(toImage(size), path, error);
}

bool BarChart::exportSvg(const QString& path, QString* error, QSize size) const
{
    return meprop::exportSvg([this](QPainter& p, const QSize& sz) { paintTo(p, sz); }, exportSize(size), path,
                             title(), error);
}

}  // namespace meprop
