#include "train/Trainer.h"

#include "core/Error.h"
#include "core/Parallel.h"
#include "io/AtomicFile.h"
#include "io/CheckpointFile.h"
#include "io/CheckpointStream.h"
#include "train/RunCheckpoint.h"
#include "train/Task.h"
#include "train/TrainerState.h"

#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <numeric>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace meprop {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string csvNumber(double v)
{
    std::ostringstream os;
    os << std::setprecision(8) << v;
    return os.str();
}

std::string isoNow()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm {};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

class MetricsCsv {
public:
    explicit MetricsCsv(std::vector<double> widths) : m_widths(std::move(widths)) {}
    void add(const EpochResult& e)
    {
        if (m_text.empty()) {
            m_text = "epoch,train_loss,dev,test,fp_s,bp_linear_s,bp_overall_s,update_s,train_s,eval_s,backprop_ratio";
            for (const auto& [name, value] : e.extra) m_text.append(",").append(name);
            m_text += "\n";
        }
        // Kept rows over all rows of the linear layers, each layer weighted by its width.
        double kept = 0.0, rows = 0.0;
        for (std::size_t i = 0; i < e.backpropRatio.size(); ++i) {
            const double w = i < m_widths.size() ? m_widths[i] : 1.0;
            kept += e.backpropRatio[i] * w;
            rows += w;
        }
        const double ratio = rows > 0.0 ? kept / rows : 1.0;
        m_text += csvNumber(e.at) + "," + csvNumber(e.trainLoss) + "," + csvNumber(e.devMetric) + "," + csvNumber(e.testMetric) +
                  "," + csvNumber(e.timings.forward) + "," + csvNumber(e.timings.bpLinear) + "," + csvNumber(e.timings.bpOverall) + "," +
                  csvNumber(e.timings.update) + "," + csvNumber(e.trainSeconds) + "," + csvNumber(e.evalSeconds) + "," + csvNumber(ratio);
        for (const auto& [name, value] : e.extra) m_text.append(",").append(csvNumber(value));
        m_text += "\n";
    }
    const std::string& text() const { return m_text; }

private:
    std::vector<double> m_widths;
    std::string m_text;
};

// Where each evaluation interval of an epoch ends: the epoch's n examples in `evals` consecutive
// chunks whose sizes differ by at most one (the first n % evals one larger), as the authors' C# code
// partitions an epoch (DataUtil.PartitionIntoBatches); each chunk is cut into minibatches of its own,
// so a chunk's last minibatch may be short. One chunk: the whole epoch, as without evaluations.
std::vector<long> evaluationChunks(long n, int evals)
{
    std::vector<long> ends;
    long end = 0;
    for (int c = 0; c < evals; ++c) {
        end += n / evals + (c < n % evals ? 1 : 0);
        ends.push_back(end);
    }
    return ends;
}

}  // namespace

Trainer::Trainer(Config config, ProgressSink* sink) : m_config(std::move(config)), m_sink(sink) {}

RunResult Trainer::run(const std::string& outDir, bool overwrite)
{
    return execute(outDir, overwrite ? RunFolder::Mode::Overwrite : RunFolder::Mode::Fresh);
}

RunResult Trainer::resume(const std::string& outDir)
{
    if (outDir.empty()) throw IoError("resume: no run folder given");
    return execute(outDir, RunFolder::Mode::Resume);
}

Config Trainer::checkpointConfig(const std::string& outDir)
{
    RunFolder::repair(outDir);  // e.g. a commit cut after its swap: the folder holds a finished run
    const std::string path = RunFolder::resumableCheckpoint(outDir);
    if (path.empty()) {
        if (fs::exists(fs::path(outDir) / RunFolder::kSummary)) throw IoError(outDir + ": the run has finished (summary.json); there is nothing to resume");
        throw IoError(outDir + ": no checkpoint to resume from (checkpoint.bin)");
    }
    const std::string bytes = readFileBytes(path);
    CheckpointReader r(checkpointPayload(bytes, path), path);
    return readRunCheckpointConfig(r);
}

RunResult Trainer::execute(const std::string& outDir, RunFolder::Mode mode)
{
    m_config.validate();
    setEngineThreads(static_cast<int>(m_config.getInt("threads")), m_config.getInt("batch"));

    const bool writing = !outDir.empty();
    std::optional<RunFolder> folder;
    if (writing) folder.emplace(outDir, mode);
    const bool resuming = mode == RunFolder::Mode::Resume;

    // A resumed run reads its checkpoint first: a wrong configuration is reported before the data
    // is loaded.
    std::string checkpointBytes;
    std::optional<CheckpointReader> checkpoint;
    if (resuming) {
        const std::string path = folder->file(RunFolder::kCheckpoint);
        checkpointBytes = readFileBytes(path);
        checkpoint.emplace(checkpointPayload(checkpointBytes, path), path);
        requireSameConfig(*checkpoint, readRunCheckpointConfig(*checkpoint), m_config);
    }

    Rng rng(m_config.seed());
    std::unique_ptr<Task> task = makeTask(m_config, rng);
    const long n = task->trainSize();
    const long batch = m_config.getInt("batch");
    const int epochs = static_cast<int>(m_config.getInt("epochs"));
    if (n < 1) throw DatasetError("training set is empty");
    const int evals = static_cast<int>(m_config.getInt("evals_per_epoch"));
    if (evals > n)
        throw ConfigError("evals_per_epoch: " + std::to_string(evals) + " evaluations per epoch need at least as many training examples (have " +
                          std::to_string(n) + ")");
    const std::vector<long> chunkEnds = evaluationChunks(n, evals);
    long batches = 0;  // per epoch
    for (long begin = 0; const long end : chunkEnds) {
        batches += (end - begin + batch - 1) / batch;
        begin = end;
    }

    const RunCheckpointShape shape{n, batches, epochs, evals};
    TrainerState st;
    st.startedAt = isoNow();
    if (resuming) {
        readRunCheckpoint(*checkpoint, shape, st, rng, *task);
        checkpoint.reset();
        checkpointBytes = std::string();
    }

    if (writing) writeFileAtomic(folder->file("config.json"), m_config.json().dump(2) + "\n");

    RunInfo info{m_config.task(), task->metricName(), epochs, n, batches, task->layers()};
    info.resumedEpochs = st.epochsDone;
    if (m_sink) m_sink->onStart(info);

    RunResult result;
    std::vector<double> widths;
    for (const LayerInfo& l : info.layers) widths.push_back(static_cast<double>(l.width));
    MetricsCsv csv(widths);
    // A resumed run starts from the checkpoint's record (a fresh one from TrainerState's defaults).
    Timings total = st.total;
    double trainSeconds = st.trainSeconds, evalSeconds = st.evalSeconds;
    int bestEpoch = st.bestEpoch;
    double bestAt = st.bestAt;
    double bestDev = st.bestDev, testAtBest = st.testAtBest, bestLoss = st.bestLoss;
    std::vector<std::pair<std::string, double>> extraAtBest = st.extraAtBest;
    long step = st.step;
    bool warnedRising = st.warnedRising, warnedEpochRise = st.warnedEpochRise;
    const std::string startedAt = st.startedAt;
    for (const EpochResult& e : st.epochs) {
        csv.add(e);
        result.epochs.push_back(e);
        if (m_sink) m_sink->onEpoch(e);
    }

    // Losses are read after every batch on the CPU. On the GPU they stay on the device (the task's
    // LossLog) and are read every kReadEvery batches, or when kReadSeconds have passed, and at the
    // end of each evaluation chunk, so a step queues its work without waiting for the last one;
    // the batches of a read are then processed (checked, smoothed, reported) in order, as if read
    // one by one. The selection for a viewer is taken at those reads only.
    const bool deferred = task->lossesDeferred();
    constexpr std::size_t kReadEvery = 64;
    constexpr double kReadSeconds = 0.25;
    struct Pending {
        long batch;     // within the epoch
        long step;
        long examples;  // in the batch
        long doneInChunk;
        std::vector<double> ratio;  // backpropRatio after the batch
    };
    std::vector<Pending> pending;
    auto lastRead = Clock::now();

    for (int epoch = st.epochsDone + 1; epoch <= epochs; ++epoch) {
        task->beginEpoch(rng);
        long b = 0;  // batch within the epoch
        double smoothed = std::numeric_limits<double>::quiet_NaN(), smoothedMin = std::numeric_limits<double>::infinity();
        for (int chunk = 0; chunk < evals; ++chunk) {
            const auto chunkStart = Clock::now();
            const long chunkBegin = chunk == 0 ? 0 : chunkEnds[static_cast<std::size_t>(chunk) - 1];
            const long chunkEnd = chunkEnds[static_cast<std::size_t>(chunk)];
            Timings t;
            double lossSum = 0.0;
            long chunkBatches = 0;
            std::vector<double> ratioSum;
            // Reads the losses of the pending batches and does for each what a batch's loss is for.
            auto readLosses = [&]() {
                std::vector<double> losses;
                try {
                    losses = task->takeLosses();
                } catch (const NonFiniteGradient& e) {
                    throw NonFiniteGradient(e.layer(), e.step() > 0 ? e.step() : pending.back().step);
                }
                lastRead = Clock::now();
                if (losses.size() != pending.size())
                    throw std::logic_error("trainer: the task returned " + std::to_string(losses.size()) + " losses for " +
                                           std::to_string(pending.size()) + " batches");
                const double examplesPerSecond =
                    static_cast<double>(pending.back().doneInChunk) / std::max(1e-9, secondsSince(chunkStart));
                for (std::size_t i = 0; i < losses.size(); ++i) {
                    const Pending& pb = pending[i];
                    const double loss = losses[i];
                    if (!std::isfinite(loss))
                        throw Error("training diverged: the loss is " + std::string(std::isnan(loss) ? "NaN" : "infinite") + " at epoch " +
                                    std::to_string(epoch) + ", batch " + std::to_string(pb.batch + 1) + " (try a smaller lr)");
                    lossSum += loss * static_cast<double>(pb.examples);
                    // Smoothed batch loss: warn once when it climbs well above its minimum (divergence).
                    // Both a relative and an absolute margin (in nats): minibatch noise alone must not trigger it.
                    smoothed = std::isnan(smoothed) ? loss : 0.99 * smoothed + 0.01 * loss;
                    if (pb.step > 50) smoothedMin = std::min(smoothedMin, smoothed);
                    if (m_sink && !warnedRising && pb.step > 200 && smoothed > 2.0 * smoothedMin && smoothed > smoothedMin + 0.5) {
                        warnedRising = true;
                        std::ostringstream os;
                        os << "training loss is rising: smoothed batch loss " << std::setprecision(4) << smoothed << " at epoch " << epoch
                           << ", step " << pb.step << " vs a minimum of " << smoothedMin << " (diverging?)";
                        m_sink->onWarning(os.str());
                    }
                    if (m_sink) {
                        BatchProgress p;
                        p.epoch = epoch;
                        p.batch = pb.batch;
                        p.batchesPerEpoch = batches;
                        p.step = pb.step;
                        p.loss = loss;
                        p.examplesPerSecond = examplesPerSecond;
                        p.backpropRatio = pb.ratio;
                        m_sink->onBatch(p);
                    }
                }
                pending.clear();
            };
            for (long begin = chunkBegin; begin < chunkEnd; begin += batch, ++b, ++chunkBatches) {
                if (m_sink && m_sink->shouldStop()) throw Cancelled();
                const long end = std::min(chunkEnd, begin + batch);
                const bool read = !deferred || pending.size() + 1 >= kReadEvery || end == chunkEnd || secondsSince(lastRead) >= kReadSeconds;
                const bool wantSelection = read && m_sink && m_sink->wantsSelection();
                try {
                    task->trainBatch(BatchSpec{begin, end, step + 1, wantSelection}, t);
                } catch (const NonFiniteGradient& e) {
                    throw NonFiniteGradient(e.layer(), e.step() > 0 ? e.step() : step + 1);  // the layers do not know the step
                }
                ++step;
                std::vector<double> ratio = task->backpropRatio();
                ratioSum.resize(ratio.size(), 0.0);
                for (std::size_t i = 0; i < ratio.size(); ++i) ratioSum[i] += ratio[i];
                pending.push_back({b, step, end - begin, end - chunkBegin, std::move(ratio)});
                if (!read) continue;
                readLosses();
                if (wantSelection) m_sink->onSelection(step, task->selection());
            }
            const double trainS = secondsSince(chunkStart);
            const auto evalStart = Clock::now();
            const Evaluation dev = task->evaluate(Split::Dev);
            const Evaluation test = task->evaluate(Split::Test);
            const double evalS = secondsSince(evalStart);

            EpochResult e;
            e.epoch = epoch;
            e.at = epoch - 1 + static_cast<double>(chunk + 1) / evals;
            e.trainLoss = lossSum / static_cast<double>(chunkEnd - chunkBegin);
            e.devMetric = dev.metric;
            e.testMetric = test.metric;
            // (std::string::append rather than operator+: GCC 12 warns falsely on "lit" + string.)
            for (const auto& [k, v] : dev.extra) e.extra.emplace_back(std::string("dev_").append(k), v);
            for (const auto& [k, v] : test.extra) e.extra.emplace_back(std::string("test_").append(k), v);
            e.timings = t;
            e.trainSeconds = trainS;
            e.evalSeconds = evalS;
            for (double r : ratioSum) e.backpropRatio.push_back(r / static_cast<double>(chunkBatches));
            if (dev.metric > bestDev) {
                bestDev = dev.metric;
                testAtBest = test.metric;
                bestEpoch = epoch;
                bestAt = e.at;
                extraAtBest = e.extra;
                e.bestSoFar = true;
                if (writing) task->onNewBest(folder->workDir());
            }
            if (m_sink && !warnedEpochRise && !result.epochs.empty() && e.trainLoss > 1.2 * bestLoss && e.trainLoss > bestLoss + 0.02) {
                warnedEpochRise = true;  // once per run: the metrics show the rest
                std::ostringstream os;
                os << "training loss rose to " << std::setprecision(4) << e.trainLoss << " in epoch " << e.at << " (best so far: " << bestLoss
                   << "): the run may be diverging";
                m_sink->onWarning(os.str());
            }
            bestLoss = std::min(bestLoss, e.trainLoss);
            total += t;
            trainSeconds += trainS;
            evalSeconds += evalS;
            csv.add(e);
            if (writing) writeFileAtomic(folder->file("metrics.csv"), csv.text());
            result.epochs.push_back(e);
            const bool epochDone = chunk + 1 == evals;
            if (writing && epochDone) {
                st.epochsDone = epoch;
                st.step = step;
                st.epochs = result.epochs;
                st.bestEpoch = bestEpoch;
                st.bestAt = bestAt;
                st.bestDev = bestDev;
                st.testAtBest = testAtBest;
                st.bestLoss = bestLoss;
                st.extraAtBest = extraAtBest;
                st.warnedRising = warnedRising;
                st.warnedEpochRise = warnedEpochRise;
                st.total = total;
                st.trainSeconds = trainSeconds;
                st.evalSeconds = evalSeconds;
                writeRunCheckpoint(folder->file(RunFolder::kCheckpoint), m_config, shape, st, rng, *task);
            }
            if (m_sink) m_sink->onEpoch(e);
        }
    }

    nlohmann::json s;
    const nlohmann::json& c = m_config.json();
    for (const char* key : {"task", "mode", "k", "k_output", "hidden", "layers", "optimizer", "lr", "batch", "epochs", "dropout", "seed",
                            "threads", "limit", "evals_per_epoch", "device", "data"})
        s[key] = c.at(key);
    s["metric"] = task->metricName();
    s["best_epoch"] = bestEpoch;
    s["best_at"] = bestAt;  // fractional epoch of the best dev evaluation (== best_epoch with one evaluation per epoch)
    s["dev_metric"] = bestDev;
    s["test_metric"] = testAtBest;
    for (const auto& [k, v] : extraAtBest) s[k] = v;
    s["final_train_loss"] = result.epochs.empty() ? 0.0 : result.epochs.back().trainLoss;
    s["fp_s"] = total.forward;
    s["bp_linear_s"] = total.bpLinear;
    s["bp_overall_s"] = total.bpOverall;
    s["update_s"] = total.update;
    s["train_s"] = trainSeconds;
    s["eval_s"] = evalSeconds;
    s["train_examples"] = n;
    // How concentrated the updates were (the meSimp view): the share of all row updates that went to
    // the most-updated 5 % of each layer's rows (0.05 when spread evenly, 1.0 when all in those rows).
    const std::vector<LayerSelection> finalSelection = task->selection();
    nlohmann::json layers = nlohmann::json::array();
    for (std::size_t i = 0; i < info.layers.size(); ++i) {
        const LayerInfo& l = info.layers[i];
        nlohmann::json entry = {{"name", l.name}, {"width", l.width}, {"k", l.k}};
        if (i < finalSelection.size() && !finalSelection[i].counts.empty()) {
            std::vector<std::uint64_t> c = finalSelection[i].counts;
            std::sort(c.begin(), c.end(), std::greater<>());
            const std::size_t top = std::max<std::size_t>(1, c.size() / 20);
            const double all = static_cast<double>(std::accumulate(c.begin(), c.end(), std::uint64_t{0}));
            const double head = static_cast<double>(std::accumulate(c.begin(), c.begin() + static_cast<long>(top), std::uint64_t{0}));
            entry["top5pct_update_share"] = all > 0 ? head / all : 0.0;
            entry["never_updated"] = std::count(c.begin(), c.end(), std::uint64_t{0});
        }
        layers.push_back(entry);
    }
    s["layers_info"] = layers;
    double keptRows = 0.0, allRows = 0.0;
    for (const LayerInfo& l : info.layers) {
        keptRows += l.k;
        allRows += l.width;
    }
    s["backprop_ratio"] = allRows > 0.0 ? keptRows / allRows : 1.0;  // width-weighted over the layers
    s["started_at"] = startedAt;
    s["finished_at"] = isoNow();
    result.summary = s;
    if (writing) {
        writeFileAtomic(folder->file(RunFolder::kSummary), s.dump(2) + "\n");
        folder->commit();
    }
    return result;
}

}  // namespace meprop
