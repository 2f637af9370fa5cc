#pragma once
// SGD, AdaGrad and Adam on the device, the same updates as optim/ (unmodified: every element of
// every parameter each step, as in the paper; `touchedRowsOnly` updates only the rows of a weight
// that got a gradient, like the CPU's lazy variant, Adam with a step count per row as optim/Adam.h).
// SGD and AdaGrad skip untouched rows always: a zero gradient leaves them unchanged, so that is exact.
#include "cuda/Context.h"
#include "optim/Optimizer.h"

#include <vector>

namespace meprop::cuda {

struct DeviceParam {
    float* value = nullptr;
    const float* grad = nullptr;
    int rows = 0, cols = 0;
    // rows bytes marking the rows with a gradient (a weight's touched()); null: all rows (a bias).
    const unsigned char* touched = nullptr;
};

class CudaOptimizer {
public:
    // Throws ConfigError for an unknown kind or a non-positive learning rate (as makeOptimizer).
    CudaOptimizer(Context& ctx, const OptimizerSettings& settings);
    // Registers the parameters once and allocates zeroed state.
    void attach(const std::vector<DeviceParam>& params);
    // One update from the current gradients (does not clear them). Asynchronous on the stream.
    void step();

    // Checkpoint state in the layout of optim/ (sgd: none; adagrad: h; adam: step, m, v), through
    // host copies (synchronises). load needs the same kind and parameter shapes.
    void save(CheckpointWriter& w) const;
    void load(CheckpointReader& r);

private:
    Context& m_ctx;
    OptimizerSettings m_s;
    std::vector<DeviceParam> m_params;
    std::vector<DeviceBuffer<float>> m_first, m_second;  // AdaGrad h / Adam m and v
    std::vector<DeviceBuffer<long long>> m_rowSteps;      // lazy Adam: updates per row
    std::vector<DeviceBuffer<float>> m_rowScalars;        // lazy Adam: per-row scalars (scratch)
    long m_t = 0;
};

}  // namespace meprop::cuda
