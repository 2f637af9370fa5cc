#include "reproduce/Report.h"

#include "core/Error.h"
#include "io/AtomicFile.h"
#include "reproduce/ReportDocument.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

namespace meprop::reproduce {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using stats::RatioSummary;
using stats::Summary;
using stats::Verdict;
using Doc = ReportDocument;

// ---- number formatting --------------------------------------------------------------------------

const char* const kDash = "–";

std::string fixed(double v, int decimals)
{
    if (!std::isfinite(v)) return kDash;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string signedFixed(double v, int decimals)
{
    if (!std::isfinite(v)) return kDash;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%+.*f", decimals, v);
    return buf;
}

int timeDecimals(double v)
{
    const double a = std::fabs(v);
    return a >= 100 ? 1 : a >= 10 ? 2 : a >= 1 ? 3 : a >= 0.1 ? 4 : 5;
}

// Times span 1e-3 to 1e4: three significant digits, no exponent.
std::string timeText(double v)
{
    if (!std::isfinite(v)) return kDash;
    return fixed(v, timeDecimals(v));
}

std::string meanSd(const Summary& s, int decimals)
{
    if (s.n == 0) return kDash;
    if (!s.hasInterval()) return fixed(s.mean, decimals);
    return fixed(s.mean, decimals) + " ± " + fixed(s.stddev, decimals);
}

std::string timeMeanSd(const Summary& s)
{
    if (s.n == 0) return kDash;
    if (!s.hasInterval()) return timeText(s.mean);
    return fixed(s.mean, timeDecimals(s.mean)) + " ± " + fixed(s.stddev, timeDecimals(s.mean));
}

std::string interval(const Summary& s, int decimals)
{
    if (!s.hasInterval()) return kDash;
    return "[" + fixed(s.ciLow, decimals) + ", " + fixed(s.ciHigh, decimals) + "]";
}

std::string deltaText(const Summary& d)
{
    if (d.n == 0) return kDash;
    if (!d.hasInterval()) return signedFixed(d.mean, 2) + " (n=1)";
    return signedFixed(d.mean, 2) + " [" + signedFixed(d.ciLow, 2) + ", " + signedFixed(d.ciHigh, 2) + "]";
}

std::string speedupText(const RatioSummary& r)
{
    if (r.n == 0 || !std::isfinite(r.ratio)) return kDash;
    if (!r.hasInterval()) return fixed(r.ratio, 1) + "x (n=1)";
    return fixed(r.ratio, 1) + "x [" + fixed(r.ciLow, 1) + ", " + fixed(r.ciHigh, 1) + "]";
}

std::string paperSpeedup(double s) { return std::isfinite(s) ? fixed(s, 1) + "x" : kDash; }

std::string csvNumber(double v)
{
    if (!std::isfinite(v)) return "";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

std::string csvField(const std::string& s)
{
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::string csvRow(const std::vector<std::string>& fields)
{
    std::string row;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) row += ',';
        row += csvField(fields[i]);
    }
    return row + "\n";
}

double jsonNumber(const json& j, const char* key)
{
    return j.is_object() && j.contains(key) && j.at(key).is_number() ? j.at(key).get<double>() : std::nan("");
}

std::string duration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0) return kDash;
    const long s = std::lround(seconds);
    char buf[64];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
    else if (s >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%.1f s", seconds);
    return buf;
}

// ---- the content ---------------------------------------------------------------------------------

std::string verdictText(const CellStats& cs)
{
    std::string v;
    if (cs.accuracyVerdict) v += std::string("accuracy: ") + stats::toString(*cs.accuracyVerdict);
    if (cs.speedVerdict) v += (v.empty() ? "" : "; ") + std::string("speed: ") + stats::toString(*cs.speedVerdict);
    return v.empty() ? kDash : v;
}

std::string nText(const CellStats& cs)
{
    std::string s = std::to_string(cs.finished);
    if (cs.finished != cs.runs) s += "/" + std::to_string(cs.runs);
    if (cs.failed) s += " (" + std::to_string(cs.failed) + " failed)";
    if (cs.missing) s += " (" + std::to_string(cs.missing) + " missing)";
    return s;
}

std::string divergedText(const CellStats& cs)
{
    if (cs.cell->kind != RunKind::Train) return kDash;
    return cs.diverged ? std::to_string(cs.diverged) + " of " + std::to_string(cs.finished) : "no";
}

double paperDelta(const Plan& plan, const Cell& c)
{
    if (c.baseline.empty()) return std::nan("");
    return c.paper.test - plan.cell(c.baseline).paper.test;
}

std::string unitSuffix(const TableSpec& t) { return " (" + t.timeUnit + ")"; }

std::vector<std::string> headerFor(const TableSpec& t, bool dev)
{
    std::vector<std::string> h = {"Group", "Row", "n"};
    const std::string metric = "test";
    if (!t.metric.empty()) {
        if (dev) h.insert(h.end(), {"Paper dev", "Ours dev"});
        h.insert(h.end(), {"Paper " + metric, "Ours " + metric + " (mean ± sd)", "95 % CI", "Δ vs baseline [95 % CI]", "Paper Δ"});
        h.insert(h.end(), {"Paper iter", "Our best epoch"});
    }
    if (t.id == "table2") h.insert(h.end(), {"Paper Ov. FP (s)", "Ours Ov. FP (s)"});
    if (t.speedClaim) h.insert(h.end(), {"Paper " + t.timeLabel + unitSuffix(t), "Ours" + unitSuffix(t)});
    if (t.id == "table2") h.insert(h.end(), {"Paper Ov. time (s)", "Ours Ov. time (s)"});
    if (t.speedClaim) h.insert(h.end(), {"Paper speedup", "Our speedup [95 % CI]"});
    h.insert(h.end(), {"Verdict", "Diverged"});
    return h;
}

std::vector<std::string> rowFor(const Results& res, const CellStats& cs, bool dev)
{
    const TableSpec& t = *cs.table;
    const Cell& c = *cs.cell;
    const bool named = c.label.find("aseline") != std::string::npos;  // "Baseline (h=8192)" says so itself
    std::vector<std::string> r = {c.group, c.label + (c.baseline.empty() && !named ? " (baseline)" : ""), nText(cs)};
    if (!t.metric.empty()) {
        if (dev) r.insert(r.end(), {fixed(c.paper.dev, 2), meanSd(cs.dev, 2)});
        r.insert(r.end(), {fixed(c.paper.test, 2), meanSd(cs.metric, 2), interval(cs.metric, 2), c.baseline.empty() ? kDash : deltaText(cs.delta),
                           signedFixed(paperDelta(*res.plan, c), 2)});
        r.insert(r.end(), {fixed(c.paper.iter, 0), meanSd(cs.bestEpoch, 1)});
    }
    if (t.id == "table2") r.insert(r.end(), {fixed(c.paper.fpTime, 0), timeMeanSd(cs.fp)});
    if (t.speedClaim) r.insert(r.end(), {timeText(c.paper.time), timeMeanSd(cs.time)});
    if (t.id == "table2") r.insert(r.end(), {fixed(c.paper.overallTime, 0), timeMeanSd(cs.overall)});
    if (t.speedClaim) {
        const bool hasSpeedup = !c.baseline.empty() || c.speedupWithinRun;
        r.insert(r.end(), {paperSpeedup(c.paper.speedup), hasSpeedup ? speedupText(cs.speedup) : kDash});
    }
    r.insert(r.end(), {verdictText(cs), divergedText(cs)});
    return r;
}

struct Tally {
    int holds = 0, fails = 0, inconclusive = 0;
    void add(Verdict v) { (v == Verdict::Holds ? holds : v == Verdict::Fails ? fails : inconclusive) += 1; }
};

std::string claimLine(const Results& res, const CellStats& cs)
{
    const Cell& c = *cs.cell;
    std::string s = "`" + c.id + "` (" + c.group + ", " + c.label + ")";
    if (cs.accuracyVerdict)
        s += ": accuracy **" + std::string(stats::toString(*cs.accuracyVerdict)) + "** (Δ " + deltaText(cs.delta) + ", paper " +
             signedFixed(paperDelta(*res.plan, c), 2) + ")";
    if (cs.speedVerdict)
        s += std::string(cs.accuracyVerdict ? ";" : ":") + " speed **" + stats::toString(*cs.speedVerdict) + "** (" + speedupText(cs.speedup) +
             " vs the paper's " + paperSpeedup(c.paper.speedup) + ")";
    if (cs.diverged) s += "; " + std::to_string(cs.diverged) + " diverged";
    return s;
}

std::string vsBaseline(const Plan& plan, const Cell& c, std::int64_t seed)
{
    if (c.baseline.empty()) return "";
    const int mine = plan.runIndex(c.id, seed), base = plan.runIndex(c.baseline, seed);
    if (mine < 0 || base < 0) return "";
    const json &a = plan.runs[static_cast<std::size_t>(mine)].config, &b = plan.runs[static_cast<std::size_t>(base)].config;
    std::string s;
    for (auto it = a.begin(); it != a.end(); ++it) {
        if (it.key() == "seed") continue;
        if (!b.contains(it.key()) || b.at(it.key()) != it.value())
            s += (s.empty() ? "" : " ") + it.key() + "=" + (it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
    }
    return s;
}

std::string resultsCsv(const Results& res, const std::string& dir)
{
    const Plan& plan = *res.plan;
    std::string out = csvRow({"table", "cell", "seed", "status", "vs_baseline", "dev", "test", "best_epoch", "fp_s", "bp_linear_s", "bp_overall_s",
                              "update_s", "train_s", "dense_ms", "meprop_ms", "diverged", "divergence", "error", "run"});
    for (const Cell& c : plan.cells) {
        const std::vector<int> idx = plan.runIndices(c.id);
        for (std::size_t s = 0; s < idx.size(); ++s) {
            const RunData& r = res.runs[static_cast<std::size_t>(idx[s])];
            const PlannedRun& run = plan.runs[static_cast<std::size_t>(idx[s])];
            const json& m = r.summary;
            out += csvRow({c.table, c.id, std::to_string(s + 1), toString(r.state), vsBaseline(plan, c, static_cast<std::int64_t>(s + 1)),
                           csvNumber(jsonNumber(m, "dev_metric")), csvNumber(jsonNumber(m, "test_metric")), csvNumber(jsonNumber(m, "best_epoch")),
                           csvNumber(jsonNumber(m, "fp_s")), csvNumber(jsonNumber(m, "bp_linear_s")), csvNumber(jsonNumber(m, "bp_overall_s")),
                           csvNumber(jsonNumber(m, "update_s")), csvNumber(jsonNumber(m, "train_s")), csvNumber(jsonNumber(m, "dense_ms")),
                           csvNumber(jsonNumber(m, "meprop_ms")), r.state == RunState::Finished ? (r.diverged ? "yes" : "no") : "",
                           r.divergence, r.error, (fs::path("runs") / run.id).string()});
        }
        (void)dir;
    }
    return out;
}

std::string cellsCsv(const Results& res)
{
    const Plan& plan = *res.plan;
    std::string out = csvRow({"table", "cell", "group", "label", "baseline", "runs", "n", "failed", "missing", "diverged", "metric", "mean", "sd",
                              "ci_low", "ci_high", "dev_mean", "best_epoch_mean", "delta_n", "delta_mean", "delta_ci_low", "delta_ci_high",
                              "time_field", "time_unit", "time_per_epoch", "time_mean", "time_sd", "speedup", "speedup_ci_low", "speedup_ci_high",
                              "speedup_n", "paper_dev", "paper_test", "paper_delta", "paper_iter", "paper_time", "paper_speedup", "paper_fp_time",
                              "paper_overall_time", "accuracy_verdict", "speed_verdict", "margin"});
    for (const CellStats& cs : res.cells) {
        const Cell& c = *cs.cell;
        const TableSpec& t = *cs.table;
        out += csvRow({c.table, c.id, c.group, c.label, c.baseline, std::to_string(cs.runs), std::to_string(cs.metric.n > 0 ? cs.metric.n : cs.finished),
                       std::to_string(cs.failed), std::to_string(cs.missing), std::to_string(cs.diverged), t.metric, csvNumber(cs.metric.mean),
                       csvNumber(cs.metric.stddev), csvNumber(cs.metric.ciLow), csvNumber(cs.metric.ciHigh), csvNumber(cs.dev.mean),
                       csvNumber(cs.bestEpoch.mean), std::to_string(cs.delta.n), csvNumber(cs.delta.mean), csvNumber(cs.delta.ciLow),
                       csvNumber(cs.delta.ciHigh), timeFieldOf(c, t), t.timeUnit, t.perEpoch ? "yes" : "no", csvNumber(cs.time.mean),
                       csvNumber(cs.time.stddev), csvNumber(cs.speedup.ratio), csvNumber(cs.speedup.ciLow), csvNumber(cs.speedup.ciHigh),
                       std::to_string(cs.speedup.n), csvNumber(c.paper.dev), csvNumber(c.paper.test), csvNumber(paperDelta(plan, c)),
                       csvNumber(c.paper.iter), csvNumber(c.paper.time), csvNumber(c.paper.speedup), csvNumber(c.paper.fpTime),
                       csvNumber(c.paper.overallTime), cs.accuracyVerdict ? stats::toString(*cs.accuracyVerdict) : "",
                       cs.speedVerdict ? stats::toString(*cs.speedVerdict) : "", csvNumber(plan.margin)});
    }
    return out;
}

void write(const fs::path& p, const std::string& content) { writeFileAtomic(p.string(), content); }

Doc buildDoc(const Results& res, const std::vector<FigureData>& figures, const std::string& dir, const SessionInfo& s)
{
    const Plan& plan = *res.plan;
    Doc d;
    d.heading("meProp reproduction report", 1);
    d.paragraph("Sun, Ren, Ma and Wang, \"meProp: Sparsified Back Propagation for Accelerated Deep Learning with Reduced Overfitting\", "
                "ICML 2017, re-run with `meprop reproduce`.");
    std::vector<std::string> head;
    if (!s.command.empty()) head.push_back("Command: `" + s.command + "`");
    head.push_back("Budget: " + std::string(toString(plan.budget)) + ". " + describeBudget(plan.budget));
    head.push_back("Seeds 1.." + std::to_string(plan.seeds) + " per cell. Statistics: mean ± sample sd, 95 % Student-t intervals; deltas "
                   "are paired by seed (cell − baseline per seed); a speedup is baseline time / cell time per seed, reported as the "
                   "geometric mean with the exponentiated 95 % t interval of the log ratios. Margin: " + fixed(plan.margin, 2) + " points.");
    head.push_back("Verdicts: \"no worse\" **holds** when the delta's CI lower bound ≥ −margin, **fails** when its upper bound < −margin, "
                   "else **inconclusive**; \"as fast as the paper\" holds when the speedup's CI lower bound ≥ the paper's speedup, fails when "
                   "its upper bound < it; with n = 1 every verdict is inconclusive.");
    const std::string counts = "Runs in the plan: " + std::to_string(plan.runs.size()) + ": " + std::to_string(res.finished) + " finished, " +
                               std::to_string(res.failed) + " failed, " + std::to_string(res.missing) + " missing.";
    if (s.collected)
        head.push_back(counts + " This invocation only collected the run folders (--collect): the runs were made elsewhere, e.g. by the "
                                "Slurm array; their hosts are in runs/<run>/ (reproduce.json where `meprop reproduce` ran them).");
    else
        head.push_back(counts + " This invocation: " + std::to_string(s.executed) + " executed, " + std::to_string(s.skipped) +
                       " already finished (skipped), wall time " + duration(s.wallSeconds) + ", --jobs " + std::to_string(s.jobs) + ", " +
                       s.cluster + ".");
    head.push_back(std::string(s.collected ? "Machine (that collected): " : "Machine: ") + s.machine.cpuModel + ", " + std::to_string(s.machine.cores) + " hardware threads, " + fixed(s.machine.memoryGiB, 1) +
                   " GiB, " + s.machine.os + ", host " + s.machine.host + "; load average (1, 5, 15 min) " + s.loadStart + " at the start, " +
                   s.loadEnd + " at the end; GPU: " + s.machine.gpu + ".");
    head.push_back("Build: meprop " + s.build.version + ", commit " + s.build.commit + ", " + s.build.buildType + ", engine " +
                   s.build.engineIsa + ", " + s.build.compiler +
                   ", CUDA backend " + (s.build.cuda ? "built" : "not built") + ", MPI " + (s.mpiBuilt ? "built" : "not built") + ".");
    if (!s.started.empty()) head.push_back("Started " + s.started + ", finished " + s.finished + ".");
    for (const std::string& n : plan.notes) head.push_back(n);
    head.push_back("Files: `plan.json` (the resolved plan), `results.csv` (one row per cell and seed), `cells.csv` (statistics, paper "
                   "values, verdicts), `runs/<run>/` (config.json, metrics.csv, summary.json, reproduce.json), `figures/`.");
    d.bullets(head);

    // Verdict summary.
    Tally acc, speed;
    std::vector<std::string> holds, fails, unclear;
    for (const CellStats& cs : res.cells) {
        if (cs.accuracyVerdict) acc.add(*cs.accuracyVerdict);
        if (cs.speedVerdict) speed.add(*cs.speedVerdict);
        if (!cs.accuracyVerdict && !cs.speedVerdict) continue;
        const bool anyFail = (cs.accuracyVerdict && *cs.accuracyVerdict == Verdict::Fails) || (cs.speedVerdict && *cs.speedVerdict == Verdict::Fails);
        const bool allHold = (!cs.accuracyVerdict || *cs.accuracyVerdict == Verdict::Holds) && (!cs.speedVerdict || *cs.speedVerdict == Verdict::Holds);
        (anyFail ? fails : allHold ? holds : unclear).push_back(claimLine(res, cs));
    }
    d.heading("Verdicts");
    d.table({"Claim", "holds", "fails", "inconclusive"},
            {{"meProp no worse than its baseline (margin " + fixed(plan.margin, 2) + " points)", std::to_string(acc.holds), std::to_string(acc.fails),
              std::to_string(acc.inconclusive)},
             {"as fast as the paper's speedup", std::to_string(speed.holds), std::to_string(speed.fails), std::to_string(speed.inconclusive)}});
    if (!fails.empty()) {
        d.paragraph("**Fails** (at least one claim):");
        d.bullets(fails);
    }
    if (!holds.empty()) {
        d.paragraph("**Holds** (every claim of the row):");
        d.bullets(holds);
    }
    if (!unclear.empty()) {
        d.paragraph("**Inconclusive** (within noise at this n, or n = 1):");
        d.bullets(unclear);
    }

    // The tables.
    for (const TableSpec& t : plan.tables) {
        d.heading(t.title, 2, t.id);
        d.paragraph("`" + t.id + "`. The paper's claim: " + t.claim + ".");
        bool dev = false;
        for (const std::string& id : t.cells) dev = dev || std::isfinite(plan.cell(id).paper.dev);
        std::vector<std::vector<std::string>> rows;
        for (const std::string& id : t.cells) rows.push_back(rowFor(res, res.cell(id), dev));
        d.table(headerFor(t, dev), rows);
        if (t.figure) {
            for (const FigureData& f : figures) {
                if (f.id != t.id) continue;
                const bool png = fs::exists(fs::path(dir) / "figures" / (f.id + ".png"));
                d.figure(renderSvg(f), png ? "figures/" + f.id + ".png" : "", f.title);
                std::string files = "Figure data: `figures/" + f.id + ".csv`, `figures/" + f.id + ".json`; plain SVG `figures/" + f.id + "-plain.svg`";
                if (png) files += "; Qt Charts rendering `figures/" + f.id + ".svg`, `figures/" + f.id + ".png`";
                d.paragraph(files + ". Error bars: 95 % t intervals over the seeds.");
            }
        }
        std::vector<std::string> notes = t.notes;
        // Failed or diverged runs, named.
        for (const std::string& id : t.cells) {
            for (int i : plan.runIndices(id)) {
                const RunData& r = res.runs[static_cast<std::size_t>(i)];
                const std::string run = plan.runs[static_cast<std::size_t>(i)].id;
                if (r.state == RunState::Failed) notes.push_back("Run `" + run + "` failed: " + r.error);
                if (r.diverged) notes.push_back("Run `" + run + "` diverged: " + r.divergence);
            }
        }
        std::sort(notes.begin(), notes.end());
        notes.erase(std::unique(notes.begin(), notes.end()), notes.end());
        if (!notes.empty()) d.bullets(notes);
        // Commands: the table, and one cell's run by hand.
        std::string cellId;
        for (const std::string& id : t.cells)
            if (!plan.cell(id).baseline.empty()) {
                cellId = id;
                break;
            }
        if (cellId.empty() && !t.cells.empty()) cellId = t.cells.front();
        std::string commands = s.meprop + " reproduce " + t.id + " " + s.reproduceArgs + " --out " + dir +
                               "    # this table (finished runs are skipped)";
        const int run = plan.runIndex(cellId, 1);
        if (run >= 0) {
            const PlannedRun& pr = plan.runs[static_cast<std::size_t>(run)];
            commands += "\n" + rerunCommand(pr, (fs::path(dir) / "rerun" / pr.id).string(), s.meprop) + "    # one cell, " + cellId +
                        ", seed 1 (compare with runs/" + pr.id + ")";
        }
        d.paragraph("Re-run:");
        d.code(commands);
    }
    d.heading("Figures");
    d.paragraph(s.figuresNote.empty() ? "No figure in this plan." : s.figuresNote);
    return d;
}

}  // namespace

std::vector<FigureData> writeFigureData(const Results& results, const std::string& dir)
{
    const std::vector<FigureData> figures = figureData(results);
    if (figures.empty()) return figures;
    const fs::path out = fs::path(dir) / "figures";
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) throw IoError(out.string() + ": cannot create folder (" + ec.message() + ")");
    json all = json::array();
    for (const FigureData& f : figures) {
        all.push_back(toJson(f));
        write(out / (f.id + ".json"), toJson(f).dump(2) + "\n");
        write(out / (f.id + ".csv"), toCsv(f));
        write(out / (f.id + "-plain.svg"), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + renderSvg(f));
    }
    write(out / "figures.json", all.dump(2) + "\n");
    return figures;
}

void writeReport(const Results& res, const std::string& dir, const SessionInfo& session)
{
    const fs::path d(dir);
    const std::vector<FigureData> figures = figureData(res);
    write(d / "plan.json", res.plan->toJson().dump(2) + "\n");
    write(d / "results.csv", resultsCsv(res, dir));
    write(d / "cells.csv", cellsCsv(res));
    const Doc doc = buildDoc(res, figures, dir, session);
    write(d / "report.md", doc.markdown());
    write(d / "report.html", doc.html("meProp reproduction report"));
}

std::string verdictSummary(const Results& res)
{
    Tally acc, speed;
    for (const CellStats& cs : res.cells) {
        if (cs.accuracyVerdict) acc.add(*cs.accuracyVerdict);
        if (cs.speedVerdict) speed.add(*cs.speedVerdict);
    }
    std::ostringstream o;
    o << "no worse than baseline: " << acc.holds << " hold, " << acc.fails << " fail, " << acc.inconclusive << " inconclusive; "
      << "paper's speedup: " << speed.holds << " hold, " << speed.fails << " fail, " << speed.inconclusive << " inconclusive";
    return o.str();
}

CellLine cellLine(const CellStats& cs)
{
    const TableSpec& t = *cs.table;
    const Cell& c = *cs.cell;
    CellLine l;
    l.n = nText(cs);
    if (!t.metric.empty()) {
        l.paper = fixed(c.paper.test, 2);
        if (t.speedClaim && std::isfinite(c.paper.speedup)) l.paper += " (" + paperSpeedup(c.paper.speedup) + ")";
        l.ours = meanSd(cs.metric, 2);
    } else {
        l.paper = timeText(c.paper.time) + " " + t.timeUnit;
        if (std::isfinite(c.paper.speedup)) l.paper += " (" + paperSpeedup(c.paper.speedup) + ")";
        l.ours = cs.time.n == 0 ? std::string(kDash) : timeMeanSd(cs.time) + " " + t.timeUnit;
    }
    l.delta = c.baseline.empty() || t.metric.empty() ? kDash : deltaText(cs.delta);
    const bool hasSpeedup = t.speedClaim && (!c.baseline.empty() || c.speedupWithinRun);
    l.speedup = hasSpeedup ? speedupText(cs.speedup) : kDash;
    l.verdict = cs.finished > 0 ? verdictText(cs) : std::string(kDash);  // no run yet: no verdict to show
    auto worse = [&l](Verdict v) {
        const CellLine::Level level = v == Verdict::Fails ? CellLine::Level::Fails
                                      : v == Verdict::Holds ? CellLine::Level::Holds
                                                            : CellLine::Level::Inconclusive;
        if (static_cast<int>(level) > static_cast<int>(l.level)) l.level = level;
    };
    if (cs.finished > 0) {
        if (cs.accuracyVerdict) worse(*cs.accuracyVerdict);
        if (cs.speedVerdict) worse(*cs.speedVerdict);
    }
    return l;
}

}  // namespace meprop::reproduce
