#include "RunController.h"

#include "RunTableModel.h"
#include "TrainingWorker.h"
#include "charts/ChartExport.h"

#include "core/Error.h"
#include "train/RunFolder.h"
#include "train/Trainer.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace meprop {

RunController::RunController(QObject* parent) : QObject(parent), m_model(new RunTableModel(this))
{
    qRegisterMetaType<StartData>();
    qRegisterMetaType<BatchData>();
    qRegisterMetaType<EpochData>();
    qRegisterMetaType<QList<HeatmapLayer>>();

    connect(m_model, &RunTableModel::renamed, this, &RunController::rename);
    addSlot();  // the first training thread; more when parallel runs ask for them
}

RunController::~RunController()
{
    m_queue.clear();
    for (Slot* slot : std::as_const(m_slots))
        if (slot->id) slot->worker->stop(slot->id);
    for (Slot* slot : std::as_const(m_slots)) {
        slot->thread.quit();
        slot->thread.wait();
    }
    qDeleteAll(m_slots);
}

RunController::Slot* RunController::addSlot()
{
    auto* slot = new Slot;
    slot->worker = new TrainingWorker();
    slot->worker->setThrottleMs(m_throttleMs);
    slot->worker->moveToThread(&slot->thread);
    slot->thread.setObjectName(QStringLiteral("meprop-training-%1").arg(m_slots.size() + 1));
    TrainingWorker* w = slot->worker;
    connect(&slot->thread, &QThread::finished, w, &QObject::deleteLater);
    connect(w, &TrainingWorker::started, this, &RunController::onStarted);
    connect(w, &TrainingWorker::batches, this, &RunController::onBatches);
    connect(w, &TrainingWorker::epochDone, this, &RunController::onEpoch);
    connect(w, &TrainingWorker::selection, this, &RunController::onSelection);
    connect(w, &TrainingWorker::warning, this, &RunController::onWarning);
    connect(w, &TrainingWorker::pausedChanged, this, &RunController::onPaused);
    connect(w, &TrainingWorker::finished, this, &RunController::onFinished);
    connect(w, &TrainingWorker::stopped, this, &RunController::onStopped);
    connect(w, &TrainingWorker::failed, this, &RunController::onFailed);
    slot->thread.start();
    m_slots.append(slot);
    return slot;
}

RunController::Slot* RunController::slotOf(int id) const
{
    if (id == 0) return nullptr;
    for (Slot* slot : m_slots)
        if (slot->id == id) return slot;
    return nullptr;
}

void RunController::setParallelRuns(int n)
{
    m_parallel = std::clamp(n, 1, 64);
    if (!m_queue.isEmpty()) startNext();  // more room: queued runs start now
}

int RunController::runningCount() const
{
    int n = 0;
    for (const Slot* slot : m_slots) n += slot->id != 0;
    return n;
}

QList<int> RunController::runningIds() const
{
    QList<int> ids;
    for (const Slot* slot : m_slots)
        if (slot->id) ids << slot->id;
    std::sort(ids.begin(), ids.end());  // the order queued
    return ids;
}

int RunController::currentId() const
{
    const QList<int> ids = runningIds();
    return ids.isEmpty() ? 0 : ids.front();
}

bool RunController::isPaused() const
{
    for (const Slot* slot : m_slots)
        if (slot->id && slot->paused) return true;
    return false;
}

void RunController::setThrottleMs(int ms)
{
    m_throttleMs = ms;
    for (Slot* slot : std::as_const(m_slots)) slot->worker->setThrottleMs(ms);
}

int RunController::enqueue(const QJsonObject& config, GroupKind group, int groupId, const QString& name, int seedGroup)
{
    if (seedGroup > m_lastGroup) m_lastGroup = seedGroup;
    const int id = addQueued(config, group, groupId, name, {}, seedGroup);
    startNext();
    return id;
}

int RunController::addQueued(const QJsonObject& config, GroupKind group, int groupId, const QString& name, const QString& resumeFolder,
                             int seedGroup)
{
    RunRecord r;
    r.seedGroup = seedGroup;  // before the table sees the row (the run tree groups by it)
    r.resume = !resumeFolder.isEmpty();
    r.outDir = resumeFolder;
    r.id = ++m_lastId;
    r.config = config;
    r.groupKind = group;
    r.groupId = groupId;
    r.name = name.isEmpty() ? QStringLiteral("run %1").arg(r.id) : name;
    r.row.id = r.id;
    r.row.name = r.name;
    r.row.summary = configSummary(config);
    r.row.mode = r.mode();
    r.row.k = r.k();
    r.row.state = RunState::Queued;
    m_runs.insert(r.id, r);
    m_order.append(r.id);
    m_model->addRun(r.row);
    m_queue.enqueue(r.id);
    emit runAdded(r.id);
    return r.id;
}

int RunController::addImported(RunRecord r)
{
    r.id = ++m_lastId;
    r.row.id = r.id;
    r.row.name = r.name.isEmpty() ? QStringLiteral("imported %1").arg(r.id) : r.name;
    r.name = r.row.name;
    r.row.summary = configSummary(r.config);
    r.row.mode = r.mode();
    r.row.k = r.k();
    // A run exported while it was going on imports as stopped.
    if (r.row.state != RunState::Failed && r.row.state != RunState::Finished) r.row.state = RunState::Stopped;
    r.row.progress = r.start.epochs > 0 ? std::min(1.0, double(r.epochs.size()) / r.start.epochs) : 1.0;
    r.row.bestDev = r.bestDev();
    r.row.test = r.testAtBest();
    r.row.bpSeconds = r.epochs.isEmpty() ? std::nan("") : r.totalBpLinear();
    if (!r.warnings.isEmpty()) r.row.warning = r.warnings.back();
    if (r.groupId > m_lastGroup) m_lastGroup = r.groupId;
    if (r.seedGroup > m_lastGroup) m_lastGroup = r.seedGroup;
    m_runs.insert(r.id, r);
    m_order.append(r.id);
    m_model->addRun(r.row);
    updateSpeedups();
    emit runAdded(r.id);
    return r.id;
}

bool RunController::isResumable(const QString& folder)
{
    try {
        return !folder.isEmpty() && !RunFolder::resumableCheckpoint(folder.toStdString()).empty();
    } catch (const Error&) {
        return false;
    }
}

int RunController::enqueueResume(const QString& folder, QString* error)
{
    QJsonObject config;
    try {
        // Reads (and checks) the checkpoint now, so a corrupt or finished one is reported here.
        config = QJsonDocument::fromJson(QByteArray::fromStdString(Trainer::checkpointConfig(folder.toStdString()).json().dump())).object();
    } catch (const Error& e) {
        if (error) *error = QString::fromStdString(e.what());
        return 0;
    }
    const int id = addQueued(config, GroupKind::None, 0, tr("resumed %1").arg(QFileInfo(folder).fileName()), folder);
    startNext();
    return id;
}

bool RunController::requeueFromCheckpoint(int id, QString* error)
{
    auto it = m_runs.find(id);
    if (it == m_runs.end() || (it->row.state != RunState::Stopped && it->row.state != RunState::Failed)) {
        if (error) *error = tr("run %1 is not stopped or failed").arg(id);
        return false;
    }
    if (!isResumable(it->outDir)) {
        if (error) *error = tr("%1 has no checkpoint to resume from (the run stopped before the end of its first epoch, or finished)").arg(it->outDir);
        return false;
    }
    RunRecord& r = *it;
    r.resume = true;
    r.epochs.clear();  // the trainer replays the restored epochs
    r.batchLoss.clear();
    r.ratio.clear();
    r.heatmap.clear();
    r.row.error.clear();
    r.row.progress = 0.0;
    r.row.state = RunState::Queued;
    syncRow(r);
    m_queue.enqueue(id);
    emit runChanged(id);
    startNext();
    return true;
}

void RunController::rename(int id, const QString& name)
{
    auto it = m_runs.find(id);
    const QString n = name.simplified();
    if (it == m_runs.end() || n.isEmpty()) return;
    it->name = n;
    it->renamed = true;
    it->row.name = n;
    syncRow(*it);  // kept in the session and in bundles; the run folder is not rewritten
    emit runChanged(id);
}

bool RunController::remove(int id, bool deleteFolder, QString* error)
{
    auto it = m_runs.find(id);
    if (it == m_runs.end()) {
        if (error) *error = tr("no run %1").arg(id);
        return false;
    }
    if (slotOf(id)) {
        if (error) *error = tr("%1 is running: stop it first").arg(it->name);
        return false;
    }
    if (deleteFolder && !it->outDir.isEmpty()) {
        QDir dir(it->outDir);
        if (dir.exists() && QFileInfo::exists(dir.filePath(QStringLiteral("config.json"))) && !dir.removeRecursively()) {
            if (error) *error = tr("cannot delete the run folder %1 (check that you may write there)").arg(it->outDir);
            return false;
        }
    }
    m_queue.removeAll(id);
    m_order.removeAll(id);
    m_runs.erase(it);
    m_model->removeRun(id);
    updateSpeedups();
    emit runRemoved(id);
    return true;
}

void RunController::saveRecord(const RunRecord& r)
{
    if (r.outDir.isEmpty() || !QDir(r.outDir).exists()) return;
    // Written atomically next to the trainer's files; a failure is not worth failing the run for.
    saveFileAtomically(QDir(r.outDir).filePath(QStringLiteral("run.json")), QJsonDocument(toJson(r)).toJson(QJsonDocument::Compact));
}

void RunController::startNext()
{
    const bool wasBusy = isBusy();
    while (!m_queue.isEmpty() && runningCount() < m_parallel) {
        const int id = m_queue.dequeue();
        auto it = m_runs.find(id);
        if (it == m_runs.end() || it->row.state != RunState::Queued) continue;
        Slot* slot = nullptr;
        for (Slot* s : std::as_const(m_slots))
            if (!s->id) {
                slot = s;
                break;
            }
        if (!slot) slot = addSlot();
        slot->id = id;
        slot->paused = false;
        slot->pausedMs = 0;
        slot->pauseClock.invalidate();
        slot->clock.start();
        RunRecord& r = *it;
        if (!r.resume && !m_runsRoot.isEmpty()) {
            // A fresh folder per run: the trainer refuses to overwrite a finished run, and ids restart
            // with every session.
            const QString base = QDir(m_runsRoot).filePath(
                QStringLiteral("run-%1-%2").arg(id).arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"))));
            r.outDir = base;
            for (int n = 2; QFileInfo::exists(r.outDir); ++n) r.outDir = base + QStringLiteral("-%1").arg(n);
        }
        r.row.state = RunState::Running;
        syncRow(r);
        slot->worker->clearRequests(id);  // a late Stop or Pause for an earlier attempt of this record
        if (r.resume) {
            QMetaObject::invokeMethod(slot->worker, "resumeRun", Qt::QueuedConnection, Q_ARG(int, id), Q_ARG(QString, r.outDir));
        } else {
            const QByteArray json = QJsonDocument(r.config).toJson(QJsonDocument::Compact);
            QMetaObject::invokeMethod(slot->worker, "run", Qt::QueuedConnection, Q_ARG(int, id), Q_ARG(QByteArray, json),
                                      Q_ARG(QString, r.outDir));
        }
        if (!wasBusy && runningCount() == 1) emit busyChanged(true);
        emit runStarted(id);
        emit runChanged(id);
    }
    if (!isBusy() && m_queue.isEmpty()) {
        emit busyChanged(false);
        emit idle();
    }
}

void RunController::pause()
{
    for (Slot* slot : std::as_const(m_slots))
        if (slot->id && !slot->paused) slot->worker->pause(slot->id);
}

void RunController::resume()
{
    for (Slot* slot : std::as_const(m_slots))
        if (slot->id) slot->worker->resume(slot->id);
}

void RunController::stop()
{
    for (Slot* slot : std::as_const(m_slots))
        if (slot->id) slot->worker->stop(slot->id);
}

void RunController::stopAll()
{
    for (int id : std::as_const(m_queue)) {
        auto it = m_runs.find(id);
        if (it != m_runs.end() && it->row.state == RunState::Queued) {
            it->row.state = RunState::Stopped;
            syncRow(*it);
            emit runChanged(id);
        }
    }
    m_queue.clear();
    stop();
    if (!isBusy()) {
        emit busyChanged(false);
        emit idle();
    }
}

const RunRecord* RunController::record(int id) const
{
    auto it = m_runs.find(id);
    return it == m_runs.end() ? nullptr : &*it;
}

const RunRecord* RunController::denseBaseline(int id) const
{
    const RunRecord* r = record(id);
    if (!r) return nullptr;
    auto key = [](QJsonObject c) {
        for (const char* k : {"mode", "k", "k_output", "seed"}) c.remove(QLatin1String(k));
        return c;
    };
    const QJsonObject mine = key(r->config);
    const RunRecord* best = nullptr;
    for (int other : m_order) {
        const auto found = m_runs.constFind(other);
        if (found == m_runs.constEnd()) continue;
        const RunRecord& o = *found;
        if (o.mode() != QLatin1String("dense") || o.row.state != RunState::Finished || o.epochs.isEmpty()) continue;
        if (key(o.config) != mine) continue;
        // Prefer the dense run of the same seed, then of the same group (the compare/sweep that
        // queued it): a seed group's runs each get their own seed's baseline.
        auto score = [&](const RunRecord& c) {
            return (c.config.value(QStringLiteral("seed")) == r->config.value(QStringLiteral("seed")) ? 2 : 0) + (c.groupId == r->groupId ? 1 : 0);
        };
        if (!best || score(o) > score(*best)) best = &o;
    }
    return best;
}

void RunController::updateSpeedups()
{
    for (int id : m_order) {
        RunRecord& r = m_runs[id];
        double speedup = std::nan("");
        if (const RunRecord* d = denseBaseline(id); d && !r.epochs.isEmpty() && r.totalBpLinear() > 0)
            speedup = d->totalBpLinear() / r.totalBpLinear();
        if (std::isnan(speedup) && std::isfinite(r.savedSpeedup)) speedup = r.savedSpeedup;  // its dense run is elsewhere
        const bool changed = std::isnan(speedup) != std::isnan(r.row.speedup) || (!std::isnan(speedup) && speedup != r.row.speedup);
        if (changed) {
            r.row.speedup = speedup;
            syncRow(r);
            emit runChanged(id);
        }
    }
}

void RunController::syncRow(const RunRecord& r)
{
    RunRow row = r.row;
    if (const RunRow* shown = m_model->run(r.id)) row.shown = shown->shown;  // the user's check box wins
    m_model->updateRun(row);
}

void RunController::updateTimes(RunRecord& r)
{
    const Slot* slot = slotOf(r.id);
    if (!slot) return;
    const qint64 pausedNow = slot->paused && slot->pauseClock.isValid() ? slot->pauseClock.elapsed() : 0;
    r.row.elapsedSeconds = double(slot->clock.elapsed() - slot->pausedMs - pausedNow) / 1000.0;
    if (r.row.progress > 0.01 && r.row.progress < 1.0) r.row.etaSeconds = r.row.elapsedSeconds * (1.0 - r.row.progress) / r.row.progress;
}

void RunController::onStarted(int id, const StartData& info)
{
    auto it = m_runs.find(id);
    if (it == m_runs.end()) return;
    it->start = info;
    it->ratio = QList<QList<QPointF>>(info.layers.size());
    emit runChanged(id);
}

void RunController::onBatches(int id, const BatchData& d)
{
    auto it = m_runs.find(id);
    if (it == m_runs.end()) return;
    RunRecord& r = *it;
    r.batchLoss.append(d.loss);
    if (r.ratio.size() < d.ratio.size()) r.ratio.resize(d.ratio.size());
    for (int i = 0; i < d.ratio.size(); ++i) r.ratio[i].append(d.ratio[i]);
    const double total = double(std::max(1, r.start.epochs)) * double(std::max<qint64>(1, d.batchesPerEpoch));
    r.row.progress = std::clamp((double(d.epoch - 1) * double(d.batchesPerEpoch) + double(d.batch + 1)) / total, 0.0, 1.0);
    updateTimes(r);
    syncRow(r);
    emit runChanged(id);
}

void RunController::onEpoch(int id, const EpochData& d)
{
    auto it = m_runs.find(id);
    if (it == m_runs.end()) return;
    RunRecord& r = *it;
    r.epochs.append(d);
    r.row.bestDev = r.bestDev();
    r.row.test = r.testAtBest();
    r.row.bpSeconds = r.totalBpLinear();
    updateTimes(r);
    syncRow(r);
    updateSpeedups();
    emit runChanged(id);
}

void RunController::onSelection(int id, const QList<HeatmapLayer>& layers)
{
    auto it = m_runs.find(id);
    if (it == m_runs.end()) return;
    it->heatmap = layers;
    emit runChanged(id);
}

void RunController::onWarning(int id, const QString& message)
{
    auto it = m_runs.find(id);
    if (it == m_runs.end()) return;
    it->warnings.append(message);
    it->row.warning = message;
    syncRow(*it);
    emit warning(id, message);
    emit runChanged(id);
}

void RunController::onPaused(int id, bool paused)
{
    auto it = m_runs.find(id);
    Slot* slot = slotOf(id);
    if (it == m_runs.end() || !slot) return;
    slot->paused = paused;
    if (paused) slot->pauseClock.start();
    else if (slot->pauseClock.isValid()) {
        slot->pausedMs += slot->pauseClock.elapsed();
        slot->pauseClock.invalidate();
    }
    it->row.state = paused ? RunState::Paused : RunState::Running;
    updateTimes(*it);
    syncRow(*it);
    emit runChanged(id);
}

void RunController::onFinished(int id, const QByteArray& summary)
{
    auto it = m_runs.find(id);
    if (it != m_runs.end()) {
        it->summary = QJsonDocument::fromJson(summary).object();
        it->row.progress = 1.0;
    }
    endRun(id, RunState::Finished);
}

void RunController::onStopped(int id)
{
    endRun(id, RunState::Stopped);
}

void RunController::onFailed(int id, const QString& message)
{
    auto it = m_runs.find(id);
    if (it != m_runs.end()) it->row.error = message;
    endRun(id, RunState::Failed);
    emit runFailed(id, message);
}

void RunController::endRun(int id, RunState state)
{
    auto it = m_runs.find(id);
    Slot* slot = slotOf(id);
    if (it != m_runs.end()) {
        if (slot && slot->paused && slot->pauseClock.isValid()) {
            slot->pausedMs += slot->pauseClock.elapsed();
            slot->pauseClock.invalidate();
        }
        if (slot) slot->paused = false;
        updateTimes(*it);
        it->row.state = state;
        it->row.etaSeconds = std::nan("");
        syncRow(*it);
        updateSpeedups();
        saveRecord(*it);
    }
    if (slot) slot->id = 0;
    emit runChanged(id);
    emit runEnded(id);
    startNext();
}

}  // namespace meprop
