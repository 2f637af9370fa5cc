#include "reproduce/Plan.h"

#include "core/Error.h"
#include "reproduce/Catalogue.h"
#include "reproduce/Estimate.h"
#include "reproduce/Shell.h"
#include "train/Config.h"
#include "train/Presets.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace meprop::reproduce {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string textSampleFolder(const PlanContext& ctx) { return (fs::path(ctx.workDir) / "data" / "ud-english-ewt-sample").string(); }

json resolveTrain(const Cell& c, const Plan& plan, std::int64_t seed)
{
    // Errors before the --set values are catalogue bugs (the tests build every table); they name the cell.
    const std::string where = "table " + c.table + ", cell " + c.id;
    Config cfg = Config::fromJson(findPreset(c.preset).values, where + ", preset " + c.preset);
    cfg.merge(c.overrides, where);
    cfg.merge(budgetOverrides(plan.budget, c.task), where + ", budget " + toString(plan.budget));
    cfg.merge(c.afterBudget, where);
    const PlanContext& ctx = plan.context;
    if (c.task == "image" && !ctx.imageData.empty()) cfg.set("data", ctx.imageData);
    if ((c.task == "pos" || c.task == "parse") && !ctx.textData.empty())
        cfg.set("data", plan.budget == Budget::Smoke && !ctx.workDir.empty() ? textSampleFolder(ctx) : ctx.textData);
    cfg.set("seed", seed);
    cfg.set("threads", 1);
    for (const auto& [key, value] : plan.sets) cfg.setFromString(key, value, "--set");
    try {
        cfg.validate();
    } catch (const ConfigError& e) {
        throw ConfigError(where + " (after --set): " + e.what());
    }
    return cfg.json();
}

json resolveBench(const Cell& c, const Plan& plan, std::int64_t seed)
{
    json spec = c.overrides;
    spec["seed"] = seed;  // a repetition number: the workload itself is fixed
    for (const auto& [key, value] : plan.sets) {
        if (key == "threads") {
            Config check;
            check.setFromString(key, value, "--set");  // same range check as a training run
            spec["threads"] = check.getInt("threads");
        } else if (key == "device") {
            Config check;
            check.setFromString(key, value, "--set");
            spec["device"] = check.getString("device");
        }
    }
    return spec;
}

json paperJson(const PaperNumbers& p)
{
    json j = json::object();
    auto put = [&j](const char* k, double v) {
        if (!std::isnan(v)) j[k] = v;
    };
    put("dev", p.dev);
    put("test", p.test);
    put("iter", p.iter);
    put("time", p.time);
    put("speedup", p.speedup);
    put("fp_time", p.fpTime);
    put("overall_time", p.overallTime);
    return j;
}


std::string valueText(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

const char* toString(RunKind kind) { return kind == RunKind::Train ? "train" : "bench-linear"; }

bool PaperNumbers::any() const
{
    for (double v : {dev, test, iter, time, speedup, fpTime, overallTime})
        if (!std::isnan(v)) return true;
    return false;
}

const std::vector<std::string>& tableIds()
{
    static const std::vector<std::string> ids = {"table1", "table2", "table3", "table4",   "table5",      "table6",
                                                 "table7", "table8", "fig4-left", "fig4-middle", "fig4-right"};
    return ids;
}

const Cell& Plan::cell(const std::string& id) const
{
    for (const Cell& c : cells)
        if (c.id == id) return c;
    throw Error("plan: no cell \"" + id + "\"");
}

const TableSpec& Plan::table(const std::string& id) const
{
    for (const TableSpec& t : tables)
        if (t.id == id) return t;
    throw Error("plan: no table \"" + id + "\"");
}

int Plan::runIndex(const std::string& cellId, std::int64_t seed) const
{
    const auto it = runsByCell.find(cellId);
    if (it == runsByCell.end() || seed < 1 || seed > static_cast<std::int64_t>(it->second.size())) return -1;
    return it->second[static_cast<std::size_t>(seed - 1)];
}

std::vector<int> Plan::runIndices(const std::string& cellId) const
{
    const auto it = runsByCell.find(cellId);
    return it == runsByCell.end() ? std::vector<int>{} : it->second;
}

double Plan::estimatedSeconds() const
{
    double s = 0.0;
    for (const PlannedRun& r : runs) s += r.estimatedSeconds;
    return s;
}

double Plan::estimatedSeconds(const TableSpec& t) const
{
    std::set<int> seen;
    for (const std::string& c : t.cells)
        for (int i : runIndices(c)) seen.insert(i);
    double s = 0.0;
    for (int i : seen) s += runs[static_cast<std::size_t>(i)].estimatedSeconds;
    return s;
}

json Plan::toJson() const
{
    json j;
    j["budget"] = toString(budget);
    j["budget_description"] = describeBudget(budget);
    j["seeds"] = seeds;
    j["margin"] = margin;
    j["context"] = {{"image_data", context.imageData}, {"image_data_name", context.imageDataName}, {"text_data", context.textData},
                    {"gpu", context.gpu},              {"gpu_name", context.gpuName},             {"work_dir", context.workDir}};
    j["sets"] = json::array();
    for (const auto& [k, v] : sets) j["sets"].push_back(k + "=" + v);
    j["notes"] = notes;
    j["tables"] = json::array();
    for (const TableSpec& t : tables)
        j["tables"].push_back({{"id", t.id},
                               {"title", t.title},
                               {"figure", t.figure},
                               {"metric", t.metric},
                               {"time_field", t.timeField},
                               {"time_unit", t.timeUnit},
                               {"time_per_epoch", t.perEpoch},
                               {"accuracy_claim", t.accuracyClaim},
                               {"speed_claim", t.speedClaim},
                               {"claim", t.claim},
                               {"cells", t.cells},
                               {"notes", t.notes},
                               {"estimated_s", estimatedSeconds(t)}});
    j["cells"] = json::array();
    for (const Cell& c : cells) {
        json runIds = json::array();
        for (int i : runIndices(c.id)) runIds.push_back(runs[static_cast<std::size_t>(i)].id);
        json e = {{"id", c.id},       {"table", c.table},         {"group", c.group},   {"label", c.label},
                  {"baseline", c.baseline}, {"kind", toString(c.kind)}, {"task", c.task}, {"paper", paperJson(c.paper)},
                  {"runs", runIds}};
        if (c.kind == RunKind::Train) {
            e["preset"] = c.preset;
            e["overrides"] = c.overrides;
            if (!c.afterBudget.empty()) e["after_budget"] = c.afterBudget;
        } else {
            e["bench"] = c.overrides;
        }
        if (!c.series.empty()) e["series"] = c.series;
        if (!std::isnan(c.x)) e["x"] = c.x;
        if (c.speedupWithinRun) e["speedup_within_run"] = true;
        if (!c.timeField.empty()) e["time_field"] = c.timeField;
        j["cells"].push_back(e);
    }
    j["runs"] = json::array();
    for (const PlannedRun& r : runs)
        j["runs"].push_back({{"id", r.id},
                             {"cell", r.cell},
                             {"seed", r.seed},
                             {"kind", toString(r.kind)},
                             {"exclusive", r.exclusive},
                             {"estimated_s", r.estimatedSeconds},
                             {"config", r.config}});
    j["derived_data"] = json::array();
    for (const DerivedData& d : derived)
        j["derived_data"].push_back({{"source", d.source},
                                     {"folder", d.folder},
                                     {"train_sentences", d.trainSentences},
                                     {"dev_sentences", d.devSentences},
                                     {"test_sentences", d.testSentences}});
    return j;
}

Plan buildPlan(const PlanOptions& options, const PlanContext& context)
{
    Plan plan;
    plan.budget = options.budget;
    plan.seeds = options.seeds == 0 ? defaultSeeds(options.budget) : options.seeds;
    if (plan.seeds < 1) throw ConfigError("--seeds " + std::to_string(options.seeds) + ": expected an integer >= 1");
    if (!(options.margin >= 0.0) || !std::isfinite(options.margin))
        throw ConfigError("--margin " + std::to_string(options.margin) + ": expected a number of points >= 0");
    plan.margin = options.margin;
    plan.context = context;
    plan.sets = options.sets;
    for (const auto& [key, value] : options.sets) {
        if (key == "seed") throw ConfigError("--set seed=" + value + ": the seeds are 1..N, set by --seeds N");
        Config probe;
        probe.setFromString(key, value, "--set");  // unknown key, wrong type, out of range: one line, before anything runs
    }

    std::set<std::string> wanted;
    for (const std::string& t : options.tables) {
        if (t == "all") {
            wanted.insert(tableIds().begin(), tableIds().end());
            continue;
        }
        if (std::find(tableIds().begin(), tableIds().end(), t) == tableIds().end()) {
            std::string known;
            for (const std::string& id : tableIds()) known += (known.empty() ? "" : ", ") + id;
            throw ConfigError("unknown table \"" + t + "\" (expected all or one of: " + known + ")");
        }
        wanted.insert(t);
    }
    if (options.tables.empty()) wanted.insert(tableIds().begin(), tableIds().end());

    Catalogue cat = paperCatalogue(plan.budget, context);
    for (const TableSpec& t : cat.tables)
        if (wanted.count(t.id)) plan.tables.push_back(t);
    for (const Cell& c : cat.cells)
        if (wanted.count(c.table)) plan.cells.push_back(c);

    const bool smokeText = plan.budget == Budget::Smoke && !context.textData.empty() && !context.workDir.empty();
    if (smokeText) {
        DerivedData d;
        d.source = context.textData;
        d.folder = textSampleFolder(context);
        d.trainSentences = 60;
        d.devSentences = 50;
        d.testSentences = 50;
        bool needed = false;
        for (const Cell& c : plan.cells) needed = needed || c.task == "pos" || c.task == "parse";
        if (needed) plan.derived.push_back(d);
    }

    // Every cell of the catalogue resolves its config per seed; a run is named after the first cell
    // (catalogue order, all tables) with that config, so a table asked for alone reuses the same folders.
    std::map<std::string, std::string> nameOf;  // config dump -> root cell id
    for (const Cell& c : cat.cells) {
        try {
            const json cfg = c.kind == RunKind::Train ? resolveTrain(c, plan, 1) : resolveBench(c, plan, 1);
            nameOf.emplace(cfg.dump(), c.id);
        } catch (const ConfigError&) {
            if (wanted.count(c.table)) throw;  // a cell not asked for may not take the --set values (k > its hidden)
        }
    }
    std::map<std::string, int> runOf;  // run id -> index
    for (std::int64_t seed = 1; seed <= plan.seeds; ++seed) {
        for (const Cell& c : plan.cells) {
            const json cfg = c.kind == RunKind::Train ? resolveTrain(c, plan, seed) : resolveBench(c, plan, seed);
            json seed1 = cfg;
            seed1["seed"] = 1;
            const std::string root = nameOf.at(seed1.dump());
            const std::string id = root + "-s" + std::to_string(seed);
            auto it = runOf.find(id);
            if (it == runOf.end()) {
                PlannedRun r;
                r.id = id;
                r.cell = root;
                r.seed = seed;
                r.kind = c.kind;
                r.config = cfg;
                r.preset = c.preset;
                const bool sampled = smokeText && (c.task == "pos" || c.task == "parse");
                r.estimatedSeconds = c.kind == RunKind::Train ? estimateTrainSeconds(cfg, sampled ? 60 : 0) : estimateBenchSeconds(cfg);
                r.exclusive = c.kind == RunKind::LinearBench || cfg.value("device", "cpu") == "cuda";
                it = runOf.emplace(id, static_cast<int>(plan.runs.size())).first;
                plan.runs.push_back(std::move(r));
            } else if (plan.runs[static_cast<std::size_t>(it->second)].config != cfg) {
                throw Error("plan: run " + id + " has two configurations (catalogue bug)");
            }
            plan.runsByCell[c.id].push_back(it->second);
        }
    }

    // Execution order: timing-only runs first (run alone), then the longest first (shortest makespan on
    // a pool); stable, so the order is the same on every rank of an MPI job.
    std::vector<int> order(plan.runs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const PlannedRun &x = plan.runs[static_cast<std::size_t>(a)], &y = plan.runs[static_cast<std::size_t>(b)];
        if (x.exclusive != y.exclusive) return x.exclusive;
        return x.estimatedSeconds > y.estimatedSeconds;
    });
    std::vector<PlannedRun> sorted;
    std::vector<int> newIndex(plan.runs.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        newIndex[static_cast<std::size_t>(order[i])] = static_cast<int>(i);
        sorted.push_back(plan.runs[static_cast<std::size_t>(order[i])]);
    }
    plan.runs = std::move(sorted);
    for (auto& [cell, indices] : plan.runsByCell)
        for (int& i : indices) i = newIndex[static_cast<std::size_t>(i)];

    plan.notes.push_back("Seeds 1.." + std::to_string(plan.seeds) + " for every cell; a cell and its baseline share the seeds, so "
                         "deltas and speedups are paired by seed. Each run uses threads = 1 unless --set threads=T: the thread count "
                         "changes Eigen's GEMM blocking and so the floating-point rounding, and results must not depend on --jobs.");
    if (!plan.sets.empty()) {
        std::string s;
        for (const auto& [k, v] : plan.sets) s += (s.empty() ? "" : ", ") + k + "=" + v;
        plan.notes.push_back("Overrides applied to every run (--set): " + s + ".");
    }
    return plan;
}

std::string rerunCommand(const PlannedRun& run, const std::string& runDir, const std::string& meprop)
{
    if (run.kind == RunKind::LinearBench) {
        const json& s = run.config;
        std::string cmd = shellQuote(meprop) + " bench-linear --batch " + s["batch"].dump() + " --in " + s["in"].dump() + " --out " +
                          s["out"].dump() + " --k " + s["k"].dump() + " --mode " + s["mode"].get<std::string>() + " --reps " +
                          s["reps"].dump();
        if (s.value("device", "cpu") == "cuda") cmd += " --device cuda";
        else cmd += " --threads " + s["threads"].dump();
        return cmd + " > " + shellQuote((fs::path(runDir) / "summary.json").string());
    }
    const json base = Config::fromJson(findPreset(run.preset).values).json();
    std::string cmd = shellQuote(meprop) + " train " + run.preset;
    for (auto it = run.config.begin(); it != run.config.end(); ++it)
        if (!base.contains(it.key()) || base.at(it.key()) != it.value()) cmd += " --set " + shellQuote(it.key() + "=" + valueText(it.value()));
    return cmd + " --out " + shellQuote(runDir);
}

}  // namespace meprop::reproduce
