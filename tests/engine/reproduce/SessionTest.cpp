// The steps shared by `meprop reproduce` and the workbench's Paper view (reproduce/Session): the
// plan's arguments, the data context, and writeReportFiles() writing the CLI's report files from a
// real (tiny) reproduce; and cellLine(), the Paper view's row of a cell.
#include "reproduce/Session.h"

#include "reproduce/Results.h"
#include "reproduce/Runner.h"

#include "../TinyMnist.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

using namespace meprop;
using namespace meprop::reproduce;
namespace fs = std::filesystem;

namespace {

Plan smokePlan(const std::string& dir, std::vector<std::string> tables, int seeds)
{
    PlanContext ctx;
    ctx.imageData = meprop::test::writeTinyMnistDir(dir + "-data", 1100, 120);
    ctx.workDir = dir;
    PlanOptions o;
    o.tables = std::move(tables);
    o.budget = Budget::Smoke;
    o.seeds = seeds;
    return buildPlan(o, ctx);
}

}  // namespace

TEST(Session, PlanArgumentsRecreateThePlan)
{
    const std::string dir = meprop::test::tempDir("session-args");
    PlanContext ctx;
    ctx.workDir = dir;
    PlanOptions o;
    o.tables = {"fig4-left", "table6"};
    o.budget = Budget::Smoke;
    o.seeds = 3;
    o.sets = {{"threads", "1"}};
    o.margin = 0.5;
    const Plan p = buildPlan(o, ctx);
    EXPECT_EQ(planArgs(p), "--budget smoke --seeds 3 --set threads=1 --margin 0.5");
    EXPECT_EQ(tablesArg(p), "table6 fig4-left");  // the paper's order
    o.tables = {"all"};
    o.sets.clear();
    o.margin = 0.3;
    const Plan all = buildPlan(o, ctx);
    EXPECT_EQ(tablesArg(all), "all");
    EXPECT_EQ(planArgs(all), "--budget smoke --seeds 3");
}

TEST(Session, ContextTakesTheLocatorsDataAndTheEnvironmentFirst)
{
    const std::string dir = meprop::test::tempDir("session-context");
    ::unsetenv("MEPROP_IMAGE_DATA");
    const PlanContext found = findPlanContext(dir, [&](const std::string& name) -> std::string {
        if (name == "mnist") throw DatasetError("no mnist here");
        return dir;
    });
    EXPECT_EQ(found.imageDataName, "fashion-mnist");
    EXPECT_EQ(found.imageData, fs::absolute(dir).lexically_normal().string());
    EXPECT_EQ(found.workDir, dir);
    ::setenv("MEPROP_IMAGE_DATA", (dir + "/elsewhere").c_str(), 1);
    const PlanContext env = findPlanContext(dir, [](const std::string&) -> std::string { throw DatasetError("not asked"); });
    ::unsetenv("MEPROP_IMAGE_DATA");
    EXPECT_EQ(env.imageData, dir + "/elsewhere");
    EXPECT_EQ(env.imageDataName, "");
}

TEST(Session, WritesTheReportFilesAndFillsTheCellLines)
{
    const std::string dir = meprop::test::tempDir("session-report");
    const Plan plan = smokePlan(dir, {"table6"}, 2);
    SessionInfo session = beginSession(plan);
    EXPECT_EQ(session.reproduceArgs, "--budget smoke --seeds 2");
    EXPECT_FALSE(session.started.empty());

    // Before anything ran: every cell is there, nothing finished, no verdict yet.
    Results before = collectResults(plan, dir);
    for (const CellStats& cs : before.cells) {
        const CellLine l = cellLine(cs);
        EXPECT_EQ(l.level, CellLine::Level::None) << cs.cell->id;
        EXPECT_EQ(l.ours, "–") << cs.cell->id;
        EXPECT_EQ(l.verdict, "–") << cs.cell->id;
        EXPECT_NE(l.paper, "–") << cs.cell->id;  // Table 6 prints every row's test accuracy
    }

    RunnerOptions ro;
    ro.jobs = 2;
    const RunnerResult rr = runPlan(plan, dir, ro);
    ASSERT_EQ(rr.failed, 0);
    bool rendered = false;
    const ReportOutcome out = writeReportFiles(plan, dir, session, [&](const std::string& d) {
        rendered = d == dir;
        return std::string("rendered by the test");
    });
    EXPECT_TRUE(rendered);  // asked with the output folder (it decides itself whether figures/ holds panels)
    EXPECT_EQ(out.runs, static_cast<int>(plan.runs.size()));
    EXPECT_EQ(out.finished, out.runs);
    EXPECT_EQ(out.failed, 0);
    EXPECT_NE(out.verdicts.find("no worse than baseline: "), std::string::npos);
    for (const char* name : {"plan.json", "results.csv", "cells.csv", "report.md", "report.html"})
        EXPECT_TRUE(fs::exists(fs::path(dir) / name)) << name;

    const Results after = collectResults(plan, dir);
    int withVerdict = 0;
    for (const CellStats& cs : after.cells) {
        const CellLine l = cellLine(cs);
        EXPECT_EQ(l.n, "2") << cs.cell->id;
        EXPECT_NE(l.ours.find(" ± "), std::string::npos) << cs.cell->id << ": " << l.ours;
        if (cs.cell->baseline.empty()) {
            EXPECT_EQ(l.delta, "–");
            EXPECT_EQ(l.level, CellLine::Level::None);
        } else {
            EXPECT_TRUE(l.delta.front() == '+' || l.delta.front() == '-') << l.delta;
            EXPECT_NE(l.level, CellLine::Level::None);
            EXPECT_NE(l.verdict.find("accuracy: "), std::string::npos);
            ++withVerdict;
        }
    }
    EXPECT_EQ(withVerdict, 2);
}
