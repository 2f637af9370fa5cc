// The runner on tiny MNIST-format data: runs a plan, skips finished runs, resumes only the unfinished
// ones, gives the same numbers with --jobs 2 as with --jobs 1, refuses a conflicting folder without
// writing anything, keeps going past a failing run, stops on request, runs benchmarks first.
#include "reproduce/Runner.h"

#include "../TinyMnist.h"
#include "core/Error.h"
#include "train/Trainer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

using namespace meprop;
using namespace meprop::reproduce;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string tinyData()
{
    static const std::string dir = meprop::test::writeTinyMnistDir(meprop::test::tempDir("reproduce-data"), 1100, 120);
    return dir;
}

Plan tinyPlan(const std::string& out, std::vector<std::string> tables, int seeds = 1, Budget budget = Budget::Smoke,
              std::vector<std::pair<std::string, std::string>> sets = {}, const std::string& textData = "")
{
    PlanContext ctx;
    ctx.imageData = tinyData();
    ctx.textData = textData;
    ctx.workDir = out;
    PlanOptions o;
    o.tables = std::move(tables);
    o.seeds = seeds;
    o.budget = budget;
    o.sets = std::move(sets);
    return buildPlan(o, ctx);
}

json readJson(const fs::path& p)
{
    std::ifstream in(p);
    return json::parse(in);
}

std::map<std::string, fs::file_time_type> summaryTimes(const Plan& plan, const std::string& dir)
{
    std::map<std::string, fs::file_time_type> t;
    for (const PlannedRun& r : plan.runs) t[r.id] = fs::last_write_time(fs::path(runFolder(dir, r)) / "summary.json");
    return t;
}

std::vector<std::string> listing(const std::string& dir)
{
    std::vector<std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(dir)) files.push_back(e.path().string() + " " + std::to_string(e.is_regular_file() ? e.file_size() : 0));
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

TEST(Runner, RunsThePlanThenSkipsFinishedRuns)
{
    const std::string dir = meprop::test::tempDir("runner-basic");
    const Plan plan = tinyPlan(dir, {"table6", "table7"});
    std::vector<std::string> order;
    RunnerOptions o;
    o.jobs = 2;
    std::mutex m;
    o.progress = [&](const RunnerProgress& p) {
        std::lock_guard lock(m);
        if (!p.lastFinished.empty()) order.push_back(p.lastFinished);
    };
    RunnerResult r = runPlan(plan, dir, o);
    EXPECT_EQ(r.executed, static_cast<int>(plan.runs.size()));
    EXPECT_EQ(r.failed, 0);
    EXPECT_EQ(r.skipped, 0);
    EXPECT_FALSE(r.interrupted);
    for (const PlannedRun& run : plan.runs) {
        const fs::path f = runFolder(dir, run);
        EXPECT_TRUE(fs::exists(f / "summary.json")) << run.id;
        EXPECT_EQ(readJson(f / "config.json"), run.config) << run.id;
        EXPECT_EQ(readJson(f / "reproduce.json")["status"], "done") << run.id;
        EXPECT_EQ(inspectRun(run, f.string()), RunState::Finished);
    }
    // The benchmarks (exclusive) ran alone and first.
    ASSERT_EQ(order.size(), plan.runs.size());
    for (std::size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i].starts_with("table7-"), i < 7) << i << " " << order[i];
    const json bench = readJson(fs::path(dir) / "runs" / "table7-k8-s1" / "summary.json");
    EXPECT_GT(bench["dense_ms"].get<double>(), 0.0);
    EXPECT_GT(bench["meprop_ms"].get<double>(), 0.0);

    const auto before = summaryTimes(plan, dir);
    r = runPlan(plan, dir, o);
    EXPECT_EQ(r.executed, 0);
    EXPECT_EQ(r.skipped, static_cast<int>(plan.runs.size()));
    EXPECT_EQ(summaryTimes(plan, dir), before);
}

TEST(Runner, ResumesOnlyTheRunsThatDidNotFinish)
{
    const std::string dir = meprop::test::tempDir("runner-resume");
    const Plan plan = tinyPlan(dir, {"table5"});
    runPlan(plan, dir, {});
    // An interrupted reproduce: these runs have config.json and metrics.csv but no summary.json.
    const std::vector<std::string> unfinished = {"table5-l3-k25-s1", "table5-l5-dense-s1"};
    for (const std::string& id : unfinished) fs::remove(fs::path(dir) / "runs" / id / "summary.json");
    std::map<std::string, fs::file_time_type> kept;
    for (const PlannedRun& r : plan.runs)
        if (std::find(unfinished.begin(), unfinished.end(), r.id) == unfinished.end())
            kept[r.id] = fs::last_write_time(fs::path(runFolder(dir, r)) / "summary.json");
    std::vector<std::string> ran;
    RunnerOptions o;
    o.progress = [&](const RunnerProgress& p) {
        if (!p.lastFinished.empty()) ran.push_back(p.lastFinished);
    };
    const RunnerResult r = runPlan(plan, dir, o);
    EXPECT_EQ(r.executed, 2);
    EXPECT_EQ(r.skipped, static_cast<int>(plan.runs.size()) - 2);
    std::sort(ran.begin(), ran.end());
    EXPECT_EQ(ran, unfinished);
    for (const auto& [id, t] : kept) EXPECT_EQ(fs::last_write_time(fs::path(dir) / "runs" / id / "summary.json"), t) << id;
}

TEST(Runner, AnInterruptedRunGoesOnFromItsCheckpoint)
{
    const std::string dir = meprop::test::tempDir("runner-checkpoint");
    const Plan plan = tinyPlan(dir, {"table5"}, 1, Budget::Smoke, {{"epochs", "3"}});
    const auto it = std::find_if(plan.runs.begin(), plan.runs.end(), [](const PlannedRun& r) { return r.kind == RunKind::Train; });
    ASSERT_NE(it, plan.runs.end());
    const std::string folder = runFolder(dir, *it);
    const Config config = Config::fromJson(it->config, "plan run");
    const RunResult ref = Trainer(config).run(dir + "/ref");
    // The run interrupted in its second epoch (as a kill would leave it: the checkpoint of epoch 1).
    struct StopInEpochTwo : ProgressSink {
        int epochs = 0;
        void onEpoch(const EpochResult&) override { ++epochs; }
        bool shouldStop() override { return epochs >= 1; }
    } stop;
    EXPECT_THROW(Trainer(config, &stop).run(folder), Cancelled);
    ASSERT_TRUE(fs::exists(fs::path(folder) / "checkpoint.bin"));
    auto rows = [](const fs::path& csv) {
        std::ifstream in(csv);
        std::vector<std::string> out;
        for (std::string line; std::getline(in, line);) out.push_back(line);
        return out;
    };
    const std::vector<std::string> before = rows(fs::path(folder) / "metrics.csv");
    ASSERT_EQ(before.size(), 2u);
    runPlan(plan, dir, {});
    // Resumed, not restarted: epoch 1's row is the interrupted run's, measured times included; the
    // numbers are the uninterrupted run's.
    const std::vector<std::string> after = rows(fs::path(folder) / "metrics.csv");
    ASSERT_EQ(after.size(), 4u);
    EXPECT_EQ(after[1], before[1]);
    const json s = readJson(fs::path(folder) / "summary.json");
    for (const char* k : {"dev_metric", "test_metric", "best_epoch", "final_train_loss"}) EXPECT_EQ(s[k], ref.summary[k]) << k;
    EXPECT_FALSE(fs::exists(fs::path(folder) / "checkpoint.bin"));
}

TEST(Runner, JobsTwoGivesTheSameNumbersAsJobsOne)
{
    const std::string one = meprop::test::tempDir("runner-jobs1"), two = meprop::test::tempDir("runner-jobs2");
    const Plan p1 = tinyPlan(one, {"table5", "fig4-left"}), p2 = tinyPlan(two, {"table5", "fig4-left"});
    RunnerOptions o1, o2;
    o2.jobs = 2;
    runPlan(p1, one, o1);
    runPlan(p2, two, o2);
    ASSERT_EQ(p1.runs.size(), p2.runs.size());
    for (std::size_t i = 0; i < p1.runs.size(); ++i) {
        const json a = readJson(fs::path(runFolder(one, p1.runs[i])) / "summary.json");
        const json b = readJson(fs::path(runFolder(two, p2.runs[i])) / "summary.json");
        for (const char* k : {"dev_metric", "test_metric", "best_epoch", "final_train_loss"}) EXPECT_EQ(a[k], b[k]) << p1.runs[i].id << " " << k;
    }
}

TEST(Runner, AConflictingFolderIsRefusedBeforeAnythingIsWritten)
{
    const std::string dir = meprop::test::tempDir("runner-conflict");
    const Plan plan = tinyPlan(dir, {"table6"});
    runPlan(plan, dir, {});
    // Another plan's run in one folder (a different epochs), and another folder removed (to be re-run).
    const fs::path cfg = fs::path(dir) / "runs" / "table6-l2-k30-s1" / "config.json";
    json c = readJson(cfg);
    c["epochs"] = 3;
    std::ofstream(cfg) << c.dump();
    fs::remove_all(fs::path(dir) / "runs" / "table6-l5-k50-s1");
    const std::vector<std::string> before = listing(dir);
    try {
        runPlan(plan, dir, {});
        FAIL() << "no conflict reported";
    } catch (const RunConflictError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("table6-l2-k30-s1"), std::string::npos) << m;
        EXPECT_NE(m.find("\"epochs\": 3 in the folder, 1 in the plan"), std::string::npos) << m;
        EXPECT_EQ(m.find('\n'), std::string::npos);
    }
    EXPECT_EQ(listing(dir), before);  // nothing ran, nothing was written
    std::string why;
    EXPECT_EQ(inspectRun(plan.runs[0], (fs::path(dir) / "runs" / "nothing-here").string()), RunState::Missing);
    std::ofstream(fs::path(dir) / "runs" / "table6-l2-k30-s1" / "config.json") << "{ broken";
    EXPECT_THROW(checkForConflicts(plan, dir), RunConflictError);
}

TEST(Runner, AFailingRunIsRecordedAndTheOthersGoOn)
{
    const std::string dir = meprop::test::tempDir("runner-fail");
    // Table 1 on the paper budget, cut down: the POS and parsing runs find no data and fail.
    const Plan plan = tinyPlan(dir, {"table1"}, 1, Budget::Paper, {{"epochs", "1"}, {"limit", "200"}, {"dev_size", "500"}},
                               (fs::path(dir) / "no-such-treebank").string());
    const RunnerResult r = runPlan(plan, dir, {});
    EXPECT_EQ(r.failed, 8);
    EXPECT_EQ(r.executed, 12);
    for (const PlannedRun& run : plan.runs) {
        const fs::path f = runFolder(dir, run);
        const json rec = readJson(f / "reproduce.json");
        const bool text = run.config["task"] != "image";
        EXPECT_EQ(rec["status"], text ? "failed" : "done") << run.id;
        if (text) {
            EXPECT_NE(rec["error"].get<std::string>().find("no-such-treebank"), std::string::npos) << rec["error"];
            EXPECT_FALSE(fs::exists(f / "summary.json"));
            EXPECT_EQ(inspectRun(run, f.string()), RunState::Failed);
        }
    }
    // A failed run is executed again next time; a finished one is not.
    EXPECT_EQ(runPlan(plan, dir, {}).executed, 8);
}

TEST(Runner, StopsWhenAskedAndContinuesLater)
{
    const std::string dir = meprop::test::tempDir("runner-stop");
    const Plan plan = tinyPlan(dir, {"table5"});
    std::atomic<int> finished{0};
    RunnerOptions o;
    o.progress = [&](const RunnerProgress& p) {
        if (!p.lastFinished.empty()) ++finished;
    };
    o.stop = [&] { return finished.load() >= 2; };
    RunnerResult r = runPlan(plan, dir, o);
    EXPECT_TRUE(r.interrupted);
    EXPECT_EQ(r.executed, 2);
    r = runPlan(plan, dir, {});
    EXPECT_FALSE(r.interrupted);
    EXPECT_EQ(r.executed, static_cast<int>(plan.runs.size()) - 2);
}

TEST(Runner, WritesTheSmokeSampleOfATreebankOnce)
{
    const std::string dir = meprop::test::tempDir("runner-sample");
    const fs::path ewt = fs::path(dir) / "treebank";
    fs::create_directories(ewt);
    for (const char* split : {"train", "dev", "test"}) {
        std::ofstream f(ewt / (std::string("en_ewt-ud-") + split + ".conllu"));
        for (int i = 0; i < 70; ++i) f << "# sent_id = " << i << "\n1\tdogs\tdog\tNOUN\tNNS\t_\t2\tnsubj\t_\t_\n2\tbark\tbark\tVERB\tVBP\t_\t0\troot\t_\t_\n\n";
    }
    PlanContext ctx;
    ctx.imageData = tinyData();
    ctx.textData = ewt.string();
    ctx.workDir = dir;
    PlanOptions o;
    o.tables = {"table4"};
    o.budget = Budget::Smoke;
    o.seeds = 1;
    const Plan plan = buildPlan(o, ctx);
    ASSERT_EQ(plan.derived.size(), 1u);
    prepareDerivedData(plan);
    const fs::path sample = fs::path(plan.derived[0].folder) / "en_ewt-ud-train.conllu";
    std::ifstream in(sample);
    int sentences = 0;
    for (std::string line; std::getline(in, line);) sentences += line.rfind("# sent_id", 0) == 0;
    EXPECT_EQ(sentences, 60);
    const auto t = fs::last_write_time(sample);
    prepareDerivedData(plan);
    EXPECT_EQ(fs::last_write_time(sample), t);
}

TEST(Runner, AnInterruptedRunContinuesFromItsCheckpointWithTheSameResults)
{
    const std::string dir = meprop::test::tempDir("runner-stopped"), whole = meprop::test::tempDir("runner-stopped-whole");
    const std::vector<std::pair<std::string, std::string>> sets = {{"epochs", "3"}};
    const Plan plan = tinyPlan(dir, {"table6"}, 1, Budget::Smoke, sets), reference = tinyPlan(whole, {"table6"}, 1, Budget::Smoke, sets);
    runPlan(reference, whole, {});
    // Stop the first run in its second or third epoch: it leaves a checkpoint and no summary.json.
    std::atomic<bool> stop{false};
    RunnerOptions o;
    o.progress = [&](const RunnerProgress& p) {
        for (const auto& [id, f] : p.running)
            if (f >= 0.3) stop = true;
    };
    o.stop = [&] { return stop.load(); };
    RunnerResult r = runPlan(plan, dir, o);
    ASSERT_TRUE(r.interrupted);
    const PlannedRun& first = plan.runs.front();
    const fs::path f = runFolder(dir, first);
    ASSERT_TRUE(fs::exists(f / "checkpoint.bin"));
    ASSERT_FALSE(fs::exists(f / "summary.json"));
    EXPECT_EQ(inspectRun(first, f.string()), RunState::Unfinished);
    r = runPlan(plan, dir, {});
    EXPECT_FALSE(r.interrupted);
    EXPECT_EQ(readJson(f / "reproduce.json")["resumed"], true);
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
        const json a = readJson(fs::path(runFolder(dir, plan.runs[i])) / "summary.json");
        const json b = readJson(fs::path(runFolder(whole, reference.runs[i])) / "summary.json");
        for (const char* k : {"dev_metric", "test_metric", "best_epoch", "final_train_loss"}) EXPECT_EQ(a[k], b[k]) << plan.runs[i].id << " " << k;
    }
}
