#pragma once
// Runs a plan into an output folder DIR: one folder per run, DIR/runs/<run id>/, holding what the
// trainer writes (config.json, metrics.csv, summary.json; a benchmark: config.json, summary.json)
// plus reproduce.json (the runner's record: status, error, warnings, wall time, host, rank).
//
// - A run whose summary.json exists with the same resolved config is skipped, so a killed reproduce
//   continues where it stopped and a finished one only rebuilds the report.
// - A folder holding another configuration is a conflict: runPlan throws RunConflictError before
//   anything runs or is written.
// - A run that fails (bad data, divergence to NaN) is recorded as failed and the others go on.
// - `jobs` runs at once on a std::thread pool; exclusive runs (benchmarks, GPU runs) run alone
//   first. Over MPI ranks, rank 0 runs the exclusive ones, then the rest go round-robin.
#include "core/Error.h"
#include "reproduce/Cluster.h"
#include "reproduce/Plan.h"
#include "train/ProgressSink.h"

#include <functional>
#include <string>
#include <vector>

namespace meprop::reproduce {

// A folder of DIR/runs that holds a different run than the plan's (exit 2 in the CLI).
class RunConflictError : public ConfigError {
public:
    using ConfigError::ConfigError;
};

enum class RunState {
    Missing,     // no folder, or nothing of a run in it
    Unfinished,  // same config, no summary.json (interrupted, or still running elsewhere)
    Failed,      // same config, reproduce.json says failed
    Finished,    // same config, summary.json present
    Conflict,    // another config (or summary.json without config.json)
};
const char* toString(RunState state);

// The folder of a run: DIR/runs/<id>.
std::string runFolder(const std::string& dir, const PlannedRun& run);

// What the folder holds for `run`; `why` (optional) gets the reason of a Conflict, naming the first
// key that differs ("key \"epochs\": 3 in the folder, 1 in the plan").
RunState inspectRun(const PlannedRun& run, const std::string& folder, std::string* why = nullptr);

// Throws RunConflictError with one line naming the first conflicting folder and the key.
void checkForConflicts(const Plan& plan, const std::string& dir);

// Writes the plan's derived data (smoke: the EWT sample) unless it is already there. Throws
// DatasetError when the source cannot be read, IoError when the sample cannot be written.
void prepareDerivedData(const Plan& plan);

// The outcome of one executed run, also written to its folder as reproduce.json.
struct RunRecord {
    std::string status;  // "done" | "failed"
    std::string error;
    std::vector<std::string> warnings;  // the trainer's warnings (diverging loss)
    double wallSeconds = 0.0;
    bool resumed = false;  // continued from the checkpoint an interrupted run left
};

// The one place where a planned run meets the trainer or the layer benchmark: runs it into `folder`
// (which holds no summary.json) and returns its record. A training run that left a checkpoint
// (interrupted, killed) continues from it (Trainer::resume: the same results as an uninterrupted
// run); an unusable checkpoint is replaced by a fresh run once that one has finished. Throws Cancelled when `sink` stops it;
// every other failure (Error, bad_alloc, std::exception) is returned as a failed record. Writes
// reproduce.json (not on Cancelled), with `rank` (the MPI rank that ran it).
RunRecord executeRun(const PlannedRun& run, const std::string& folder, ProgressSink* sink, int rank = 0);

// What the progress display gets (serialised: one call at a time, from any thread).
struct RunnerProgress {
    int total = 0;          // runs in the plan (on this rank)
    int finishedBefore = 0; // already finished when the runner started (skipped)
    int done = 0, failed = 0;  // executed this time
    std::vector<std::pair<std::string, double>> running;  // run id, fraction done
    double etaSeconds = -1.0;  // -1: unknown
    std::string lastFinished;  // id of the run that just ended ("" otherwise)
    std::string lastMessage;   // its status line ("done in 4.2 s", "failed: ...")
};

struct RunnerOptions {
    int jobs = 1;
    Cluster* cluster = nullptr;  // null: one process
    std::function<bool()> stop;  // polled between batches and runs (SIGINT)
    std::function<void(const RunnerProgress&)> progress;  // null: silent
};

struct RunnerResult {
    int total = 0, skipped = 0, executed = 0, failed = 0;  // this rank
    bool interrupted = false;
    double wallSeconds = 0.0;
};

// Runs what is not finished. Throws RunConflictError (before anything runs), ConfigError,
// DatasetError or IoError for problems of the whole plan (e.g. the derived data).
RunnerResult runPlan(const Plan& plan, const std::string& dir, const RunnerOptions& options);

}  // namespace meprop::reproduce
