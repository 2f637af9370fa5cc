#pragma once
// The table of runs of a session: one plain RunRow per run, with a check box per row that selects
// which runs the charts overlay, an editable name, and a sort key per column (SortRole, for a
// QSortFilterProxyModel). Failed runs are painted red (their message is the tooltip); runs
// with an engine warning amber.
#include <QAbstractTableModel>
#include <QList>
#include <QString>

#include <limits>

namespace meprop {

enum class RunState { Queued, Running, Paused, Finished, Stopped, Failed };
QString toString(RunState state);

struct RunRow {
    int id = 0;               // unique in the session, assigned by the caller
    QString name;
    QString summary;          // short config text, e.g. "image topk k=20 adam lr=0.001"
    QString mode;             // "topk", "dense", ... (for legends)
    int k = 0;
    RunState state = RunState::Queued;
    double progress = 0.0;    // 0..1
    double bestDev = std::numeric_limits<double>::quiet_NaN();   // percent
    double test = std::numeric_limits<double>::quiet_NaN();      // percent, at the best dev epoch
    double bpSeconds = std::numeric_limits<double>::quiet_NaN(); // linear backprop time, all epochs
    double speedup = std::numeric_limits<double>::quiet_NaN();   // dense BP time / this BP time
    double elapsedSeconds = 0.0;
    double etaSeconds = std::numeric_limits<double>::quiet_NaN();
    QString error;            // set when failed
    QString warning;          // latest engine warning
    bool shown = true;        // overlaid in the charts
};

class RunTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Show, Name, Config, State, Progress, BestDev, Test, BpTime, Speedup, Time, ColumnCount };
    // Role returning the progress in 0..1 for the Progress column (ProgressDelegate paints it).
    static constexpr int ProgressRole = Qt::UserRole + 1;
    static constexpr int IdRole = Qt::UserRole + 2;
    // What a column sorts by: numbers for the numeric columns (NaN last), text otherwise.
    static constexpr int SortRole = Qt::UserRole + 3;

    explicit RunTableModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;

    // Appends a row (its id must be new) and returns its row index.
    int addRun(const RunRow& row);
    // Replaces the row with row.id; returns false when there is none.
    bool updateRun(const RunRow& row);
    bool removeRun(int id);
    void clear();
    // nullptr when unknown.
    const RunRow* run(int id) const;
    int rowOf(int id) const;  // -1 when unknown
    const QList<RunRow>& runs() const { return m_rows; }
    QList<int> shownIds() const;
    void setShown(int id, bool shown);

    // The table as text for export (all rows, the visible columns but the check box).
    QString toCsv() const;
    QString toMarkdown() const;

    static QString formatDuration(double seconds);
    // Text of a cell as shown (used by the exports).
    QString cellText(const RunRow& row, int column) const;

signals:
    void shownChanged();
    // The user edited a run's name in the table (the row already shows it).
    void renamed(int id, const QString& name);

private:
    QList<RunRow> m_rows;
};

}  // namespace meprop
