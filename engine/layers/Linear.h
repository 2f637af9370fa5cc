#pragma once
// Fully connected layer y = x W^T + b with meProp backward.
//
// Shapes: x (batch x in), W (out x in), b (1 x out), y (batch x out).
// Backward with BackpropMode m and k keeps only the selected components of dy (see ops/TopK.h)
// and does the matching fraction of the work:
//   dense:        dx = dy W,            dW = dy^T x,            db = sum_b dy        O(B n m)
//   topk/random:  per example b, for its k indices i: dx_b += dy_bi W_i, dW_i += dy_bi x_b,
//                 db_i += dy_bi                                                       O(B k m)
//                 (denseBias: db = sum_b dy_b over every component, as the authors' C# code,
//                 whose bias is a separate addition that meProp does not sparsify)
//   unified:      gather the k shared columns: dx = dy_K W_K, dW_K = dy_K^T x       O(B k m)
// The sparse modes group the kept entries by output row, so each kept row of dW is read and
// written once per call however many examples keep it, and dx_b is one combination of k rows of
// W. When the work would exceed the dense products' (k close to n) the masked gradient goes through
// the dense GEMMs instead; unified with a large batch uses the gathered GEMMs.
// The result equals dense backward of maskedGradient(dy, selection) up to float rounding.
// The layer is written once for both devices: it runs on the backend it was given (backend/Backend.h;
// the CPU's by default), which also holds its tensors. On the GPU a non-finite gradient is
// reported at the backend's next synchronisation instead of at once.
// Throws ShapeError on mismatched shapes, ConfigError on k outside [1, out], NonFiniteGradient
// (naming the layer, before any gradient is written) when dy holds a NaN or an infinity, in every
// mode: the check rides on the selection's pass over dy where it has one (ops/TopK.h).
#include "backend/Backend.h"
#include "core/Parameter.h"
#include "core/Rng.h"
#include "core/Tensor.h"
#include "core/Timings.h"
#include "io/CheckpointStream.h"
#include "layers/Init.h"
#include "ops/TopK.h"

#include <cstdint>
#include <string>
#include <vector>

namespace meprop {

struct BackwardSpec {
    BackpropMode mode = BackpropMode::Dense;
    int k = 0;
    bool needInputGrad = true;  // false for the first layer: dx is not computed
    bool denseBias = false;     // sparse modes: the bias gets the full dy, not only the kept components
    Precision precision = Precision::Fp32;  // the GPU's product precision (the CPU computes in FP32)
};

class Linear {
public:
    Linear(int in, int out, Rng& rng, Init init = Init::XavierUniform, const std::string& name = "linear",
           Backend& backend = cpuBackend());

    int in() const { return static_cast<int>(m_w.value.cols()); }
    int out() const { return static_cast<int>(m_w.value.rows()); }
    const std::string& name() const { return m_name; }
    Backend& backend() const { return *m_be; }

    // y = x W^T + b. Keeps a copy of x for backward.
    void forward(const Tensor& x, Tensor& y);
    // Accumulates into weight().grad / bias().grad (which must be zeroed between steps) and writes
    // dx when spec.needInputGrad. Adds the time spent to *bpLinear when given (on the GPU: the
    // time to queue the work).
    void backward(const Tensor& dy, Tensor& dx, const BackwardSpec& spec, Rng& rng, double* bpLinear = nullptr);
    // Clears both gradients (O(touched rows) after a sparse backward).
    void zeroGrad();

    Parameter& weight() { return m_w; }
    Parameter& bias() { return m_b; }
    const Parameter& weight() const { return m_w; }
    const Parameter& bias() const { return m_b; }

    // The selection of the last backward (its host indices: downloaded from the GPU on request),
    // and how many times each output row got a gradient since the last resetCounts() (one count
    // per example that kept the row).
    const Selection& lastSelection() const;
    // k / n of the last backward's selection (1 before any): its shape alone, so that on the GPU
    // asking (the trainer does after every step) neither downloads the indices nor waits.
    double keptFraction() const;
    std::vector<std::uint64_t> updateCounts() const;
    void resetCounts();

    // Checkpoint state: weight, bias and update counts (io/CheckpointStream.h). load needs a layer
    // of the same shape and clears the gradients.
    void save(CheckpointWriter& w) const;
    void load(CheckpointReader& r);

private:
    Backend* m_be;
    std::string m_name;
    mutable Parameter m_w, m_b;  // mutable: save() refreshes the host mirrors of a GPU layer
    Tensor m_x;
    mutable Selection m_sel;
    mutable CountTensor m_counts;  // 1 x out
    Tensor m_denseBiasBase;        // the bias gradient before this backward (denseBias)
};

}  // namespace meprop
