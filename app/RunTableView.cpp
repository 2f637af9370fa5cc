#include "RunTableView.h"

#include "ProgressDelegate.h"
#include "RunController.h"
#include "RunTableModel.h"
#include "RunTreeModel.h"

#include <QHeaderView>
#include <QSortFilterProxyModel>

namespace meprop {

RunTableView::RunTableView(RunController* runs, QWidget* parent) : QTreeView(parent)
{
    setObjectName(QStringLiteral("runTable"));
    m_tree = new RunTreeModel(runs, this);
    m_sorted = new QSortFilterProxyModel(this);
    m_sorted->setSourceModel(m_tree);
    m_sorted->setSortRole(RunTableModel::SortRole);
    setModel(m_sorted);
    setSortingEnabled(true);
    sortByColumn(-1, Qt::AscendingOrder);  // the order queued until a header is clicked
    setItemDelegateForColumn(RunTableModel::Progress, new ProgressDelegate(this));
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::SelectedClicked);
    setContextMenuPolicy(Qt::CustomContextMenu);
    setUniformRowHeights(true);
    setRootIsDecorated(true);  // a seed group expands into its seeds
    setIndentation(14);
    header()->setStretchLastSection(true);
    header()->setSectionResizeMode(RunTableModel::Config, QHeaderView::Stretch);
    // The metric columns fit their text ("73.32 ± 1.44" on a group row); the config takes the rest.
    for (int c : {RunTableModel::BestDev, RunTableModel::Test, RunTableModel::BpTime, RunTableModel::Speedup, RunTableModel::Time})
        header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    // Narrow enough that the whole row fits at 1024 pixels with a seed group's "mean ± std" cells.
    setColumnWidth(RunTableModel::Show, 46);
    setColumnWidth(RunTableModel::Name, 192);
    setColumnWidth(RunTableModel::Progress, 80);
    setAlternatingRowColors(true);
    setWordWrap(false);
    setTextElideMode(Qt::ElideRight);
}

QList<int> RunTableView::selectedRunIds() const
{
    QList<int> ids;
    if (!selectionModel()) return ids;
    for (const QModelIndex& i : selectionModel()->selectedRows())
        for (int id : m_tree->runIds(m_sorted->mapToSource(i)))
            if (!ids.contains(id)) ids << id;
    return ids;
}

void RunTableView::selectRuns(const QList<int>& ids)
{
    clearSelection();
    for (int id : ids) {
        const QModelIndex i = m_sorted->mapFromSource(m_tree->indexOfRun(id));
        if (!i.isValid()) continue;
        if (i.parent().isValid()) expand(i.parent());
        selectionModel()->select(i, QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
}

void RunTableView::editName(int id)
{
    const QModelIndex name = m_sorted->mapFromSource(m_tree->indexOfRun(id, RunTableModel::Name));
    if (!name.isValid()) return;
    if (name.parent().isValid()) expand(name.parent());
    edit(name);
}

}  // namespace meprop
