#pragma once
// Which weights get updated: per layer, a heat map of neurons (rows) x recent steps (columns), lit
// where the row got a gradient in that step (from any example of the minibatch), beside the
// cumulative gradient count per neuron (one per example, or per token for sequence models) sorted
// in decreasing order (the view behind meSimp's pruning). A colour scale says what a pixel's shade
// means when it covers several rows or steps; the neuron range can be zoomed (wheel) and scrolled
// (drag), double click shows all; gate blocks (an LSTM's i, f, g, o) are marked and their k is given
// per block. Takes plain buffers; the QImage is built here, on the GUI thread.
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
    int k = 0;              // rows kept per example over all blocks (== neurons when dense); 0: unknown
    int blocks = 1;         // equal gate blocks selected in separately (LSTM: 4, k / 4 each)
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
             const QList<quint64>& counts, int blocks = 1);
    QList<HeatmapLayer> layers() const;
    bool isEmpty() const { return m_layers.empty(); }

private:
    struct Layer {
        QString name;
        int width = 0;
        int k = 0;
        int blocks = 1;
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

    // What one count of the sorted panel is: "example" (default) or "token" (sequence models).
    void setCountUnit(const QString& unit);
    // The rows shown, as fractions [from, to) of every layer's neurons (0, 1: all).
    void setNeuronRange(double from, double to);
    double rangeFrom() const { return m_from; }
    double rangeTo() const { return m_to; }
    // Zooms the neuron range by `factor` (> 1: fewer rows) around the fraction `at`.
    void zoomRows(double factor, double at);
    // The header line of layer i as painted ("hidden1: 500 neurons, k = 20, ...").
    QString layerHeader(int i) const;

    QSize sizeHint() const override { return QSize(760, 520); }
    QSize minimumSizeHint() const override { return QSize(320, 220); }

    QImage toImage(QSize size = {}, double dpi = 96.0) const override;
    bool exportPng(const QString& path, QString* error = nullptr, QSize size = {}, double dpi = 96.0) const override;
    bool exportSvg(const QString& path, QString* error = nullptr, QSize size = {}, double dpi = 96.0) const override;

protected:
    void paintEvent(QPaintEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;

private:
    void paintContent(QPainter& painter, const QSize& size) const;
    void paintLayer(QPainter& painter, const QRect& rect, int index) const;
    QSize exportSize(QSize requested) const;

    // The map area of a layer block (for the mouse); filled by paintLayer.
    mutable QList<QRect> m_mapRects;
    QString m_title;
    QString m_countUnit = QStringLiteral("example");
    QList<HeatmapLayer> m_layers;
    QList<QImage> m_images;
    double m_from = 0.0, m_to = 1.0;
    QPointF m_dragStart;
    double m_dragFrom = 0.0;
};

}  // namespace meprop
