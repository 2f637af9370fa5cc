#pragma once
// Points with error bars per series (means and 95 % intervals over seeds: Figure 4 of the meProp
// paper in `meprop reproduce`), our wrapper over Qt Charts like LineChart. A series is a line with
// markers and a vertical bar from `low` to `high` at each point; a horizontal series (a baseline
// without an x) is a dashed line across the x range with its interval as a shaded band.
#include "charts/ChartExport.h"

#include <QColor>
#include <QList>
#include <QString>
#include <QWidget>

#include <optional>
#include <utility>

class QChart;
class QChartView;
class QAbstractAxis;

namespace meprop {

struct ErrorBarPoint {
    double x = 0.0, y = 0.0, low = 0.0, high = 0.0;
};

struct ErrorBarSeries {
    QString name;
    QList<ErrorBarPoint> points;  // a horizontal series uses its first point's y, low, high
    bool horizontal = false;
    QColor color;                 // invalid: a fixed palette by position
};

class ErrorBarChart : public QWidget {
    Q_OBJECT
public:
    explicit ErrorBarChart(QWidget* parent = nullptr);
    ~ErrorBarChart() override;

    void setTitle(const QString& title);
    void setAxisTitles(const QString& x, const QString& y);
    void setLogX(bool on);  // points with x <= 0 are dropped (and leave the ranges) while it is on
    // Replaces everything shown; the axes fit the points and intervals with a small margin.
    void setData(const QList<ErrorBarSeries>& series);
    // Limits of the y axis whatever the intervals reach (accuracy: 0..100); bars beyond are clipped.
    void setYBounds(std::optional<std::pair<double, double>> bounds);

    int errorBarCount() const { return m_bars; }   // drawn bars (points with high > low)
    int seriesCount() const { return static_cast<int>(m_data.size()); }
    QRectF axisRange() const;                       // {xmin, ymin, width, height} of the axes

    QImage toImage(QSize size = {}) const;
    bool exportPng(const QString& path, QString* error = nullptr, QSize size = {}) const;
    bool exportSvg(const QString& path, QString* error = nullptr, QSize size = {}) const;

private:
    void rebuild();
    void paintTo(QPainter& painter, const QSize& size) const;

    QChart* m_chart = nullptr;
    QChartView* m_view = nullptr;
    QString m_xTitle, m_yTitle;
    bool m_logX = false;
    std::optional<std::pair<double, double>> m_yBounds;
    QList<ErrorBarSeries> m_data;
    int m_bars = 0;
    double m_xmin = 0, m_xmax = 1, m_ymin = 0, m_ymax = 1;
};

}  // namespace meprop
