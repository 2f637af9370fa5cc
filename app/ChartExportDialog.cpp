#include "ChartExportDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>

#include <cmath>

namespace meprop {

ChartExportDialog::ChartExportDialog(const QSize& size, double dpi, QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Export chart"));
    auto* form = new QFormLayout(this);
    auto spin = [this](int min, int max, int value, const QString& suffix) {
        auto* s = new QSpinBox(this);
        s->setRange(min, max);
        s->setValue(value);
        s->setSuffix(suffix);
        connect(s, &QSpinBox::valueChanged, this, &ChartExportDialog::updatePixels);
        return s;
    };
    m_width = spin(200, 8000, size.width(), tr(" px"));
    m_height = spin(150, 8000, size.height(), tr(" px"));
    m_dpi = spin(48, 1200, int(std::lround(dpi)), tr(" dpi"));
    m_width->setObjectName(QStringLiteral("exportWidth"));
    m_height->setObjectName(QStringLiteral("exportHeight"));
    m_dpi->setObjectName(QStringLiteral("exportDpi"));
    form->addRow(tr("Width (layout):"), m_width);
    form->addRow(tr("Height (layout):"), m_height);
    form->addRow(tr("Resolution:"), m_dpi);
    m_pixels = new QLabel(this);
    m_pixels->setStyleSheet(QStringLiteral("color: #555;"));
    form->addRow(m_pixels);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
    updatePixels();
}

QSize ChartExportDialog::exportSize() const
{
    return QSize(m_width->value(), m_height->value());
}

double ChartExportDialog::dpi() const
{
    return m_dpi->value();
}

void ChartExportDialog::updatePixels()
{
    const double s = dpi() / 96.0;
    m_pixels->setText(tr("PNG: %1 x %2 pixels; text and lines scale with the resolution. The legend is drawn in full.")
                          .arg(std::lround(m_width->value() * s))
                          .arg(std::lround(m_height->value() * s)));
}

}  // namespace meprop
