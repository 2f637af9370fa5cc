#pragma once
// Micro-benchmark of one linear layer's backward pass: dense against meProp, the measurement behind
// the paper's "Backprop time" ratios (Sun et al. 2017, Tables 1-2: 500x500 hidden layer, k = 20).
#include "core/Rng.h"
#include "core/Tensor.h"
#include "layers/Linear.h"
#include "ops/BackpropMode.h"

#include <nlohmann/json.hpp>

#include <string>

namespace meprop {

struct LinearBenchResult {
    double denseMs = 0.0;   // median wall time of one dense backward, milliseconds
    double mepropMs = 0.0;  // median wall time of one meProp backward (top-k selection included)
    double ratio = 0.0;     // denseMs / mepropMs: the speed-up
    // The fastest call of each: less sensitive to other processes on a shared machine.
    double denseMinMs = 0.0, mepropMinMs = 0.0;
    int batch = 0, in = 0, out = 0, k = 0;
    std::string mode;  // "topk" | "unified" | "random"
    int threads = 1;
    int reps = 0;
};

// The fixed workload of the benchmarks: an (in -> out) Linear layer after one forward pass on
// random x (batch x in), with a random output gradient dy (batch x out); the same seed everywhere.
class LinearBackwardWorkload {
public:
    LinearBackwardWorkload(int batch, int in, int out);
    // One backward with dx, gradients zeroed before (outside the timed part); seconds.
    double timeBackward(const BackwardSpec& spec);
    const Matrix& inputGradient() const { return m_dx; }

private:
    Rng m_rng;
    Linear m_layer;
    Tensor m_x, m_dy, m_y, m_dx;
};

// Times Linear::backward of an (in -> out) layer on a (batch x out) random output gradient, with
// dx computed (needInputGrad) in both variants. Dense and meProp calls alternate within one
// process after a warm-up, so both see the same machine state; the gradients are zeroed between
// calls outside the timed region; each time is the median of `reps` calls. `threads` sets Eigen's
// thread count for the duration of the call (restored afterwards).
// Throws ConfigError when a size is < 1, k is outside [1, out], mode is dense or unknown, threads
// < 1 or reps < 1.
LinearBenchResult benchLinearBackward(int batch, int in, int out, int k, BackpropMode mode, int threads, int reps);

// {"batch","in","out","k","mode","threads","reps","dense_ms","meprop_ms","ratio","dense_min_ms",
//  "meprop_min_ms","min_ratio"}.
nlohmann::json toJson(const LinearBenchResult& r);

}  // namespace meprop
