#pragma once
// The steps of one reproduce that every front end takes the same way: `meprop reproduce` (the CLI)
// and the workbench's Paper view both find the data through findPlanContext(), describe the
// invocation with beginSession() and end with writeReportFiles() (read the runs back, write the
// figure data, render the panels, write the report). Qt-free; what differs between the front ends
// (which data-set locator, how the figure images are rendered) comes in as a function.
#include "reproduce/Plan.h"
#include "reproduce/Report.h"

#include <functional>
#include <string>

namespace meprop::reproduce {

// The current UTC time as ISO 8601 ("2026-12-01T11:06:14Z").
std::string isoNow();

// "--budget quick --seeds 3 --set k=v --margin 0.5": with a table list, re-creates the plan.
std::string planArgs(const Plan& plan);
// The plan's tables as arguments: "all" when every table is in it, else "table1 fig4-left".
std::string tablesArg(const Plan& plan);

// Finds the folder of a named data set ("mnist", "fashion-mnist"); throws Error when it is not
// there. The CLI and the workbench pass the dataset catalogue's locateDataset.
using DatasetLocator = std::function<std::string(const std::string& name)>;

// The data and machine of a plan writing into workDir: $MEPROP_IMAGE_DATA when set, else MNIST
// when `locate` finds it, else Fashion-MNIST; UD English EWT for the text tasks (engine/data/
// DataFolders); the GPU when this build has CUDA and a usable device. A data set not found leaves
// its folder empty (the task's own search, then a failed run naming where it looked).
PlanContext findPlanContext(const std::string& workDir, const DatasetLocator& locate);

// The report's header of an invocation starting now: the plan's arguments, the machine, the build,
// the load and the start time. The caller adds command, meprop, jobs and cluster.
SessionInfo beginSession(const Plan& plan);

// Renders the figure panels of DIR/figures/figures.json (written just before) as images, and returns
// the sentence the report prints about them (empty: nothing to say).
using FigureRenderer = std::function<std::string(const std::string& dir)>;

struct ReportOutcome {
    int runs = 0, finished = 0, failed = 0, missing = 0;
    std::string verdicts;  // verdictSummary()
};

// Reads the plan's runs back from DIR and writes figures/ (data, then `render`, which may be
// empty), plan.json, results.csv, cells.csv, report.md and report.html, each atomically. Sets
// session.finished and session.loadEnd when they are empty. Throws IoError naming a file that
// cannot be written.
ReportOutcome writeReportFiles(const Plan& plan, const std::string& dir, SessionInfo session, const FigureRenderer& render);

}  // namespace meprop::reproduce
