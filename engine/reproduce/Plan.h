#pragma once
// The paper's tables and figures as data (Sun et al., ICML 2017): each table is a list of cells (a
// row of the paper: the preset it builds on plus the keys that make the row, its baseline cell and
// the paper's printed numbers), and a plan resolves the requested tables at a budget into the list
// of runs to execute (one per distinct configuration and seed). Qt-free: the CLI's `meprop
// reproduce` and the workbench use the same plans.
#include "reproduce/Budget.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace meprop::reproduce {

enum class RunKind {
    Train,        // a training run through the Trainer (config.json, metrics.csv, summary.json)
    LinearBench,  // one linear layer's backward, dense against meProp (Table 7; `meprop bench-linear`)
};
const char* toString(RunKind kind);  // "train" | "bench-linear"

constexpr double kNone = std::numeric_limits<double>::quiet_NaN();

// The paper's printed numbers for one row; NaN where the paper prints none.
struct PaperNumbers {
    double dev = kNone, test = kNone;  // percent (accuracy or UAS)
    double iter = kNone;               // epochs to the best dev score ("Iter")
    double time = kNone;               // the table's time column, in the table's unit
    double speedup = kNone;            // the printed "(21.4x)"
    double fpTime = kNone;             // Table 2: "Ov. FP time" (s)
    double overallTime = kNone;        // Table 2: "Ov. time" = FP + BP (s)
    bool any() const;
};

struct Cell {
    std::string id;        // unique over all tables, e.g. "table1-mnist-adam-k20"
    std::string table;     // "table1"
    std::string group;     // the block of the paper's table, e.g. "MNIST (Adam)"
    std::string label;     // the row, e.g. "meProp (k=20)"
    std::string baseline;  // the cell this one is compared with; empty for a baseline row
    RunKind kind = RunKind::Train;
    std::string preset;    // Train: the preset the row builds on (see train/Presets)
    nlohmann::json overrides = nlohmann::json::object();  // Train: keys on the preset; LinearBench: the bench spec
    nlohmann::json afterBudget = nlohmann::json::object();  // Train: keys set after the budget's (Table 8's sizes)
    std::string task;      // "image" | "pos" | "parse" | "layer"
    PaperNumbers paper;
    // Figures: the series and x position of this cell's point.
    std::string series;
    double x = kNone;
    // Speedup pairing: false: baseline's time / this cell's time, paired by seed; true (Table 7):
    // each run times dense and meProp itself, interleaved, and the speedup is its own ratio.
    bool speedupWithinRun = false;
    std::string timeField;  // summary field of the time column (overrides the table's when set)
};

struct TableSpec {
    std::string id;       // "table1" ... "table8", "fig4-left", "fig4-middle", "fig4-right"
    std::string title;    // the paper's caption
    bool figure = false;
    std::string metric = "test_metric";  // summary field compared ("test_metric"; empty: timing only)
    std::string timeField = "bp_linear_s";  // summary field of the time column and the speedup
    std::string timeLabel = "Backprop time";
    double timeScale = 1.0;   // multiply the summary field by this for the displayed time
    bool perEpoch = false;    // the paper's time is per epoch ("averaged time per iteration"): divide by epochs
    std::string timeUnit = "s";
    bool accuracyClaim = true;  // "meProp is no worse than its baseline"
    bool speedClaim = false;    // "meProp is as fast as the paper's speedup"
    std::string claim;          // the paper's claim in words
    std::vector<std::string> cells;  // display order
    std::vector<std::string> notes;  // data used, CPU fallback, what differs from the paper
    std::string xLabel, yLabel;      // figures
    bool logX = false;
};

// What the plan needs to know about the machine and the data (found by the front end: the CLI and
// the workbench use the dataset catalogue; the engine does not).
struct PlanContext {
    std::string imageData;      // MNIST-format folder; empty: the task's default search
    std::string imageDataName;  // "mnist", "fashion-mnist", or "" when unknown
    std::string textData;       // CoNLL-U folder (UD English EWT); empty: the task's default search
    std::string textDataName = "ud-english-ewt";
    bool gpu = false;           // a CUDA build with a usable device: Tables 7 and 8 run on it
    std::string gpuName;
    std::string workDir;        // the output folder DIR (absolute); smoke's EWT sample lives in DIR/data
};

struct PlanOptions {
    Budget budget = Budget::Quick;
    int seeds = 0;                     // 0: the budget's default
    std::vector<std::string> tables;   // table ids or "all"; empty: all
    std::vector<std::pair<std::string, std::string>> sets;  // --set key=value, applied to every run
    double margin = 0.3;               // equivalence margin in points
};

struct PlannedRun {
    std::string id;      // folder under DIR/runs: "<cell>-s<seed>", named after the first cell (in the
                         // catalogue's order) whose resolved config it is, so shared runs keep one name
    std::string cell;    // that cell
    std::int64_t seed = 1;
    RunKind kind = RunKind::Train;
    nlohmann::json config;  // Train: the full resolved configuration; LinearBench: the bench spec
    std::string preset;     // Train: the preset, for the re-run command
    double estimatedSeconds = 0.0;  // one run alone on a 2-core 2020s x86 VM, threads = 1
    bool exclusive = false;  // timing-only runs (benchmarks, GPU runs) run with nothing else alongside
};

// A sample of a data set that the plan derives into DIR/data before running (smoke budget: the first
// sentences of each EWT split, so a text run takes a second instead of evaluating 4,000 sentences).
struct DerivedData {
    std::string source;  // folder of en_ewt-ud-{train,dev,test}.conllu (or *-<split>.conllu)
    std::string folder;  // where the sample goes
    int trainSentences = 0, devSentences = 0, testSentences = 0;
};

struct Plan {
    Budget budget = Budget::Quick;
    int seeds = 1;
    double margin = 0.3;
    PlanContext context;
    std::vector<std::pair<std::string, std::string>> sets;
    std::vector<TableSpec> tables;  // the requested ones, in the paper's order
    std::vector<Cell> cells;        // every cell of the requested tables, in catalogue order
    std::vector<PlannedRun> runs;   // distinct runs, in execution order (exclusive ones first)
    std::vector<DerivedData> derived;
    std::vector<std::string> notes;  // plan-wide: which data, GPU or CPU, budget limits

    const Cell& cell(const std::string& id) const;  // throws Error when unknown
    const TableSpec& table(const std::string& id) const;
    // The run of `cell` with `seed` (its index in runs), or -1.
    int runIndex(const std::string& cellId, std::int64_t seed) const;
    // The seeds' run indices of a cell, in seed order.
    std::vector<int> runIndices(const std::string& cellId) const;
    double estimatedSeconds() const;
    double estimatedSeconds(const TableSpec& table) const;  // its cells' distinct runs
    nlohmann::json toJson() const;

    std::map<std::string, std::vector<int>> runsByCell;  // cell id -> run index of seed 1, 2, ...
};

// Every table and figure id, in the paper's order.
const std::vector<std::string>& tableIds();

// Resolves the plan. Throws ConfigError (one line naming the table, budget, key or value) for an
// unknown table, a bad --set (unknown key, wrong type, out of range, seed), seeds < 1 or a
// resolved configuration that does not validate.
Plan buildPlan(const PlanOptions& options, const PlanContext& context);

// The command that re-runs one run by hand, e.g. `meprop train table1-mnist-adam-k20 --set seed=2
// --set epochs=10 ... --out DIR/runs/table1-mnist-adam-k20-s2`: the preset plus every key whose
// resolved value differs from it, so the command gives exactly the run's config. `meprop` is the
// program to name. LinearBench runs give the `meprop bench-linear` line.
std::string rerunCommand(const PlannedRun& run, const std::string& runDir, const std::string& meprop = "meprop");

}  // namespace meprop::reproduce
