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
// Throws ShapeError on mismatched shapes, ConfigError on k outside [1, out], NonFiniteGradient
// (naming the layer, before any gradient is written) when dy holds a NaN or an infinity, in every
// mode: the check rides on the selection's pass over dy where it has one (ops/TopK.h).
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
};

class Linear {
public:
    Linear(int in, int out, Rng& rng, Init init = Init::XavierUniform, const std::string& name = "linear");

    int in() const { return static_cast<int>(m_w.value.cols()); }
    int out() const { return static_cast<int>(m_w.value.rows()); }
    const std::string& name() const { return m_name; }

    // y = x W^T + b. Keeps a copy of x for backward.
    void forward(const Matrix& x, Matrix& y);
    // Accumulates into weight().grad / bias().grad (which must be zeroed between steps) and writes
    // dx when spec.needInputGrad. Adds the time spent to *bpLinear when given.
    void backward(const Matrix& dy, Matrix& dx, const BackwardSpec& spec, Rng& rng, double* bpLinear = nullptr);

    Parameter& weight() { return m_w; }
    Parameter& bias() { return m_b; }
    const Parameter& weight() const { return m_w; }
    const Parameter& bias() const { return m_b; }

    // The selection of the last backward, and how many times each output row got a gradient since
    // the last resetCounts() (one count per example that kept the row).
    const Selection& lastSelection() const { return m_sel; }
    const std::vector<std::uint64_t>& updateCounts() const { return m_counts; }
    void resetCounts() { std::fill(m_counts.begin(), m_counts.end(), 0); }

    // Checkpoint state: weight, bias and update counts (io/CheckpointStream.h). load needs a layer
    // of the same shape and clears the gradients.
    void save(CheckpointWriter& w) const;
    void load(CheckpointReader& r);

private:
    std::string m_name;
    Parameter m_w, m_b;
    Matrix m_x;
    Selection m_sel;
    std::vector<std::uint64_t> m_counts;
    Matrix m_dyK, m_wK, m_dwK, m_dyMasked;
    RowVector m_denseBiasBase;  // the bias gradient before this backward (denseBias)
    // Sparse backward scratch: the selected (example, component) entries grouped by output row as
    // linked lists (m_head[r] = first entry or -1, kept all -1 between calls), the rows kept by at
    // least one example, and the coefficients and source rows of one combination.
    std::vector<int> m_head, m_next, m_union;
    std::vector<float> m_coef;
    std::vector<const float*> m_src;

    void backwardUnifiedGemm(const Matrix& dy, Matrix& dx, bool needInputGrad);
    void backwardMaskedGemm(const Matrix& dy, Matrix& dx, bool needInputGrad);
    void backwardSparseRows(const Matrix& dy, Matrix& dx, bool needInputGrad);
};

}  // namespace meprop
