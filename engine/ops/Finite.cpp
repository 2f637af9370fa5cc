#include "ops/Finite.h"

#include <algorithm>
#include <cstring>

namespace meprop {

bool allFinite(const float* v, std::size_t n)
{
    // A NaN or an infinity has every exponent bit set, so with the sign cleared its bit pattern is
    // >= that of +infinity and above every finite float's. The unsigned max vectorises (no float
    // comparisons, which NaN would make unordered).
    std::uint32_t m = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint32_t b;
        std::memcpy(&b, v + i, sizeof b);
        m = std::max(m, b & 0x7fffffffu);
    }
    return m < kInfinityKey;
}

}  // namespace meprop
