#pragma once
// A line chart of named series over one x and one y axis, our wrapper over Qt Charts so that the
// rest of the app never touches QtCharts types (Qt Charts is deprecated from Qt 6.10).
//
// Series are addressed by name; setSeries() creates a series or replaces all its points in one
// QXYSeries::replace() call (cheaper than clear + append, which repaints per point). Axes follow
// the data (with nice numbers and as many ticks as fit without overlapping) unless a fixed range is
// set or the user zoomed. Above the plot: the title, an optional smoothing slider (TensorBoard's
// debiased EMA, for series styled `smooth`) and log/linear toggles per axis; beside it our legend
// (full names, scrolls, click to hide). The plot zooms (drag a rectangle, wheel), pans (Shift+drag)
// and resets (double click, or the Reset button); hovering shows the series, x and y.
#include "charts/ChartExport.h"
#include "charts/ChartLegend.h"
#include "charts/ExportableChart.h"

#include <QColor>
#include <QPair>
#include <QList>
#include <QPointF>
#include <QString>
#include <QWidget>

#include <optional>
#include <utility>

class QChart;
class QHBoxLayout;
class QLabel;
class QLineSeries;
class QAbstractAxis;
class QAreaSeries;
class QSlider;
class QToolButton;

namespace meprop {

class ChartView;
class ElidedLabel;

struct SeriesStyle {
    SeriesStyle(QColor color = {}, Qt::PenStyle pen = Qt::SolidLine, qreal width = 2.0, bool markers = false, QString group = {},
                bool smooth = false)
        : color(color), pen(pen), width(width), markers(markers), group(std::move(group)), smooth(smooth)
    {
    }
    QColor color;                        // invalid: the chart's palette picks one
    Qt::PenStyle pen = Qt::SolidLine;
    qreal width = 2.0;
    bool markers = false;                // draw a dot at each point (epoch curves)
    QString group;                       // series of one group share one legend entry (e.g. a run's
                                         // dev and test curves); empty: an entry of its own
    bool smooth = false;                 // follows the smoothing slider
};

class LineChart : public QWidget, public ExportableChart {
    Q_OBJECT
public:
    explicit LineChart(QWidget* parent = nullptr);
    ~LineChart() override;

    void setTitle(const QString& title);
    QString title() const override;
    void setAxisTitles(const QString& x, const QString& y);
    // Fixes the y range (e.g. 0..1 for ratios); std::nullopt returns to following the data.
    void setYRange(std::optional<std::pair<double, double>> range);
    // Integer x data (epochs): ticks on whole numbers only.
    void setIntegerX(bool on);
    // Logarithmic y axis (losses, ratios spanning decades); points with y <= 0 are not drawn while
    // it is on (they are kept and come back with the linear axis).
    void setLogY(bool on);
    bool logY() const { return m_logY; }
    // Keep 0 inside the y range when following the data (ratios, speedups, loss).
    void setYIncludesZero(bool on);
    // Logarithmic x axis (k sweeps); points with x <= 0 are not drawn while it is on.
    void setLogX(bool on);
    bool logX() const { return m_logX; }

    // Shows the smoothing slider; series styled `smooth` are drawn smoothed with its weight.
    void setSmoothingControl(bool shown);
    void setSmoothing(double weight);  // 0 (none) .. 0.99
    double smoothing() const { return m_smoothing; }
    // Draw at most about n points per series (after smoothing); 0: all.
    void setMaxPoints(int n);

    // Creates the series `name` or replaces its points (the style is applied on creation and when
    // given again).
    void setSeries(const QString& name, const QList<QPointF>& points, const SeriesStyle& style = {});
    void removeSeries(const QString& name);
    // Removes every series and band.
    void clearSeries();

    // A shaded band between two curves (a seed group's mean -/+ one standard deviation), drawn in
    // a light tint of `color` under the lines; `group` joins the band to a legend entry (hiding
    // the entry hides it too). Points are matched by position: lower[i] and upper[i] share an x.
    void setBand(const QString& name, const QList<QPointF>& lower, const QList<QPointF>& upper, const QColor& color,
                 const QString& group = {});
    // Error bars instead of a shaded band: at each x a vertical bar from lower[i] to upper[i] with
    // caps (a k sweep's mean -/+ one std over its seeds). A band in every other respect: the same
    // name space, legend group, visibility, ranges and bandPoints().
    void setErrorBars(const QString& name, const QList<QPointF>& lower, const QList<QPointF>& upper, const QColor& color,
                      const QString& group = {});
    // Drawn error bars (points with upper > lower) over all bands drawn as bars.
    int errorBarCount() const;
    void removeBand(const QString& name);
    QStringList bandNames() const;
    // {lower, upper} as drawn.
    QPair<QList<QPointF>, QList<QPointF>> bandPoints(const QString& name) const;

    QStringList seriesNames() const;
    // The points as drawn (after the log filter, smoothing and thinning).
    QList<QPointF> seriesPoints(const QString& name) const;
    bool hasSeries(const QString& name) const;
    // Hides or shows the series of a legend entry (a group or a series name), as a click on the
    // legend does; the choice survives setSeries().
    void setEntryVisible(const QString& entry, bool visible);
    bool isSeriesVisible(const QString& name) const;
    ChartLegend* legend() const { return m_legend; }
    // Current axis ranges (for tests and the export): {xmin, xmax, ymin, ymax}.
    QRectF axisRange() const;

    // Zoom: to a rectangle in data coordinates, back to the data's range, and whether zoomed.
    void zoomTo(const QRectF& dataRect);
    void resetZoom();
    bool isZoomed() const { return m_zoomed; }
    ChartView* view() const { return m_view; }
    // The hover text at a point of the plot (widget coordinates of view()): "series\nx = .., y = ..";
    // empty when no point is within a few pixels.
    QString tooltipAt(const QPointF& viewPos) const;

    QImage toImage(QSize size = {}, double dpi = 96.0) const override;
    bool exportPng(const QString& path, QString* error = nullptr, QSize size = {}, double dpi = 96.0) const override;
    bool exportSvg(const QString& path, QString* error = nullptr, QSize size = {}, double dpi = 96.0) const override;

protected:
    void resizeEvent(QResizeEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    struct Entry {
        QString name;
        QList<QPointF> raw;
        SeriesStyle style;
        QLineSeries* series = nullptr;
    };

    void rebuildAxes();
    void updateRanges();
    void setXRangeWithTicks(double x0, double x1);
    void onUserZoom();
    void placeControls();
    void redraw(Entry& e);
    void redrawAll();
    void updateLegend();
    void updateControls();
    QString legendKey(const Entry& e) const { return e.style.group.isEmpty() ? e.name : e.style.group; }
    QList<LegendEntry> legendEntries() const;
    QSize exportSize(QSize requested) const;
    void paintTo(QPainter& painter, const QSize& size) const;
    Entry* find(const QString& name);
    const Entry* find(const QString& name) const;

    QChart* m_chart = nullptr;
    ChartView* m_view = nullptr;
    ChartLegend* m_legend = nullptr;
    ElidedLabel* m_titleLabel = nullptr;
    QWidget* m_controls = nullptr;
    QHBoxLayout* m_header = nullptr;
    QHBoxLayout* m_secondRow = nullptr;
    bool m_controlsBelow = false;
    QWidget* m_smoothingRow = nullptr;
    QSlider* m_smoothingSlider = nullptr;
    QLabel* m_smoothingValue = nullptr;
    QToolButton* m_logXButton = nullptr;
    QToolButton* m_logYButton = nullptr;
    QToolButton* m_resetButton = nullptr;
    QAbstractAxis* m_xAxis = nullptr;
    QAbstractAxis* m_yAxis = nullptr;
    struct Band {
        QString name;
        QString group;
        QList<QPointF> lower, upper;
        QColor color;
        QAreaSeries* area = nullptr;
        QLineSeries* lo = nullptr;
        QLineSeries* up = nullptr;
        bool bars = false;             // error bars: `segments` drawn, the area transparent
        QList<QLineSeries*> segments;  // each bar and its two caps
    };
    void redraw(Band& b);
    void addBand(const QString& name, const QList<QPointF>& lower, const QList<QPointF>& upper, const QColor& color,
                 const QString& group, bool bars);

    QList<Entry> m_entries;
    QList<Band> m_bands;
    QStringList m_hidden;  // legend entries the user hid
    QString m_title, m_xTitle, m_yTitle;
    std::optional<std::pair<double, double>> m_yRange;
    double m_smoothing = 0.9;
    int m_maxPoints = 0;
    bool m_logX = false;
    bool m_yZero = false;
    bool m_integerX = false;
    bool m_logY = false;
    bool m_zoomed = false;
    double m_tickPlotWidth = 0.0;  // the plot width the x ticks were last spaced for
};

}  // namespace meprop
