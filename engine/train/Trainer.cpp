#include "train/Trainer.h"

#include "core/Error.h"
#include "io/AtomicFile.h"
#include "io/CheckpointFile.h"
#include "io/CheckpointStream.h"
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
    // The rows of a resumed run's earlier epochs are rebuilt from their results: same text.
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
        m_text += std::to_string(e.epoch) + "," + csvNumber(e.trainLoss) + "," + csvNumber(e.devMetric) + "," + csvNumber(e.testMetric) +
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

// "lr: 0.01 in the checkpoint, 0.1 here; k: ..." for the keys whose values differ.
std::string configDifferences(const nlohmann::json& saved, const nlohmann::json& now)
{
    std::string out;
    auto add = [&](const std::string& key, const std::string& a, const std::string& b) {
        if (!out.empty()) out += "; ";
        out += key + ": " + a + " in the checkpoint, " + b + " here";
    };
    for (const auto& [key, value] : saved.items())
        if (!now.contains(key)) add(key, value.dump(), "unset");
        else if (now.at(key) != value) add(key, value.dump(), now.at(key).dump());
    for (const auto& [key, value] : now.items())
        if (!saved.contains(key)) add(key, "unset", value.dump());
    return out;
}

// The checkpoint's configuration, the first field of the payload.
Config configOf(CheckpointReader& r, const std::string& source)
{
    const std::string text = r.string();
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) r.fail("corrupt: the stored configuration is not a JSON object");
    try {
        return Config::fromJson(j, source);
    } catch (const ConfigError& e) {
        r.fail(std::string("the stored configuration is not valid for this build: ") + e.what());
    }
}

void writeCheckpoint(const RunFolder& folder, const Config& config, long trainSize, long batches, const TrainerState& state, const Rng& rng,
                     const Task& task)
{
    CheckpointWriter w;
    w.string(config.json().dump());
    w.section("trainer");
    w.i64(trainSize);
    w.i64(batches);
    state.save(w);
    w.rng(rng);
    w.section("task");
    task.save(w);
    writeCheckpointFile(folder.file(RunFolder::kCheckpoint), w.bytes());
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
    return configOf(r, path);
}

RunResult Trainer::execute(const std::string& outDir, RunFolder::Mode mode)
{
    m_config.validate();
    const int threads = static_cast<int>(m_config.getInt("threads"));
    Eigen::setNbThreads(threads);

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
        const Config saved = configOf(*checkpoint, path);
        if (saved.json() != m_config.json())
            checkpoint->fail("written by another configuration (" + configDifferences(saved.json(), m_config.json()) + ")");
    }

    Rng rng(m_config.seed());
    std::unique_ptr<Task> task = makeTask(m_config, rng);
    const long n = task->trainSize();
    const long batch = m_config.getInt("batch");
    const int epochs = static_cast<int>(m_config.getInt("epochs"));
    if (n < 1) throw DatasetError("training set is empty");
    const long batches = (n + batch - 1) / batch;

    TrainerState st;
    st.startedAt = isoNow();
    if (resuming) {
        CheckpointReader& r = *checkpoint;
        r.section("trainer");
        const std::int64_t savedN = r.i64(), savedBatches = r.i64();
        if (savedN != n || savedBatches != batches)
            r.fail("written for a training set of " + std::to_string(savedN) + " examples, this one has " + std::to_string(n) +
                   " (was the data changed?)");
        st.load(r);
        if (st.epochsDone > epochs) r.fail("holds " + std::to_string(st.epochsDone) + " epochs of a run of " + std::to_string(epochs));
        r.rngInto(rng);
        r.section("task");
        task->load(r);
        r.expectEnd();
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

    for (int epoch = st.epochsDone + 1; epoch <= epochs; ++epoch) {
        const auto epochStart = Clock::now();
        task->beginEpoch(rng);
        Timings t;
        double lossSum = 0.0;
        std::vector<double> ratioSum;
        double smoothed = std::numeric_limits<double>::quiet_NaN(), smoothedMin = std::numeric_limits<double>::infinity();
        for (long b = 0; b < batches; ++b) {
            if (m_sink && m_sink->shouldStop()) throw Cancelled();
            const long begin = b * batch, end = std::min(n, begin + batch);
            const double loss = task->trainBatch(begin, end, t);
            ++step;
            if (!std::isfinite(loss))
                throw Error("training diverged: the loss is " + std::string(std::isnan(loss) ? "NaN" : "infinite") + " at epoch " +
                            std::to_string(epoch) + ", batch " + std::to_string(b + 1) + " (try a smaller lr)");
            lossSum += loss * static_cast<double>(end - begin);
            const std::vector<double> ratio = task->backpropRatio();
            ratioSum.resize(ratio.size(), 0.0);
            for (std::size_t i = 0; i < ratio.size(); ++i) ratioSum[i] += ratio[i];

            // Smoothed batch loss: warn once when it climbs well above its minimum (divergence).
            // Both a relative and an absolute margin (in nats): minibatch noise alone must not trigger it.
            smoothed = std::isnan(smoothed) ? loss : 0.99 * smoothed + 0.01 * loss;
            if (step > 50) smoothedMin = std::min(smoothedMin, smoothed);
            if (m_sink && !warnedRising && step > 200 && smoothed > 2.0 * smoothedMin && smoothed > smoothedMin + 0.5) {
                warnedRising = true;
                std::ostringstream os;
                os << "training loss is rising: smoothed batch loss " << std::setprecision(4) << smoothed << " at epoch " << epoch
                   << ", step " << step << " vs a minimum of " << smoothedMin << " (diverging?)";
                m_sink->onWarning(os.str());
            }
            if (m_sink) {
                BatchProgress p;
                p.epoch = epoch;
                p.batch = b;
                p.batchesPerEpoch = batches;
                p.step = step;
                p.loss = loss;
                p.examplesPerSecond = static_cast<double>(end) / std::max(1e-9, secondsSince(epochStart));
                p.backpropRatio = ratio;
                m_sink->onBatch(p);
                if (m_sink->wantsSelection()) m_sink->onSelection(step, task->selection());
            }
        }
        const double trainS = secondsSince(epochStart);
        const auto evalStart = Clock::now();
        const Evaluation dev = task->evaluate(Split::Dev);
        const Evaluation test = task->evaluate(Split::Test);
        const double evalS = secondsSince(evalStart);

        EpochResult e;
        e.epoch = epoch;
        e.trainLoss = lossSum / static_cast<double>(n);
        e.devMetric = dev.metric;
        e.testMetric = test.metric;
        // (std::string::append rather than operator+: GCC 12 warns falsely on "lit" + string.)
        for (const auto& [k, v] : dev.extra) e.extra.emplace_back(std::string("dev_").append(k), v);
        for (const auto& [k, v] : test.extra) e.extra.emplace_back(std::string("test_").append(k), v);
        e.timings = t;
        e.trainSeconds = trainS;
        e.evalSeconds = evalS;
        for (double r : ratioSum) e.backpropRatio.push_back(r / static_cast<double>(batches));
        if (dev.metric > bestDev) {
            bestDev = dev.metric;
            testAtBest = test.metric;
            bestEpoch = epoch;
            extraAtBest = e.extra;
            e.bestSoFar = true;
            if (writing) task->onNewBest(folder->workDir());
        }
        if (m_sink && !warnedEpochRise && epoch > 1 && e.trainLoss > 1.2 * bestLoss && e.trainLoss > bestLoss + 0.02) {
            warnedEpochRise = true;  // once per run: the metrics show the rest
            std::ostringstream os;
            os << "training loss rose to " << std::setprecision(4) << e.trainLoss << " in epoch " << epoch << " (best epoch so far: "
               << bestLoss << "): the run may be diverging";
            m_sink->onWarning(os.str());
        }
        bestLoss = std::min(bestLoss, e.trainLoss);
        total += t;
        trainSeconds += trainS;
        evalSeconds += evalS;
        csv.add(e);
        if (writing) writeFileAtomic(folder->file("metrics.csv"), csv.text());
        result.epochs.push_back(e);
        if (writing) {
            st.epochsDone = epoch;
            st.step = step;
            st.epochs = result.epochs;
            st.bestEpoch = bestEpoch;
            st.bestDev = bestDev;
            st.testAtBest = testAtBest;
            st.bestLoss = bestLoss;
            st.extraAtBest = extraAtBest;
            st.warnedRising = warnedRising;
            st.warnedEpochRise = warnedEpochRise;
            st.total = total;
            st.trainSeconds = trainSeconds;
            st.evalSeconds = evalSeconds;
            writeCheckpoint(*folder, m_config, n, batches, st, rng, *task);
        }
        if (m_sink) m_sink->onEpoch(e);
    }

    nlohmann::json s;
    const nlohmann::json& c = m_config.json();
    for (const char* key : {"task", "mode", "k", "k_output", "hidden", "layers", "optimizer", "lr", "batch", "epochs", "dropout", "seed",
                            "threads", "limit", "device", "data"})
        s[key] = c.at(key);
    s["metric"] = task->metricName();
    s["best_epoch"] = bestEpoch;
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
