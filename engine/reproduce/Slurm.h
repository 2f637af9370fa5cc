#pragma once
// A plan as a Slurm job array: one array task per run, each calling `meprop train` (or `meprop
// bench-linear`) into the shared DIR/runs/<run>/, plus a collect job that builds the report from the
// finished runs (`meprop reproduce ... --collect DIR`) once the array is done. Written files:
//   DIR/slurm/reproduce.sbatch   the array (task i = the plan's run i; a finished run exits at once)
//   DIR/slurm/collect.sbatch     the collect step
//   DIR/slurm/submit.sh          sbatch the array, then the collect step with afterany:<array job>
// Every script is plain bash (the #SBATCH lines are comments), so a task can be run by hand:
//   SLURM_ARRAY_TASK_ID=3 bash DIR/slurm/reproduce.sbatch
#include "reproduce/Plan.h"

#include <string>

namespace meprop::reproduce {

struct SlurmOptions {
    std::string meprop;          // absolute path of the meprop program (the scripts honour $MEPROP)
    std::string collectCommand;  // the `meprop reproduce ... --collect DIR` line, without the program
    std::string jobName = "meprop-reproduce";
};

struct SlurmFiles {
    std::string arrayScript, collectScript, submitScript;
    int tasks = 0;
};

// Writes the scripts atomically (and DIR/slurm/logs). Throws IoError.
SlurmFiles emitSlurm(const Plan& plan, const std::string& dir, const SlurmOptions& options);

}  // namespace meprop::reproduce
