#pragma once
// A line chart of named series over one x and one y axis, our wrapper over Qt Charts so that the
// rest of the app never touches QtCharts types (Qt Charts is deprecated from Qt 6.10).
//
// Series are addressed by name; setSeries() creates a series or replaces all its points in one
// QXYSeries::replace() call (cheaper than clear + append, which repaints per point). Axes follow
// the data (with nice numbers) unless a fixed range is set.
#include "charts/ChartExport.h"
#include "charts/ExportableChart.h"

#include <QColor>
#include <QList>
#include <QPointF>
#include <QString>
#include <QWidget>

#include <optional>
#include <utility>

class QChart;
class QChartView;
class QLineSeries;
class QAbstractAxis;

namespace meprop {

struct SeriesStyle {
    QColor color;                        // invalid: the chart's palette picks one
    Qt::PenStyle pen = Qt::SolidLine;
    qreal width = 2.0;
    bool markers = false;                // draw a dot at each point (epoch curves)
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
    // Logarithmic y axis (losses, ratios spanning decades); points with y <= 0 are dropped.
    void setLogY(bool on);
    // Keep 0 inside the y range when following the data (ratios, speedups, loss).
    void setYIncludesZero(bool on);
    // Logarithmic x axis (k sweeps); points with x <= 0 are dropped while it is on.
    void setLogX(bool on);

    // Creates the series `name` or replaces its points (the style is applied on creation and when
    // given again).
    void setSeries(const QString& name, const QList<QPointF>& points, const SeriesStyle& style = {});
    void removeSeries(const QString& name);
    void clearSeries();

    QStringList seriesNames() const;
    QList<QPointF> seriesPoints(const QString& name) const;
    bool hasSeries(const QString& name) const;
    // Current axis ranges (for tests and the export): {xmin, xmax, ymin, ymax}.
    QRectF axisRange() const;

    // Export at `size` (empty: the widget's size, or 900 x 560 when it was never laid out).
    QImage toImage(QSize size = {}) const override;
    bool exportPng(const QString& path, QString* error = nullptr, QSize size = {}) const override;
    bool exportSvg(const QString& path, QString* error = nullptr, QSize size = {}) const override;

private:
    void rebuildAxes();
    void updateRanges();
    QSize exportSize(QSize requested) const;
    void paintTo(QPainter& painter, const QSize& size) const;
    QLineSeries* find(const QString& name) const;

    QChart* m_chart = nullptr;
    QChartView* m_view = nullptr;
    QAbstractAxis* m_xAxis = nullptr;
    QAbstractAxis* m_yAxis = nullptr;
    QString m_xTitle, m_yTitle;
    std::optional<std::pair<double, double>> m_yRange;
    bool m_logX = false;
    bool m_yZero = false;
    bool m_integerX = false;
    bool m_logY = false;
};

}  // namespace meprop
