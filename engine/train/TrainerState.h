#pragma once
// What the trainer carries from one epoch to the next, in one place so that a checkpoint holds all
// of it: the epochs done with their evaluations (metrics.csv is rebuilt from them), the best-dev record,
// the global step, the warnings already given, the accumulated timings and the start time.
// The random generators and the model are saved by their owners (Trainer, Task).
#include "core/Timings.h"
#include "io/CheckpointStream.h"
#include "train/ProgressSink.h"

#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace meprop {

struct TrainerState {
    int epochsDone = 0;
    long step = 0;
    std::vector<EpochResult> epochs;  // every evaluation (evals_per_epoch per epoch)
    int bestEpoch = 0;
    double bestAt = 0.0;
    double bestDev = -std::numeric_limits<double>::infinity();
    double testAtBest = 0.0;
    double bestLoss = std::numeric_limits<double>::infinity();
    std::vector<std::pair<std::string, double>> extraAtBest;
    bool warnedRising = false;
    bool warnedEpochRise = false;
    Timings total;
    double trainSeconds = 0.0;
    double evalSeconds = 0.0;
    std::string startedAt;

    void save(CheckpointWriter& w) const;
    // Throws CheckpointError on a corrupt or inconsistent record.
    void load(CheckpointReader& r);
};

void saveEpochResult(CheckpointWriter& w, const EpochResult& e);
EpochResult loadEpochResult(CheckpointReader& r);

}  // namespace meprop
