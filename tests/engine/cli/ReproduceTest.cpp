// `meprop reproduce` through the real binary on tiny MNIST-format data: --list, bad input (one line,
// exit 2), a run and its report, failed runs (exit 1), the Slurm scripts run by hand then --collect,
// and mpirun -np 2 giving the same results.csv metrics as --jobs 1.
#include "../TinyMnist.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <sys/wait.h>

namespace fs = std::filesystem;

namespace {

struct Result {
    int code = -1;
    std::string out, err;
};

Result sh(const std::string& command)
{
    static int n = 0;
    const std::string io = meprop::test::tempDir("repro-io-" + std::to_string(n++));
    const int status = std::system((command + " >" + io + "/out 2>" + io + "/err").c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream o(io + "/out"), e(io + "/err");
    r.out.assign(std::istreambuf_iterator<char>(o), {});
    r.err.assign(std::istreambuf_iterator<char>(e), {});
    return r;
}

Result runCli(const std::string& args) { return sh(std::string(MEPROP_CLI_PATH) + " " + args); }

int lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

std::string tiny()
{
    static const std::string d = meprop::test::writeTinyMnistDir(meprop::test::tempDir("repro-cli-data"), 1100, 120);
    return d;
}

std::string slurp(const fs::path& p)
{
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::vector<std::string>> csv(const fs::path& p)
{
    std::vector<std::vector<std::string>> rows;
    std::ifstream in(p);
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> row;
        std::string cell;
        bool quoted = false;
        for (char c : line) {
            if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) {
                row.push_back(cell);
                cell.clear();
            } else cell += c;
        }
        row.push_back(cell);
        rows.push_back(row);
    }
    return rows;
}

// results.csv reduced to what must not depend on how the runs were spread: cell, seed, status, metrics.
std::vector<std::string> metrics(const fs::path& results)
{
    const auto rows = csv(results);
    std::vector<std::string> out;
    const auto& h = rows.at(0);
    auto col = [&](const char* name) { return static_cast<std::size_t>(std::find(h.begin(), h.end(), name) - h.begin()); };
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const auto& r = rows[i];
        out.push_back(r[col("cell")] + " " + r[col("seed")] + " " + r[col("status")] + " " + r[col("dev")] + " " + r[col("test")] + " " +
                      r[col("best_epoch")]);
    }
    return out;
}

void expectBadInput(const std::string& args, const std::string& mentions)
{
    const Result r = runCli("reproduce " + args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(mentions), std::string::npos) << args << "\nstderr: " << r.err;
    EXPECT_EQ(lines(r.err), 1) << args << "\n" << r.err;
}

}  // namespace

TEST(Reproduce, ListsEveryTableWithItsCellsAndEstimates)
{
    const Result r = runCli("reproduce --list");
    ASSERT_EQ(r.code, 0) << r.err;
    for (const char* t : {"table1", "table2", "table3", "table4", "table5", "table6", "table7", "table8", "fig4-left", "fig4-middle", "fig4-right"})
        EXPECT_NE(r.out.find(std::string("\n") + t + " "), std::string::npos) << t;
    EXPECT_NE(r.out.find("table1-mnist-adam-k20"), std::string::npos);
    EXPECT_NE(r.out.find("speedup 21.4x"), std::string::npos);
    EXPECT_NE(r.out.find("quick run"), std::string::npos);
    EXPECT_NE(r.out.find("smoke "), std::string::npos);
    EXPECT_NE(r.out.find("paper "), std::string::npos);
}

TEST(Reproduce, BadInputIsOneLineAndExitTwo)
{
    const std::string dir = meprop::test::tempDir("repro-bad");
    expectBadInput("table9 --out " + dir, "unknown table \"table9\"");
    expectBadInput("--budget huge --out " + dir, "--budget huge: unknown budget");
    expectBadInput("table6 --set nokey=1 --out " + dir, "unknown key \"nokey\"");
    expectBadInput("table6 --set k=abc --out " + dir, "\"k\": expected an integer");
    expectBadInput("table6 --set k --out " + dir, "--set k: expected key=value");
    expectBadInput("table6 --set seed=4 --out " + dir, "--seeds N");
    expectBadInput("table6 --seeds 0 --out " + dir, "--seeds 0: expected an integer >= 1");
    expectBadInput("table6 --jobs 0 --out " + dir, "--jobs 0: expected an integer >= 1");
    expectBadInput("table6 --margin -1 --out " + dir, "--margin");
    expectBadInput("table6 --emit-slurm " + dir + "/a --collect " + dir + "/b", "give one");
    EXPECT_FALSE(fs::exists(fs::path(dir) / "runs"));  // nothing was written
    // A folder holding another plan's run: refused, nothing overwritten.
    const std::string out = dir + "/o";
    ASSERT_EQ(runCli("reproduce table6 --budget smoke --seeds 1 --set data=" + tiny() + " --out " + out + " --quiet").code, 0);
    const std::string before = slurp(fs::path(out) / "results.csv");
    expectBadInput("table6 --budget smoke --seeds 1 --set data=" + tiny() + " --set epochs=2 --out " + out,
                   "holds another run than this plan's (key \"epochs\": 1 in the folder, 2 in the plan)");
    EXPECT_EQ(slurp(fs::path(out) / "results.csv"), before);
}

TEST(Reproduce, RunsReportsAndSkipsOnTheSecondCall)
{
    const std::string out = meprop::test::tempDir("repro-run") + "/o";
    Result r = runCli("reproduce table6 table7 --budget smoke --seeds 2 --jobs 2 --set data=" + tiny() + " --out " + out + " --quiet");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "");  // --quiet
    for (const char* f : {"plan.json", "results.csv", "cells.csv", "report.md", "report.html"}) EXPECT_TRUE(fs::exists(fs::path(out) / f)) << f;
    r = runCli("reproduce table6 table7 --budget smoke --seeds 2 --jobs 2 --set data=" + tiny() + " --out " + out);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("22 runs: 22 finished, 0 failed, 0 missing"), std::string::npos) << r.out;
    EXPECT_NE(slurp(fs::path(out) / "report.md").find("0 executed, 22 already finished"), std::string::npos);
}

TEST(Reproduce, FailedRunsAreRowsAndExitOne)
{
    const std::string out = meprop::test::tempDir("repro-fail") + "/o";
    const Result r = runCli("reproduce table6 --budget smoke --seeds 1 --set data=" + out + "-nodata --out " + out + " --quiet");
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_NE(r.err.find("4 runs failed"), std::string::npos) << r.err;
    const auto rows = csv(fs::path(out) / "results.csv");
    ASSERT_EQ(rows.size(), 5u);
    for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_EQ(rows[i][3], "failed");
    EXPECT_NE(slurp(fs::path(out) / "report.md").find("failed: "), std::string::npos);
}

TEST(Reproduce, SlurmScriptsRunByHandThenCollect)
{
    const std::string out = meprop::test::tempDir("repro-slurm") + "/o";
    const std::string plan = "table6 table7 --budget smoke --seeds 1 --set data=" + tiny();
    Result r = runCli("reproduce " + plan + " --emit-slurm " + out);
    ASSERT_EQ(r.code, 0) << r.err;
    const fs::path slurm = fs::path(out) / "slurm";
    for (const char* s : {"reproduce.sbatch", "collect.sbatch", "submit.sh"}) {
        ASSERT_TRUE(fs::exists(slurm / s)) << s;
        EXPECT_EQ(sh("bash -n " + (slurm / s).string()).code, 0) << s;
    }
    const std::string script = slurp(slurm / "reproduce.sbatch");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(script, m, std::regex("#SBATCH --array=0-([0-9]+)")));
    const int tasks = std::stoi(m[1]) + 1;
    EXPECT_EQ(tasks, 11);  // 4 training runs and 7 benchmarks
    EXPECT_NE(script.find("train table6-unified-l2"), std::string::npos);
    EXPECT_NE(script.find("bench-linear --batch 32"), std::string::npos);
    // Before the array ran, collect reports the missing runs.
    r = runCli("reproduce " + plan + " --collect " + out + " --quiet");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("11 runs of the plan not finished"), std::string::npos) << r.err;
    // Every array task by hand, as sbatch would (the task id in the environment).
    for (int t = 0; t < tasks; ++t) {
        r = sh("MEPROP=" + std::string(MEPROP_CLI_PATH) + " SLURM_ARRAY_TASK_ID=" + std::to_string(t) + " bash " + (slurm / "reproduce.sbatch").string());
        EXPECT_EQ(r.code, 0) << "task " << t << ": " << r.err;
    }
    EXPECT_NE(sh("SLURM_ARRAY_TASK_ID=99 bash " + (slurm / "reproduce.sbatch").string()).code, 0);
    // A finished task exits at once.
    r = sh("SLURM_ARRAY_TASK_ID=0 bash " + (slurm / "reproduce.sbatch").string());
    EXPECT_NE(r.out.find("already finished"), std::string::npos);
    r = runCli("reproduce " + plan + " --collect " + out);
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("11 runs: 11 finished, 0 failed, 0 missing"), std::string::npos) << r.out;
    for (const auto& row : csv(fs::path(out) / "results.csv")) {
        if (row[0] != "table") {
            EXPECT_EQ(row[3], "done") << row[1];
        }
    }
    // The collect step's own script names the same command.
    EXPECT_NE(slurp(slurm / "collect.sbatch").find("--collect " + out), std::string::npos);
}

TEST(Reproduce, MpirunGivesTheSameMetricsAsOneProcess)
{
    if (sh("command -v mpirun").code != 0) GTEST_SKIP() << "mpirun not found: the MPI test is skipped (apt install openmpi-bin)";
    if (runCli("reproduce --list").out.find("built with MPI") == std::string::npos)
        GTEST_SKIP() << "this meprop is built without MPI (MEPROP_ENABLE_MPI=OFF): the MPI test is skipped";
    const std::string base = meprop::test::tempDir("repro-mpi"), one = base + "/one", two = base + "/mpi";
    const std::string plan = "table6 table5 --budget smoke --seeds 1 --set data=" + tiny();
    Result r = runCli("reproduce " + plan + " --jobs 1 --out " + one + " --quiet");
    ASSERT_EQ(r.code, 0) << r.err;
    r = sh("mpirun --allow-run-as-root --oversubscribe -np 2 " + std::string(MEPROP_CLI_PATH) + " reproduce " + plan + " --out " + two + " --quiet");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(slurp(fs::path(two) / "report.md").find("2 ranks"), std::string::npos);
    EXPECT_EQ(metrics(fs::path(one) / "results.csv"), metrics(fs::path(two) / "results.csv"));
    // Both ranks ran some of the runs.
    std::set<int> ranks;
    for (const auto& e : fs::directory_iterator(fs::path(two) / "runs")) {
        std::ifstream in(e.path() / "reproduce.json");
        ranks.insert(nlohmann::json::parse(in)["rank"].get<int>());
    }
    EXPECT_EQ(ranks, (std::set<int>{0, 1}));
}
