#pragma once
// Asks for the size and resolution of a chart export (PNG or SVG): width and height of the layout
// in pixels at 96 DPI, and the DPI (a 900x560 chart at 300 DPI is a 2813x1750 PNG).
#include <QDialog>
#include <QSize>

class QLabel;
class QSpinBox;

namespace meprop {

class ChartExportDialog : public QDialog {
    Q_OBJECT
public:
    ChartExportDialog(const QSize& size, double dpi, QWidget* parent = nullptr);

    QSize exportSize() const;
    double dpi() const;

private:
    void updatePixels();

    QSpinBox* m_width = nullptr;
    QSpinBox* m_height = nullptr;
    QSpinBox* m_dpi = nullptr;
    QLabel* m_pixels = nullptr;
};

}  // namespace meprop
