#pragma once
// The Qt Charts view our charts draw in, made explorable: drag a rectangle to zoom in, the wheel
// zooms around the cursor, Shift+drag or the middle button pans, a double click resets; hovering
// asks the owner for a tooltip. Lives inside widgets/charts with the rest of Qt Charts.
#include <QChartView>
#include <QPointF>
#include <QString>

#include <functional>

namespace meprop {

class ChartView : public QChartView {
    Q_OBJECT
public:
    explicit ChartView(QChart* chart, QWidget* parent = nullptr);

    // Text for the point under the cursor (widget coordinates); empty: no tooltip.
    void setTooltipProvider(std::function<QString(const QPointF&)> provider) { m_tooltip = std::move(provider); }
    // Zooms by `factor` (> 1: in) around `center` (widget coordinates), as the wheel does.
    void zoomAround(const QPointF& center, double factor);
    // Pans by a distance in pixels, as a drag does.
    void pan(const QPointF& delta);

signals:
    // The user changed the visible range (zoom or pan).
    void zoomedByUser();
    // The user asked for the full range again (double click).
    void resetRequested();

protected:
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    std::function<QString(const QPointF&)> m_tooltip;
    bool m_panning = false;
    bool m_banding = false;
    QPointF m_last;
    QPointF m_pressed;
};

}  // namespace meprop
