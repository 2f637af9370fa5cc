#pragma once
// The Compare tab: the top-k / random / dense runs of one comparison (the selected one, else the
// newest): accuracy and loss curves and a table of best dev, test, BP time and speedup.
#include "views/WorkbenchView.h"

class QTableWidget;

namespace meprop {

class LineChart;

class CompareView : public WorkbenchView {
    Q_OBJECT
public:
    explicit CompareView(const ViewContext& context, QWidget* parent = nullptr);

    void refresh() override;
    QList<ChartRef> charts() const override;

private:
    LineChart* m_compareChart = nullptr;
    LineChart* m_compareLoss = nullptr;
    QTableWidget* m_compareTable = nullptr;
};

}  // namespace meprop
