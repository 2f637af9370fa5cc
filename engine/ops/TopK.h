#pragma once
// Selection of the gradient components meProp keeps.
//
// All selections return indices sorted ascending. Ties in |value| are broken towards the lower
// index, so a selection is a deterministic function of its input.
//
// Non-finite values. The order is total for every float: larger magnitude first, +-infinity above
// every finite value, NaN above infinity, all NaNs equal (so ties among them go to the lower index
// too). A NaN is therefore never dropped silently and never breaks the sort's contract. A NaN or an
// infinity in a gradient is also reported (Selection::finite, topKIndices' result): the layers
// throw NonFiniteGradient, as the GPU backend does, so training stops with one clear error.
#include "core/Rng.h"
#include "core/Tensor.h"
#include "ops/BackpropMode.h"
#include "ops/Finite.h"

#include <bit>
#include <cstdint>
#include <vector>

namespace meprop {

// The components kept for one minibatch gradient dy of shape (batch x n).
struct Selection {
    BackpropMode mode = BackpropMode::Dense;
    int batch = 0;
    int n = 0;
    int k = 0;  // kept per example (== n for Dense)
    // TopK/Random: batch*k indices, example b's k indices at [b*k, (b+1)*k).
    // Unified: k indices shared by every example. Dense: empty.
    // A GPU selection (backend/Backend.h) keeps them in deviceIndices (1 x count) and fills
    // `indices` only when downloaded.
    std::vector<int> indices;
    IndexTensor deviceIndices;
    int deviceFlag = -1;  // GPU: the backend's slot of this selection's non-finite flag
    // false: dy held a NaN or an infinity (Unified: a column's sum of |dy| was not finite, which
    // also covers a sum beyond the float range). The indices still follow the order above.
    bool finite = true;

    bool shared() const { return mode == BackpropMode::Unified; }
    // The k indices kept for example b.
    const int* row(int b) const { return indices.data() + (shared() ? 0 : static_cast<std::size_t>(b) * k); }
};

// The sort key of the order above: |v| as its bit pattern, every NaN mapped to one key just above
// +infinity's.
inline std::uint32_t magnitudeKey(float v)
{
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(v) & 0x7fffffffu;
    return bits > kInfinityKey ? kNaNKey : bits;
}

// Writes to out[0..k) the indices of the k largest |v[i]|, i < n, sorted ascending (the order
// above). O(n) on average (nth_element), not a sort. Requires 1 <= k <= n; scratch is reused
// memory. Returns false when some v[i] is NaN or infinite, true otherwise.
bool topKIndices(const float* v, int n, int k, int* out, std::vector<int>& scratch);

// Fills `sel` for gradient dy (batch x n) under `mode` keeping k per example, and sel.finite
// (every mode, Dense and Random included, checks dy). Throws ConfigError when k is outside [1, n]
// for a sparse mode. `rng` is used by Random only: one Rng::bits() draw per call, the key of the
// counter-based draws of ops/RandomK.h (example b is stream b).
void selectComponents(const Matrix& dy, BackpropMode mode, int k, Rng& rng, Selection& sel);

// Zero every component of dy that `sel` does not keep (the reference "masked dense" gradient).
Matrix maskedGradient(const Matrix& dy, const Selection& sel);

}  // namespace meprop
