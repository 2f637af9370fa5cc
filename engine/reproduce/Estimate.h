#pragma once
// A rough time estimate of one run, for `meprop reproduce --list` and the progress line's ETA before
// any run has finished. A cost model in multiply-adds per example, calibrated with single-threaded
// runs on a 2-core AMD EPYC VM (2020s x86 with AVX2): forward/backward/update per example from
// measured image (784-500-500-10, batch 10), POS (BiLSTM h=500, 3,000 EWT sentences) and parsing
// (2400-500-500-73, batch 1,000) epochs. Expect +-30 %; the ETA rescales it by the finished runs.
#include <nlohmann/json.hpp>

namespace meprop::reproduce {

// `config`: a full resolved training configuration. Seconds for the whole run (load, training,
// per-epoch dev/test evaluation). `trainExamples` > 0 overrides the training set size the model
// assumes (MNIST 60,000 - dev_size, EWT 12,544 sentences, each capped by `limit`).
double estimateTrainSeconds(const nlohmann::json& config, long trainExamples = 0);

// `spec`: a bench-linear spec {batch, in, out, k, reps, device}. Seconds for the benchmark
// (warm-up included, dense and meProp alternating).
double estimateBenchSeconds(const nlohmann::json& spec);

}  // namespace meprop::reproduce
