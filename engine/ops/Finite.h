#pragma once
// The finiteness check of a gradient: the one test every backward path applies before it uses a
// gradient (ops/TopK.h reports the same where its selection already reads every value).
#include <cstddef>
#include <cstdint>

namespace meprop {

// |v| as an unsigned whose order is the order of the magnitudes, NaN above +infinity and all NaNs
// equal: the key of the selection order (ops/TopK.h, the LSTM's selection, cuda/TopK.cu).
inline constexpr std::uint32_t kInfinityKey = 0x7f800000u;
inline constexpr std::uint32_t kNaNKey = kInfinityKey + 1;

// True when none of v[0..n) is NaN or an infinity. One pass, vectorised (an integer max over the
// magnitudes' bit patterns), no early exit.
bool allFinite(const float* v, std::size_t n);

}  // namespace meprop
