#pragma once
// A grouped bar chart: categories along x (e.g. "forward", "backprop (linear)", "update") and one
// bar set per run. Our wrapper over Qt Charts (see LineChart.h for why).
#include "charts/ChartExport.h"
#include "charts/ExportableChart.h"

#include <QColor>
#include <QList>
#include <QString>
#include <QStringList>
#include <QWidget>

class QChart;
class QChartView;
class QBarSeries;
class QBarCategoryAxis;
class QValueAxis;

namespace meprop {

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

    QImage toImage(QSize size = {}) const override;
    bool exportPng(const QString& path, QString* error = nullptr, QSize size = {}) const override;
    bool exportSvg(const QString& path, QString* error = nullptr, QSize size = {}) const override;

private:
    QSize exportSize(QSize requested) const;
    void paintTo(QPainter& painter, const QSize& size) const;

    QChart* m_chart = nullptr;
    QChartView* m_view = nullptr;
    QBarSeries* m_series = nullptr;
    QBarCategoryAxis* m_xAxis = nullptr;
    QValueAxis* m_yAxis = nullptr;
    QStringList m_categories;
    QString m_labelFormat = QStringLiteral("@value");
};

}  // namespace meprop
