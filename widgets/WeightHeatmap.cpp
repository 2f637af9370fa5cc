#include "WeightHeatmap.h"

#include <QLinearGradient>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace meprop {

namespace {

const QColor kUnlit(238, 241, 245);
const QColor kLit(31, 78, 156);
const QColor kBar(214, 96, 39);

}  // namespace

void HeatmapHistory::add(long step, int layer, const QString& name, int width, int k, const std::vector<int>& rows,
                         const QList<quint64>& counts, int blocks)
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
    l.blocks = std::max(1, blocks);
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
        h.blocks = l.blocks;
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

void WeightHeatmap::setCountUnit(const QString& unit)
{
    m_countUnit = unit.isEmpty() ? QStringLiteral("example") : unit;
    update();
}

void WeightHeatmap::setNeuronRange(double from, double to)
{
    from = std::clamp(from, 0.0, 1.0);
    to = std::clamp(to, 0.0, 1.0);
    if (to - from < 1e-4) {
        const double mid = (from + to) / 2;
        from = std::max(0.0, mid - 5e-5);
        to = std::min(1.0, mid + 5e-5);
    }
    m_from = from;
    m_to = to;
    update();
}

void WeightHeatmap::zoomRows(double factor, double at)
{
    if (!(factor > 0)) return;
    at = std::clamp(at, m_from, m_to);
    double span = std::clamp((m_to - m_from) / factor, 0.002, 1.0);
    const double f = m_to > m_from ? (at - m_from) / (m_to - m_from) : 0.5;
    double from = at - f * span;
    from = std::clamp(from, 0.0, 1.0 - span);
    setNeuronRange(from, from + span);
}

QString WeightHeatmap::layerHeader(int index) const
{
    if (index < 0 || index >= m_layers.size()) return {};
    const HeatmapLayer& l = m_layers[index];
    QString head;
    if (l.blocks > 1) {
        const QString names = l.blocks == 4 ? tr(" (i, f, g, o)") : QString();
        head = tr("%1: %2 gate rows, %3 blocks%4 of %5").arg(l.name).arg(l.neurons).arg(l.blocks).arg(names).arg(l.neurons / l.blocks);
        if (l.k > 0 && l.k < l.neurons) head += tr(", k = %1 per block (%2 rows per %3)").arg(l.k / l.blocks).arg(l.k).arg(m_countUnit);
    } else {
        head = tr("%1: %2 neurons").arg(l.name).arg(l.neurons);
        if (l.k > 0 && l.k < l.neurons) head += tr(", k = %1 per %2").arg(l.k).arg(m_countUnit);
    }
    head += tr(", steps %1 to %2").arg(std::max(1L, l.lastStep - l.steps + 1)).arg(l.lastStep);
    return head;
}

void WeightHeatmap::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.fillRect(rect(), Qt::white);
    paintContent(painter, size());
}

void WeightHeatmap::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0 || m_mapRects.isEmpty()) return QWidget::wheelEvent(event);
    const QPointF p = event->position();
    double at = (m_from + m_to) / 2;
    for (const QRect& r : std::as_const(m_mapRects))
        if (r.contains(p.toPoint())) at = m_from + (m_to - m_from) * (p.y() - r.top()) / std::max(1, r.height());
    zoomRows(std::pow(1.25, steps), at);
    event->accept();
}

void WeightHeatmap::mousePressEvent(QMouseEvent* event)
{
    m_dragStart = event->position();
    m_dragFrom = m_from;
    QWidget::mousePressEvent(event);
}

void WeightHeatmap::mouseMoveEvent(QMouseEvent* event)
{
    if (!(event->buttons() & Qt::LeftButton) || m_mapRects.isEmpty()) return QWidget::mouseMoveEvent(event);
    const double span = m_to - m_from;
    const double dy = (event->position().y() - m_dragStart.y()) / std::max(1, m_mapRects.front().height());
    const double from = std::clamp(m_dragFrom - dy * span, 0.0, 1.0 - span);
    setNeuronRange(from, from + span);
}

void WeightHeatmap::mouseDoubleClickEvent(QMouseEvent*)
{
    setNeuronRange(0.0, 1.0);
}

void WeightHeatmap::paintContent(QPainter& painter, const QSize& size) const
{
    painter.save();
    m_mapRects.clear();
    QFont titleFont = painter.font();
    titleFont.setBold(true);
    int top = 6;
    if (!m_title.isEmpty()) {
        painter.setFont(titleFont);
        const int h = painter.fontMetrics().height();
        painter.setPen(Qt::black);
        painter.drawText(QRect(0, top, size.width(), h), Qt::AlignHCenter, painter.fontMetrics().elidedText(m_title, Qt::ElideRight, size.width() - 8));
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
    // The colour scale, once: what a pixel's shade means.
    const QFontMetrics fm = painter.fontMetrics();
    const int lh = fm.height();
    {
        const QString left = tr("no gradient");
        const QString right = tr("gradient in every row and step the pixel covers");
        const int barW = 120;
        const int total = fm.horizontalAdvance(left) + 6 + barW + 6 + fm.horizontalAdvance(right);
        int x = std::max(6, (size.width() - total) / 2);
        painter.setPen(Qt::black);
        painter.drawText(QRect(x, top, fm.horizontalAdvance(left), lh), Qt::AlignVCenter, left);
        x += fm.horizontalAdvance(left) + 6;
        QLinearGradient g(x, 0, x + barW, 0);
        g.setColorAt(0, kUnlit);
        g.setColorAt(1, kLit);
        const QRect bar(x, top + 2, barW, lh - 4);
        painter.fillRect(bar, g);
        painter.setPen(QColor(120, 120, 120));
        painter.drawRect(bar.adjusted(0, 0, -1, -1));
        painter.setPen(Qt::black);
        x += barW + 6;
        painter.drawText(QRect(x, top, size.width() - x, lh), Qt::AlignVCenter, fm.elidedText(right, Qt::ElideRight, size.width() - x - 4));
        top += lh + 6;
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

    quint64 never = 0;
    for (quint64 c : l.counts) never += c == 0;
    QFont bold = painter.font();
    bold.setBold(true);
    painter.setFont(bold);
    painter.setPen(Qt::black);
    painter.drawText(QRect(rect.left(), rect.top(), rect.width(), lh), Qt::AlignLeft | Qt::AlignVCenter,
                     QFontMetrics(bold).elidedText(layerHeader(index), Qt::ElideRight, rect.width()));
    painter.setFont(QFont());

    // Heat map on the left (62 %), sorted counts on the right; axis captions below each.
    const int captionH = lh + 2;
    const int axisW = fm.horizontalAdvance(QStringLiteral("00000")) + 6;
    const QRect body(rect.left(), rect.top() + lh + 4, rect.width(), rect.height() - lh - 4 - captionH);
    if (body.height() < 8) return;
    const int mapW = body.width() * 62 / 100;
    const QRect mapRect(body.left() + axisW, body.top(), mapW - axisW, body.height());
    const QRect barArea(body.left() + mapW + 12 + axisW, body.top(), body.width() - mapW - 12 - axisW, body.height());
    m_mapRects << mapRect;

    // The rows in the chosen range.
    const int first = std::clamp(int(std::floor(m_from * l.neurons)), 0, std::max(0, l.neurons - 1));
    const int last = std::clamp(int(std::ceil(m_to * l.neurons)), first + 1, std::max(1, l.neurons));
    // Heat map (nearest-neighbour when enlarging keeps single steps crisp; smooth when shrinking so
    // a lit row never vanishes between pixels: its shade is the share of lit cells).
    if (index < m_images.size()) {
        const QImage& img = m_images[index];
        const QRect source(0, first, img.width(), last - first);
        const bool shrink = source.height() > mapRect.height() || source.width() > mapRect.width();
        painter.save();
        painter.setRenderHint(QPainter::SmoothPixmapTransform, shrink);
        painter.drawImage(mapRect, shrink ? img.copy(source).scaled(mapRect.size(), Qt::IgnoreAspectRatio, Qt::SmoothTransformation) : img.copy(source));
        painter.restore();
    }
    // Gate block boundaries.
    if (l.blocks > 1 && l.neurons > 0) {
        const int per = l.neurons / l.blocks;
        const char* names[4] = {"i", "f", "g", "o"};
        painter.setPen(QPen(QColor(200, 60, 30), 1, Qt::DashLine));
        for (int b = 0; b < l.blocks; ++b) {
            const int row = b * per;
            if (row < first || row >= last) continue;
            const int y = mapRect.top() + int(double(row - first) / (last - first) * mapRect.height());
            if (b > 0) painter.drawLine(mapRect.left(), y, mapRect.right(), y);
            if (l.blocks == 4) painter.drawText(QRect(mapRect.left() + 3, y + 1, 20, lh), Qt::AlignLeft | Qt::AlignTop, QLatin1String(names[b]));
        }
    }
    painter.setPen(QColor(120, 120, 120));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(mapRect.adjusted(0, 0, -1, -1));
    painter.setPen(Qt::black);
    painter.drawText(QRect(body.left(), mapRect.top(), axisW - 4, lh), Qt::AlignRight | Qt::AlignTop, QString::number(first));
    painter.drawText(QRect(body.left(), mapRect.bottom() - lh, axisW - 4, lh), Qt::AlignRight | Qt::AlignBottom, QString::number(last - 1));
    const QString rows = first == 0 && last == l.neurons ? tr("all %1 rows").arg(l.neurons) : tr("rows %1-%2 of %3 (wheel: zoom, drag: scroll, double click: all)").arg(first).arg(last - 1).arg(l.neurons);
    painter.drawText(QRect(mapRect.left(), body.bottom() + 2, mapRect.width(), lh), Qt::AlignHCenter,
                     fm.elidedText(tr("%1 x last %2 steps (newest right); lit: a gradient from the minibatch").arg(rows).arg(l.steps), Qt::ElideRight, mapRect.width()));

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
    const QString caption = tr("gradients per neuron, sorted (one per %1); never: %2").arg(m_countUnit).arg(never);
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
