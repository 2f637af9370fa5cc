#include "views/HeatmapView.h"

#include "RunController.h"
#include "WeightHeatmap.h"

#include <QLabel>
#include <QVBoxLayout>

namespace meprop {

HeatmapView::HeatmapView(const ViewContext& context, QWidget* parent) : WorkbenchView(context, parent)
{
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(2, 2, 2, 2);
    m_caption = new QLabel();
    m_caption->setWordWrap(true);
    v->addWidget(m_caption);
    m_heatmap = new WeightHeatmap();
    v->addWidget(m_heatmap, 1);
}

QList<ChartRef> HeatmapView::charts() const
{
    return {{QStringLiteral("heatmap"), tr("Which weights get updated"), m_heatmap, m_heatmap}};
}

int HeatmapView::runId() const
{
    const QList<int> sel = selectedIds();
    if (!sel.isEmpty()) return sel.front();
    if (runs()->currentId()) return runs()->currentId();
    // The newest run with update data, a sparse one first (a dense run lights every row).
    int last = 0, lastSparse = 0;
    for (int id : runs()->ids())
        if (const RunRecord* r = runs()->record(id); r && !r->heatmap.isEmpty()) {
            last = id;
            if (r->mode() != QLatin1String("dense")) lastSparse = id;
        }
    return lastSparse ? lastSparse : last;
}

void HeatmapView::refresh()
{
    const RunRecord* r = runs()->record(runId());
    if (!r || r->heatmap.isEmpty()) {
        m_heatmap->setTitle(r ? tr("Which weights get updated: %1").arg(r->legend()) : tr("Which weights get updated"));
        m_heatmap->clear();
        m_caption->setText(r ? tr("%1 has no update data (imported runs keep only their charts).").arg(r->name)
                             : tr("Select a run in the table (or start one) to see which rows of each layer get a gradient."));
        return;
    }
    const QString task = r->start.task.isEmpty() ? r->config.value(QStringLiteral("task")).toString() : r->start.task;
    // What one count is: the engine adds one per example (per token for the tagger, per parser
    // configuration for the parser) whose kept set held the row.
    const QString unit = task == QLatin1String("pos") ? tr("token") : task == QLatin1String("parse") ? tr("parser configuration") : tr("example");
    m_heatmap->setTitle(tr("Which weights get updated: %1").arg(r->legend()));
    m_heatmap->setCountUnit(unit);
    m_heatmap->setLayers(r->heatmap);
    m_caption->setText(tr("%1 (%2): each row of a map is a neuron (a row of the weight matrix), each column a training step; "
                          "a cell is lit when any %3 of that step's minibatch gave the row a gradient. Right: gradients per "
                          "neuron since the start (one per %3), sorted. Wheel over a map zooms into the rows, drag scrolls, "
                          "double click shows all.")
                           .arg(r->name, toString(r->row.state), unit));
}

}  // namespace meprop
