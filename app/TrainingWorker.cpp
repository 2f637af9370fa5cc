#include "TrainingWorker.h"

#include "EngineBridge.h"

#include "core/Error.h"
#include "train/Config.h"
#include "train/Trainer.h"

#include <QJsonDocument>
#include <QMutexLocker>

#include <algorithm>
#include <exception>

namespace meprop {

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent) {}

void TrainingWorker::pause(int id)
{
    QMutexLocker lock(&m_mutex);
    m_pauseId = id;
}

void TrainingWorker::resume(int id)
{
    QMutexLocker lock(&m_mutex);
    if (m_pauseId == id) m_pauseId = 0;
    m_resumed.wakeAll();
}

void TrainingWorker::stop(int id)
{
    QMutexLocker lock(&m_mutex);
    m_stopId = id;
    m_resumed.wakeAll();
}

void TrainingWorker::clearRequests(int id)
{
    QMutexLocker lock(&m_mutex);
    if (m_stopId == id) m_stopId = 0;
    if (m_pauseId == id) m_pauseId = 0;
}

void TrainingWorker::run(int id, const QByteArray& configJson, const QString& outDir)
{
    execute(id, configJson, outDir, false);
}

void TrainingWorker::resumeRun(int id, const QString& outDir)
{
    execute(id, {}, outDir, true);
}

void TrainingWorker::execute(int id, const QByteArray& configJson, const QString& outDir, bool resume)
{
    // A stop asked for after the run was handed over but before it began still counts (the request
    // names this id); one for an earlier run does not.
    m_id = id;
    m_info = StartData();
    m_pending = BatchData();
    m_hasPending = false;
    m_history.reset();
    m_selectionDirty = false;
    m_sinceBatchEmit.start();
    m_sinceSelectionEmit.start();
    try {
        if (m_stopId == id) throw Cancelled();
        Config config;
        if (resume) {
            config = Trainer::checkpointConfig(outDir.toStdString());
        } else {
            nlohmann::json j;
            try {
                j = nlohmann::json::parse(configJson.toStdString());
            } catch (const nlohmann::json::exception& e) {
                throw ConfigError(std::string("config: not valid JSON: ") + e.what());
            }
            config = Config::fromJson(j, "workbench");
        }
        Trainer trainer(std::move(config), this);
        RunResult result = resume ? trainer.resume(outDir.toStdString()) : trainer.run(outDir.toStdString());
        flushBatches();
        flushSelection();
        emit finished(id, QByteArray::fromStdString(result.summary.dump()));
    } catch (const Cancelled&) {
        flushBatches();
        flushSelection();
        emit stopped(id);
    } catch (const std::exception& e) {
        flushBatches();
        emit failed(id, QString::fromStdString(e.what()));
    } catch (...) {
        emit failed(id, QStringLiteral("unknown error in the training thread"));
    }
    QMutexLocker lock(&m_mutex);
    m_id = 0;
}

void TrainingWorker::onStart(const RunInfo& info)
{
    m_info.task = QString::fromStdString(info.task);
    m_info.metric = QString::fromStdString(info.metric);
    m_info.epochs = info.epochs;
    m_info.trainExamples = info.trainExamples;
    m_info.batchesPerEpoch = info.batchesPerEpoch;
    for (const LayerInfo& l : info.layers) m_info.layers.append({QString::fromStdString(l.name), l.width, l.k, std::max(1, l.blocks)});
    emit started(m_id, m_info);
}

void TrainingWorker::onBatch(const BatchProgress& p)
{
    m_pending.epoch = p.epoch;
    m_pending.batch = p.batch;
    m_pending.batchesPerEpoch = p.batchesPerEpoch;
    m_pending.step = p.step;
    m_pending.examplesPerSecond = p.examplesPerSecond;
    m_pending.loss.append(QPointF(double(p.step), p.loss));
    if (m_pending.ratio.size() < static_cast<qsizetype>(p.backpropRatio.size())) m_pending.ratio.resize(p.backpropRatio.size());
    for (std::size_t i = 0; i < p.backpropRatio.size(); ++i) m_pending.ratio[i].append(QPointF(double(p.step), p.backpropRatio[i]));
    m_hasPending = true;
    if (m_sinceBatchEmit.elapsed() >= m_throttleMs) flushBatches();
}

void TrainingWorker::flushBatches()
{
    if (!m_hasPending) return;
    emit batches(m_id, m_pending);
    m_pending.loss.clear();
    for (auto& r : m_pending.ratio) r.clear();
    m_hasPending = false;
    m_sinceBatchEmit.restart();
}

void TrainingWorker::onEpoch(const EpochResult& e)
{
    flushBatches();
    EpochData d;
    d.epoch = e.at;
    d.trainLoss = e.trainLoss;
    d.dev = e.devMetric;
    d.test = e.testMetric;
    d.forward = e.timings.forward;
    d.bpLinear = e.timings.bpLinear;
    d.bpOverall = e.timings.bpOverall;
    d.update = e.timings.update;
    d.trainSeconds = e.trainSeconds;
    d.evalSeconds = e.evalSeconds;
    for (double r : e.backpropRatio) d.ratio.append(r);
    for (const auto& [k, v] : e.extra) d.extra.append({QString::fromStdString(k), v});
    d.best = e.bestSoFar;
    emit epochDone(m_id, d);
    flushSelection();
}

bool TrainingWorker::wantsSelection()
{
    return m_wantSelection;
}

void TrainingWorker::onSelection(long step, const std::vector<LayerSelection>& layers)
{
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const LayerSelection& l = layers[i];
        const bool known = i < static_cast<std::size_t>(m_info.layers.size());
        const int k = known ? m_info.layers[int(i)].k : 0;
        const int blocks = known ? m_info.layers[int(i)].blocks : 1;
        QList<quint64> counts(l.counts.begin(), l.counts.end());
        m_history.add(step, static_cast<int>(i), QString::fromStdString(l.name), l.width, k, l.rows, counts, blocks);
    }
    m_selectionDirty = true;
    if (m_sinceSelectionEmit.elapsed() >= 3 * m_throttleMs) flushSelection();
}

void TrainingWorker::flushSelection()
{
    if (!m_selectionDirty) return;
    emit selection(m_id, m_history.layers());
    m_selectionDirty = false;
    m_sinceSelectionEmit.restart();
}

void TrainingWorker::onWarning(const std::string& message)
{
    emit warning(m_id, QString::fromStdString(message));
}

bool TrainingWorker::shouldStop()
{
    const int id = m_id;
    if (m_pauseId == id && m_stopId != id) {
        // Show everything up to the pause before blocking.
        flushBatches();
        flushSelection();
        emit pausedChanged(id, true);
        {
            QMutexLocker lock(&m_mutex);
            m_blocked = true;
            while (m_pauseId == id && m_stopId != id) m_resumed.wait(&m_mutex);
            m_blocked = false;
        }
        emit pausedChanged(id, false);
    }
    return m_stopId == id;
}

}  // namespace meprop
