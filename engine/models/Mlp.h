#pragma once
// Multi-layer perceptron for classification with meProp on every linear layer:
//   h_0 = x;  h_l = dropout(relu(Linear_l(h_{l-1})))  for l = 1..layers;  logits = Linear_out(h_L)
// Hidden layers back-propagate with (mode, k), the output layer with (mode, kOutput) or densely
// when kOutput == 0. Loss: softmax cross-entropy, mean over the batch; its gradient is that of the
// mean, or of the sum over the batch when sumLoss (the authors' C# code: B times the mean's).
// denseBias: the sparse layers' biases get the full gradient. Weights start from `init`.
// Written once for both devices: the model runs on the backend it was given (backend/Backend.h).
#include "core/Parameter.h"
#include "core/Rng.h"
#include "core/Timings.h"
#include "io/CheckpointStream.h"
#include "layers/Dropout.h"
#include "layers/Linear.h"
#include "train/ProgressSink.h"

#include <memory>
#include <vector>

namespace meprop {

struct MlpSpec {
    int input = 784;
    int hidden = 500;
    int layers = 2;
    int classes = 10;
    float dropout = 0.0f;
    BackpropMode mode = BackpropMode::Dense;
    int k = 0;
    int kOutput = 0;  // 0: dense output layer
    Init init = Init::XavierUniform;
    bool sumLoss = false;
    bool denseBias = false;
};

class Mlp {
public:
    // Throws ConfigError when k or kOutput do not fit the layer widths.
    Mlp(const MlpSpec& spec, Rng& rng, Backend& backend = cpuBackend());

    // Forward to logits (batch x classes). Dropout is active when train is true.
    const Tensor& forward(const Tensor& x, bool train, Rng& rng);
    // Loss of the last forward against labels (batch x 1, on the model's backend); with
    // backward=true also back-propagates (gradients accumulate into the parameters; call
    // zeroGrad() between steps). Adds times to t. Reads the mean loss (a synchronisation on the GPU).
    double lossAndBackward(const IndexTensor& labels, bool backward, Rng& rng, Timings* t);
    // The same without reading: the loss summed over the batch goes to `out` (the mean is the sum
    // over the batch size), where it stays on the device until read (tasks/LossLog.h).
    void lossAndBackward(const IndexTensor& labels, bool backward, Rng& rng, Timings* t, const LossSlot& out);
    // The same with labels in host memory (copied to the backend first).
    double lossAndBackward(const int* labels, long count, bool backward, Rng& rng, Timings* t);
    Backend& backend() const { return *m_be; }

    void zeroGrad();
    std::vector<Parameter*> parameters();

    // Checkpoint state: every layer's weights and update counts (dropout keeps none between
    // steps). load needs a model of the same spec; throws CheckpointError otherwise.
    void save(CheckpointWriter& w) const;
    void load(CheckpointReader& r);
    const MlpSpec& spec() const { return m_spec; }

    std::vector<LayerInfo> layerInfo() const;
    std::vector<double> backpropRatio() const;
    std::vector<LayerSelection> selection() const;
    const Linear& layer(int i) const { return m_linear[static_cast<std::size_t>(i)]; }
    int layerCount() const { return static_cast<int>(m_linear.size()); }

private:
    BackwardSpec specFor(std::size_t layer) const;

    Backend* m_be;
    MlpSpec m_spec;
    std::vector<Linear> m_linear;      // hidden layers then the output layer
    std::vector<Dropout> m_dropout;    // one per hidden layer
    std::vector<Tensor> m_act;         // m_act[l] = output of layer l (after relu/dropout for hidden)
    Tensor m_grad, m_gradIn;
    ScalarTensor m_loss;               // 1 x 1: the loss of the reading lossAndBackward
    IndexTensor m_labels;              // host labels copied for lossAndBackward(const int*, ...)
};

}  // namespace meprop
