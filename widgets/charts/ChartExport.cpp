#include "charts/ChartExport.h"

#include "charts/ChartLegend.h"

#include <QBuffer>
#include <QChart>
#include <QChartView>
#include <QGraphicsScene>
#include <QImage>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>

namespace meprop {

namespace {

bool fail(QString* error, const QString& message)
{
    if (error) *error = message;
    return false;
}

}  // namespace

bool saveFileAtomically(const QString& path, const QByteArray& bytes, QString* error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(error, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    if (file.write(bytes) != bytes.size()) {
        const QString why = file.errorString();
        file.cancelWriting();
        return fail(error, QStringLiteral("cannot write %1: %2").arg(path, why));
    }
    if (!file.commit()) return fail(error, QStringLiteral("cannot save %1: %2").arg(path, file.errorString()));
    return true;
}

QSize chartExportSize(const QChartView* view, QSize requested)
{
    if (requested.isValid() && !requested.isEmpty()) return requested;
    if (view->isVisible() && view->width() >= 240 && view->height() >= 180) return view->size();
    return QSize(900, 560);
}

void paintChart(QChart* chart, QPainter& painter, const QSize& size)
{
    // Render the chart's scene at `size` without disturbing the on-screen view for longer than the
    // call: resize the chart item, paint the scene, put it back.
    const QRectF old = chart->geometry();
    const QRectF target(QPointF(0, 0), QSizeF(size));
    chart->setGeometry(target);
    chart->scene()->render(&painter, target, target);
    chart->setGeometry(old);
}


QImage renderToImage(const PaintFunction& paint, const QSize& size, double dpi)
{
    const double scale = dpi > 0 ? dpi / 96.0 : 1.0;
    QImage image(QSize(int(std::lround(size.width() * scale)), int(std::lround(size.height() * scale))), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    image.setDotsPerMeterX(int(std::lround(dpi / 0.0254)));
    image.setDotsPerMeterY(int(std::lround(dpi / 0.0254)));
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.scale(scale, scale);
    paint(painter, size);
    painter.end();
    return image;
}

void paintChartPage(QChart* chart, QPainter& painter, const QSize& size, const QString& title, const QList<LegendEntry>& legend)
{
    QFont font;
    const QString oldTitle = chart->title();
    chart->setTitle(title);
    QRect chartRect(QPoint(0, 0), size);
    QRect legendRect;
    if (!legend.isEmpty()) {
        const int titleH = QFontMetrics(chart->titleFont()).height() + 12;
        const QSize side = ChartLegend::fullSize(legend, font, size.height() - titleH);
        if (side.width() <= size.width() * 2 / 5) {
            chartRect.setWidth(size.width() - side.width() - 4);
            legendRect = QRect(chartRect.right() + 4, titleH, side.width(), size.height() - titleH);
        } else {
            // Too wide beside the plot: below it, in columns across the width.
            int rows = 1;
            QSize below;
            for (; rows <= int(legend.size()); ++rows) {
                below = ChartLegend::fullSize(legend, font, rows * (QFontMetrics(font).height() + 4) + 8);
                if (below.width() <= size.width()) break;
            }
            below.setHeight(std::min(below.height(), size.height() / 2));
            chartRect.setHeight(size.height() - below.height());
            legendRect = QRect(8, chartRect.bottom() + 1, size.width() - 8, below.height());
        }
    }
    painter.save();
    painter.translate(chartRect.topLeft());
    paintChart(chart, painter, chartRect.size());
    painter.restore();
    chart->setTitle(oldTitle);
    if (!legendRect.isEmpty()) ChartLegend::paint(painter, legendRect, legend, font);
}

bool savePng(const QImage& image, const QString& path, QString* error)
{
    if (image.isNull()) return fail(error, QStringLiteral("cannot write %1: nothing to export").arg(path));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG")) return fail(error, QStringLiteral("cannot encode %1 as PNG").arg(path));
    return saveFileAtomically(path, bytes, error);
}

bool exportPng(const PaintFunction& paint, const QSize& size, const QString& path, QString* error)
{
    return savePng(renderToImage(paint, size), path, error);
}


bool exportSvg(const PaintFunction& paint, const QSize& size, const QString& path, const QString& title,
               QString* error, double dpi)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
    if (dpi > 0) generator.setResolution(int(std::lround(dpi)));
    generator.setTitle(title);
    generator.setDescription(QStringLiteral("meProp Workbench"));
    QPainter painter;
    if (!painter.begin(&generator)) return fail(error, QStringLiteral("cannot start SVG rendering for %1").arg(path));
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    paint(painter, size);
    painter.end();
    if (bytes.isEmpty()) return fail(error, QStringLiteral("SVG rendering of %1 produced nothing").arg(path));
    return saveFileAtomically(path, bytes, error);
}

}  // namespace meprop
