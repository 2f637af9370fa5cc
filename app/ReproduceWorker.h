#pragma once
// Runs the engine's reproduction plans (engine/reproduce: buildPlan, runPlan, collectResults,
// writeReportFiles: the code of `meprop reproduce`) on the reproduction thread and reports through
// queued signals carrying plain data (PaperData.h). Lives on the thread of ReproduceController;
// its slots are invoked queued. stop() is thread-safe and meant for the GUI thread: the runner polls
// it between batches, so the run in progress ends at once and is left unfinished (a later run of
// the same folder resumes it: finished runs are skipped, an interrupted one continues from its
// checkpoint). Every exception ends as failed(message).
//
// A stop belongs to the run handed over last: asked after the controller queued run() but before
// the worker began it (the worker still busy with a preview, or not yet scheduled), it stops that
// run as soon as it begins. So run() never clears it; the controller does (clearStop()), on the GUI
// thread, when it hands a new run over, which it does only once the previous one has ended.
#include "PaperData.h"

#include <QObject>

#include <atomic>

namespace meprop {

class ReproduceWorker : public QObject {
    Q_OBJECT
public:
    explicit ReproduceWorker(QObject* parent = nullptr);

    void stop() { m_stop = true; }
    // Drops a stop request; only while no run is on (ReproduceController::start()).
    void clearStop() { m_stop = false; }

public slots:
    // The plan of `request` with what its folder already holds: snapshot(), or failed() for bad input.
    void preview(const meprop::PaperRequest& request);
    // Runs what is not finished, a snapshot after every finished run, then the report files (as the
    // CLI, unless stopped): runDone(code, message) with the CLI's exit code (0, 1 some run failed,
    // 2 bad input or a conflicting folder, 130 stopped).
    void run(const meprop::PaperRequest& request);
    // Writes the report files of the folder as it is (figures/, plan.json, results.csv, cells.csv,
    // report.md, report.html); figuresNote is the report's sentence about the rendered panels.
    void writeReport(const meprop::PaperRequest& request, const QString& figuresNote);

signals:
    void snapshot(const meprop::PaperSnapshot& snapshot);
    void progress(const meprop::PaperProgress& progress);
    void runDone(int code, const QString& message);
    void reportWritten(const QString& dir, const QString& summary);
    void failed(const QString& message);

private:
    // The latest run(), for the report's header.
    struct LastRun {
        QString dir, started, loadStart;
        int executed = 0, skipped = 0;
        double wallSeconds = 0.0;
    };

    std::atomic<bool> m_stop{false};
    LastRun m_last;
};

}  // namespace meprop
