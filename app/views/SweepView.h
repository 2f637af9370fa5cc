#pragma once
// The k sweep tab: best dev / test accuracy and the backprop speedup over the dense baseline
// against k, for one sweep (the selected one, else the newest), with its table.
#include "views/WorkbenchView.h"

class QTableWidget;

namespace meprop {

class LineChart;

class SweepView : public WorkbenchView {
    Q_OBJECT
public:
    explicit SweepView(const ViewContext& context, QWidget* parent = nullptr);

    void refresh() override;
    QList<ChartRef> charts() const override;

private:
    LineChart* m_sweepAcc = nullptr;
    LineChart* m_sweepSpeed = nullptr;
    QTableWidget* m_sweepTable = nullptr;
};

}  // namespace meprop
