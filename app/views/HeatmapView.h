#pragma once
// The Weight updates tab: which rows of each layer got a gradient in the recent steps of one run
// (the selected one, else the running one, else the latest with update data).
#include "views/WorkbenchView.h"

class QLabel;

namespace meprop {

class WeightHeatmap;

class HeatmapView : public WorkbenchView {
    Q_OBJECT
public:
    explicit HeatmapView(const ViewContext& context, QWidget* parent = nullptr);

    void refresh() override;
    QList<ChartRef> charts() const override;
    // The run drawn (0: none).
    int runId() const;

private:
    WeightHeatmap* m_heatmap = nullptr;
    QLabel* m_caption = nullptr;
};

}  // namespace meprop
