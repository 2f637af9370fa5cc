#pragma once
// The results of a plan read back from its output folder, and the statistics of every cell: n,
// mean, sd and 95 % t interval of the metric, the delta against the baseline paired by seed, the
// speedup (baseline time / cell time per seed, summarised on the log scale: geometric mean and
// exp of the t interval of the log ratios) and the verdicts. Everything comes from the run folders,
// so the same function serves a finished reproduce, a resumed one, MPI ranks and --collect.
#include "reproduce/Plan.h"
#include "reproduce/Runner.h"
#include "stats/Paired.h"
#include "stats/Summary.h"
#include "stats/Verdict.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace meprop::reproduce {

struct RunData {
    int index = -1;  // into plan.runs
    RunState state = RunState::Missing;
    nlohmann::json summary;  // summary.json (Finished)
    nlohmann::json record;   // reproduce.json, when the runner wrote one
    std::string error;       // a failed run's error
    std::vector<double> epochLoss;  // metrics.csv train_loss per epoch
    bool diverged = false;
    std::string divergence;  // why: the trainer's warning, or the loss rising
};

struct CellStats {
    const Cell* cell = nullptr;
    const TableSpec* table = nullptr;
    int runs = 0, finished = 0, failed = 0, missing = 0, diverged = 0;
    stats::Summary metric;     // the table's metric (test, percent)
    stats::Summary dev;        // dev metric (training runs)
    stats::Summary bestEpoch;
    stats::Summary time;       // the table's time field, in its unit
    stats::Summary fp, bpOverall, overall;  // seconds, per epoch where the table's times are (Table 2)
    stats::Summary delta;      // metric - baseline metric, paired by seed
    stats::RatioSummary speedup;
    std::optional<stats::Verdict> accuracyVerdict, speedVerdict;
    stats::BySeed metricBySeed, timeBySeed;
};

struct Results {
    const Plan* plan = nullptr;
    std::vector<RunData> runs;  // parallel to plan->runs
    std::vector<CellStats> cells;  // parallel to plan->cells
    int finished = 0, failed = 0, missing = 0;
    const CellStats& cell(const std::string& id) const;
};

// Reads DIR/runs/* for every run of the plan (which must outlive the results: they point into it). A conflicting folder counts as missing here (the
// runner refuses to start on one).
Results collectResults(const Plan& plan, const std::string& dir);

// The summary field of the time column of `cell` ("bp_linear_s", "meprop_ms", ...) and the value
// of a finished run in the table's unit (NaN when absent).
std::string timeFieldOf(const Cell& cell, const TableSpec& table);
double timeValue(const RunData& run, const Cell& cell, const TableSpec& table);

}  // namespace meprop::reproduce
