#include "charts/LineChart.h"

#include "charts/ElidedLabel.h"

#include "charts/ChartView.h"
#include "charts/Smoothing.h"

#include <QAreaSeries>
#include <QChart>
#include <QContextMenuEvent>
#include <QGraphicsScene>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMenu>
#include <QPainter>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace meprop {

namespace {

QToolButton* toggleButton(const QString& text, const QString& tip, QWidget* parent)
{
    auto* b = new QToolButton(parent);
    b->setText(text);
    b->setToolTip(tip);
    b->setAutoRaise(true);
    b->setCheckable(true);
    b->setFocusPolicy(Qt::TabFocus);
    return b;
}

}  // namespace

LineChart::LineChart(QWidget* parent) : QWidget(parent)
{
    m_chart = new QChart();
    m_chart->legend()->hide();  // ours is beside the plot (ChartLegend)
    // The x ticks are spaced for the plot's width, which is known only once the chart has laid
    // out (after a resize): space them again when it changes, so that labels never overlap.
    connect(m_chart, &QChart::plotAreaChanged, this, [this](const QRectF& area) {
        if (std::abs(area.width() - m_tickPlotWidth) < 2.0) return;
        m_tickPlotWidth = area.width();
        if (auto* x = qobject_cast<QValueAxis*>(m_xAxis)) setXRangeWithTicks(x->min(), x->max());
    });
    m_chart->setMargins(QMargins(2, 2, 6, 2));
    m_chart->setAnimationOptions(QChart::NoAnimation);  // live data: animations only lag
    m_view = new ChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumSize(200, 140);
    m_view->setTooltipProvider([this](const QPointF& p) { return tooltipAt(p); });
    connect(m_view, &ChartView::zoomedByUser, this, &LineChart::onUserZoom);
    connect(m_view, &ChartView::resetRequested, this, &LineChart::resetZoom);

    m_titleLabel = new ElidedLabel(this);
    m_titleLabel->setObjectName(QStringLiteral("chartTitle"));
    QFont bold = m_titleLabel->font();
    bold.setBold(true);
    m_titleLabel->setFont(bold);

    m_smoothingRow = new QWidget(this);
    auto* sr = new QHBoxLayout(m_smoothingRow);
    sr->setContentsMargins(0, 0, 0, 0);
    sr->setSpacing(4);
    auto* sl = new QLabel(tr("smoothing"), m_smoothingRow);
    m_smoothingSlider = new QSlider(Qt::Horizontal, m_smoothingRow);
    m_smoothingSlider->setObjectName(QStringLiteral("smoothingSlider"));
    m_smoothingSlider->setRange(0, 99);
    m_smoothingSlider->setValue(int(std::lround(m_smoothing * 100)));
    m_smoothingSlider->setFixedWidth(90);
    m_smoothingSlider->setToolTip(tr("Exponential moving average of the per-batch curves, debiased as in TensorBoard (0: raw)"));
    m_smoothingValue = new QLabel(m_smoothingRow);
    m_smoothingValue->setMinimumWidth(m_smoothingValue->fontMetrics().horizontalAdvance(QStringLiteral("0.00")) + 2);
    sr->addWidget(sl);
    sr->addWidget(m_smoothingSlider);
    sr->addWidget(m_smoothingValue);
    connect(m_smoothingSlider, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 100.0); });
    m_smoothingRow->hide();

    m_logXButton = toggleButton(tr("log x"), tr("Logarithmic x axis"), this);
    m_logXButton->setObjectName(QStringLiteral("logX"));
    m_logYButton = toggleButton(tr("log y"), tr("Logarithmic y axis"), this);
    m_logYButton->setObjectName(QStringLiteral("logY"));
    connect(m_logXButton, &QToolButton::toggled, this, &LineChart::setLogX);
    connect(m_logYButton, &QToolButton::toggled, this, &LineChart::setLogY);
    m_resetButton = new QToolButton(this);
    m_resetButton->setObjectName(QStringLiteral("resetZoom"));
    m_resetButton->setText(tr("reset"));
    m_resetButton->setToolTip(tr("Show all the data again (or double click the plot)"));
    m_resetButton->setAutoRaise(true);
    connect(m_resetButton, &QToolButton::clicked, this, &LineChart::resetZoom);

    m_legend = new ChartLegend(this);
    m_legend->setObjectName(QStringLiteral("legend"));
    connect(m_legend, &ChartLegend::entryToggled, this, &LineChart::setEntryVisible);

    m_controls = new QWidget(this);
    auto* controls = new QHBoxLayout(m_controls);
    controls->setContentsMargins(0, 0, 0, 0);
    controls->setSpacing(2);
    controls->addWidget(m_smoothingRow);
    controls->addWidget(m_logXButton);
    controls->addWidget(m_logYButton);
    controls->addWidget(m_resetButton);
    auto* header = new QHBoxLayout();
    header->setContentsMargins(4, 0, 2, 0);
    header->setSpacing(2);
    header->addWidget(m_titleLabel, 1);
    header->addWidget(m_controls);
    m_header = header;
    // The controls move to a row of their own when the title would not fit beside them.
    m_secondRow = new QHBoxLayout();
    m_secondRow->setContentsMargins(4, 0, 2, 0);
    m_secondRow->addStretch(1);
    auto* body = new QHBoxLayout();
    body->setContentsMargins(0, 0, 0, 0);
    body->setSpacing(0);
    body->addWidget(m_view, 1);
    body->addWidget(m_legend);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(header);
    layout->addLayout(m_secondRow);
    layout->addLayout(body, 1);
    rebuildAxes();
    updateControls();
}

LineChart::~LineChart() = default;

void LineChart::setTitle(const QString& title)
{
    m_title = title;
    m_titleLabel->setFullText(title);
    placeControls();
}

QString LineChart::title() const
{
    return m_title;
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
    redrawAll();
    updateControls();
}

void LineChart::setLogX(bool on)
{
    if (on == m_logX) return;
    m_logX = on;
    rebuildAxes();
    redrawAll();
    updateControls();
}

void LineChart::setSmoothingControl(bool shown)
{
    m_smoothingRow->setVisible(shown);
    placeControls();
}

void LineChart::setSmoothing(double weight)
{
    weight = std::clamp(weight, 0.0, 0.99);
    const bool changed = weight != m_smoothing;
    m_smoothing = weight;
    m_smoothingValue->setText(QString::number(weight, 'f', 2));
    if (m_smoothingSlider->value() != int(std::lround(weight * 100))) m_smoothingSlider->setValue(int(std::lround(weight * 100)));
    if (changed) redrawAll();
}

void LineChart::setMaxPoints(int n)
{
    m_maxPoints = std::max(0, n);
    redrawAll();
}

void LineChart::updateControls()
{
    const QSignalBlocker bx(m_logXButton), by(m_logYButton);
    m_logXButton->setChecked(m_logX);
    m_logYButton->setChecked(m_logY);
    m_resetButton->setEnabled(m_zoomed);
    m_smoothingValue->setText(QString::number(m_smoothing, 'f', 2));
}

LineChart::Entry* LineChart::find(const QString& name)
{
    for (Entry& e : m_entries)
        if (e.name == name) return &e;
    return nullptr;
}

const LineChart::Entry* LineChart::find(const QString& name) const
{
    for (const Entry& e : m_entries)
        if (e.name == name) return &e;
    return nullptr;
}

void LineChart::redraw(Entry& e)
{
    QList<QPointF> kept;
    kept.reserve(e.raw.size());
    for (const QPointF& p : e.raw)
        if (std::isfinite(p.x()) && std::isfinite(p.y()) && (!m_logX || p.x() > 0)) kept.append(p);
    if (e.style.smooth) kept = emaSmoothed(kept, m_smoothing);
    if (m_logY) kept.removeIf([](const QPointF& p) { return !(p.y() > 0); });
    e.series->replace(thinnedTo(kept, m_maxPoints));
    e.series->setVisible(!m_hidden.contains(legendKey(e)));
}

void LineChart::redrawAll()
{
    for (Entry& e : m_entries) redraw(e);
    for (Band& b : m_bands) redraw(b);
    updateRanges();
}

void LineChart::setSeries(const QString& name, const QList<QPointF>& points, const SeriesStyle& style)
{
    Entry* e = find(name);
    const bool created = e == nullptr;
    if (created) {
        Entry fresh;
        fresh.name = name;
        fresh.series = new QLineSeries();
        fresh.series->setName(name);
        m_chart->addSeries(fresh.series);
        fresh.series->attachAxis(m_xAxis);
        fresh.series->attachAxis(m_yAxis);
        m_entries.append(fresh);
        e = &m_entries.back();
    }
    const bool styled = style.color.isValid() || style.pen != Qt::SolidLine || style.markers || !style.group.isEmpty() || style.smooth;
    if (created || styled) {
        e->style = style;
        QPen pen = e->series->pen();
        if (style.color.isValid()) pen.setColor(style.color);
        pen.setStyle(style.pen);
        pen.setWidthF(style.width);
        e->series->setPen(pen);
        e->series->setPointsVisible(style.markers);
        if (style.color.isValid()) e->series->setColor(style.color);
    }
    e->raw = points;
    redraw(*e);
    updateRanges();
    if (created || styled) updateLegend();
}

void LineChart::removeSeries(const QString& name)
{
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].name == name) {
            m_chart->removeSeries(m_entries[i].series);
            delete m_entries[i].series;
            m_entries.removeAt(i);
            updateRanges();
            updateLegend();
            return;
        }
}

void LineChart::clearSeries()
{
    m_chart->removeAllSeries();
    m_entries.clear();
    m_bands.clear();
    updateRanges();
    updateLegend();
}

QStringList LineChart::seriesNames() const
{
    QStringList names;
    for (const Entry& e : m_entries) names << e.name;
    return names;
}

QList<QPointF> LineChart::seriesPoints(const QString& name) const
{
    const Entry* e = find(name);
    return e ? e->series->points() : QList<QPointF>();
}

bool LineChart::hasSeries(const QString& name) const
{
    return find(name) != nullptr;
}

void LineChart::setEntryVisible(const QString& entry, bool visible)
{
    if (visible) m_hidden.removeAll(entry);
    else if (!m_hidden.contains(entry)) m_hidden << entry;
    for (Entry& e : m_entries)
        if (legendKey(e) == entry) e.series->setVisible(visible);
    for (Band& b : m_bands)
        if ((b.group.isEmpty() ? b.name : b.group) == entry) {
            b.area->setVisible(visible);
            for (QLineSeries* seg : std::as_const(b.segments)) seg->setVisible(visible);
        }
    updateRanges();
    updateLegend();
}

bool LineChart::isSeriesVisible(const QString& name) const
{
    const Entry* e = find(name);
    return e && !m_hidden.contains(legendKey(*e));
}

QList<LegendEntry> LineChart::legendEntries() const
{
    QList<LegendEntry> out;
    QStringList seen;
    for (const Entry& e : m_entries) {
        const QString key = legendKey(e);
        if (seen.contains(key)) continue;
        seen << key;
        LegendEntry l;
        l.name = key;
        l.color = e.series->pen().color();
        l.pen = e.style.group.isEmpty() ? e.style.pen : Qt::SolidLine;
        l.markers = e.style.markers;
        l.visible = !m_hidden.contains(key);
        out << l;
    }
    for (const Band& b : m_bands) {
        const QString key = b.group.isEmpty() ? b.name : b.group;
        if (seen.contains(key)) continue;
        seen << key;
        LegendEntry l;
        l.name = key;
        l.color = b.color;
        l.bar = true;
        l.visible = !m_hidden.contains(key);
        out << l;
    }
    return out;
}

void LineChart::updateLegend()
{
    m_legend->setEntries(legendEntries());
}

void LineChart::placeControls()
{
    const int needed = m_titleLabel->fontMetrics().horizontalAdvance(m_title) + 12 + m_controls->sizeHint().width();
    const bool below = width() < needed;
    if (below == m_controlsBelow) return;
    m_controlsBelow = below;
    if (below) {
        m_header->removeWidget(m_controls);
        m_secondRow->addWidget(m_controls);
    } else {
        m_secondRow->removeWidget(m_controls);
        m_header->addWidget(m_controls);
    }
}

void LineChart::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    placeControls();
    m_legend->setMaximumColumnWidth(width() * 9 / 20);
    updateRanges();
}

void LineChart::contextMenuEvent(QContextMenuEvent* event)
{
    QMenu menu(this);
    menu.addAction(tr("Reset zoom"), this, &LineChart::resetZoom)->setEnabled(m_zoomed);
    QAction* lx = menu.addAction(tr("Logarithmic x axis"), this, [this](bool on) { setLogX(on); });
    lx->setCheckable(true);
    lx->setChecked(m_logX);
    QAction* ly = menu.addAction(tr("Logarithmic y axis"), this, [this](bool on) { setLogY(on); });
    ly->setCheckable(true);
    ly->setChecked(m_logY);
    menu.addAction(tr("Show all series"), this, [this] {
        const QStringList hidden = m_hidden;
        for (const QString& h : hidden) setEntryVisible(h, true);
    })->setEnabled(!m_hidden.isEmpty());
    menu.exec(event->globalPos());
}

QSize LineChart::exportSize(QSize requested) const
{
    if (requested.isValid() && !requested.isEmpty()) return requested;
    if (isVisible() && width() >= 300 && height() >= 200) return size();
    return QSize(900, 560);
}

void LineChart::paintTo(QPainter& painter, const QSize& size) const
{
    QList<LegendEntry> entries = legendEntries();
    entries.removeIf([](const LegendEntry& e) { return !e.visible; });  // export what is shown
    paintChartPage(m_chart, painter, size, m_title, entries);
}

QImage LineChart::toImage(QSize size, double dpi) const
{
    return renderToImage([this](QPainter& p, const QSize& sz) { paintTo(p, sz); }, exportSize(size), dpi);
}

bool LineChart::exportPng(const QString& path, QString* error, QSize size, double dpi) const
{
    return savePng(toImage(size, dpi), path, error);
}

bool LineChart::exportSvg(const QString& path, QString* error, QSize size, double dpi) const
{
    return meprop::exportSvg([this](QPainter& p, const QSize& sz) { paintTo(p, sz); }, exportSize(size), path, title(), error, dpi);
}

}  // namespace meprop
