#include "reproduce/Runner.h"

#include "backend/Device.h"
#include "data/DataFolders.h"
#include "io/AtomicFile.h"
#include "train/Config.h"
#include "train/LinearBench.h"
#include "train/RunFolder.h"
#include "train/Trainer.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <new>
#include <sstream>
#include <thread>

namespace meprop::reproduce {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string isoNow()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm {};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string hostName()
{
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
    return buf;
}

// Reads a JSON file; false when it does not exist. A file that is there but is not JSON sets `bad`.
bool readJson(const fs::path& p, json& out, bool& bad)
{
    std::error_code ec;
    if (!fs::exists(p, ec)) return false;
    std::ifstream in(p, std::ios::binary);
    try {
        out = json::parse(in);
    } catch (const json::parse_error&) {
        bad = true;
    }
    return true;
}

std::string describeValue(const json& v) { return v.is_null() ? std::string("(absent)") : v.dump(); }

// The first key whose value differs, as "key \"k\": A in the folder, B in the plan".
std::string firstDifference(const json& folder, const json& plan)
{
    if (!folder.is_object()) return "the folder's config is not a JSON object";
    for (auto it = plan.begin(); it != plan.end(); ++it) {
        const json there = folder.contains(it.key()) ? folder.at(it.key()) : json();
        if (there != it.value())
            return "key \"" + it.key() + "\": " + describeValue(there) + " in the folder, " + it.value().dump() + " in the plan";
    }
    for (auto it = folder.begin(); it != folder.end(); ++it)
        if (!plan.contains(it.key())) return "key \"" + it.key() + "\": " + it.value().dump() + " in the folder, absent in the plan";
    return "";
}

void writeRecord(const std::string& folder, const PlannedRun& run, const RunRecord& rec, int rank)
{
    json j = {{"status", rec.status},         {"run", run.id},          {"cell", run.cell},    {"seed", run.seed},
              {"kind", toString(run.kind)},    {"warnings", rec.warnings}, {"wall_s", rec.wallSeconds}, {"host", hostName()},
              {"finished_at", isoNow()},       {"rank", rank},              {"resumed", rec.resumed},
              {"config", run.config}};
    if (!rec.error.empty()) j["error"] = rec.error;
    writeFileAtomic((fs::path(folder) / "reproduce.json").string(), j.dump(2) + "\n");
}

// The runner's sink for one run: cancellation and the fraction done.
class RunSink : public ProgressSink {
public:
    RunSink(std::function<bool()> stop, std::function<void(double)> fraction) : m_stop(std::move(stop)), m_fraction(std::move(fraction)) {}
    void onStart(const RunInfo& info) override { m_epochs = std::max(1, info.epochs); }
    void onBatch(const BatchProgress& p) override
    {
        if (!m_fraction || p.batchesPerEpoch < 1 || (p.batch % 16) != 0) return;
        m_fraction((p.epoch - 1 + static_cast<double>(p.batch) / static_cast<double>(p.batchesPerEpoch)) / m_epochs);
    }
    bool shouldStop() override { return m_stop && m_stop(); }

private:
    std::function<bool()> m_stop;
    std::function<void(double)> m_fraction;
    int m_epochs = 1;
};

// Forwards everything to the caller's sink (if any) and keeps the warnings for reproduce.json.
class WarningTap : public ProgressSink {
public:
    explicit WarningTap(ProgressSink* inner) : m_inner(inner) {}
    void onStart(const RunInfo& i) override { if (m_inner) m_inner->onStart(i); }
    void onBatch(const BatchProgress& p) override { if (m_inner) m_inner->onBatch(p); }
    void onEpoch(const EpochResult& e) override { if (m_inner) m_inner->onEpoch(e); }
    bool wantsSelection() override { return m_inner && m_inner->wantsSelection(); }
    void onSelection(long step, const std::vector<LayerSelection>& s) override { if (m_inner) m_inner->onSelection(step, s); }
    void onWarning(const std::string& message) override
    {
        warnings.push_back(message);
        if (m_inner) m_inner->onWarning(message);
    }
    bool shouldStop() override { return m_inner && m_inner->shouldStop(); }
    std::vector<std::string> warnings;

private:
    ProgressSink* m_inner;
};

json runBench(const json& spec)
{
    const BackpropMode mode = parseBackpropMode(spec.at("mode").get<std::string>(), "bench mode");
    const int batch = spec.at("batch").get<int>(), in = spec.at("in").get<int>(), out = spec.at("out").get<int>(), k = spec.at("k").get<int>();
    const int reps = spec.at("reps").get<int>();
    if (spec.value("device", "cpu") == "cuda") {
        // The same fields as `meprop bench-linear --device cuda`.
        CudaBenchSpec s;
        s.batch = batch;
        s.in = in;
        s.out = out;
        s.k = k;
        s.mode = mode;
        s.reps = reps;
        const CudaBenchResult r = benchLinearCuda(s);
        return {{"device", r.device},      {"batch", batch},           {"in", in},           {"out", out},
                {"k", k},                  {"mode", spec.at("mode")},  {"reps", reps},       {"dense_ms", r.denseMs},
                {"dense_tf32_ms", r.denseTf32Ms}, {"meprop_ms", r.mepropMs}, {"select_ms", r.selectMs}, {"ratio", r.ratio},
                {"ratio_tf32", r.ratioTf32}};
    }
    json j = toJson(benchLinearBackward(batch, in, out, k, mode, spec.value("threads", 1), reps));
    j["device"] = "cpu";
    return j;
}

// Copies the first `count` sentences (blocks separated by blank lines, comments included) of a
// CoNLL-U file.
std::string firstSentences(const std::string& path, int count)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DatasetError(path + ": cannot open (the EWT sample of the smoke budget is taken from it)");
    std::string line, out;
    int sentences = 0;
    bool inSentence = false;
    while (sentences < count && std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) {
            if (inSentence) {
                out += "\n";
                ++sentences;
                inSentence = false;
            }
            continue;
        }
        out += line + "\n";
        inSentence = true;
    }
    if (inSentence) {
        out += "\n";
        ++sentences;
    }
    if (sentences == 0) throw DatasetError(path + ": no sentence found (expected CoNLL-U)");
    return out;
}

void writeIfDifferent(const fs::path& p, const std::string& content)
{
    std::ifstream in(p, std::ios::binary);
    if (in) {
        const std::string old((std::istreambuf_iterator<char>(in)), {});
        if (old == content) return;
    }
    writeFileAtomic(p.string(), content);
}

}  // namespace

const char* toString(RunState state)
{
    switch (state) {
    case RunState::Missing: return "missing";
    case RunState::Unfinished: return "unfinished";
    case RunState::Failed: return "failed";
    case RunState::Finished: return "done";
    case RunState::Conflict: return "conflict";
    }
    return "?";
}

std::string runFolder(const std::string& dir, const PlannedRun& run) { return (fs::path(dir) / "runs" / run.id).string(); }

RunState inspectRun(const PlannedRun& run, const std::string& folder, std::string* why)
{
    auto conflict = [&](const std::string& reason) {
        if (why) *why = reason;
        return RunState::Conflict;
    };
    const fs::path dir(folder);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        if (fs::exists(dir, ec)) return conflict("not a folder");
        return RunState::Missing;
    }
    json config, record, summary;
    bool badConfig = false, badRecord = false, badSummary = false;
    const bool hasConfig = readJson(dir / "config.json", config, badConfig);
    const bool hasRecord = readJson(dir / "reproduce.json", record, badRecord);
    const bool hasSummary = readJson(dir / "summary.json", summary, badSummary);
    if (badConfig) return conflict("config.json is not valid JSON");
    if (hasConfig) {
        const std::string d = firstDifference(config, run.config);
        if (!d.empty()) return conflict(d);
    } else if (hasRecord && !badRecord && record.contains("config")) {
        const std::string d = firstDifference(record["config"], run.config);
        if (!d.empty()) return conflict(d + " (reproduce.json)");
    }
    if (hasSummary) {
        if (!hasConfig) return conflict("summary.json without config.json");
        if (badSummary) return conflict("summary.json is not valid JSON");
        return RunState::Finished;
    }
    if (hasRecord && !badRecord && record.value("status", "") == "failed") return RunState::Failed;
    if (hasConfig || hasRecord) return RunState::Unfinished;
    return RunState::Missing;
}

void checkForConflicts(const Plan& plan, const std::string& dir)
{
    for (const PlannedRun& run : plan.runs) {
        std::string why;
        const std::string folder = runFolder(dir, run);
        if (inspectRun(run, folder, &why) == RunState::Conflict)
            throw RunConflictError(folder + ": holds another run than this plan's (" + why +
                                   "); nothing was run or overwritten: use another --out, or remove that folder");
    }
}

void prepareDerivedData(const Plan& plan)
{
    for (const DerivedData& d : plan.derived) {
        std::error_code ec;
        fs::create_directories(d.folder, ec);
        if (ec) throw IoError(d.folder + ": cannot create folder (" + ec.message() + ")");
        const std::pair<const char*, int> splits[] = {{"train", d.trainSentences}, {"dev", d.devSentences}, {"test", d.testSentences}};
        for (const auto& [split, count] : splits) {
            const std::string content = firstSentences(conlluSplitFile(d.source, split), count);
            writeIfDifferent(fs::path(d.folder) / (std::string("en_ewt-ud-") + split + ".conllu"), content);
        }
    }
}

RunRecord executeRun(const PlannedRun& run, const std::string& folder, ProgressSink* sink, int rank)
{
    RunRecord rec;
    const auto start = Clock::now();
    WarningTap tap(sink);
    try {
        std::error_code ec;
        fs::create_directories(folder, ec);
        if (ec) throw IoError(folder + ": cannot create folder (" + ec.message() + ")");
        if (run.kind == RunKind::Train) {
            const Config config = Config::fromJson(run.config, "plan run " + run.id);
            if (!RunFolder::resumableCheckpoint(folder).empty()) {
                try {
                    Trainer(config, &tap).resume(folder);
                    rec.resumed = true;
                } catch (const CheckpointError& e) {
                    tap.warnings.push_back(std::string("the checkpoint could not be resumed (") + e.what() + "): the run started over");
                    Trainer(config, &tap).run(folder, true);  // replaces the folder's content only once finished
                }
            } else {
                Trainer(config, &tap).run(folder, false);
            }
        } else {
            writeFileAtomic((fs::path(folder) / "config.json").string(), run.config.dump(2) + "\n");
            const json result = runBench(run.config);
            writeFileAtomic((fs::path(folder) / "summary.json").string(), result.dump(2) + "\n");
        }
        rec.status = "done";
    } catch (const Cancelled&) {
        throw;
    } catch (const Error& e) {
        rec.status = "failed";
        rec.error = e.what();
    } catch (const std::bad_alloc&) {
        rec.status = "failed";
        rec.error = "out of memory (model or data too large for this machine)";
    } catch (const std::exception& e) {
        rec.status = "failed";
        rec.error = std::string("internal error: ") + e.what();
    }
    rec.warnings = tap.warnings;
    rec.wallSeconds = std::chrono::duration<double>(Clock::now() - start).count();
    try {
        writeRecord(folder, run, rec, rank);
    } catch (const Error& e) {
        if (rec.status == "done") {
            rec.status = "failed";
            rec.error = e.what();
        }
    }
    return rec;
}

RunnerResult runPlan(const Plan& plan, const std::string& dir, const RunnerOptions& options)
{
    SingleProcess single;
    Cluster& cluster = options.cluster ? *options.cluster : single;
    const auto start = Clock::now();
    RunnerResult result;

    // Nothing runs and nothing is written until every folder of the plan is known to be ours.
    std::string conflict;
    try {
        checkForConflicts(plan, dir);
    } catch (const RunConflictError& e) {
        conflict = e.what();
    }
    if (cluster.maxOverRanks(conflict.empty() ? 0 : 1) != 0)
        throw RunConflictError(conflict.empty() ? "another rank found a run folder of another plan" : conflict);

    std::error_code ec;
    fs::create_directories(fs::path(dir) / "runs", ec);
    if (ec) throw IoError(dir + "/runs: cannot create folder (" + ec.message() + ")");
    if (cluster.rank() == 0) prepareDerivedData(plan);

    // Every rank decides what to run from the same folder state, before any rank starts.
    std::vector<int> exclusive, shared;
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
        const RunState s = inspectRun(plan.runs[i], runFolder(dir, plan.runs[i]));
        if (s == RunState::Finished) continue;
        (plan.runs[i].exclusive ? exclusive : shared).push_back(static_cast<int>(i));
    }
    cluster.barrier();

    std::vector<int> mine;  // this rank's runs, in order
    if (cluster.rank() == 0) mine = exclusive;
    for (std::size_t i = 0; i < shared.size(); ++i)
        if (static_cast<int>(i % static_cast<std::size_t>(cluster.size())) == cluster.rank()) mine.push_back(shared[i]);
    const std::size_t exclusiveCount = cluster.rank() == 0 ? exclusive.size() : 0;
    result.skipped = cluster.rank() == 0 ? static_cast<int>(plan.runs.size() - exclusive.size() - shared.size()) : 0;
    result.total = result.skipped + static_cast<int>(mine.size());

    // Progress state, shared by the workers.
    std::mutex mutex;
    RunnerProgress progress;
    progress.total = result.total;
    progress.finishedBefore = result.skipped;
    std::vector<double> fraction(plan.runs.size(), 0.0);
    std::vector<char> running(plan.runs.size(), 0);
    double doneActual = 0.0, doneEstimated = 0.0;
    std::atomic<bool> interrupted{false};
    const int jobs = std::max(1, options.jobs);

    auto stopRequested = [&] { return interrupted.load() || (options.stop && options.stop()); };
    auto emit = [&](const std::string& last, const std::string& message) {  // under the mutex
        if (!options.progress) return;
        progress.running.clear();
        double remaining = 0.0;
        for (int i : mine) {
            const PlannedRun& r = plan.runs[static_cast<std::size_t>(i)];
            if (running[static_cast<std::size_t>(i)]) {
                progress.running.emplace_back(r.id, fraction[static_cast<std::size_t>(i)]);
                remaining += r.estimatedSeconds * (1.0 - fraction[static_cast<std::size_t>(i)]);
            } else if (fraction[static_cast<std::size_t>(i)] < 1.0) {
                remaining += r.estimatedSeconds;
            }
        }
        // The plan's estimates, rescaled by how the finished runs compared with theirs.
        const double scale = doneEstimated > 0.0 ? doneActual / doneEstimated : 1.0;
        progress.etaSeconds = remaining * scale / jobs;
        progress.lastFinished = last;
        progress.lastMessage = message;
        options.progress(progress);
    };

    auto runOne = [&](int index) {
        const PlannedRun& run = plan.runs[static_cast<std::size_t>(index)];
        {
            std::lock_guard lock(mutex);
            running[static_cast<std::size_t>(index)] = 1;
            emit("", "");
        }
        RunSink sink(stopRequested, [&, index](double f) {
            std::lock_guard lock(mutex);
            fraction[static_cast<std::size_t>(index)] = std::clamp(f, 0.0, 0.999);
            emit("", "");
        });
        RunRecord rec;
        try {
            rec = executeRun(run, runFolder(dir, run), &sink, cluster.rank());
        } catch (const Cancelled&) {
            interrupted = true;
            std::lock_guard lock(mutex);
            running[static_cast<std::size_t>(index)] = 0;
            return;
        }
        std::lock_guard lock(mutex);
        running[static_cast<std::size_t>(index)] = 0;
        fraction[static_cast<std::size_t>(index)] = 1.0;
        ++result.executed;
        doneActual += rec.wallSeconds;
        doneEstimated += run.estimatedSeconds;
        std::ostringstream msg;
        msg.precision(3);
        if (rec.status == "done") {
            ++progress.done;
            msg << "done in " << rec.wallSeconds << " s";
            if (!rec.warnings.empty()) msg << " (warning: " << rec.warnings.front() << ")";
        } else {
            ++progress.failed;
            ++result.failed;
            msg << "failed: " << rec.error;
        }
        emit(run.id, msg.str());
    };

    // Exclusive runs alone, in order; then the pool.
    for (std::size_t i = 0; i < exclusiveCount && !stopRequested(); ++i) runOne(mine[i]);
    std::atomic<std::size_t> next{exclusiveCount};
    auto worker = [&] {
        while (!stopRequested()) {
            const std::size_t i = next.fetch_add(1);
            if (i >= mine.size()) return;
            runOne(mine[i]);
        }
    };
    const std::size_t pool = std::min<std::size_t>(static_cast<std::size_t>(jobs), mine.size() > exclusiveCount ? mine.size() - exclusiveCount : 0);
    std::vector<std::thread> threads;
    for (std::size_t t = 1; t < pool; ++t) threads.emplace_back(worker);
    if (pool > 0) worker();
    for (std::thread& t : threads) t.join();

    result.interrupted = interrupted.load() || (options.stop && options.stop());
    // Every rank's runs are on disk before rank 0 reads them for the report.
    result.interrupted = cluster.maxOverRanks(result.interrupted ? 1 : 0) != 0;
    result.wallSeconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

}  // namespace meprop::reproduce
