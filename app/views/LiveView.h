#pragma once
// The Live tab: accuracy per epoch, per-batch loss, backprop ratio per layer and the time per
// phase of every run checked in the run table, plus the engine's warnings as a banner.
#include "views/WorkbenchView.h"

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

    void showWarning(const QString& text);

private:
    QLabel* m_warningBanner = nullptr;
    LineChart* m_accChart = nullptr;
    LineChart* m_lossChart = nullptr;
    LineChart* m_ratioChart = nullptr;
    BarChart* m_timeChart = nullptr;
};

}  // namespace meprop
