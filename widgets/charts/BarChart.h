#pragma once
// A grouped bar chart: categories (e.g. "forward", "backprop", "update") down the left, one
// horizontal bar set per run. Our wrapper over Qt Charts (see LineChart.h for why), with our legend beside it
// (full names; click to hide a set), value labels only where they fit above their bar, and a
// tooltip (set, category, value) on hover.
#include "charts/ChartExport.h"
#include "charts/ChartLegend.h"
#include "charts/ExportableChart.h"

#include <QColor>
#include <QList>
#include <QString>
#include <QStringList>
#include <QWidget>

class QChart;
class QLabel;
class QChartView;
class QHorizontalBarSeries;
class QBarCategoryAxis;
class QValueAxis;

namespace meprop {

class ElidedLabel;

struct BarSetData {
    QString name;
    QList<double> values;  // one per category; NaN is drawn as 0
    QColor color;          // invalid: palette
};

class BarChart : public QWidget, public ExportableChart {
    Q_OBJECT
public:
    explicit BarChart(QWidget* parent = nullptr);
    ~BarChart() override;

    void setTitle(const QString& title);
    QString title() const override;
    void setValueTitle(const QString& title);
    // Value labels on top of the bars, printed with `format` (QString::asprintf style, e.g. "%.2f").
    void setLabelFormat(const QString& format);

    // Replaces the data. When the categories and set names are unchanged the existing bars are
    // updated in place (no flicker); otherwise the series is rebuilt. Throws nothing; a set with the
    // wrong number of values is padded with 0 / truncated.
    void setData(const QStringList& categories, const QList<BarSetData>& sets);
    void clear();

    QStringList categories() const { return m_categories; }
    QStringList setNames() const;
    QList<double> values(const QString& setName) const;
    double valueMax() const;

    // Whether the value labels are drawn (they are hidden when the bars are too narrow for them).
    bool valueLabelsShown() const;
    void setSetVisible(const QString& setName, bool visible);
    ChartLegend* legend() const { return m_legend; }
    // The hover text for bar `index` of set `setName`.
    QString tooltipFor(const QString& setName, int index) const;

    QImage toImage(QSize size = {}, double dpi = 96.0) const override;
    bool exportPng(const QString& path, QString* error = nullptr, QSize size = {}, double dpi = 96.0) const override;
    bool exportSvg(const QString& path, QString* error = nullptr, QSize size = {}, double dpi = 96.0) const override;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    QSize exportSize(QSize requested) const;
    void paintTo(QPainter& painter, const QSize& size) const;
    void rebuild();
    void updateLabels(double plotHeight = -1);
    QList<LegendEntry> legendEntries() const;

    QChart* m_chart = nullptr;
    QChartView* m_view = nullptr;
    QHorizontalBarSeries* m_series = nullptr;
    QBarCategoryAxis* m_xAxis = nullptr;
    QValueAxis* m_yAxis = nullptr;
    ElidedLabel* m_titleLabel = nullptr;
    ChartLegend* m_legend = nullptr;
    QString m_title;
    QStringList m_categories;
    QList<BarSetData> m_sets;
    QStringList m_hidden;
    QString m_labelFormat = QStringLiteral("@value");
};

}  // namespace meprop
