#pragma once
// Owns the reproduction thread and its ReproduceWorker (Qt's worker/controller pattern, as
// RunController for training runs): the Paper view asks it for previews, runs and reports and gets
// plain snapshots back. Figure images are rendered here, on the GUI thread (Qt Charts), into the
// folder's figures/ before the worker writes the report that names them. Nothing here blocks the
// GUI thread except the destructor, which stops the runner and joins the thread.
#include "PaperData.h"

#include <QObject>
#include <QThread>

namespace meprop {

class ReproduceWorker;

class ReproduceController : public QObject {
    Q_OBJECT
public:
    explicit ReproduceController(QObject* parent = nullptr);
    ~ReproduceController() override;

    // Queued: the answer comes as snapshotReady() (or failed()). Ignored while a run is on.
    void preview(const PaperRequest& request);
    // Starts the runs of `request`; false while another is on.
    bool start(const PaperRequest& request);
    void stop();
    // Renders the latest snapshot's panels into <dir>/figures/<id>.svg and .png, then has the worker
    // write the report files; reportWritten() or failed() follows. False while a run is on.
    bool exportReport(const PaperRequest& request);

    bool isBusy() const { return m_busy; }
    const PaperSnapshot& latest() const { return m_latest; }

signals:
    void snapshotReady(const meprop::PaperSnapshot& snapshot);
    void progressChanged(const meprop::PaperProgress& progress);
    void busyChanged(bool busy);
    void runDone(int code, const QString& message);
    void reportWritten(const QString& dir, const QString& summary);
    void failed(const QString& message);

private:
    // Writes the panels' images; returns the report's sentence about them.
    QString renderPanels(const QString& dir, QString* error) const;

    QThread m_thread;
    ReproduceWorker* m_worker = nullptr;
    PaperSnapshot m_latest;
    bool m_busy = false;
    bool m_exporting = false;
};

}  // namespace meprop
