#pragma once
// The run table as a tree: every run of a seed group (runs of one config with seeds 1..N) under one
// expandable group row that shows mean ± std over its finished seeds in each metric column (the
// engine's statistics through SeedGroups), its mean progress and summed time; every other run as a
// row of its own. A proxy over the controller's flat RunTableModel (which stays the source of truth:
// check boxes, names, sort keys), kept in step with its inserts, removals and changes without
// resets, so that selection and expansion survive new runs.
#include <QAbstractItemModel>
#include <QHash>
#include <QList>

namespace meprop {

class RunController;
class RunTableModel;

class RunTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    // On a group row: its seed group id (0 on run rows). IdRole is 0 on a group row.
    static constexpr int GroupRole = Qt::UserRole + 10;

    explicit RunTreeModel(const RunController* runs, QObject* parent = nullptr);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;

    // The row of run `id` (a child when it is in a group); invalid when unknown.
    QModelIndex indexOfRun(int id, int column = 0) const;
    // The row of seed group `group`; invalid when there is none.
    QModelIndex indexOfGroup(int group, int column = 0) const;
    // The run ids of a row: its run, or a group row's members.
    QList<int> runIds(const QModelIndex& index) const;

private:
    struct Top {
        int group = 0;       // a seed group row when != 0
        int id = 0;          // the run of a plain row
        QList<int> members;  // the group's runs, in the order queued
    };

    int topOfGroup(int group) const;
    int topOfRun(int id) const;
    QModelIndex sourceIndex(int id, int column) const;
    QVariant groupData(const Top& top, int column, int role) const;
    void insertRun(int id);
    void removeRun(int id);
    void rebuild();

    const RunController* m_runs;
    RunTableModel* m_source;
    QList<Top> m_top;
    QHash<int, int> m_groupOf;  // run id -> seed group (0: none), as when it was inserted
};

}  // namespace meprop
