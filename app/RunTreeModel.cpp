#include "RunTreeModel.h"

#include "RunController.h"
#include "RunTableModel.h"
#include "SeedGroups.h"

#include <QBrush>

#include <cmath>

namespace meprop {

RunTreeModel::RunTreeModel(const RunController* runs, QObject* parent) : QAbstractItemModel(parent), m_runs(runs), m_source(runs->model())
{
    connect(m_source, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex&, int first, int last) {
        for (int r = first; r <= last; ++r) insertRun(m_source->runs()[r].id);
    });
    connect(m_source, &QAbstractItemModel::rowsAboutToBeRemoved, this, [this](const QModelIndex&, int first, int last) {
        for (int r = last; r >= first; --r) removeRun(m_source->runs()[r].id);
    });
    connect(m_source, &QAbstractItemModel::modelReset, this, [this] {
        beginResetModel();
        rebuild();
        endResetModel();
    });
    connect(m_source, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex& tl, const QModelIndex& br, const QList<int>& roles) {
        for (int r = tl.row(); r <= br.row(); ++r) {
            const int id = m_source->runs()[r].id;
            const QModelIndex row = indexOfRun(id);
            if (!row.isValid()) continue;
            emit dataChanged(row.siblingAtColumn(tl.column()), row.siblingAtColumn(br.column()), roles);
            if (row.parent().isValid())  // the group's statistics follow its members
                emit dataChanged(row.parent().siblingAtColumn(0), row.parent().siblingAtColumn(RunTableModel::ColumnCount - 1));
        }
    });
    rebuild();
}

void RunTreeModel::rebuild()
{
    m_top.clear();
    m_groupOf.clear();
    for (const RunRow& r : m_source->runs()) {
        const RunRecord* rec = m_runs->record(r.id);
        const int g = rec ? rec->seedGroup : 0;
        m_groupOf.insert(r.id, g);
        const int t = g ? topOfGroup(g) : -1;
        if (t >= 0) m_top[t].members << r.id;
        else m_top << (g ? Top{g, 0, {r.id}} : Top{0, r.id, {}});
    }
}

void RunTreeModel::insertRun(int id)
{
    const RunRecord* rec = m_runs->record(id);
    const int g = rec ? rec->seedGroup : 0;
    m_groupOf.insert(id, g);
    const int t = g ? topOfGroup(g) : -1;
    if (t >= 0) {
        const int at = static_cast<int>(m_top[t].members.size());
        beginInsertRows(index(t, 0), at, at);
        m_top[t].members << id;
        endInsertRows();
        emit dataChanged(index(t, 0), index(t, RunTableModel::ColumnCount - 1));
        return;
    }
    const int at = static_cast<int>(m_top.size());
    beginInsertRows({}, at, at);
    m_top << (g ? Top{g, 0, {id}} : Top{0, id, {}});
    endInsertRows();
}

void RunTreeModel::removeRun(int id)
{
    const int g = m_groupOf.take(id);
    if (g == 0) {
        const int t = topOfRun(id);
        if (t < 0) return;
        beginRemoveRows({}, t, t);
        m_top.removeAt(t);
        endRemoveRows();
        return;
    }
    const int t = topOfGroup(g);
    if (t < 0) return;
    const int at = static_cast<int>(m_top[t].members.indexOf(id));
    if (at < 0) return;
    if (m_top[t].members.size() == 1) {  // its last member: the group row goes
        beginRemoveRows({}, t, t);
        m_top.removeAt(t);
        endRemoveRows();
        return;
    }
    beginRemoveRows(index(t, 0), at, at);
    m_top[t].members.removeAt(at);
    endRemoveRows();
    emit dataChanged(index(t, 0), index(t, RunTableModel::ColumnCount - 1));
}

int RunTreeModel::topOfGroup(int group) const
{
    for (int i = 0; i < m_top.size(); ++i)
        if (m_top[i].group == group) return i;
    return -1;
}

int RunTreeModel::topOfRun(int id) const
{
    for (int i = 0; i < m_top.size(); ++i)
        if (m_top[i].group == 0 && m_top[i].id == id) return i;
    return -1;
}

QModelIndex RunTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (column < 0 || column >= RunTableModel::ColumnCount || row < 0) return {};
    if (!parent.isValid()) return row < m_top.size() ? createIndex(row, column, quintptr(0)) : QModelIndex();
    if (parent.internalId() != 0 || parent.row() >= m_top.size()) return {};  // runs have no children
    const Top& t = m_top[parent.row()];
    if (t.group == 0 || row >= t.members.size()) return {};
    return createIndex(row, column, quintptr(t.group));  // a child names its group (stable over removals)
}

QModelIndex RunTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == 0) return {};
    const int t = topOfGroup(int(child.internalId()));
    return t < 0 ? QModelIndex() : createIndex(t, 0, quintptr(0));
}

int RunTreeModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid()) return static_cast<int>(m_top.size());
    if (parent.internalId() != 0 || parent.column() != 0 || parent.row() >= m_top.size()) return 0;
    return static_cast<int>(m_top[parent.row()].members.size());
}

int RunTreeModel::columnCount(const QModelIndex&) const
{
    return RunTableModel::ColumnCount;
}

QModelIndex RunTreeModel::indexOfRun(int id, int column) const
{
    const int g = m_groupOf.value(id, 0);
    if (g == 0) {
        const int t = topOfRun(id);
        return t < 0 ? QModelIndex() : index(t, column);
    }
    const int t = topOfGroup(g);
    if (t < 0) return {};
    const int at = static_cast<int>(m_top[t].members.indexOf(id));
    return at < 0 ? QModelIndex() : index(at, column, index(t, 0));
}

QModelIndex RunTreeModel::indexOfGroup(int group, int column) const
{
    const int t = topOfGroup(group);
    return t < 0 ? QModelIndex() : index(t, column);
}

QList<int> RunTreeModel::runIds(const QModelIndex& i) const
{
    if (!i.isValid()) return {};
    if (i.internalId() != 0) {
        const int t = topOfGroup(int(i.internalId()));
        return t < 0 ? QList<int>() : QList<int>{m_top[t].members.value(i.row())};
    }
    const Top& t = m_top[i.row()];
    return t.group ? t.members : QList<int>{t.id};
}

QModelIndex RunTreeModel::sourceIndex(int id, int column) const
{
    const int row = m_source->rowOf(id);
    return row < 0 ? QModelIndex() : m_source->index(row, column);
}

QVariant RunTreeModel::data(const QModelIndex& i, int role) const
{
    if (!i.isValid()) return {};
    if (i.internalId() == 0 && m_top[i.row()].group != 0) return groupData(m_top[i.row()], i.column(), role);
    const QList<int> ids = runIds(i);
    if (ids.isEmpty()) return {};
    if (role == GroupRole) return 0;
    return sourceIndex(ids.front(), i.column()).data(role);
}

QVariant RunTreeModel::groupData(const Top& top, int column, int role) const
{
    QList<const RunRow*> rows;
    QList<const RunRecord*> records;
    for (int id : top.members) {
        if (const RunRow* r = m_source->run(id)) rows << r;
        if (const RunRecord* r = m_runs->record(id)) records << r;
    }
    if (rows.isEmpty()) return {};
    if (role == GroupRole) return top.group;
    if (role == RunTableModel::IdRole) return 0;
    // The members' values of a metric column, finished runs' (and the running one's best so far).
    auto values = [&](double RunRow::*field) {
        QList<double> v;
        for (const RunRow* r : rows) v << r->*field;
        return groupValue(v);
    };
    auto meanStd = [](const GroupValue& g, int decimals, const QString& unit) {
        if (g.n == 0) return QStringLiteral("-");
        QString s = QString::number(g.mean, 'f', decimals);
        if (std::isfinite(g.stddev)) s += QStringLiteral(" ± ") + QString::number(g.stddev, 'f', decimals);
        return s + unit;
    };
    double progress = 0.0, elapsed = 0.0;
    int finished = 0, running = 0, failed = 0, shown = 0;
    for (const RunRow* r : rows) {
        progress += r->progress / rows.size();
        elapsed += r->elapsedSeconds;
        finished += r->state == RunState::Finished;
        running += r->state == RunState::Running || r->state == RunState::Paused;
        failed += r->state == RunState::Failed;
        shown += r->shown;
    }
    const GroupValue bp = values(&RunRow::bpSeconds);
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case RunTableModel::Name: return groupLegend(records);
        case RunTableModel::Config: return rows.front()->summary;
        case RunTableModel::State:
            if (finished == rows.size()) return tr("finished");
            if (running > 0) return tr("running (%1 of %2 done)").arg(finished).arg(rows.size());
            if (failed > 0) return tr("%1 of %2 failed").arg(failed).arg(rows.size());
            return tr("%1 of %2 done").arg(finished).arg(rows.size());
        case RunTableModel::Progress: return QStringLiteral("%1 %").arg(std::lround(progress * 100));
        case RunTableModel::BestDev: return meanStd(values(&RunRow::bestDev), 2, {});
        case RunTableModel::Test: return meanStd(values(&RunRow::test), 2, {});
        case RunTableModel::BpTime: return meanStd(bp, std::isfinite(bp.mean) && bp.mean < 10 ? 3 : 1, QStringLiteral(" s"));
        case RunTableModel::Speedup: return meanStd(values(&RunRow::speedup), 1, QStringLiteral("x"));
        case RunTableModel::Time: return RunTableModel::formatDuration(elapsed);
        default: return {};
        }
    case Qt::CheckStateRole:
        if (column != RunTableModel::Show) return {};
        return shown == 0 ? Qt::Unchecked : shown == rows.size() ? Qt::Checked : Qt::PartiallyChecked;
    case Qt::ToolTipRole:
        if (column == RunTableModel::Show) return tr("Overlay the group's runs in the charts");
        return tr("Seed group of %n run(s): mean ± sample standard deviation over its seeds (expand for each seed)", nullptr,
                  int(rows.size()));
    case Qt::BackgroundRole:
        if (failed > 0) return QBrush(QColor(255, 200, 200));
        return {};
    case Qt::TextAlignmentRole:
        if (column >= RunTableModel::Progress) return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case RunTableModel::ProgressRole: return progress;
    case RunTableModel::SortRole: {
        auto num = [](double v) { return QVariant(std::isfinite(v) ? v : -1e300); };
        switch (column) {
        case RunTableModel::Show: return shown;
        case RunTableModel::Name: return groupLegend(records).toLower();
        case RunTableModel::Config: return rows.front()->summary;
        case RunTableModel::State: return finished;
        case RunTableModel::Progress: return progress;
        case RunTableModel::BestDev: return num(values(&RunRow::bestDev).mean);
        case RunTableModel::Test: return num(values(&RunRow::test).mean);
        case RunTableModel::BpTime: return num(bp.mean);
        case RunTableModel::Speedup: return num(values(&RunRow::speedup).mean);
        case RunTableModel::Time: return elapsed;
        default: return {};
        }
    }
    default: return {};
    }
}

QVariant RunTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    return m_source->headerData(section, orientation, role);
}

Qt::ItemFlags RunTreeModel::flags(const QModelIndex& i) const
{
    if (!i.isValid()) return Qt::NoItemFlags;
    if (i.internalId() == 0 && m_top[i.row()].group != 0) {
        Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
        if (i.column() == RunTableModel::Show) f |= Qt::ItemIsUserCheckable;
        return f;
    }
    const QList<int> ids = runIds(i);
    return ids.isEmpty() ? Qt::NoItemFlags : m_source->flags(sourceIndex(ids.front(), i.column()));
}

bool RunTreeModel::setData(const QModelIndex& i, const QVariant& value, int role)
{
    if (!i.isValid()) return false;
    const QList<int> ids = runIds(i);
    if (i.internalId() == 0 && m_top[i.row()].group != 0) {
        // The group's check box shows or hides every member.
        if (i.column() != RunTableModel::Show || role != Qt::CheckStateRole) return false;
        const bool shown = value.toInt() != Qt::Unchecked;
        for (int id : ids) m_source->setShown(id, shown);
        return true;
    }
    return !ids.isEmpty() && m_source->setData(sourceIndex(ids.front(), i.column()), value, role);
}

}  // namespace meprop
