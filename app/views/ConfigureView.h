#pragma once
// The Configure tab: the config form (generated from the engine's key schema), the data sets found
// on this machine, the device, and why Start is (not) possible.
#include "views/WorkbenchView.h"

#include <QStringList>

class QLabel;
class QVBoxLayout;

namespace meprop {

class ConfigPanel;

class ConfigureView : public WorkbenchView {
    Q_OBJECT
public:
    explicit ConfigureView(const ViewContext& context, QWidget* parent = nullptr);

    ConfigPanel* configPanel() const { return m_config; }
    // Shows "Ready to start: ..." or "Start is disabled: <reason>".
    void setStartState(bool valid, const QString& reason);
    // Re-reads the data folder of the config and what was found on this machine.
    void updateDatasetInfo();

    void refresh() override { updateDatasetInfo(); }

private:
    ConfigPanel* m_config = nullptr;
    QLabel* m_datasetInfo = nullptr;
    QLabel* m_startReason = nullptr;
    QVBoxLayout* m_useButtons = nullptr;
    QString m_buttonsTask;
    QStringList m_buttonsFound;
};

}  // namespace meprop
