#include "ReproduceController.h"

#include "ReproduceWorker.h"

#include <QDir>

namespace meprop {

ReproduceController::ReproduceController(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<PaperRequest>();
    qRegisterMetaType<PaperSnapshot>();
    qRegisterMetaType<PaperProgress>();

    m_worker = new ReproduceWorker();
    m_worker->moveToThread(&m_thread);
    m_thread.setObjectName(QStringLiteral("meprop-reproduce"));
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &ReproduceWorker::snapshot, this, [this](const PaperSnapshot& s) {
        m_latest = s;
        emit snapshotReady(s);
    });
    connect(m_worker, &ReproduceWorker::progress, this, &ReproduceController::progressChanged);
    connect(m_worker, &ReproduceWorker::runDone, this, [this](int code, const QString& message) {
        m_busy = false;
        emit busyChanged(false);
        emit runDone(code, message);
    });
    connect(m_worker, &ReproduceWorker::reportWritten, this, [this](const QString& dir, const QString& summary) {
        m_exporting = false;
        emit reportWritten(dir, summary);
    });
    connect(m_worker, &ReproduceWorker::failed, this, [this](const QString& message) {
        m_exporting = false;
        emit failed(message);
    });
    m_thread.start();
}

ReproduceController::~ReproduceController()
{
    m_worker->stop();
    m_thread.quit();
    m_thread.wait();
}

void ReproduceController::preview(const PaperRequest& request)
{
    if (m_busy) return;
    QMetaObject::invokeMethod(m_worker, "preview", Qt::QueuedConnection, Q_ARG(meprop::PaperRequest, request));
}

bool ReproduceController::start(const PaperRequest& request)
{
    if (m_busy || m_exporting) return false;
    // Not busy until now: the previous run has ended (runDone came), so nothing polls the stop flag.
    // Cleared here, not in the worker's run(), so that a stop() between now and the moment the worker
    // begins the run still stops it.
    m_worker->clearStop();
    m_busy = true;
    emit busyChanged(true);
    QMetaObject::invokeMethod(m_worker, "run", Qt::QueuedConnection, Q_ARG(meprop::PaperRequest, request));
    return true;
}

void ReproduceController::stop()
{
    if (m_busy) m_worker->stop();
}

bool ReproduceController::exportReport(const PaperRequest& request)
{
    if (m_busy || m_exporting) return false;
    QString error;
    const QString note = renderPanels(request.dir, &error);
    if (!error.isEmpty()) {
        emit failed(error);
        return false;
    }
    m_exporting = true;
    QMetaObject::invokeMethod(m_worker, "writeReport", Qt::QueuedConnection, Q_ARG(meprop::PaperRequest, request), Q_ARG(QString, note));
    return true;
}

QString ReproduceController::renderPanels(const QString& dir, QString* error) const
{
    // The panels of the latest snapshot are those the worker's report reads back (nothing runs in
    // between): the same data as figures/<id>.json.
    if (m_latest.dir != dir || m_latest.panels.isEmpty()) return {};
    const QString figures = QDir(dir).filePath(QStringLiteral("figures"));
    if (!QDir().mkpath(figures)) {
        *error = tr("%1: cannot create the folder (check that you may write there)").arg(figures);
        return {};
    }
    for (const FigurePanel& p : m_latest.panels)
        if (!renderFigurePanel(p, QDir(figures).filePath(p.id), QSize(900, 560), error)) return {};
    return QStringLiteral("Figure 4's panels were rendered with Qt Charts by the workbench's Paper view (`figures/<fig>.svg`, "
                          "`figures/<fig>.png`); the report shows the same data as plain inline SVG (`figures/<fig>-plain.svg`).");
}

}  // namespace meprop
