#include "charts/ChartExport.h"

#include <QBuffer>
#include <QChart>
#include <QChartView>
#include <QGraphicsScene>
#include <QImage>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>

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


QImage renderToImage(const PaintFunction& paint, const QSize& size)
{
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    paint(painter, size);
    painter.end();
    return image;
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
               QString* error)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(size);
    generator.setViewBox(QRect(QPoint(0, 0), size));
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
