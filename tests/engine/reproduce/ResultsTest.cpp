// Cell statistics read back from run folders written by hand (no training): paired deltas, per-epoch
// times, speedups against the baseline and within a benchmark run, verdicts, divergence, failures.
#include "reproduce/Results.h"

#include "../TinyMnist.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace meprop;
using namespace meprop::reproduce;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

Plan plan(const std::string& dir, double margin = 0.3)
{
    PlanContext ctx;
    ctx.imageData = "/data/mnist";
    ctx.imageDataName = "mnist";
    ctx.workDir = dir;
    PlanOptions o;
    o.tables = {"table1", "table7"};
    o.seeds = 3;
    o.budget = Budget::Quick;
    o.margin = margin;
    return buildPlan(o, ctx);
}

// A finished run folder: the plan's config and the given summary.
void finished(const Plan& p, const std::string& dir, const std::string& cell, int seed, json summary,
              const std::vector<double>& loss = {}, const std::vector<std::string>& warnings = {})
{
    const PlannedRun& r = p.runs[static_cast<std::size_t>(p.runIndex(cell, seed))];
    const fs::path f = runFolder(dir, r);
    fs::create_directories(f);
    std::ofstream(f / "config.json") << r.config.dump(2);
    std::ofstream(f / "summary.json") << summary.dump(2);
    if (!loss.empty()) {
        std::ofstream m(f / "metrics.csv");
        m << "epoch,train_loss,dev,test\n";
        for (std::size_t e = 0; e < loss.size(); ++e) m << e + 1 << "," << loss[e] << ",1,1\n";
    }
    if (!warnings.empty()) std::ofstream(f / "reproduce.json") << json{{"status", "done"}, {"warnings", warnings}}.dump();
}

json trainSummary(double test, double bpLinear, int epochs = 2)
{
    return {{"test_metric", test}, {"dev_metric", test + 0.1}, {"best_epoch", 2}, {"bp_linear_s", bpLinear}, {"bp_overall_s", bpLinear * 1.1},
            {"fp_s", 1.0},         {"epochs", epochs}};
}

}  // namespace

TEST(Results, DeltaSpeedupAndVerdictsOfACell)
{
    const std::string dir = meprop::test::tempDir("results-cell");
    const Plan p = plan(dir);
    const double cell[] = {98.0, 97.5, 97.9}, base[] = {97.8, 97.6, 97.5}, baseBp[] = {20, 24, 22};
    for (int s = 1; s <= 3; ++s) {
        finished(p, dir, "table1-mnist-adam-k20", s, trainSummary(cell[s - 1], 2.0));
        finished(p, dir, "table1-mnist-adam-dense", s, trainSummary(base[s - 1], baseBp[s - 1]));
    }
    const Results r = collectResults(p, dir);
    EXPECT_EQ(r.finished, 6);
    EXPECT_EQ(r.missing, static_cast<int>(p.runs.size()) - 6);
    const CellStats& c = r.cell("table1-mnist-adam-k20");
    EXPECT_EQ(c.finished, 3);
    EXPECT_NEAR(c.metric.mean, (98.0 + 97.5 + 97.9) / 3, 1e-12);
    EXPECT_NEAR(c.delta.mean, 1.0 / 6.0, 1e-12);
    EXPECT_NEAR(c.delta.ciLow, -0.4584942812709839, 1e-8);
    // Per-epoch backprop time: bp_linear_s / epochs, seconds.
    EXPECT_NEAR(c.time.mean, 1.0, 1e-12);
    EXPECT_NEAR(r.cell("table1-mnist-adam-dense").time.mean, 11.0, 1e-12);
    // Speedups 10, 12, 11 per seed: geometric mean cbrt(1320), log-t interval [8.7466, 13.7586].
    EXPECT_EQ(c.speedup.n, 3);
    EXPECT_NEAR(c.speedup.ratio, std::cbrt(1320.0), 1e-9);
    EXPECT_NEAR(c.speedup.ciLow, 8.7466, 1e-3);
    EXPECT_NEAR(c.speedup.ciHigh, 13.7586, 1e-3);
    ASSERT_TRUE(c.accuracyVerdict && c.speedVerdict);
    EXPECT_EQ(*c.accuracyVerdict, stats::Verdict::Inconclusive);  // -0.458 < -0.3 < +0.79
    EXPECT_EQ(*c.speedVerdict, stats::Verdict::Fails);             // 13.76 < 21.4
    // A baseline has no verdict; cells with no runs have none either.
    EXPECT_FALSE(r.cell("table1-mnist-adam-dense").accuracyVerdict);
    EXPECT_EQ(*r.cell("table1-pos-adam-k5").accuracyVerdict, stats::Verdict::Inconclusive);
    EXPECT_EQ(r.cell("table1-pos-adam-k5").missing, 3);
    // A wider margin turns the same numbers into "holds".
    const Plan wide = plan(dir, 0.5);
    EXPECT_EQ(*collectResults(wide, dir).cell("table1-mnist-adam-k20").accuracyVerdict, stats::Verdict::Holds);
}

TEST(Results, BenchmarkSpeedupIsEachRunsOwnRatio)
{
    const std::string dir = meprop::test::tempDir("results-bench");
    const Plan p = plan(dir);
    for (int s = 1; s <= 3; ++s) {
        finished(p, dir, "table7-k16", s, {{"dense_ms", 10.0 * s}, {"meprop_ms", 1.0 * s}});
        finished(p, dir, "table7-k8", s, {{"dense_ms", 12.0}, {"meprop_ms", 1.0}});
    }
    const Results r = collectResults(p, dir);
    const CellStats& c = r.cell("table7-k16");
    EXPECT_NEAR(c.speedup.ratio, 10.0, 1e-12);  // 10/1, 20/2, 30/3: not against the baseline row's 12 ms
    EXPECT_NEAR(c.speedup.ciLow, 10.0, 1e-9);
    EXPECT_NEAR(c.time.mean, 2.0, 1e-12);  // meprop_ms
    EXPECT_EQ(*c.speedVerdict, stats::Verdict::Fails);  // paper 33.6x
    EXPECT_NEAR(r.cell("table7-dense").time.mean, 12.0, 1e-12);  // the dense time of the k=8 runs
    EXPECT_FALSE(c.accuracyVerdict);
}

TEST(Results, DivergenceAndFailures)
{
    const std::string dir = meprop::test::tempDir("results-diverge");
    const Plan p = plan(dir);
    finished(p, dir, "table1-mnist-adam-k20", 1, trainSummary(90, 1), {0.5, 0.4, 0.9});           // rises 20 % over the best
    finished(p, dir, "table1-mnist-adam-k20", 2, trainSummary(90, 1), {0.5, 0.45, 0.52});         // ends above epoch 1
    finished(p, dir, "table1-mnist-adam-k20", 3, trainSummary(90, 1), {0.5, 0.4}, {"training loss is rising"});
    finished(p, dir, "table1-mnist-adam-dense", 1, trainSummary(90, 1), {0.5, 0.4, 0.3});
    const PlannedRun& failed = p.runs[static_cast<std::size_t>(p.runIndex("table1-mnist-adam-dense", 2))];
    fs::create_directories(runFolder(dir, failed));
    std::ofstream(fs::path(runFolder(dir, failed)) / "reproduce.json")
        << json{{"status", "failed"}, {"error", "data: file not found"}, {"config", failed.config}}.dump();
    const Results r = collectResults(p, dir);
    EXPECT_EQ(r.cell("table1-mnist-adam-k20").diverged, 3);
    EXPECT_EQ(r.cell("table1-mnist-adam-dense").diverged, 0);
    const RunData& f = r.runs[static_cast<std::size_t>(p.runIndex("table1-mnist-adam-dense", 2))];
    EXPECT_EQ(f.state, RunState::Failed);
    EXPECT_EQ(f.error, "data: file not found");
    EXPECT_EQ(r.cell("table1-mnist-adam-dense").failed, 1);
    EXPECT_EQ(r.failed, 1);
    // The paired delta uses seed 1 only (seed 2 failed, seed 3 missing): n = 1, inconclusive.
    EXPECT_EQ(r.cell("table1-mnist-adam-k20").delta.n, 1);
    EXPECT_EQ(*r.cell("table1-mnist-adam-k20").accuracyVerdict, stats::Verdict::Inconclusive);
}
