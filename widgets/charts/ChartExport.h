#pragma once
// Saving rendered widgets as PNG or SVG, atomically (QSaveFile: a failed export leaves an earlier
// file untouched). Used by every chart class so that the export format lives in one place.
#include <QSize>
#include <QString>

#include <functional>

class QByteArray;
class QChart;
class QChartView;
class QPainter;
class QImage;

namespace meprop {

// Paints the content into a painter whose device is `size` pixels large.
using PaintFunction = std::function<void(QPainter& painter, const QSize& size)>;

// Renders `paint` on a white `size` image (at devicePixelRatio 1) and returns it.
QImage renderToImage(const PaintFunction& paint, const QSize& size);

// Writes bytes atomically through QSaveFile. Returns false and sets *error to a sentence naming the file.
bool saveFileAtomically(const QString& path, const QByteArray& bytes, QString* error = nullptr);

// The size a chart exports at: `requested` when valid, else the view's size when it is shown and not
// tiny, else 900x560.
QSize chartExportSize(const QChartView* view, QSize requested);
// Renders the chart's scene at `size` into `painter`, restoring the chart's geometry afterwards.
void paintChart(QChart* chart, QPainter& painter, const QSize& size);

// Writes a PNG. Returns false and sets *error (when given) to a sentence naming the file.
bool savePng(const QImage& image, const QString& path, QString* error = nullptr);
bool exportPng(const PaintFunction& paint, const QSize& size, const QString& path, QString* error = nullptr);
// Writes an SVG through QSvgGenerator; `title` becomes the SVG title.
bool exportSvg(const PaintFunction& paint, const QSize& size, const QString& path, const QString& title,
               QString* error = nullptr);

}  // namespace meprop
