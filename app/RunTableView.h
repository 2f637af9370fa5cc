#pragma once
// The window's run table: the runs of the session as a sortable tree (RunTreeModel: a seed group
// is one expandable row), check boxes that choose what the charts overlay, editable names,
// multi-selection by run id (a group row stands for its seeds), and the progress bars.
#include <QList>
#include <QTreeView>

class QSortFilterProxyModel;

namespace meprop {

class RunController;
class RunTreeModel;

class RunTableView : public QTreeView {
    Q_OBJECT
public:
    explicit RunTableView(RunController* runs, QWidget* parent = nullptr);

    // The selected runs in the order shown, a group row as its seeds.
    QList<int> selectedRunIds() const;
    // Selects the rows of `ids` (expanding their groups), as clicks do.
    void selectRuns(const QList<int>& ids);
    // Opens the name editor of run `id`.
    void editName(int id);
    RunTreeModel* tree() const { return m_tree; }

private:
    RunTreeModel* m_tree = nullptr;
    QSortFilterProxyModel* m_sorted = nullptr;
};

}  // namespace meprop
