#include "views/WorkbenchView.h"

#include "RunController.h"

#include <QTableWidget>

#include <cmath>

namespace meprop {

int WorkbenchView::latestGroup(GroupKind kind) const
{
    const QList<int> sel = selectedIds();
    if (!sel.isEmpty())
        if (const RunRecord* r = runs()->record(sel.front()); r && r->groupKind == kind) return r->groupId;
    int group = 0;
    for (int id : runs()->ids())
        if (const RunRecord* r = runs()->record(id); r && r->groupKind == kind) group = r->groupId;
    return group;
}

QString WorkbenchView::fmt(double v, int decimals)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("-");
}

void WorkbenchView::setTableRow(QTableWidget* t, int row, const QStringList& cells)
{
    for (int c = 0; c < cells.size(); ++c) {
        auto* item = new QTableWidgetItem(cells[c]);
        item->setFlags(item->flags() & ~Qt::ItemIsEditable);
        if (c > 0) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        t->setItem(row, c, item);
    }
}

}  // namespace meprop
