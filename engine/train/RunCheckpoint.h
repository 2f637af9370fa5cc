#pragma once
// The checkpoint of a training run: what Trainer writes at the end of every epoch and reads to
// resume, inside the checkpoint file (io/CheckpointFile.h). Payload layout (format version 2):
//   string   the configuration as JSON (Config::json())
//   section "trainer": i64 training examples, i64 batches per epoch, TrainerState, the run's Rng
//   section "task":    Task::save
// The reading side is split so that a wrong configuration is reported before the data is loaded.
#include "core/Rng.h"
#include "io/CheckpointStream.h"
#include "train/Config.h"
#include "train/Task.h"
#include "train/TrainerState.h"

#include <string>

namespace meprop {

struct RunCheckpointShape {
    long trainSize = 0;        // training examples
    long batchesPerEpoch = 0;
    int epochs = 0;            // of the run
    int evalsPerEpoch = 1;
};

// Writes the checkpoint file at `path` (atomically). Throws IoError.
void writeRunCheckpoint(const std::string& path, const Config& config, const RunCheckpointShape& shape, const TrainerState& state,
                        const Rng& rng, const Task& task);

// The first field: the configuration the checkpoint was written by. Throws CheckpointError when it
// is not a valid configuration of this build.
Config readRunCheckpointConfig(CheckpointReader& r);

// Throws CheckpointError naming the keys whose values differ when `now` is not `saved`.
void requireSameConfig(CheckpointReader& r, const Config& saved, const Config& now);

// The rest, after readRunCheckpointConfig: checks the shape against this run's (a different data
// set), then restores the trainer's state, the run's Rng and the task. Throws CheckpointError.
void readRunCheckpoint(CheckpointReader& r, const RunCheckpointShape& shape, TrainerState& state, Rng& rng, Task& task);

}  // namespace meprop
