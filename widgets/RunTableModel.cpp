#include "RunTableModel.h"

#include <QBrush>
#include <QColor>

#include <cmath>

namespace meprop {

QString toString(RunState state)
{
    switch (state) {
    case RunState::Queued: return QStringLiteral("queued");
    case RunState::Running: return QStringLiteral("running");
    case RunState::Paused: return QStringLiteral("paused");
    case RunState::Finished: return QStringLiteral("finished");
    case RunState::Stopped: return QStringLiteral("stopped");
    case RunState::Failed: return QStringLiteral("failed");
    }
    return {};
}

RunTableModel::RunTableModel(QObject* parent) : QAbstractTableModel(parent) {}

int RunTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RunTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString RunTableModel::formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("-");
    const long s = std::lround(seconds);
    if (s < 60) return QStringLiteral("%1 s").arg(s);
    if (s < 3600) return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1h %2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QString RunTableModel::cellText(const RunRow& r, int column) const
{
    auto pct = [](double v) { return std::isfinite(v) ? QString::number(v, 'f', 2) : QStringLiteral("-"); };
    switch (column) {
    case Name: return r.name;
    case Config: return r.summary;
    case State: return toString(r.state);
    case Progress: return QStringLiteral("%1 %").arg(std::lround(std::clamp(r.progress, 0.0, 1.0) * 100));
    case BestDev: return pct(r.bestDev);
    case Test: return pct(r.test);
    case BpTime:
        return std::isfinite(r.bpSeconds) ? QStringLiteral("%1 s").arg(r.bpSeconds, 0, 'f', r.bpSeconds < 10 ? 3 : 1)
                                          : QStringLiteral("-");
    case Speedup: return std::isfinite(r.speedup) ? QStringLiteral("%1x").arg(r.speedup, 0, 'f', 1) : QStringLiteral("-");
    case Time: {
        QString t = formatDuration(r.elapsedSeconds);
        if (r.state == RunState::Running || r.state == RunState::Paused)
            if (std::isfinite(r.etaSeconds)) t += QStringLiteral(" / ETA %1").arg(formatDuration(r.etaSeconds));
        return t;
    }
    default: return {};
    }
}

QVariant RunTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size()) return {};
    const RunRow& r = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        return index.column() == Show ? QVariant() : QVariant(cellText(r, index.column()));
    case Qt::CheckStateRole:
        if (index.column() == Show) return r.shown ? Qt::Checked : Qt::Unchecked;
        return {};
    case Qt::ToolTipRole:
        if (!r.error.isEmpty()) return r.error;
        if (!r.warning.isEmpty()) return tr("Warning: %1").arg(r.warning);
        if (index.column() == Show) return tr("Overlay this run in the charts");
        return index.column() == Config ? QVariant(r.summary) : QVariant();
    case Qt::BackgroundRole:
        if (r.state == RunState::Failed) return QBrush(QColor(255, 200, 200));
        if (!r.warning.isEmpty()) return QBrush(QColor(255, 236, 179));
        return {};
    case Qt::ForegroundRole:
        if (r.state == RunState::Failed) return QBrush(QColor(150, 0, 0));
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() >= Progress) return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::EditRole:
        return index.column() == Name ? QVariant(r.name) : QVariant();
    case ProgressRole: return r.progress;
    case IdRole: return r.id;
    case SortRole: {
        // NaN sorts after every number in both directions' natural reading (as "-" cells).
        auto num = [](double v) { return QVariant(std::isfinite(v) ? v : -1e300); };
        switch (index.column()) {
        case Show: return r.shown ? 1 : 0;
        case Name: return r.name.toLower();
        case Config: return r.summary;
        case State: return int(r.state);
        case Progress: return r.progress;
        case BestDev: return num(r.bestDev);
        case Test: return num(r.test);
        case BpTime: return num(r.bpSeconds);
        case Speedup: return num(r.speedup);
        case Time: return r.elapsedSeconds;
        default: return {};
        }
    }
    default: return {};
    }
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Show: return tr("Overlay the run in the charts");
        case BestDev: return tr("Best dev accuracy (%)");
        case Test: return tr("Test accuracy at the best dev epoch (%)");
        case BpTime: return tr("Backprop time of the linear layers, all epochs");
        case Speedup: return tr("Backprop speedup over the dense run of the same config");
        default: return {};
        }
    }
    if (role != Qt::DisplayRole) return {};
    static const char* names[] = {"Show", "Name", "Config", "State", "Progress", "Best dev", "Test", "BP time",
                                  "Speedup", "Elapsed / ETA"};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

Qt::ItemFlags RunTableModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.column() == Show) f |= Qt::ItemIsUserCheckable;
    if (index.column() == Name) f |= Qt::ItemIsEditable;
    return f;
}

bool RunTableModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (index.isValid() && index.column() == Name && role == Qt::EditRole) {
        const QString name = value.toString().simplified();
        RunRow& r = m_rows[index.row()];
        if (name.isEmpty() || name == r.name) return false;
        r.name = name;
        emit dataChanged(index, index, {Qt::DisplayRole, Qt::EditRole});
        emit renamed(r.id, name);
        return true;
    }
    if (!index.isValid() || index.column() != Show || role != Qt::CheckStateRole) return false;
    RunRow& r = m_rows[index.row()];
    const bool shown = value.toInt() == Qt::Checked;
    if (r.shown == shown) return true;
    r.shown = shown;
    emit dataChanged(index, index, {Qt::CheckStateRole});
    emit shownChanged();
    return true;
}

int RunTableModel::addRun(const RunRow& row)
{
    const int at = static_cast<int>(m_rows.size());
    beginInsertRows({}, at, at);
    m_rows.append(row);
    endInsertRows();
    emit shownChanged();
    return at;
}

bool RunTableModel::updateRun(const RunRow& row)
{
    const int at = rowOf(row.id);
    if (at < 0) return false;
    const bool shownChange = m_rows[at].shown != row.shown;
    m_rows[at] = row;
    emit dataChanged(index(at, 0), index(at, ColumnCount - 1));
    if (shownChange) emit shownChanged();
    return true;
}

bool RunTableModel::removeRun(int id)
{
    const int at = rowOf(id);
    if (at < 0) return false;
    beginRemoveRows({}, at, at);
    m_rows.removeAt(at);
    endRemoveRows();
    emit shownChanged();
    return true;
}

void RunTableModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
    emit shownChanged();
}

const RunRow* RunTableModel::run(int id) const
{
    const int at = rowOf(id);
    return at < 0 ? nullptr : &m_rows[at];
}

int RunTableModel::rowOf(int id) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].id == id) return i;
    return -1;
}

QList<int> RunTableModel::shownIds() const
{
    QList<int> ids;
    for (const RunRow& r : m_rows)
        if (r.shown) ids << r.id;
    return ids;
}

void RunTableModel::setShown(int id, bool shown)
{
    const int at = rowOf(id);
    if (at >= 0) setData(index(at, Show), shown ? Qt::Checked : Qt::Unchecked, Qt::CheckStateRole);
}

QString RunTableModel::toCsv() const
{
    auto quote = [](QString s) {
        if (s.contains(QLatin1Char(',')) || s.contains(QLatin1Char('"')) || s.contains(QLatin1Char('\n'))) {
            s.replace(QLatin1Char('"'), QStringLiteral("\"\""));
            s = QLatin1Char('"') + s + QLatin1Char('"');
        }
        return s;
    };
    QString out;
    QStringList header;
    for (int c = Name; c < ColumnCount; ++c) header << quote(headerData(c, Qt::Horizontal, Qt::DisplayRole).toString());
    header << QStringLiteral("Error");
    out += header.join(QLatin1Char(',')) + QLatin1Char('\n');
    for (const RunRow& r : m_rows) {
        QStringList cells;
        for (int c = Name; c < ColumnCount; ++c) cells << quote(cellText(r, c));
        cells << quote(r.error);
        out += cells.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return out;
}

QString RunTableModel::toMarkdown() const
{
    auto esc = [](QString s) { return s.replace(QLatin1Char('|'), QStringLiteral("\\|")).replace(QLatin1Char('\n'), QLatin1Char(' ')); };
    QStringList header, rule;
    for (int c = Name; c < ColumnCount; ++c) {
        header << esc(headerData(c, Qt::Horizontal, Qt::DisplayRole).toString());
        rule << (c >= Progress ? QStringLiteral("---:") : QStringLiteral("---"));
    }
    QString out = QStringLiteral("| ") + header.join(QStringLiteral(" | ")) + QStringLiteral(" |\n| ") +
                  rule.join(QStringLiteral(" | ")) + QStringLiteral(" |\n");
    for (const RunRow& r : m_rows) {
        QStringList cells;
        for (int c = Name; c < ColumnCount; ++c) cells << esc(cellText(r, c));
        out += QStringLiteral("| ") + cells.join(QStringLiteral(" | ")) + QStringLiteral(" |\n");
    }
    return out;
}

}  // namespace meprop
