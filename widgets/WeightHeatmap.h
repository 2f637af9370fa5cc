#pragma once
// Which weights get updated: per layer, a heat map of neurons (rows) x recent steps (columns), lit
// where the row got a gradient in that step, beside the cumulative update count per neuron sorted
// in decreasing order (the view behind meSimp's pruning). Takes plain buffers; the QImage is built
// here, on the GUI thread.
#include "charts/ChartExport.h"
#include "charts/ExportableChart.h"

#include <QByteArray>
#include <QImage>
#include <QList>
#include <QString>
#include <QWidget>

#include <deque>
#include <vector>

namespace meprop {

struct HeatmapLayer {
    QString name;
    int neurons = 0;
    int k = 0;              // rows kept per example (== neurons when dense); 0: unknown
    int steps = 0;          // columns, oldest first
    long lastStep = 0;      // global step of the right-most column
    QByteArray lit;         // neurons * steps bytes, lit[n * steps + s]: 0 = no gradient, 255 = gradient
    QList<quint64> counts;  // cumulative gradient count per neuron since the start of the run
};

// Collects the selections of the latest `capacity` steps per layer and turns them into
// HeatmapLayer buffers. Plain C++ (no widget), so the app can keep one per run.
class HeatmapHistory {
public:
    explicit HeatmapHistory(int capacity = 160) : m_capacity(capacity) {}
    void reset() { m_layers.clear(); }
    int capacity() const { return m_capacity; }

    // Records that in `step`, layer `layer` (of `width` rows, k kept) updated `rows`; `counts` are
    // the cumulative counts per row. Rows outside [0, width) are ignored.
    void add(long step, int layer, const QString& name, int width, int k, const std::vector<int>& rows,
             const QList<quint64>& counts);
    QList<HeatmapLayer> layers() const;
    bool isEmpty() const { return m_layers.empty(); }

private:
    struct Layer {
        QString name;
        int width = 0;
        int k = 0;
        long lastStep = 0;
        std::deque<std::vector<int>> steps;
        QList<quint64> counts;
    };
    int m_capacity;
    std::vector<Layer> m_layers;
};

class WeightHeatmap : public QWidget, public ExportableChart {
    Q_OBJECT
public:
    explicit WeightHeatmap(QWidget* parent = nullptr);

    void setTitle(const QString& title);
    QString title() const override { return m_title; }
    void setLayers(const QList<HeatmapLayer>& layers);
    const QList<HeatmapLayer>& layers() const { return m_layers; }
    void clear() { setLayers({}); }

    // The heat map image of layer i (steps wide, neurons high), as painted.
    QImage layerImage(int i) const;

    QSize sizeHint() const override { return QSize(760, 520); }
    QSize minimumSizeHint() const override { return QSize(320, 220); }

    QImage toImage(QSize size = {}, double dpi = 96.0) const override;
    bool exportPng(const QString& path, QString* error = nullptr, QSize size = {}, double dpi = 96.0) const override;
    bool exportSvg(const QString& path, QString* error = nullptr, QSize size = {}, double dpi = 96.0) const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    void paintContent(QPainter& painter, const QSize& size) const;
    void paintLayer(QPainter& painter, const QRect& rect, int index) const;
    QSize exportSize(QSize requested) const;

    QString m_title;
    QList<HeatmapLayer> m_layers;
    QList<QImage> m_images;
};

}  // namespace meprop
