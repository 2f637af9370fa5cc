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
    m_config->setFieldCrossValidator(&configProblem);
    connect(m_config, &ConfigPanel::valuesChanged, this, &ConfigureView::updateDatasetInfo);
    layout->addWidget(m_config, 3);

    auto* side = new QVBoxLayout();
    auto* data = new QGroupBox(tr("Data sets"));
    auto* dataLayout = new QVBoxLayout(data);
    m_datasetInfo = new QLabel();
    m_datasetInfo->setObjectName(QStringLiteral("datasetInfo"));
    m_datasetInfo->setWordWrap(true);
    m_datasetInfo->setTextFormat(Qt::RichText);
    m_datasetInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    dataLayout->addWidget(m_datasetInfo);
    m_useButtons = new QVBoxLayout();
    dataLayout->addLayout(m_useButtons);
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
    const QString task = m_config->value(QStringLiteral("task")).toString();
    const bool text = task == QLatin1String("pos") || task == QLatin1String("parse");
    const QStringList found = text ? findTextDatasets() : findImageDatasets();
    if (task != m_buttonsTask || found != m_buttonsFound) {
        // One "Use" button per folder found for this task.
        m_buttonsTask = task;
        m_buttonsFound = found;
        while (QLayoutItem* item = m_useButtons->takeAt(0)) {
            delete item->widget();
            delete item;
        }
        for (const QString& dir : found) {
            auto* use = new QPushButton(tr("Use %1").arg(QDir::toNativeSeparators(dir)));
            use->setToolTip(tr("Set data to %1").arg(dir));
            use->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);  // long paths must not widen the panel
            connect(use, &QPushButton::clicked, this, [this, dir] { m_config->setValue(QStringLiteral("data"), dir); });
            m_useButtons->addWidget(use);
        }
    }
    const QString what = text ? tr("UD English EWT (CoNLL-U, for %1)").arg(task) : tr("MNIST-format images");
    auto esc = [](const QString& t) { return t.toHtmlEscaped(); };
    QString html;
    if (found.isEmpty())
        html = tr("<b>%1</b>: not found on this machine (looked in %2).").arg(esc(what), esc(dataCandidates(task).join(QStringLiteral(", "))));
    else {
        QStringList items;
        for (const QString& f : found) items << esc(f);
        html = tr("<b>%1</b> found in:<br>%2").arg(esc(what), items.join(QStringLiteral("<br>")));
    }
    const QString data = m_config->value(QStringLiteral("data")).toString();
    const QString problem = checkDataFolder(data, task, m_config->values());
    if (!problem.isEmpty())
        html += tr("<br><br><span style='color:#b00020'>Start is disabled: %1</span>").arg(esc(problem));
    else if (data.trimmed().isEmpty())
        html += tr("<br><br><span style='color:#1b5e20'><i>data</i> is empty: the engine uses %1.</span>")
                    .arg(esc(found.isEmpty() ? tr("the files named by train_file, dev_file and test_file") : found.front()));
    else
        html += tr("<br><br><span style='color:#1b5e20'>%1 holds the %2 data.</span>").arg(esc(data), esc(task));
    m_datasetInfo->setText(html);
}

}  // namespace meprop
