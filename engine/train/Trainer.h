#pragma once
// Runs a configuration: epochs of shuffled minibatches, dev (and test) evaluation after each epoch,
// test reported at the best dev epoch (the paper's protocol), timings per phase, progress to a sink.
// Writes config.json, metrics.csv and, only when the run completes, summary.json to the output
// folder, each atomically.
#include "train/Config.h"
#include "train/ProgressSink.h"

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
    // An output folder that already holds a finished run (summary.json) is refused unless
    // overwrite is set; then the old summary.json is removed before training starts.
    RunResult run(const std::string& outDir, bool overwrite = false);

private:
    Config m_config;
    ProgressSink* m_sink;
};

}  // namespace meprop
