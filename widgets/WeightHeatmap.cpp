#include "WeightHeatmap.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <numeric>

namespace meprop {

namespace {

const QColor kUnlit(238, 241, 245);
const QColor kLit(31, 78, 156);
const QColor kBar(214, 96, 39);

}  // namespace

void HeatmapHistory::add(long step, int layer, const QString& name, int width, int k, const std::vector<int>& rows,
                         const QList<quint64>& counts)
{
    if (layer < 0 || width <= 0) return;
    if (static_cast<int>(m_layers.size()) <= layer) m_layers.resize(layer + 1);
    Layer& l = m_layers[layer];
    if (l.width != width) {
        l.steps.clear();
        l.width = width;
    }
    l.name = name;
    l.k = k;
    l.lastStep = step;
    std::vector<int> kept;
    kept.reserve(rows.size());
    for (int r : rows)
        if (r >= 0 && r < width) kept.push_back(r);
    l.steps.push_back(std::move(kept));
    while (static_cast<int>(l.steps.size()) > m_capacity) l.steps.pop_front();
    l.counts = counts;
}

QList<HeatmapLayer> HeatmapHistory::layers() const
{
    QList<HeatmapLayer> out;
    for (const Layer& l : m_layers) {
        if (l.width <= 0) continue;
        HeatmapLayer h;
        h.name = l.name;
        h.neurons = l.width;
        h.k = l.k;
        h.steps = static_cast<int>(l.steps.size());
        h.lastStep = l.lastStep;
        h.lit = QByteArray(static_cast<qsizetype>(h.neurons) * h.steps, '\0');
        for (int s = 0; s < h.steps; ++s)
            for (int r : l.steps[s]) h.lit[static_cast<qsizetype>(r) * h.steps + s] = char(255);
        h.counts = l.counts;
        out << h;
    }
    return out;
}

WeightHeatmap::WeightHeatmap(QWidget* parent) : QWidget(parent)
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(minimumSizeHint());
}

void WeightHeatmap::setTitle(const QString& title)
{
    m_title = title;
    update();
}

void WeightHeatmap::setLayers(const QList<HeatmapLayer>& layers)
{
    m_layers = layers;
    m_images.clear();
    for (const HeatmapLayer& l : m_layers) {
        const int w = std::max(l.steps, 1), h = std::max(l.neurons, 1);
        QImage image(w, h, QImage::Format_RGB32);
        image.fill(kUnlit);
        const bool complete = l.lit.size() >= static_cast<qsizetype>(l.neurons) * l.steps;
        if (complete) {
            for (int n = 0; n < l.neurons; ++n) {
                auto* line = reinterpret_cast<QRgb*>(image.scanLine(n));
                const auto* src = reinterpret_cast<const uchar*>(l.lit.constData()) + static_cast<qsizetype>(n) * l.steps;
                for (int s = 0; s < l.steps; ++s) {
                    const int a = src[s];
                    if (a == 0) continue;
                    line[s] = qRgb(kUnlit.red() + (kLit.red() - kUnlit.red()) * a / 255,
                                   kUnlit.green() + (kLit.green() - kUnlit.green()) * a / 255,
                                   kUnlit.blue() + (kLit.blue() - kUnlit.blue()) * a / 255);
                }
            }
        }
        m_images << image;
    }
    update();
}

QImage WeightHeatmap::layerImage(int i) const
{
    return i >= 0 && i < m_images.size() ? m_images[i] : QImage();
}

void WeightHeatmap::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), Qt::white);
    paintContent(painter, size());
}

void WeightHeatmap::paintContent(QPainter& painter, const QSize& size) const
{
    painter.save();
    QFont titleFont = painter.font();
    titleFont.setBold(true);
    int top = 6;
    if (!m_title.isEmpty()) {
        painter.setFont(titleFont);
        const int h = painter.fontMetrics().height();
        painter.setPen(Qt::black);
        painter.drawText(QRect(0, top, size.width(), h), Qt::AlignHCenter, m_title);
        top += h + 6;
    }
    painter.setFont(QFont());
    if (m_layers.isEmpty()) {
        painter.setPen(Qt::darkGray);
        painter.drawText(QRect(0, top, size.width(), size.height() - top), Qt::AlignCenter,
                         tr("No update data yet.\nStart a run: the rows that get a gradient light up here."));
        painter.restore();
        return;
    }
    const int n = static_cast<int>(m_layers.size());
    const int gap = 10;
    const int blockH = (size.height() - top - gap * (n - 1) - 4) / n;
    for (int i = 0; i < n; ++i) paintLayer(painter, QRect(6, top + i * (blockH + gap), size.width() - 12, blockH), i);
    painter.restore();
}

void WeightHeatmap::paintLayer(QPainter& painter, const QRect& rect, int index) const
{
    const HeatmapLayer& l = m_layers[index];
    const QFontMetrics fm = painter.fontMetrics();
    const int lh = fm.height();

    quint64 total = 0, never = 0;
    for (quint64 c : l.counts) {
        total += c;
        never += c == 0;
    }
    QString head = tr("%1: %2 neurons").arg(l.name).arg(l.neurons);
    if (l.k > 0 && l.k < l.neurons) head += tr(", k = %1").arg(l.k);
    head += tr(", steps %1 to %2").arg(std::max(1L, l.lastStep - l.steps + 1)).arg(l.lastStep);
    QFont bold = painter.font();
    bold.setBold(true);
    painter.setFont(bold);
    painter.setPen(Qt::black);
    painter.drawText(QRect(rect.left(), rect.top(), rect.width(), lh), Qt::AlignLeft | Qt::AlignVCenter,
                     fm.elidedText(head, Qt::ElideRight, rect.width()));
    painter.setFont(QFont());

    // Heat map on the left (62 %), sorted counts on the right; axis captions below each.
    const int captionH = lh + 2;
    const int axisW = fm.horizontalAdvance(QStringLiteral("00000")) + 6;
    const QRect body(rect.left(), rect.top() + lh + 4, rect.width(), rect.height() - lh - 4 - captionH);
    if (body.height() < 8) return;
    const int mapW = body.width() * 62 / 100;
    const QRect mapRect(body.left() + axisW, body.top(), mapW - axisW, body.height());
    const QRect barArea(body.left() + mapW + 12 + axisW, body.top(), body.width() - mapW - 12 - axisW, body.height());

    // Heat map (nearest-neighbour when enlarging keeps single steps crisp; smooth when shrinking so
    // a lit row never vanishes between pixels).
    if (index < m_images.size()) {
        const QImage& img = m_images[index];
        const bool shrink = img.height() > mapRect.height() || img.width() > mapRect.width();
        painter.save();
        painter.setRenderHint(QPainter::SmoothPixmapTransform, shrink);
        painter.drawImage(mapRect, img);
        painter.restore();
    }
    painter.setPen(QColor(120, 120, 120));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(mapRect.adjusted(0, 0, -1, -1));
    painter.setPen(Qt::black);
    painter.drawText(QRect(body.left(), mapRect.top(), axisW - 4, lh), Qt::AlignRight | Qt::AlignTop, QStringLiteral("0"));
    painter.drawText(QRect(body.left(), mapRect.bottom() - lh, axisW - 4, lh), Qt::AlignRight | Qt::AlignBottom,
                     QString::number(std::max(0, l.neurons - 1)));
    painter.drawText(QRect(mapRect.left(), body.bottom() + 2, mapRect.width(), lh), Qt::AlignHCenter,
                     tr("neurons (rows) x last %1 steps (columns, newest right)").arg(l.steps));

    // Sorted cumulative counts: an area under the descending curve.
    QList<quint64> sorted = l.counts;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    const quint64 maxCount = sorted.isEmpty() ? 0 : sorted.front();
    painter.setPen(QColor(120, 120, 120));
    painter.drawRect(barArea.adjusted(0, 0, -1, -1));
    if (!sorted.isEmpty() && maxCount > 0 && barArea.width() > 4) {
        QPainterPath path;
        const double w = barArea.width() - 1, h = barArea.height() - 1;
        path.moveTo(barArea.left(), barArea.top() + h);
        for (int i = 0; i < sorted.size(); ++i) {
            const double x0 = barArea.left() + w * i / sorted.size();
            const double x1 = barArea.left() + w * (i + 1) / sorted.size();
            const double y = barArea.top() + h - h * double(sorted[i]) / double(maxCount);
            path.lineTo(x0, y);
            path.lineTo(x1, y);
        }
        path.lineTo(barArea.left() + w, barArea.top() + h);
        path.closeSubpath();
        painter.setPen(kBar.darker(120));
        painter.setBrush(kBar);
        painter.drawPath(path);
    }
    painter.setPen(Qt::black);
    painter.drawText(QRect(barArea.left() - axisW - 2, barArea.top(), axisW - 2, lh), Qt::AlignRight | Qt::AlignTop,
                     QString::number(maxCount));
    painter.drawText(QRect(barArea.left() - axisW - 2, barArea.bottom() - lh, axisW - 2, lh),
                     Qt::AlignRight | Qt::AlignBottom, QStringLiteral("0"));
    const QString caption = tr("updates per neuron, sorted; never updated: %1").arg(never);
    painter.drawText(QRect(barArea.left() - axisW, body.bottom() + 2, barArea.width() + axisW, lh), Qt::AlignHCenter,
                     fm.elidedText(caption, Qt::ElideRight, barArea.width() + axisW));
}

QSize WeightHeatmap::exportSize(QSize requested) const
{
    if (requested.isValid() && !requested.isEmpty()) return requested;
    if (isVisible() && width() >= 320 && height() >= 220) return size();
    return QSize(900, 560);
}

QImage WeightHeatmap::toImage(QSize size, double dpi) const
{
    return renderToImage([this](QPainter& p, const QSize& s) { paintContent(p, s); }, exportSize(size), dpi);
}

bool WeightHeatmap::exportPng(const QString& path, QString* error, QSize size, double dpi) const
{
    return savePng(toImage(size, dpi), path, error);
}

bool WeightHeatmap::exportSvg(const QString& path, QString* error, QSize size, double dpi) const
{
    return meprop::exportSvg([this](QPainter& p, const QSize& s) { paintContent(p, s); }, exportSize(size), path,
                             m_title.isEmpty() ? tr("Weight updates") : m_title, error, dpi);
}

}  // namespace meprop
