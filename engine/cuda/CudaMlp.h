#pragma once
// The GPU twin of the CPU MLP (models/Mlp): hidden layers Linear + ReLU (+ inverted dropout), an
// output Linear, softmax cross-entropy averaged over the batch. The weights are initialised on the
// host by constructing layers/Linear objects in order (hidden1, hidden2, ..., output) from the
// caller's Rng, so a CPU model built from the same seed starts with identical weights.
//
// Backward as models/Mlp: every hidden layer uses (mode, k); the output layer uses (mode, kOutput),
// or dense when kOutput == 0. The first layer computes no input gradient.
// Dropout masks come from a counter-based hash on the device (one Rng draw per step), not from the
// Rng per element as on the CPU: with dropout > 0 CPU and GPU runs differ beyond rounding.
#include "core/Rng.h"
#include "core/Timings.h"
#include "cuda/CudaLinear.h"
#include "cuda/CudaOptimizer.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace meprop::cuda {

struct MlpSpec {
    int inputs = 784;
    std::vector<int> hidden = {500, 500};
    int classes = 10;
    float dropout = 0.0f;  // drop probability of hidden activations while training, in [0, 1)
    BackpropMode mode = BackpropMode::Dense;
    int k = 0;
    int kOutput = 0;  // 0: dense output layer
    Init init = Init::XavierUniform;
    OptimizerSettings optimizer;
};

class CudaMlp {
public:
    // Throws ConfigError on bad sizes, k or optimizer settings; CudaError when the GPU fails.
    CudaMlp(Context& ctx, const MlpSpec& spec, Rng& rng);
    ~CudaMlp();
    CudaMlp(const CudaMlp&) = delete;
    CudaMlp& operator=(const CudaMlp&) = delete;

    // One training step on x (batch x inputs) and labels (batch), both on the device: zero the
    // gradients, forward, loss, backward, update. Returns the mean loss (synchronises once). Throws
    // NonFiniteGradient naming the first layer (in back-propagation order) whose output gradient
    // held a NaN or an infinity; the flags travel with the loss, so the check costs no extra
    // transfer (the update of that step has been applied, unlike on the CPU). Adds
    // the phase times measured with CUDA events to *timings when given (forward, bpLinear: the
    // linear layers' backward incl. selection, bpOverall: the whole backward, update).
    double trainStep(const float* x, const int* labels, int batch, Rng& rng, Timings* timings = nullptr);
    // Number of rows of x whose prediction equals the label (synchronises).
    long countCorrect(const float* x, const int* labels, int batch);
    // Logits (batch x classes) of the last forward, on the host (synchronises).
    Matrix downloadLogits() const;

    std::size_t layerCount() const { return m_layers.size(); }
    CudaLinear& layer(std::size_t i) { return *m_layers[i]; }
    const CudaLinear& layer(std::size_t i) const { return *m_layers[i]; }
    // The backward spec of layer i (see the header comment).
    BackwardSpec backwardSpec(std::size_t i) const;
    const MlpSpec& spec() const { return m_spec; }

    // Checkpoint state in the layout of models/Mlp followed by the optimizer's (the dropout seed
    // is drawn afresh every step: no state). Through host copies; synchronises.
    void save(CheckpointWriter& w) const;
    void load(CheckpointReader& r);

private:
    void forward(const float* x, int batch, bool train);
    void ensureBatch(int batch);

    Context& m_ctx;
    MlpSpec m_spec;
    std::vector<std::unique_ptr<CudaLinear>> m_layers;
    std::unique_ptr<CudaOptimizer> m_optimizer;
    // m_act[i]: output of layer i (after ReLU/dropout for hidden layers, logits for the last);
    // m_grad[i]: gradient with respect to m_act[i].
    std::vector<DeviceBuffer<float>> m_act, m_grad;
    // [0]: the step's loss (float bits); [1 + i]: layer i's non-finite-gradient flag.
    DeviceBuffer<unsigned> m_status;
    std::vector<unsigned> m_hostStatus;
    DeviceBuffer<int> m_correct;
    int m_capacity = 0, m_batch = 0;
    std::uint64_t m_dropoutSeed = 0;
    std::vector<cudaEvent_t> m_events;
};

}  // namespace meprop::cuda
