#pragma once
// Saving rendered widgets as PNG or SVG, atomically (QSaveFile: a failed export leaves an earlier
// file untouched). Used by every chart class so that the export format lives in one place.
#include <QList>
#include <QSize>
#include <QString>

#include <functional>

class QByteArray;
class QChart;
class QChartView;
class QPainter;
class QImage;

namespace meprop {

struct LegendEntry;

// Paints the content into a painter whose device is `size` pixels large.
using PaintFunction = std::function<void(QPainter& painter, const QSize& size)>;

// Renders `paint` on a white image: `size` is the layout size at 96 DPI, the image has
// size * dpi / 96 pixels (the painter is scaled) and records `dpi` as its resolution.
QImage renderToImage(const PaintFunction& paint, const QSize& size, double dpi = 96.0);

// Writes bytes atomically through QSaveFile. Returns false and sets *error to a sentence naming the file.
bool saveFileAtomically(const QString& path, const QByteArray& bytes, QString* error = nullptr);

// The size a chart exports at: `requested` when valid, else the view's size when it is shown and not
// tiny, else 900x560.
QSize chartExportSize(const QChartView* view, QSize requested);
// Renders the chart's scene at `size` into `painter`, restoring the chart's geometry afterwards.
void paintChart(QChart* chart, QPainter& painter, const QSize& size);
// An export page: the chart with `title` on top and the full `legend` beside it (or below when it
// would take more than 40 % of the width).
void paintChartPage(QChart* chart, QPainter& painter, const QSize& size, const QString& title,
                    const QList<LegendEntry>& legend);

// Writes a PNG. Returns false and sets *error (when given) to a sentence naming the file.
bool savePng(const QImage& image, const QString& path, QString* error = nullptr);
bool exportPng(const PaintFunction& paint, const QSize& size, const QString& path, QString* error = nullptr);
// Writes an SVG through QSvgGenerator; `title` becomes the SVG title.
bool exportSvg(const PaintFunction& paint, const QSize& size, const QString& path, const QString& title,
               QString* error = nullptr, double dpi = 96.0);

}  // namespace meprop
