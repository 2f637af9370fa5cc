#pragma once
// Owns the training threads and their workers (Qt's worker/controller pattern), the queue of runs
// of a session and every run's record; keeps the run table in step. When a run ends, its full
// record (curves, weight-update history, state) is saved as run.json beside the trainer's files, so
// that the Runs browser can load it back later. Runs start in the order queued, up to
// parallelRuns() at once (1 by default), each on a thread of its own with its own TrainingWorker;
// a run's numbers depend only on its config and seed, never on what runs beside it. Nothing here
// blocks the GUI thread except the destructor, which stops the running runs and joins the threads
// (the trainer polls for the stop between batches).
#include "RunData.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QQueue>
#include <QString>
#include <QThread>

namespace meprop {

class RunTableModel;
class TrainingWorker;

class RunController : public QObject {
    Q_OBJECT
public:
    explicit RunController(QObject* parent = nullptr);
    ~RunController() override;

    // Each run writes its files (config.json, metrics.csv, summary.json) to <root>/run-<id>-<time>;
    // an empty root writes nothing.
    void setRunsRoot(const QString& dir) { m_runsRoot = dir; }
    QString runsRoot() const { return m_runsRoot; }
    void setThrottleMs(int ms);
    RunTableModel* model() const { return m_model; }

    // Queues a run of `config` (engine JSON keys); returns its id. Starts it when idle.
    // seedGroup: the id shared by the runs of one config with seeds 1..N (0: none).
    int enqueue(const QJsonObject& config, GroupKind group = GroupKind::None, int groupId = 0, const QString& name = {},
                int seedGroup = 0);
    int newGroupId() { return ++m_lastGroup; }
    // Adds a finished run read from a bundle or a run folder; returns its new id.
    int addImported(RunRecord record);
    // Renames a run (its legends show the new name from then on).
    void rename(int id, const QString& name);
    // Takes a run out of the session (a queued one leaves the queue); with deleteFolder its run
    // folder goes too (only a folder holding a config.json, i.e. a run folder). The running run is
    // refused: false and the reason in *error.
    bool remove(int id, bool deleteFolder, QString* error = nullptr);

    // A folder holding a run that can be resumed: a checkpoint but no summary.json (a run that
    // was stopped, failed or killed after at least one epoch).
    static bool isResumable(const QString& folder);
    // Queues the continuation of the run in `folder` from its checkpoint, in that folder with its
    // own configuration; returns its id, or 0 with the reason in *error.
    int enqueueResume(const QString& folder, QString* error = nullptr);
    // The same for run `id` of this session (stopped or failed): it goes on in its record.
    bool requeueFromCheckpoint(int id, QString* error = nullptr);

    // Runs at once (1..64): queued runs start as soon as one of that many is free.
    void setParallelRuns(int n);
    int parallelRuns() const { return m_parallel; }

    // Pause, resume and stop act on the running runs by their ids (TrainingWorker): one that has
    // just ended without the controller having seen it yet is left alone, and so is the next one.
    void pause();
    void resume();
    // Stops the running runs (the queue goes on with the next).
    void stop();
    // Stops the current run and drops the queued ones.
    void stopAll();

    bool isBusy() const { return runningCount() > 0; }
    bool isPaused() const;  // a running run is paused
    // The running run queued first (0: none), and all of them in the order queued.
    int currentId() const;
    QList<int> runningIds() const;
    int runningCount() const;
    int queuedCount() const { return static_cast<int>(m_queue.size()); }
    const RunRecord* record(int id) const;
    QList<int> ids() const { return m_order; }
    // The finished dense run of the same configuration (mode, k, k_output and seed aside), of the
    // same seed where there is one, else of the same group.
    const RunRecord* denseBaseline(int id) const;

signals:
    void runAdded(int id);
    void runRemoved(int id);
    void runChanged(int id);       // data or state changed (throttled by the worker)
    void runStarted(int id);
    void runEnded(int id);         // finished, stopped or failed
    void runFailed(int id, const QString& message);
    void warning(int id, const QString& message);
    void busyChanged(bool busy);
    void idle();                   // nothing running and nothing queued

private:
    // A queued record (not started); resumeFolder not empty: it continues the run there.
    int addQueued(const QJsonObject& config, GroupKind group, int groupId, const QString& name, const QString& resumeFolder,
                  int seedGroup = 0);
    void startNext();
    void onStarted(int id, const StartData& info);
    void onBatches(int id, const BatchData& data);
    void onEpoch(int id, const EpochData& data);
    void onSelection(int id, const QList<HeatmapLayer>& layers);
    void onWarning(int id, const QString& message);
    void onPaused(int id, bool paused);
    void onFinished(int id, const QByteArray& summary);
    void onStopped(int id);
    void onFailed(int id, const QString& message);
    void endRun(int id, RunState state);
    void updateTimes(RunRecord& r);
    void updateSpeedups();
    void syncRow(const RunRecord& r);
    void saveRecord(const RunRecord& r);

    // One training thread and its worker; id: the run on it (0: free).
    struct Slot {
        QThread thread;
        TrainingWorker* worker = nullptr;
        int id = 0;
        bool paused = false;
        QElapsedTimer clock;       // since the run started
        qint64 pausedMs = 0;       // time spent paused
        QElapsedTimer pauseClock;  // since the current pause began
    };
    Slot* addSlot();
    Slot* slotOf(int id) const;

    QList<Slot*> m_slots;
    int m_parallel = 1;
    int m_throttleMs = 50;
    RunTableModel* m_model = nullptr;
    QMap<int, RunRecord> m_runs;
    QList<int> m_order;
    QQueue<int> m_queue;
    int m_lastId = 0;
    int m_lastGroup = 0;
    QString m_runsRoot;
};

}  // namespace meprop
