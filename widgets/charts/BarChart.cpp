#include "charts/BarChart.h"

#include "charts/ElidedLabel.h"

#include <QBarCategoryAxis>
#include <QHorizontalBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QGraphicsScene>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace meprop {

BarChart::BarChart(QWidget* parent) : QWidget(parent)
{
    m_chart = new QChart();
    m_chart->legend()->hide();  // ours is beside the plot
    m_chart->setMargins(QMargins(2, 2, 6, 2));
    m_chart->setAnimationOptions(QChart::NoAnimation);
    // Horizontal bars: the category names sit at the left where they have room, and many runs per
    // category stack downwards instead of squeezing side by side.
    m_series = new QHorizontalBarSeries();
    m_series->setLabelsVisible(true);
    m_series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    m_series->setLabelsPrecision(3);  // significant digits
    m_chart->addSeries(m_series);
    m_xAxis = new QBarCategoryAxis();
    m_yAxis = new QValueAxis();
    m_yAxis->setLabelFormat(QStringLiteral("%g"));
    m_chart->addAxis(m_xAxis, Qt::AlignLeft);
    m_chart->addAxis(m_yAxis, Qt::AlignBottom);
    m_series->attachAxis(m_xAxis);
    m_series->attachAxis(m_yAxis);
    m_yAxis->setRange(0, 1);
    m_view = new QChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumSize(200, 140);
    connect(m_series, &QHorizontalBarSeries::hovered, this, [this](bool on, int index, QBarSet* set) {
        if (on && set) QToolTip::showText(QCursor::pos(), tooltipFor(set->label(), index), m_view);
        else QToolTip::hideText();
    });

    m_titleLabel = new ElidedLabel(this);
    m_titleLabel->setObjectName(QStringLiteral("chartTitle"));
    QFont bold = m_titleLabel->font();
    bold.setBold(true);
    m_titleLabel->setFont(bold);
    m_titleLabel->setContentsMargins(4, 2, 2, 2);
    m_legend = new ChartLegend(this);
    m_legend->setObjectName(QStringLiteral("legend"));
    connect(m_legend, &ChartLegend::entryToggled, this, &BarChart::setSetVisible);

    auto* body = new QHBoxLayout();
    body->setContentsMargins(0, 0, 0, 0);
    body->setSpacing(0);
    body->addWidget(m_view, 1);
    body->addWidget(m_legend);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_titleLabel);
    layout->addLayout(body, 1);
}

BarChart::~BarChart() = default;

void BarChart::setTitle(const QString& title)
{
    m_title = title;
    m_titleLabel->setFullText(title);
}

QString BarChart::title() const
{
    return m_title;
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
    for (const BarSetData& s : m_sets) names << s.name;
    return names;
}

QList<double> BarChart::values(const QString& setName) const
{
    QList<double> out;
    for (const BarSetData& s : m_sets)
        if (s.name == setName)
            for (int i = 0; i < m_categories.size(); ++i) out << (i < s.values.size() && std::isfinite(s.values[i]) ? s.values[i] : 0.0);
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

QString BarChart::tooltipFor(const QString& setName, int index) const
{
    const QList<double> v = values(setName);
    if (index < 0 || index >= v.size()) return {};
    return tr("%1\n%2: %3 %4").arg(setName, m_categories.value(index), QString::number(v[index], 'g', 4), m_yAxis->titleText());
}

void BarChart::setData(const QStringList& categories, const QList<BarSetData>& sets)
{
    QStringList names;
    for (const auto& s : sets) names << s.name;
    const bool sameShape = categories == m_categories && names == setNames();
    m_categories = categories;
    m_sets = sets;
    for (BarSetData& s : m_sets) {
        s.values.resize(categories.size());
        for (double& v : s.values)
            if (!std::isfinite(v)) v = 0.0;
    }
    if (sameShape) {
        // In place, no flicker: only the shown sets are in the series, in order.
        const auto bars = m_series->barSets();
        int b = 0;
        for (const BarSetData& s : m_sets) {
            if (m_hidden.contains(s.name)) continue;
            if (b >= bars.size()) break;
            for (int j = 0; j < s.values.size(); ++j)
                if (bars[b]->at(j) != s.values[j]) bars[b]->replace(j, s.values[j]);
            ++b;
        }
    } else {
        rebuild();
    }
    double top = 0.0;
    for (const BarSetData& s : m_sets)
        if (!m_hidden.contains(s.name))
            for (double v : s.values) top = std::max(top, v);
    // Head room above the tallest bar for its value label.
    m_yAxis->setRange(0.0, top > 0 ? top * 1.18 : 1.0);
    m_yAxis->applyNiceNumbers();
    updateLabels();
}

void BarChart::rebuild()
{
    m_series->clear();
    m_xAxis->clear();
    m_xAxis->append(m_categories);
    for (const BarSetData& s : m_sets) {
        if (m_hidden.contains(s.name)) continue;
        auto* bar = new QBarSet(s.name);
        QList<qreal> v(s.values.begin(), s.values.end());
        bar->append(v);
        if (s.color.isValid()) {
            bar->setColor(s.color);
            bar->setBorderColor(s.color.darker(130));
        }
        bar->setLabelColor(Qt::black);
        m_series->append(bar);
    }
    m_series->setLabelsFormat(m_labelFormat);
    m_legend->setEntries(legendEntries());
}

void BarChart::setSetVisible(const QString& setName, bool visible)
{
    if (visible) m_hidden.removeAll(setName);
    else if (!m_hidden.contains(setName)) m_hidden << setName;
    const QList<BarSetData> sets = m_sets;
    m_sets.clear();  // forces a rebuild
    setData(m_categories, sets);
}

QList<LegendEntry> BarChart::legendEntries() const
{
    QList<LegendEntry> out;
    const auto bars = m_series->barSets();
    int b = 0;
    for (const BarSetData& s : m_sets) {
        LegendEntry e;
        e.name = s.name;
        e.bar = true;
        e.visible = !m_hidden.contains(s.name);
        e.color = s.color;
        if (e.visible && b < bars.size()) e.color = bars[b++]->color();
        out << e;
    }
    return out;
}

bool BarChart::valueLabelsShown() const
{
    return m_series->isLabelsVisible();
}

void BarChart::updateLabels(double plotHeight)
{
    // A value label beside a bar only when every bar is thick enough for its text; otherwise the
    // tooltip tells the value.
    const double h = plotHeight > 0 ? plotHeight : (m_chart->plotArea().height() > 20 ? m_chart->plotArea().height() : std::max(80, m_view->height() - 60));
    int shown = 0;
    for (const BarSetData& s : m_sets) shown += !m_hidden.contains(s.name);
    const double slot = m_categories.isEmpty() || shown == 0 ? 0.0 : h / m_categories.size() * m_series->barWidth() / shown;
    const QFontMetrics fm(m_series->barSets().isEmpty() ? font() : m_series->barSets().front()->labelFont());
    m_series->setLabelsVisible(slot >= fm.height());
    // Category names one above the other: hidden only when even they would overlap.
    m_xAxis->setLabelsVisible(m_categories.isEmpty() || h / m_categories.size() >= QFontMetrics(m_xAxis->labelsFont()).height());
}

void BarChart::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    m_legend->setMaximumColumnWidth(width() * 9 / 20);
    updateLabels();
}

QSize BarChart::exportSize(QSize requested) const
{
    if (requested.isValid() && !requested.isEmpty()) return requested;
    if (isVisible() && width() >= 300 && height() >= 200) return size();
    return QSize(900, 560);
}

void BarChart::paintTo(QPainter& painter, const QSize& size) const
{
    QList<LegendEntry> entries = legendEntries();
    entries.removeIf([](const LegendEntry& e) { return !e.visible; });
    const bool labels = m_series->isLabelsVisible();
    const bool cats = m_xAxis->labelsVisible();
    // The export's plot height decides the labels, not the screen's.
    const_cast<BarChart*>(this)->updateLabels(std::max(60, size.height() - 90));
    paintChartPage(m_chart, painter, size, m_title, entries);
    m_series->setLabelsVisible(labels);
    m_xAxis->setLabelsVisible(cats);
}

QImage BarChart::toImage(QSize size, double dpi) const
{
    return renderToImage([this](QPainter& p, const QSize& sz) { paintTo(p, sz); }, exportSize(size), dpi);
}

bool BarChart::exportPng(const QString& path, QString* error, QSize size, double dpi) const
{
    return savePng(toImage(size, dpi), path, error);
}

bool BarChart::exportSvg(const QString& path, QString* error, QSize size, double dpi) const
{
    return meprop::exportSvg([this](QPainter& p, const QSize& sz) { paintTo(p, sz); }, exportSize(size), path, title(), error, dpi);
}

}  // namespace meprop
