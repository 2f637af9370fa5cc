// The report of a real (tiny) reproduce: every file present and well formed (the HTML and SVG parse
// as XML with python3's parser), every cell of the plan in it, one results.csv row per cell and seed.
#include "reproduce/Report.h"

#include "../TinyMnist.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace meprop;
using namespace meprop::reproduce;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

bool python() { return std::system("python3 -c 'import xml.etree.ElementTree' >/dev/null 2>&1") == 0; }

bool parsesAsXml(const fs::path& p)
{
    const std::string cmd = "python3 -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' '" + p.string() + "' 2>/dev/null";
    return std::system(cmd.c_str()) == 0;
}

struct Fixture {
    std::string dir;
    Plan plan;
    Results results;
};

// Built once; the results point into the plan, so the fixture never moves.
const Fixture& fixture()
{
    static const Fixture* f = [] {
        auto* p = new Fixture;
        Fixture& x = *p;
        x.dir = meprop::test::tempDir("report");
        PlanContext ctx;
        ctx.imageData = meprop::test::writeTinyMnistDir(x.dir + "-data", 1100, 120);
        ctx.workDir = x.dir;
        PlanOptions o;
        o.tables = {"table6", "table7", "fig4-left"};
        o.budget = Budget::Smoke;
        o.seeds = 2;
        x.plan = buildPlan(o, ctx);
        RunnerOptions ro;
        ro.jobs = 2;
        runPlan(x.plan, x.dir, ro);
        x.results = collectResults(x.plan, x.dir);
        writeFigureData(x.results, x.dir);
        SessionInfo s;
        s.command = "meprop reproduce table6 table7 fig4-left --budget smoke --seeds 2";
        s.reproduceArgs = "--budget smoke --seeds 2";
        s.machine = machineInfo();
        s.build = buildInfo();
        s.figuresNote = "plain SVG only (test)";
        writeReport(x.results, x.dir, s);
        return p;
    }();
    return *f;
}

}  // namespace

TEST(Report, WritesEveryFile)
{
    const Fixture& f = fixture();
    for (const char* name : {"plan.json", "results.csv", "cells.csv", "report.md", "report.html", "figures/figures.json", "figures/fig4-left.json",
                             "figures/fig4-left.csv", "figures/fig4-left-plain.svg"})
        EXPECT_TRUE(fs::exists(fs::path(f.dir) / name)) << name;
    for (const auto& e : fs::recursive_directory_iterator(f.dir))
        EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << "left behind: " << e.path();
    EXPECT_EQ(f.results.finished, static_cast<int>(f.plan.runs.size()));
}

TEST(Report, HasEveryCellAndOneRowPerCellAndSeed)
{
    const Fixture& f = fixture();
    const std::string md = slurp(fs::path(f.dir) / "report.md"), html = slurp(fs::path(f.dir) / "report.html");
    const std::string results = slurp(fs::path(f.dir) / "results.csv"), cells = slurp(fs::path(f.dir) / "cells.csv");
    EXPECT_EQ(lines(results), 1 + static_cast<int>(f.plan.cells.size()) * f.plan.seeds);
    EXPECT_EQ(lines(cells), 1 + static_cast<int>(f.plan.cells.size()));
    for (const Cell& c : f.plan.cells) {
        EXPECT_NE(cells.find("," + c.id + ","), std::string::npos) << c.id;
        EXPECT_NE(results.find("," + c.id + ",1,"), std::string::npos) << c.id;
        EXPECT_NE(md.find(c.label), std::string::npos) << c.id;
        EXPECT_NE(html.find(c.label), std::string::npos) << c.id;
    }
    for (const TableSpec& t : f.plan.tables) {
        EXPECT_NE(html.find("id=\"" + t.id + "\""), std::string::npos) << t.id;
        EXPECT_NE(md.find("reproduce " + t.id + " --budget smoke --seeds 2"), std::string::npos) << t.id;  // the re-run command
    }
    EXPECT_NE(md.find("meprop train table6-unified-l2"), std::string::npos);  // one cell by hand
    EXPECT_NE(md.find("bench-linear"), std::string::npos);
    EXPECT_NE(html.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);  // Figure 4 inline
    EXPECT_NE(md.find("Machine: "), std::string::npos);
    EXPECT_NE(md.find("commit "), std::string::npos);
    EXPECT_NE(cells.find("accuracy_verdict"), std::string::npos);
}

TEST(Report, HtmlAndSvgAreWellFormedXml)
{
    if (!python()) GTEST_SKIP() << "python3 with xml.etree not found: the XML check is skipped";
    const Fixture& f = fixture();
    EXPECT_TRUE(parsesAsXml(fs::path(f.dir) / "report.html"));
    EXPECT_TRUE(parsesAsXml(fs::path(f.dir) / "figures" / "fig4-left-plain.svg"));
    // The check can fail: a stray '<' is not XML.
    std::ofstream(fs::path(f.dir) / "broken.html") << "<html><body><p>1 < 2</p></body></html>";
    EXPECT_FALSE(parsesAsXml(fs::path(f.dir) / "broken.html"));
}

TEST(Report, FigureDataHasTheSeriesAndIntervals)
{
    const Fixture& f = fixture();
    const std::vector<FigureData> figs = figureData(f.results);
    ASSERT_EQ(figs.size(), 1u);
    const FigureData& left = figs[0];
    EXPECT_EQ(left.id, "fig4-left");
    ASSERT_EQ(left.series.size(), 2u);
    EXPECT_EQ(left.series[0].name, "MLP (h=500)");
    EXPECT_TRUE(left.series[0].horizontal);
    EXPECT_EQ(left.series[1].points.size(), 5u);
    for (const FigurePoint& p : left.series[1].points) {
        EXPECT_EQ(p.n, 2);
        EXPECT_LE(p.low, p.mean);
        EXPECT_GE(p.high, p.mean);
    }
    EXPECT_DOUBLE_EQ(left.series[1].points.front().x, 1.0);  // k = 5 of 500
    // An empty figure still renders as a valid SVG element.
    FigureData empty;
    empty.id = "x & <y>";
    const std::string svg = renderSvg(empty);
    EXPECT_NE(svg.find("x &amp; &lt;y&gt;"), std::string::npos);
    EXPECT_NE(svg.find("no finished runs"), std::string::npos);
}

TEST(Report, VerdictSummaryCountsTheClaims)
{
    const std::string s = verdictSummary(fixture().results);
    EXPECT_NE(s.find("no worse than baseline: "), std::string::npos);
    EXPECT_NE(s.find("paper's speedup: "), std::string::npos);
}
