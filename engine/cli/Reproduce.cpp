#include "cli/Reproduce.h"

#include "cli/ClusterFactory.h"
#include "cli/ProgressBar.h"
#include "cli/ReproduceProgress.h"
#include "core/Error.h"
#include "datasets/Catalogue.h"
#include "io/AtomicFile.h"
#include "reproduce/Machine.h"
#include "reproduce/Plan.h"
#include "reproduce/Report.h"
#include "reproduce/Results.h"
#include "reproduce/Runner.h"
#include "reproduce/Session.h"
#include "reproduce/Shell.h"
#include "reproduce/Slurm.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <sstream>

namespace meprop::cli {

namespace {

namespace fs = std::filesystem;
using namespace meprop::reproduce;

std::string minutes(double seconds)
{
    char buf[32];
    if (seconds < 90) std::snprintf(buf, sizeof buf, "~%.0f s", seconds);
    else if (seconds < 5400) std::snprintf(buf, sizeof buf, "~%.0f min", seconds / 60);
    else std::snprintf(buf, sizeof buf, "~%.1f h", seconds / 3600);
    return buf;
}

bool given(const ReproduceArgs& a, const char* option) { return a.command && a.command->count(option) > 0; }

fs::path selfPath()
{
    std::error_code ec;
    const fs::path p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : p;
}

// The data of the plan, through the dataset catalogue (reproduce/Session, shared with the workbench).
PlanContext findContext(const std::string& workDir)
{
    return findPlanContext(workDir, [](const std::string& name) { return locateDataset(name); });
}

PlanOptions planOptions(const ReproduceArgs& a)
{
    PlanOptions o;
    o.budget = parseBudget(a.budget);
    if (given(a, "--seeds") && a.seeds < 1) throw ConfigError("--seeds " + std::to_string(a.seeds) + ": expected an integer >= 1");
    o.seeds = a.seeds;
    o.tables = a.tables.empty() ? std::vector<std::string>{"all"} : a.tables;
    o.margin = a.margin;
    for (const std::string& s : a.sets) {
        const auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0) throw ConfigError("--set " + s + ": expected key=value");
        o.sets.emplace_back(s.substr(0, eq), s.substr(eq + 1));
    }
    return o;
}

std::string paperText(const PaperNumbers& p)
{
    std::ostringstream o;
    o.precision(6);
    auto put = [&o](const char* k, double v, const char* suffix = "") {
        if (std::isfinite(v)) o << " " << k << " " << v << suffix;
    };
    put("dev", p.dev);
    put("test", p.test);
    put("iter", p.iter);
    put("fp", p.fpTime);
    put("time", p.time);
    put("overall", p.overallTime);
    put("speedup", p.speedup, "x");
    return o.str().empty() ? " (none printed)" : o.str();
}

int listPlans(const ReproduceArgs& a)
{
    const PlanContext ctx = findContext(fs::absolute(a.out.empty() ? "reproduce-out" : a.out).string());
    PlanOptions o = planOptions(a);
    std::printf("meprop reproduce: the tables and figures of Sun et al., meProp (ICML 2017).\n");
    std::printf("Estimates: the runs one at a time on a 2-core x86 VM (threads = 1); with --jobs N on N free cores, divide by N.\n");
    std::printf("Data: image %s; text %s; Tables 7/8 on %s.\n\n",
                ctx.imageData.empty() ? "not found (install dataset-fashion-mnist or set data)" : (ctx.imageDataName + " at " + ctx.imageData).c_str(),
                ctx.textData.empty() ? "not found (UD English EWT)" : ("UD English EWT at " + ctx.textData).c_str(),
                ctx.gpu ? ("the GPU (" + ctx.gpuName + ")").c_str() : "the CPU (no GPU)");
    std::printf("Spreading runs: --jobs N (threads in one process)%s; --emit-slurm DIR (a Slurm job array).\n",
                mpiBuilt() ? ", mpirun -np N meprop reproduce ... (this meprop is built with MPI)" : " (this meprop is built without MPI)");
    for (Budget b : {Budget::Smoke, Budget::Quick, Budget::Paper}) std::printf("%s\n", describeBudget(b).c_str());
    std::printf("\n");
    std::vector<Plan> plans;
    for (Budget b : {Budget::Smoke, Budget::Quick, Budget::Paper}) {
        PlanOptions p = o;
        p.budget = b;
        p.tables = {"all"};
        plans.push_back(buildPlan(p, ctx));
    }
    const Plan& shown = plans[1];
    for (const TableSpec& t : shown.tables) {
        std::printf("%-12s %s\n", t.id.c_str(), t.title.c_str());
        std::printf("%-12s runs:", "");
        for (const Plan& p : plans) {
            const TableSpec& pt = p.table(t.id);
            std::size_t runs = 0;
            std::vector<int> seen;
            for (const std::string& c : pt.cells)
                for (int i : p.runIndices(c))
                    if (std::find(seen.begin(), seen.end(), i) == seen.end()) {
                        seen.push_back(i);
                        ++runs;
                    }
            std::printf("  %s %zu (%d seeds, %s)", toString(p.budget), runs, p.seeds, minutes(p.estimatedSeconds(pt)).c_str());
        }
        std::printf("\n");
        for (const std::string& id : t.cells) {
            const Cell& c = shown.cell(id);
            const std::string row = c.group + " | " + c.label;
            std::printf("%-12s   %-26s %-44s %s%s\n", "", c.id.c_str(), row.c_str(),
                        c.baseline.empty() ? "baseline;" : ("vs " + c.baseline + ";").c_str(), paperText(c.paper).c_str());
        }
        std::printf("\n");
    }
    PlanOptions q = o;
    q.budget = Budget::Quick;
    q.tables = {"table1", "table3", "table4", "table5", "table6", "fig4-left", "fig4-middle", "fig4-right"};
    const Plan quick = buildPlan(q, ctx);
    std::printf("The issue's quick run (table1 table3 table4 table5 table6 fig4-*, %d seeds): %zu runs, %s one at a time, %s with --jobs 2.\n",
                quick.seeds, quick.runs.size(), minutes(quick.estimatedSeconds()).c_str(), minutes(quick.estimatedSeconds() / 2).c_str());
    return 0;
}

// Runs meprop-figures (Qt Charts) beside this program on figures/figures.json; returns the sentence
// the report prints about the figures.
std::string renderFigures(const std::string& dir, bool quiet)
{
    const fs::path figures = fs::path(dir) / "figures", json = figures / "figures.json";
    if (!fs::exists(json)) return "";
    fs::path tool;
    if (const char* env = std::getenv("MEPROP_FIGURES"); env && *env) tool = env;
    else tool = selfPath().parent_path() / "meprop-figures";
    const std::string how = "`meprop-figures " + (figures / "figures.json").string() + " " + figures.string() +
                            "` (built with the workbench, -DMEPROP_BUILD_APP=ON)";
    if (tool.empty() || ::access(tool.c_str(), X_OK) != 0)
        return "The panels are drawn inline (plain SVG, `figures/<fig>-plain.svg`); no `meprop-figures` beside this meprop, so no PNG or Qt "
               "Charts SVG was rendered: render them with " + how + ".";
    const std::string log = (figures / "render.log").string();
    const std::string cmd = "QT_QPA_PLATFORM=offscreen " + shellQuote(tool.string()) + " " + shellQuote(json.string()) + " " +
                            shellQuote(figures.string()) + " > " + shellQuote(log) + " 2>&1";
    const int rc = std::system(cmd.c_str());
    if (rc != 0) {
        if (!quiet) std::fprintf(stderr, "meprop: warning: meprop-figures failed (see %s); the report keeps the inline SVG panels\n", log.c_str());
        return "`meprop-figures` failed (see `figures/render.log`); the panels are drawn inline only. Re-render with " + how + ".";
    }
    return "Figure 4's panels were rendered with Qt Charts by `meprop-figures` (`figures/<fig>.svg`, `figures/<fig>.png`); the report "
           "shows the same data as plain inline SVG (`figures/<fig>-plain.svg`).";
}

struct Outcome {
    int code = 0;
    std::string message;  // for stdout, rank 0
};

// Reads the runs back and writes the figures and the report. Returns 0, or 1 when runs failed or
// (missingIsFailure) are missing.
int report(const Plan& plan, const std::string& dir, const SessionInfo& session, bool missingIsFailure, bool quiet)
{
    const ReportOutcome res = writeReportFiles(plan, dir, session, [quiet](const std::string& d) { return renderFigures(d, quiet); });
    if (!quiet) {
        std::printf("meprop reproduce: %d runs: %d finished, %d failed, %d missing; %s\n", res.runs, res.finished, res.failed,
                    res.missing, res.verdicts.c_str());
        std::printf("report: %s (and report.md, results.csv, cells.csv, plan.json%s)\n", (fs::path(dir) / "report.html").c_str(),
                    plan.tables.end() != std::find_if(plan.tables.begin(), plan.tables.end(), [](const TableSpec& t) { return t.figure; })
                        ? ", figures/"
                        : "");
    }
    if (res.failed > 0) {
        std::fprintf(stderr, "meprop: %d run%s failed (see results.csv and runs/<run>/reproduce.json)\n", res.failed, res.failed == 1 ? "" : "s");
        return 1;
    }
    if (missingIsFailure && res.missing > 0) {
        std::fprintf(stderr, "meprop: %d run%s of the plan not finished in %s\n", res.missing, res.missing == 1 ? "" : "s", dir.c_str());
        return 1;
    }
    return 0;
}

int reproduce(const ReproduceArgs& a, int argc, char** argv, CliCluster& cluster)
{
    if (given(a, "--jobs") && a.jobs < 1) throw ConfigError("--jobs " + std::to_string(a.jobs) + ": expected an integer >= 1");
    if (!a.emitSlurm.empty() && !a.collect.empty()) throw ConfigError("--emit-slurm and --collect: give one of them");
    std::string dir = a.out.empty() ? "reproduce-" + a.budget : a.out;
    for (const std::string* other : {&a.emitSlurm, &a.collect}) {
        if (other->empty()) continue;
        if (!a.out.empty() && fs::absolute(a.out).lexically_normal() != fs::absolute(*other).lexically_normal())
            throw ConfigError("--out " + a.out + " and " + (other == &a.collect ? "--collect " : "--emit-slurm ") + *other +
                              ": they name the same output folder; give one");
        dir = *other;
    }
    dir = fs::absolute(dir).lexically_normal().string();
    const bool rank0 = cluster.rank() == 0;
    const bool quiet = a.quiet || !rank0;

    const Plan plan = buildPlan(planOptions(a), findContext(dir));
    SessionInfo session = beginSession(plan);
    for (int i = 0; i < argc; ++i) session.command += (i ? " " : "") + shellQuote(argv[i]);
    const std::string argv0 = argc > 0 ? argv[0] : "meprop";
    session.meprop = argv0.find('/') == std::string::npos ? argv0 : shellQuote(selfPath().string());
    session.jobs = std::max(1, a.jobs);
    session.cluster = cluster.describe();
    session.mpiBuilt = mpiBuilt();

    if (!a.emitSlurm.empty()) {
        if (!rank0) return 0;
        checkForConflicts(plan, dir);
        prepareDerivedData(plan);
        fs::create_directories(dir);
        writeFileAtomic((fs::path(dir) / "plan.json").string(), plan.toJson().dump(2) + "\n");
        SlurmOptions so;
        so.meprop = selfPath().string();
        so.collectCommand = "reproduce " + tablesArg(plan) + " " + planArgs(plan) + " --collect " + shellQuote(dir);
        const SlurmFiles f = emitSlurm(plan, dir, so);
        if (!a.quiet) {
            std::printf("wrote %s (%d array tasks, one per run), %s and %s\n", f.arrayScript.c_str(), f.tasks, f.collectScript.c_str(),
                        f.submitScript.c_str());
            std::printf("submit: bash %s    # the array, then the report (meprop %s)\n", f.submitScript.c_str(), so.collectCommand.c_str());
        }
        return 0;
    }

    if (!a.collect.empty()) {
        if (!rank0) return 0;
        checkForConflicts(plan, dir);
        session.collected = true;
        session.finished = isoNow();
        session.loadEnd = loadAverage();
        return report(plan, dir, session, true, a.quiet);
    }

    checkForConflicts(plan, dir);  // before anything is printed: one line, exit 2
    ProgressBar::installInterruptHandler();
    ReproduceProgress progress(!quiet, ::isatty(STDERR_FILENO) != 0, cluster.size() > 1 ? "rank 0: " : "");
    RunnerOptions ro;
    ro.jobs = std::max(1, a.jobs);
    ro.cluster = &cluster;
    ro.stop = [] { return ProgressBar::interrupted(); };
    ro.progress = [&progress](const RunnerProgress& p) { progress.update(p); };
    if (!quiet)
        std::fprintf(stderr, "meprop reproduce: %zu runs (%s budget, %d seed%s, %d table%s) into %s, --jobs %d, %s; estimate %s\n",
                     plan.runs.size(), toString(plan.budget), plan.seeds, plan.seeds == 1 ? "" : "s", static_cast<int>(plan.tables.size()),
                     plan.tables.size() == 1 ? "" : "s", dir.c_str(), ro.jobs, cluster.describe().c_str(),
                     minutes(plan.estimatedSeconds() / (ro.jobs * cluster.size())).c_str());
    const RunnerResult rr = runPlan(plan, dir, ro);
    progress.finish();
    session.executed = cluster.sumOverRanks(rr.executed);
    session.skipped = rr.skipped;
    session.wallSeconds = rr.wallSeconds;
    session.finished = isoNow();
    session.loadEnd = loadAverage();
    if (rr.interrupted) {
        if (rank0)
            std::fprintf(stderr, "\nmeprop: interrupted; finished runs are kept: run the same command again to continue (%s)\n", dir.c_str());
        return 130;
    }
    int code = 0;
    if (rank0) code = report(plan, dir, session, false, a.quiet);
    return cluster.maxOverRanks(code);
}

}  // namespace

CLI::App* addReproduceCommand(CLI::App& app, ReproduceArgs& a)
{
    CLI::App* cmd = app.add_subcommand("reproduce", "re-run the paper's tables with several seeds: statistics, verdicts and one report");
    cmd->add_option("tables", a.tables, "table1 .. table8, fig4-left, fig4-middle, fig4-right, or all (default: all)");
    cmd->add_flag("--list", a.list, "list every table and figure, its cells and runs per budget, with time estimates");
    cmd->add_option("--budget", a.budget, "smoke | quick | paper")->capture_default_str();
    cmd->add_option("--seeds", a.seeds, "seeds 1..N per cell (default: smoke 2, quick 3, paper 5)");
    cmd->add_option("--jobs", a.jobs, "runs at once on this machine (each with threads = 1 unless --set threads=T)")->capture_default_str();
    cmd->add_option("--out", a.out, "output folder (default reproduce-<budget>)");
    cmd->add_option("--set", a.sets, "override a key in every run: --set key=value (repeatable; see `meprop keys`)")->allow_extra_args(false);
    cmd->add_option("--margin", a.margin, "equivalence margin in points for the \"no worse\" verdicts")->capture_default_str();
    cmd->add_option("--emit-slurm", a.emitSlurm, "write a Slurm job array (one task per run) and its collect step into DIR; run nothing");
    cmd->add_option("--collect", a.collect, "build the report from the finished runs in DIR (after the Slurm array); run nothing");
    cmd->add_flag("--quiet", a.quiet, "no progress and no summary (errors only)");
    a.command = cmd;
    return cmd;
}

int runReproduce(const ReproduceArgs& a, int argc, char** argv)
{
    std::unique_ptr<CliCluster> cluster;
    try {
        cluster = makeCluster();
    } catch (const Error& e) {
        std::fprintf(stderr, "meprop: %s\n", e.what());
        return 2;
    }
    const bool rank0 = cluster->rank() == 0;
    auto fail = [&](int code, const std::string& message) {
        // Every rank meets the same bad input; an error on one rank alone ends them all.
        if (rank0 || cluster->size() == 1) std::fprintf(stderr, "meprop: %s\n", message.c_str());
        else std::fprintf(stderr, "meprop (rank %d): %s\n", cluster->rank(), message.c_str());
        return code;
    };
    int code = 0;
    try {
        if (a.list) return listPlans(a);
        code = reproduce(a, argc, argv, *cluster);
    } catch (const Cancelled&) {
        code = 130;
    } catch (const ConfigError& e) {
        // Bad input and conflicting folders: every rank finds them at the same point; rank 0 says so.
        if (rank0) fail(2, e.what());
        code = 2;
    } catch (const Error& e) {
        code = fail(2, e.what());
        if (cluster->size() > 1) cluster->abort(code);
    } catch (const std::bad_alloc&) {
        code = fail(2, "out of memory (model or data too large for this machine)");
        if (cluster->size() > 1) cluster->abort(code);
    } catch (const std::exception& e) {
        code = fail(1, std::string("internal error: ") + e.what());
        if (cluster->size() > 1) cluster->abort(code);
    }
    return code;
}

}  // namespace meprop::cli
