#pragma once
// Runs one engine Trainer on its own thread and reports through queued signals carrying copied
// plain data (RunData.h). It is the engine's ProgressSink: the callbacks run on the training
// thread, batch updates are gathered and sent at most every `throttleMs` (default 50 ms), the
// weight-update history at most every 150 ms. Pause blocks inside shouldStop() on a wait
// condition; stop sets an atomic flag that the trainer polls between batches. pause(), resume()
// and stop() are thread-safe and meant to be called directly from the GUI thread (the worker's
// own event loop is busy while a run is on). Every exception ends as failed(id, message).
//
// The stop and pause requests belong to a run: they name its id and act on that run only, while it
// runs or, when it has been handed to the worker but not begun, as soon as it begins. A request
// for a run that has already ended does nothing: pressing Stop (or Pause) as run A finishes cannot
// cancel (or pause) the run queued after it.
#include "RunData.h"

#include "train/ProgressSink.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QMutex>
#include <QObject>
#include <QWaitCondition>

#include <atomic>

namespace meprop {

class TrainingWorker : public QObject, public ProgressSink {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr);

    void setThrottleMs(int ms) { m_throttleMs = ms; }
    // Collect which rows get a gradient (the heat map); off saves the engine the work.
    void setWantsSelection(bool on) { m_wantSelection = on; }

    // Ask run `id` to pause / go on / stop (ids are > 0).
    void pause(int id);
    void resume(int id);
    void stop(int id);
    // Drops any stop or pause request for `id`: the controller calls it before it hands a run to
    // the worker (again: a record continued from its checkpoint keeps its id), so that a request
    // that reached an earlier attempt of that run too late does not stop or pause this one.
    void clearRequests(int id);
    // True while the run in progress is blocked in a pause.
    bool isPaused() const { return m_blocked.load(); }
    // The run in progress (0: none).
    int currentId() const { return m_id.load(); }

public slots:
    // Trains `configJson` (the engine's JSON) and writes results to outDir (empty: nothing).
    void run(int id, const QByteArray& configJson, const QString& outDir);
    // Continues the run in outDir from its checkpoint (its own configuration): the restored
    // epochs arrive as epochDone first, then training goes on (engine/train/Trainer.h resume()).
    void resumeRun(int id, const QString& outDir);

signals:
    void started(int id, const meprop::StartData& info);
    void batches(int id, const meprop::BatchData& data);
    void epochDone(int id, const meprop::EpochData& data);
    void selection(int id, const QList<meprop::HeatmapLayer>& layers);
    void warning(int id, const QString& message);
    void pausedChanged(int id, bool paused);
    void finished(int id, const QByteArray& summaryJson);
    void stopped(int id);
    void failed(int id, const QString& message);

private:
    void execute(int id, const QByteArray& configJson, const QString& outDir, bool resume);

    // ProgressSink, called on the training thread.
    void onStart(const RunInfo& info) override;
    void onBatch(const BatchProgress& p) override;
    void onEpoch(const EpochResult& e) override;
    bool wantsSelection() override;
    void onSelection(long step, const std::vector<LayerSelection>& layers) override;
    void onWarning(const std::string& message) override;
    bool shouldStop() override;

    void flushBatches();
    void flushSelection();

    std::atomic<int> m_id{0};
    int m_throttleMs = 50;
    std::atomic<int> m_stopId{0};   // the run asked to stop (0: none)
    std::atomic<int> m_pauseId{0};  // the run asked to pause (0: none)
    std::atomic<bool> m_blocked{false};
    std::atomic<bool> m_wantSelection{true};
    QMutex m_mutex;
    QWaitCondition m_resumed;

    StartData m_info;
    BatchData m_pending;
    bool m_hasPending = false;
    QElapsedTimer m_sinceBatchEmit;
    HeatmapHistory m_history;
    bool m_selectionDirty = false;
    QElapsedTimer m_sinceSelectionEmit;
};

}  // namespace meprop
