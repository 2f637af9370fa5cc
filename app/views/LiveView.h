#pragma once
// The Live tab: accuracy per epoch, per-batch loss, backprop ratio per layer and the time per
// phase of every run checked in the run table, plus the engine's warnings as a banner.
#include "views/WorkbenchView.h"

class QComboBox;
class QFrame;
class QLabel;

namespace meprop {

class BarChart;
class LineChart;

class LiveView : public WorkbenchView {
    Q_OBJECT
public:
    explicit LiveView(const ViewContext& context, QWidget* parent = nullptr);

    void refresh() override;
    QList<ChartRef> charts() const override;

    // The engine's latest warning, from run `runId`, as a banner above the charts. It goes away
    // when dismissed or when its run is removed.
    void showWarning(int runId, const QString& text);
    void dismissWarning();
    bool isWarningShown() const;

private:
    QFrame* m_warningBanner = nullptr;
    QLabel* m_warningText = nullptr;
    int m_warningRun = 0;
    QWidget* m_seedRow = nullptr;
    QComboBox* m_seedMode = nullptr;
    LineChart* m_accChart = nullptr;
    LineChart* m_lossChart = nullptr;
    LineChart* m_ratioChart = nullptr;
    BarChart* m_timeChart = nullptr;
};

}  // namespace meprop
