#include "charts/ChartView.h"

#include <QChart>
#include <QMouseEvent>
#include <QRubberBand>
#include <QToolTip>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace meprop {

ChartView::ChartView(QChart* chart, QWidget* parent) : QChartView(chart, parent)
{
    setRubberBand(QChartView::RectangleRubberBand);
    setMouseTracking(true);
    setToolTip(tr("Drag to zoom, wheel to zoom around the cursor, Shift+drag to pan, double click to reset"));
}

void ChartView::zoomAround(const QPointF& center, double factor)
{
    if (!(factor > 0) || !chart()) return;
    const QRectF area = chart()->plotArea();
    if (area.isEmpty()) return;
    const QPointF c(std::clamp(center.x(), area.left(), area.right()), std::clamp(center.y(), area.top(), area.bottom()));
    // The rectangle that, zoomed into, keeps `c` where it is.
    const double w = area.width() / factor, h = area.height() / factor;
    const double fx = (c.x() - area.left()) / area.width(), fy = (c.y() - area.top()) / area.height();
    chart()->zoomIn(QRectF(c.x() - fx * w, c.y() - fy * h, w, h));
    emit zoomedByUser();
}

void ChartView::pan(const QPointF& delta)
{
    if (!chart()) return;
    chart()->scroll(-delta.x(), delta.y());
    emit zoomedByUser();
}

void ChartView::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0) return QChartView::wheelEvent(event);
    zoomAround(event->position(), std::pow(1.25, steps));
    event->accept();
}

void ChartView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier))) {
        m_panning = true;
        m_last = event->position();
        setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    if (event->button() == Qt::RightButton) {
        event->ignore();  // the owner's context menu; no zoom-out on right click
        return;
    }
    m_banding = event->button() == Qt::LeftButton;
    m_pressed = event->position();
    QChartView::mousePressEvent(event);
}

void ChartView::mouseMoveEvent(QMouseEvent* event)
{
    if (m_panning) {
        pan(event->position() - m_last);
        m_last = event->position();
        event->accept();
        return;
    }
    QChartView::mouseMoveEvent(event);
    if (!m_banding && m_tooltip) {
        const QString text = m_tooltip(event->position());
        if (text.isEmpty()) QToolTip::hideText();
        else QToolTip::showText(event->globalPosition().toPoint(), text, this);
    }
}

void ChartView::mouseReleaseEvent(QMouseEvent* event)
{
    if (m_panning) {
        m_panning = false;
        unsetCursor();
        event->accept();
        return;
    }
    if (event->button() == Qt::RightButton) {
        event->ignore();
        return;
    }
    const bool wasBanding = m_banding;
    m_banding = false;
    if (wasBanding && event->button() == Qt::LeftButton) {
        const QPointF d = event->position() - m_pressed;
        if (std::abs(d.x()) < 5 || std::abs(d.y()) < 5) {
            // A click or a sliver, not a rectangle: no zoom.
            if (auto* band = findChild<QRubberBand*>()) band->hide();
            event->accept();
            return;
        }
        QChartView::mouseReleaseEvent(event);  // the dragged rectangle zooms in here
        emit zoomedByUser();
        return;
    }
    QChartView::mouseReleaseEvent(event);
}

void ChartView::mouseDoubleClickEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton) {
        emit resetRequested();
        event->accept();
        return;
    }
    QChartView::mouseDoubleClickEvent(event);
}

void ChartView::leaveEvent(QEvent* event)
{
    QToolTip::hideText();
    QChartView::leaveEvent(event);
}

}  // namespace meprop
