#include "views/ConfigureView.h"

#include "ConfigPanel.h"
#include "EngineBridge.h"
#include "RunData.h"

#include <QDir>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace meprop {

ConfigureView::ConfigureView(const ViewContext& context, QWidget* parent) : WorkbenchView(context, parent)
{
    auto* layout = new QHBoxLayout(this);
    m_config = new ConfigPanel();
    m_config->setObjectName(QStringLiteral("configPanel"));
    m_config->setSchema(configFields());
    m_config->setPresets(presetSpecs());
    m_config->setCrossValidator([](const QJsonObject& v) { return validateConfig(v); });
    connect(m_config, &ConfigPanel::valuesChanged, this, &ConfigureView::updateDatasetInfo);
    layout->addWidget(m_config, 3);

    auto* side = new QVBoxLayout();
    auto* data = new QGroupBox(tr("Data sets"));
    auto* dataLayout = new QVBoxLayout(data);
    m_datasetInfo = new QLabel();
    m_datasetInfo->setWordWrap(true);
    m_datasetInfo->setTextFormat(Qt::RichText);
    dataLayout->addWidget(m_datasetInfo);
    const QStringList found = findImageDatasets();
    for (const QString& dir : found) {
        auto* use = new QPushButton(tr("Use %1").arg(QDir::toNativeSeparators(dir)));
        use->setToolTip(tr("Set data to this folder"));
        connect(use, &QPushButton::clicked, this, [this, dir] { m_config->setValue(QStringLiteral("data"), dir); });
        dataLayout->addWidget(use);
    }
    side->addWidget(data);

    auto* device = new QGroupBox(tr("Device"));
    auto* deviceLayout = new QVBoxLayout(device);
    const GpuStatus gpu = gpuAvailability();
    auto* gpuLabel = new QLabel(gpu.available ? tr("GPU: %1").arg(gpu.name) : tr("GPU: unavailable (%1). Training runs on the CPU.").arg(gpu.reason));
    gpuLabel->setWordWrap(true);
    deviceLayout->addWidget(gpuLabel);
    side->addWidget(device);

    auto* run = new QGroupBox(tr("Run"));
    auto* runLayout = new QVBoxLayout(run);
    m_startReason = new QLabel();
    m_startReason->setObjectName(QStringLiteral("startReason"));
    m_startReason->setWordWrap(true);
    runLayout->addWidget(m_startReason);
    side->addWidget(run);
    side->addStretch(1);
    layout->addLayout(side, 2);
    updateDatasetInfo();
}

void ConfigureView::setStartState(bool valid, const QString& reason)
{
    m_startReason->setText(valid ? tr("Ready to start: %1").arg(configSummary(m_config->values()))
                                 : tr("<b>Start is disabled:</b> %1").arg(reason.toHtmlEscaped()));
    m_startReason->setStyleSheet(valid ? QStringLiteral("color: #1b5e20;") : QStringLiteral("color: #b00020;"));
}

void ConfigureView::updateDatasetInfo()
{
    const QStringList found = findImageDatasets();
    const QString data = m_config->value(QStringLiteral("data")).toString();
    QString text;
    if (found.isEmpty()) text = tr("No MNIST-format data set was found automatically. Choose a folder with the four MNIST files.");
    else text = tr("Found automatically:<br>%1").arg(found.join(QStringLiteral("<br>")).toHtmlEscaped().replace(QStringLiteral("&lt;br&gt;"), QStringLiteral("<br>")));
    if (data.isEmpty() && !found.isEmpty()) text += tr("<br><br><i>data</i> is empty: the engine uses %1.").arg(found.front().toHtmlEscaped());
    else if (!data.isEmpty()) {
        const QString problem = checkDataFolder(data);
        text += problem.isEmpty() ? tr("<br><br><span style='color:#1b5e20'>%1 holds an MNIST-format data set.</span>").arg(data.toHtmlEscaped())
                                  : tr("<br><br><span style='color:#b00020'>%1</span>").arg(problem.toHtmlEscaped());
    }
    m_datasetInfo->setText(text);
}

}  // namespace meprop
