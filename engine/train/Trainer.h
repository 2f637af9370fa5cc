#pragma once
// Runs a configuration: epochs of shuffled minibatches, dev (and test) evaluation after each epoch,
// test reported at the best dev epoch (the paper's protocol), timings per phase, progress to a sink.
// Writes config.json, metrics.csv (whole rows, rewritten each epoch) and, only when the run
// completes, summary.json to the output folder, each atomically. At the end of every epoch it also
// writes checkpoint.bin (io/CheckpointFile.h): the model, the optimizer state, every random
// generator, the shuffled order, the best-dev record, the metrics and timings so far, and the
// configuration, so that resume() continues a stopped, failed or killed run. A resumed run ends
// with the same metrics.csv and summary.json as an uninterrupted one, bit for bit with threads=1,
// except the measured times (fp_s .. eval_s columns and keys) and finished_at. The checkpoint is
// removed when the run has finished. The folder rules (lock, staging of an overwrite, cleanup of
// what a killed run left) are train/RunFolder.h's.
#include "train/Config.h"
#include "train/ProgressSink.h"
#include "train/RunFolder.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace meprop {

struct RunResult {
    nlohmann::json summary;
    std::vector<EpochResult> epochs;
};

class Trainer {
public:
    explicit Trainer(Config config, ProgressSink* sink = nullptr);
    // outDir empty: write nothing. Throws Cancelled when the sink stops the run, ConfigError /
    // DatasetError / IoError on bad input.
    // An output folder that already holds a finished run (summary.json) or a resumable one
    // (checkpoint.bin) is refused unless overwrite is set; then the new run is staged and replaces
    // the old one only when it has finished: a failed or cancelled overwrite changes nothing.
    RunResult run(const std::string& outDir, bool overwrite = false);
    // Continues the run in outDir from its last checkpoint (this trainer's config must be the
    // checkpoint's: see checkpointConfig). Throws IoError when there is nothing to resume,
    // CheckpointError when the checkpoint is corrupt, of another format version, or of another
    // configuration or data set, and what run() throws.
    RunResult resume(const std::string& outDir);
    // The configuration in the checkpoint resume(outDir) would continue from, after repairing
    // what a killed run left (RunFolder::repair). Throws IoError when there is none,
    // CheckpointError when it is corrupt.
    static Config checkpointConfig(const std::string& outDir);

private:
    RunResult execute(const std::string& outDir, RunFolder::Mode mode);

    Config m_config;
    ProgressSink* m_sink;
};

}  // namespace meprop
