// The paper's tables as plans: every table builds at every budget, cells have their baselines and
// the paper's numbers, shared rows share runs, budgets and --set resolve as documented, bad input
// is one ConfigError.
#include "reproduce/Plan.h"

#include "core/Error.h"
#include "train/Config.h"
#include "train/Presets.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <sstream>

using namespace meprop;
using namespace meprop::reproduce;

namespace {

PlanContext context(bool gpu = false)
{
    PlanContext c;
    c.imageData = "/data/mnist";
    c.imageDataName = "mnist";
    c.textData = "/data/ud-english-ewt";
    c.workDir = "/tmp/reproduce-out";
    c.gpu = gpu;
    c.gpuName = gpu ? "Test GPU" : "";
    return c;
}

Plan plan(std::vector<std::string> tables, Budget budget = Budget::Smoke, int seeds = 2, bool gpu = false,
          std::vector<std::pair<std::string, std::string>> sets = {})
{
    PlanOptions o;
    o.tables = std::move(tables);
    o.budget = budget;
    o.seeds = seeds;
    o.sets = std::move(sets);
    return buildPlan(o, context(gpu));
}

std::vector<std::string> runIds(const Plan& p, const std::string& cell)
{
    std::vector<std::string> ids;
    for (int i : p.runIndices(cell)) ids.push_back(p.runs[static_cast<std::size_t>(i)].id);
    return ids;
}

}  // namespace

TEST(Plan, EveryTableBuildsAtEveryBudgetWithItsCells)
{
    const std::map<std::string, std::size_t> cellCounts = {{"table1", 12}, {"table2", 6},     {"table3", 6},     {"table4", 6},
                                                          {"table5", 8},  {"table6", 4},     {"table7", 8},     {"table8", 8},
                                                          {"fig4-left", 6}, {"fig4-middle", 10}, {"fig4-right", 10}};
    for (Budget b : {Budget::Smoke, Budget::Quick, Budget::Paper}) {
        for (bool gpu : {false, true}) {
            const Plan p = plan({"all"}, b, 2, gpu);
            ASSERT_EQ(p.tables.size(), tableIds().size());
            for (const TableSpec& t : p.tables) {
                EXPECT_EQ(t.cells.size(), cellCounts.at(t.id)) << t.id;
                EXPECT_FALSE(t.title.empty());
                EXPECT_FALSE(t.claim.empty()) << t.id;
                EXPECT_FALSE(t.notes.empty()) << t.id;
                for (const std::string& id : t.cells) {
                    const Cell& c = p.cell(id);
                    EXPECT_EQ(c.table, t.id);
                    EXPECT_EQ(p.runIndices(id).size(), 2u) << id;  // one run per seed
                    if (!c.baseline.empty()) {
                        const Cell& base = p.cell(c.baseline);
                        EXPECT_EQ(base.table, t.id) << id;
                        EXPECT_TRUE(base.baseline.empty()) << id << ": a baseline has no baseline";
                    }
                    // The tables print numbers for every row; the figures only in the text.
                    if (t.figure) {
                        EXPECT_FALSE(c.series.empty()) << id;
                    } else {
                        EXPECT_TRUE(c.paper.any()) << id;
                    }
                }
            }
        }
    }
}

TEST(Plan, CarriesThePapersNumbers)
{
    const Plan p = plan({"all"}, Budget::Quick, 3);
    const Cell& mnist = p.cell("table1-mnist-adam-k20");
    EXPECT_EQ(mnist.baseline, "table1-mnist-adam-dense");
    EXPECT_DOUBLE_EQ(mnist.paper.test, 98.01);
    EXPECT_DOUBLE_EQ(mnist.paper.dev, 98.22);
    EXPECT_DOUBLE_EQ(mnist.paper.iter, 15);
    EXPECT_DOUBLE_EQ(mnist.paper.time, 7.9);
    EXPECT_DOUBLE_EQ(mnist.paper.speedup, 21.4);
    EXPECT_DOUBLE_EQ(p.cell("table1-pos-adagrad-dense").paper.time, 17534.4);
    EXPECT_DOUBLE_EQ(p.cell("table1-parse-adagrad-k20").paper.speedup, 18.1);
    EXPECT_DOUBLE_EQ(p.cell("table2-pos-adam-k5").paper.speedup, 30.5);
    EXPECT_DOUBLE_EQ(p.cell("table2-parse-adam-dense").paper.fpTime, 3906);
    EXPECT_DOUBLE_EQ(p.cell("table2-mnist-adam-k20").paper.overallTime, 77);
    EXPECT_DOUBLE_EQ(p.cell("table3-parse-h20").paper.test, 88.37);
    EXPECT_DOUBLE_EQ(p.cell("table3-parse-h20").paper.iter, 18);
    EXPECT_DOUBLE_EQ(p.cell("table4-parse-k40").paper.test, 91.99);
    EXPECT_DOUBLE_EQ(p.cell("table5-l3-k25").paper.test, 98.37);
    EXPECT_DOUBLE_EQ(p.cell("table6-l5-k50").paper.test, 98.36);
    EXPECT_DOUBLE_EQ(p.cell("table7-dense").paper.time, 308.00);
    EXPECT_DOUBLE_EQ(p.cell("table7-k512").paper.speedup, 4.4);
    EXPECT_DOUBLE_EQ(p.cell("table8-dense").paper.time, 17696.2);
    EXPECT_DOUBLE_EQ(p.cell("table8-k8").paper.speedup, 11.8);
    EXPECT_EQ(p.table("table7").cells.front(), "table7-dense");  // displayed first, as the paper
    EXPECT_TRUE(p.cell("table7-k64").speedupWithinRun);
}

TEST(Plan, CellsBuildOnThePresets)
{
    const Plan p = plan({"all"}, Budget::Paper, 1);
    // Paper budget: the preset unchanged but for data, seed and threads.
    const PlannedRun& r = p.runs[static_cast<std::size_t>(p.runIndex("table1-mnist-adam-k20", 1))];
    Config expected = Config::fromJson(findPreset("table1-mnist-adam-k20").values);
    expected.set("data", "/data/mnist");
    EXPECT_EQ(r.config, expected.json());
    const PlannedRun& f = p.runs[static_cast<std::size_t>(p.runIndex("fig4-middle-random-k50", 1))];
    EXPECT_EQ(f.config["mode"], "random");
    EXPECT_EQ(f.config["k"], 50);
    EXPECT_EQ(f.config["hidden"], 500);
    const PlannedRun& h = p.runs[static_cast<std::size_t>(p.runIndex("fig4-right-h5", 1))];
    EXPECT_EQ(h.config["mode"], "dense");
    EXPECT_EQ(h.config["hidden"], 5);
    const PlannedRun& d6 = p.runs[static_cast<std::size_t>(p.runIndex("table6-l5-dense", 1))];
    EXPECT_EQ(d6.config["mode"], "dense");
    EXPECT_EQ(d6.config["layers"], 5);
    EXPECT_EQ(d6.config["batch"], 50);
    const PlannedRun& pos = p.runs[static_cast<std::size_t>(p.runIndex("table4-pos-k20", 1))];
    EXPECT_EQ(pos.config["data"], "/data/ud-english-ewt");
    EXPECT_EQ(pos.config["task"], "pos");
    EXPECT_DOUBLE_EQ(pos.config["dropout"].get<double>(), 0.5);
}

TEST(Plan, SharedRowsShareRunsWhicheverTablesAreAsked)
{
    const Plan all = plan({"all"});
    EXPECT_EQ(runIds(all, "table2-pos-adam-k5"), runIds(all, "table1-pos-adam-k5"));
    EXPECT_EQ(runIds(all, "table3-mnist-k20"), runIds(all, "table1-mnist-adam-k20"));
    EXPECT_EQ(runIds(all, "fig4-left-k20"), runIds(all, "table1-mnist-adam-k20"));
    EXPECT_EQ(runIds(all, "fig4-left-dense"), runIds(all, "table1-mnist-adam-dense"));
    EXPECT_EQ(runIds(all, "fig4-middle-topk-k5"), runIds(all, "fig4-left-k5"));
    EXPECT_EQ(runIds(all, "fig4-right-h20"), runIds(all, "table3-mnist-h20"));
    EXPECT_EQ(runIds(all, "table7-dense"), runIds(all, "table7-k8"));
    EXPECT_EQ(runIds(all, "table1-mnist-adam-k20"), (std::vector<std::string>{"table1-mnist-adam-k20-s1", "table1-mnist-adam-k20-s2"}));
    // Table 2 alone runs nothing of its own: Table 1's folders.
    const Plan t2 = plan({"table2"});
    EXPECT_EQ(t2.runs.size(), 12u);
    for (const PlannedRun& r : t2.runs) EXPECT_TRUE(r.id.starts_with("table1-")) << r.id;
    // fig4-middle alone still names its top-k runs after fig4-left and Table 1.
    const Plan mid = plan({"fig4-middle"});
    EXPECT_EQ(runIds(mid, "fig4-middle-topk-k20").front(), "table1-mnist-adam-k20-s1");
    // Distinct runs: no two with the same config.
    std::set<std::string> configs;
    for (const PlannedRun& r : all.runs) EXPECT_TRUE(configs.insert(r.config.dump()).second) << r.id;
}

TEST(Plan, BudgetsSetLimitsAndEpochs)
{
    const Plan smoke = plan({"table1", "table8"}, Budget::Smoke, 1);
    const auto& img = smoke.runs[static_cast<std::size_t>(smoke.runIndex("table1-mnist-adam-k20", 1))].config;
    EXPECT_EQ(img["epochs"], 1);
    EXPECT_EQ(img["limit"], 500);
    const auto& pos = smoke.runs[static_cast<std::size_t>(smoke.runIndex("table1-pos-adam-k5", 1))].config;
    EXPECT_EQ(pos["data"], "/tmp/reproduce-out/data/ud-english-ewt-sample");
    ASSERT_EQ(smoke.derived.size(), 1u);
    EXPECT_EQ(smoke.derived[0].source, "/data/ud-english-ewt");
    EXPECT_EQ(smoke.derived[0].trainSentences, 60);
    // Table 8's sizes are set after the budget's: one epoch, its own limit.
    const auto& t8 = smoke.runs[static_cast<std::size_t>(smoke.runIndex("table8-k512", 1))].config;
    EXPECT_EQ(t8["hidden"], 512);
    EXPECT_EQ(t8["k"], 512);
    EXPECT_EQ(t8["limit"], 200);
    EXPECT_EQ(t8["device"], "cpu");
    EXPECT_EQ(t8["mode"], "unified");
    const Plan quick = plan({"table1", "table8"}, Budget::Quick, 1);
    const auto& q = quick.runs[static_cast<std::size_t>(quick.runIndex("table1-parse-adam-k20", 1))].config;
    EXPECT_EQ(q["batch"], 1000);
    EXPECT_EQ(q["epochs"], 3);
    EXPECT_EQ(quick.runs[static_cast<std::size_t>(quick.runIndex("table8-k8", 1))].config["epochs"], 1);
    EXPECT_TRUE(quick.derived.empty());
    // With a GPU, Tables 7 and 8 run there at the paper's sizes.
    const Plan gpu = plan({"table7", "table8"}, Budget::Quick, 1, true);
    const auto& g8 = gpu.runs[static_cast<std::size_t>(gpu.runIndex("table8-k8", 1))];
    EXPECT_EQ(g8.config["device"], "cuda");
    EXPECT_EQ(g8.config["hidden"], 8192);
    EXPECT_TRUE(g8.exclusive);
    const auto& g7 = gpu.runs[static_cast<std::size_t>(gpu.runIndex("table7-k8", 1))];
    EXPECT_EQ(g7.config["device"], "cuda");
    EXPECT_EQ(g7.config["out"], 8192);
    EXPECT_EQ(g7.config["batch"], 1024);
}

TEST(Plan, SetsApplyToEveryRun)
{
    const Plan p = plan({"table1", "table7"}, Budget::Smoke, 1, false, {{"threads", "2"}, {"epochs", "2"}});
    for (const PlannedRun& r : p.runs) {
        EXPECT_EQ(r.config["threads"], 2) << r.id;
        if (r.kind == RunKind::Train) {
            EXPECT_EQ(r.config["epochs"], 2) << r.id;
        }
    }
}

TEST(Plan, ExclusiveRunsComeFirstThenTheLongest)
{
    const Plan p = plan({"all"}, Budget::Quick, 2);
    bool seenShared = false;
    double last = 1e300;
    for (const PlannedRun& r : p.runs) {
        if (!r.exclusive) {
            seenShared = true;
            EXPECT_LE(r.estimatedSeconds, last) << r.id;
            last = r.estimatedSeconds;
        } else {
            EXPECT_FALSE(seenShared) << r.id << " comes after a shared run";
        }
        EXPECT_GT(r.estimatedSeconds, 0.0);
    }
}

TEST(Plan, QuickBudgetFitsAboutAnHourOnTwoCores)
{
    // The quick budget is sized for table1 table3-6 and fig4-* with 3 seeds on a 2-core machine with
    // --jobs 2 in about an hour (the cost model's estimate; the lead runs it for real).
    const Plan p = plan({"table1", "table3", "table4", "table5", "table6", "fig4-left", "fig4-middle", "fig4-right"}, Budget::Quick, 3);
    const double minutes = p.estimatedSeconds() / 2.0 / 60.0;
    EXPECT_GT(minutes, 40.0);
    EXPECT_LT(minutes, 75.0);
    // Smoke, all tables, 2 seeds: well under two minutes of estimated work per core.
    const Plan s = plan({"all"}, Budget::Smoke, 2);
    EXPECT_LT(s.estimatedSeconds() / 2.0, 120.0);
}

TEST(Plan, RerunCommandGivesTheRunsConfig)
{
    const Plan p = plan({"table4", "table7"}, Budget::Quick, 2, false, {{"threads", "1"}});
    const PlannedRun& r = p.runs[static_cast<std::size_t>(p.runIndex("table4-parse-k40", 2))];
    const std::string cmd = rerunCommand(r, "/out/runs/" + r.id);
    std::istringstream in(cmd);
    std::string word, preset;
    in >> word >> word >> preset;
    EXPECT_EQ(preset, "table4-parse-dropout");
    Config c = Config::fromJson(findPreset(preset).values);
    std::string out;
    while (in >> word) {
        if (word == "--set") {
            in >> word;
            const auto eq = word.find('=');
            c.setFromString(word.substr(0, eq), word.substr(eq + 1));
        } else if (word == "--out") {
            in >> out;
        }
    }
    EXPECT_EQ(c.json(), r.config);
    EXPECT_EQ(out, "/out/runs/table4-parse-k40-s2");
    const PlannedRun& b = p.runs[static_cast<std::size_t>(p.runIndex("table7-k16", 1))];
    EXPECT_EQ(rerunCommand(b, "/o/r"), "meprop bench-linear --batch 256 --in 2048 --out 2048 --k 16 --mode unified --reps 10 --threads 1 > /o/r/summary.json");
}

TEST(Plan, BadInputIsOneConfigError)
{
    auto message = [](auto&& f) {
        try {
            f();
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message([] { plan({"table9"}); }).find("unknown table \"table9\""), std::string::npos);
    EXPECT_NE(message([] { plan({"table1"}, Budget::Smoke, -1); }).find("--seeds"), std::string::npos);
    EXPECT_NE(message([] { plan({"table1"}, Budget::Smoke, 1, false, {{"nokey", "1"}}); }).find("unknown key \"nokey\""), std::string::npos);
    EXPECT_NE(message([] { plan({"table1"}, Budget::Smoke, 1, false, {{"k", "abc"}}); }).find("\"k\": expected an integer"), std::string::npos);
    EXPECT_NE(message([] { plan({"table1"}, Budget::Smoke, 1, false, {{"seed", "3"}}); }).find("--seeds"), std::string::npos);
    EXPECT_NE(message([] { plan({"table1"}, Budget::Smoke, 1, false, {{"k", "600"}}); }).find("k <= hidden"), std::string::npos);
    EXPECT_NE(message([] { parseBudget("huge"); }).find("--budget huge"), std::string::npos);
    PlanOptions o;
    o.margin = -1;
    EXPECT_NE(message([&] { buildPlan(o, context()); }).find("--margin"), std::string::npos);
    // A --set that a table not asked for cannot take is fine.
    EXPECT_NO_THROW(plan({"table3"}, Budget::Smoke, 1, false, {{"hidden", "30"}}));  // table4-parse-k40 and table8 could not
}

TEST(Plan, JsonHasEveryCellAndRun)
{
    const Plan p = plan({"all"}, Budget::Smoke, 2);
    const nlohmann::json j = p.toJson();
    EXPECT_EQ(j["cells"].size(), p.cells.size());
    EXPECT_EQ(j["runs"].size(), p.runs.size());
    EXPECT_EQ(j["budget"], "smoke");
    EXPECT_EQ(j["seeds"], 2);
    for (const auto& c : j["cells"]) EXPECT_EQ(c["runs"].size(), 2u) << c["id"];
}
