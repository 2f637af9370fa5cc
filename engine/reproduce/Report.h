#pragma once
// The record of a reproduce, written into its output folder DIR, every file atomically:
//   plan.json     the resolved plan (tables, cells, runs with their full configs)
//   results.csv   one row per cell and seed: table, cell, seed, status, the config keys that
//                 differ from the cell's baseline, dev, test, best_epoch, fp_s, bp_linear_s,
//                 bp_overall_s, update_s, train_s, dense_ms, meprop_ms, diverged, error, run folder
//                 (a run shared by several cells, e.g. Table 2's, appears once per cell)
//   cells.csv     one row per cell: n, mean, sd, 95 % CI, paired delta [CI], speedup [CI], the
//                 paper's numbers, the verdicts
//   report.md     every table side by side with the paper, the verdicts, data, machine, build,
//                 and under each table the commands that re-run it
//   report.html   the same, self-contained XHTML with Figure 4's panels as inline SVG
//   figures/      <fig>.json and <fig>.csv (the panels' points), <fig>-plain.svg (the inline SVG);
//                 <fig>.svg and <fig>.png when `meprop-figures` (Qt Charts) rendered them
#include "reproduce/Figures.h"
#include "reproduce/Machine.h"
#include "reproduce/Results.h"

#include <string>

namespace meprop::reproduce {

// About this invocation, for the report's header.
struct SessionInfo {
    std::string command;         // as typed
    std::string meprop = "meprop";  // the program named in the re-run commands
    std::string reproduceArgs;   // "table1 table3 --budget quick --seeds 3" (+ --set, --margin): re-runs the plan
    std::string started, finished;  // ISO 8601 UTC
    double wallSeconds = 0.0;
    int executed = 0, skipped = 0;
    bool collected = false;      // --collect: the runs were made elsewhere (a Slurm array), this only read them
    int jobs = 1;
    std::string cluster = "one process";
    std::string loadStart, loadEnd;
    bool mpiBuilt = false;
    std::string figuresNote;     // how figures/ was rendered (or why not, and how to)
    MachineInfo machine;
    BuildInfo build;
};

// figures/<fig>.json, figures/figures.json (all panels), figures/<fig>.csv, figures/<fig>-plain.svg.
// Returns the panels.
std::vector<FigureData> writeFigureData(const Results& results, const std::string& dir);

// plan.json, results.csv, cells.csv, report.md, report.html. Throws IoError naming a file that
// cannot be written (earlier files stay as they were).
void writeReport(const Results& results, const std::string& dir, const SessionInfo& session);

// The report's verdict summary as one line per claim, for the CLI's closing output.
std::string verdictSummary(const Results& results);

// One cell as a table row of the workbench's Paper view, in the report's number formats.
struct CellLine {
    std::string n;        // finished seeds ("2", "1/2 (1 failed)")
    std::string paper;    // the paper's number: test metric (and its speedup), or the time for timing-only tables
    std::string ours;     // mean ± sd over seeds of the same quantity
    std::string delta;    // paired delta against the baseline [95 % CI]; "–" for a baseline row
    std::string speedup;  // baseline time / this time [95 % CI]; "–" where the table claims none
    std::string verdict;  // "accuracy: holds; speed: inconclusive", or "–" (no claim, or no finished run yet)
    // The worst of the cell's verdicts: none (no claim or no run yet), holds, inconclusive, fails.
    enum class Level { None, Holds, Inconclusive, Fails } level = Level::None;
};
CellLine cellLine(const CellStats& cell);

}  // namespace meprop::reproduce
