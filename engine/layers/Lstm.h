#pragma once
// One direction of an LSTM over a sentence, with meProp back propagation through time.
//
// Shapes: x (T x in), h (T x H), W (4H x in), U (4H x H), b (1 x 4H). The 4H gate rows are four
// blocks of H: [input i | forget f | candidate g | output o]. Per step t (in processing order;
// a reverse LSTM processes t = T-1 .. 0 and its "previous" step is t+1):
//   a_t = W x_t + U h_prev + b
//   i = sigmoid(a_i), f = sigmoid(a_f), g = tanh(a_g), o = sigmoid(a_o)
//   c_t = f * c_prev + i * g,   h_t = o * tanh(c_t)          (h_prev = c_prev = 0 at the first step)
//
// meProp acts on da_t, the gradient of the gate pre-activations, which feeds the two matrix
// products of a step (W x_t and U h_prev). With BackwardSpec{mode, k}, k applies to EACH gate block:
//   dense:   all 4H components (k ignored)
//   topk:    per step, the k largest |da| of each block (4k of 4H per step; k = H equals dense)
//   random:  per step, k uniformly random components of each block (ops/RandomK.h: one key from
//            the rng per backward, block j of step t is stream 4 t + j)
//   unified: one set of k per block shared by every step of the sentence. The exact sum over time of
//            |da_t| is not known before BPTT has run (each da_t depends on the later steps' masks), so
//            the shared set is ranked by the sum over t of |local da_t|, the gate gradient each step
//            receives directly from dh_t (the layer above), without the recurrent terms. The gradient
//            computed with that set is still the exact gradient of the masked computation.
// Only the selected rows of W, U and b get a gradient and only they are read in backward
// (spec.denseBias: b gets the sum over t of the whole da_t, as a bias outside meProp's products):
//   dense:  dW = DA^T X, dU = DA'^T H', db = sum DA, dX = DA W, dh_prev = U^T da_t    O(T 4H (in+H))
//   sparse: per kept row r: dW_r += da_r x_t, dU_r += da_r h_prev, dx_t += da_r W_r,
//           dh_prev += da_r U_r                                                        O(T 4k (in+H))
//   (topk/random: only dh_prev is computed inside the time loop; the weight gradients and dx are
//   accumulated after it, grouped by row, so each touched row is streamed once per sentence.
//   unified: one gather of the 4k rows, then matrix products over the sentence.)
// The element-wise gate and cell recurrences (O(T H)) stay dense: meProp only sparsifies the
// gradient flowing into the matrix products, as in the paper. The result equals dense BPTT in which
// every da_t is masked to the selection before its use, up to float rounding.
// Gradients accumulate into the parameters' grad (zero them between updates).
// Throws ShapeError on mismatched shapes, ConfigError for k outside [1, H] in a sparse mode,
// NonFiniteGradient (naming the layer, before any weight gradient is written) when dh or a gate
// gradient that the products use holds a NaN or an infinity, in every mode (topk: found by the
// selection of each step; dense: one pass over da; unified/random: dh and the kept entries). A NaN
// reaching a selection ranks as ops/TopK.h says.
// The layer is written once for both devices: it runs on the backend it was given (the CPU's by
// default), whose whole-sentence operations lstmForward/lstmBackward (backend/Backend.h) hold the
// recurrence; on the GPU a non-finite gradient is reported at the backend's next synchronisation.
#include "backend/Backend.h"
#include "core/Parameter.h"
#include "core/Rng.h"
#include "core/Tensor.h"
#include "io/CheckpointStream.h"
#include "layers/Linear.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace meprop {

class Lstm {
public:
    // Weights uniform in [-1/sqrt(H), 1/sqrt(H)] (as PyTorch), or, when `init` is given, each gate
    // block of W and U from initWeights(init, fanIn = in or H, fanOut = H); forget-gate bias 1.
    Lstm(int in, int hidden, Rng& rng, bool reverse = false, const std::string& name = "lstm",
         std::optional<Init> init = std::nullopt, Backend& backend = cpuBackend());

    int in() const { return static_cast<int>(m_w.value.cols()); }
    int hidden() const { return static_cast<int>(m_u.value.cols()); }
    bool reverse() const { return m_reverse; }
    const std::string& name() const { return m_name; }
    Backend& backend() const { return *m_be; }

    // x (T x in), T >= 1  ->  h (T x H); row t is the state after reading x_t. Keeps what backward needs.
    void forward(const Tensor& x, Tensor& h);
    // Inference for several sequences at once on the host values of the weights (keeps no state
    // for backward; a GPU layer needs downloadValues() first): xs[b] (T_b x in) -> hs[b] (T_b x H),
    // equal to forward() of each. Each time step is one matrix-matrix product over the sequences
    // still running instead of one matrix-vector product per sequence.
    void forwardMany(const std::vector<const Matrix*>& xs, std::vector<Matrix>& hs) const;
    // dh (T x H): dLoss/dh_t from the layer above. Accumulates the parameter gradients; writes dx
    // (T x in) when spec.needInputGrad. Adds the time of the matrix products and the selection to
    // *bpLinear when given.
    void backward(const Tensor& dh, Tensor& dx, const BackwardSpec& spec, Rng& rng, double* bpLinear = nullptr);
    // The host mirrors of W, U and b get the values (GPU; nothing on the CPU).
    void downloadValues() const;
    // Clears the three gradients through the backend.
    void zeroGrad();

    Parameter& inputWeight() { return m_w; }
    Parameter& recurrentWeight() { return m_u; }
    Parameter& bias() { return m_b; }
    const Parameter& inputWeight() const { return m_w; }
    const Parameter& recurrentWeight() const { return m_u; }
    const Parameter& bias() const { return m_b; }

    // The last backward's selection: keptPerStep() rows (of 4H) per time step, stepRows(t) lists
    // those of step t (sorted ascending); dense keeps all 4H and lists none. (GPU: the rows are
    // downloaded on the first call after a backward.)
    BackpropMode lastMode() const { return m_mode; }
    int keptPerStep() const { return m_kept; }
    const int* stepRows(int t) const;
    // Union over the time steps of the rows that got a gradient in the last backward (sorted).
    std::vector<int> lastRows() const;
    // Per gate row: how many time steps gave it a gradient since the last resetCounts().
    std::vector<std::uint64_t> updateCounts() const;
    void resetCounts();

    // Checkpoint state: W, U, b and the update counts. load needs an LSTM of the same shape and
    // clears the gradients.
    void save(CheckpointWriter& w) const;
    void load(CheckpointReader& r);

private:
    int step(int s, int T) const { return m_reverse ? T - 1 - s : s; }
    void hostSelection() const;

    Backend* m_be;
    std::string m_name;
    bool m_reverse;
    mutable Parameter m_w, m_u, m_b;  // mutable: save() refreshes the host mirrors of a GPU layer
    // Forward state.
    Tensor m_x;
    LstmState m_st;
    // Last selection.
    BackpropMode m_mode = BackpropMode::Dense;
    int m_kept = 0;
    mutable IndexTensor m_sel;  // T x keptPerStep()
    mutable bool m_selOnHost = true;
    mutable CountTensor m_counts;  // 1 x 4H
};

}  // namespace meprop
