#include "ops/Finite.h"

#include <algorithm>
#include <cstring>
#ifdef __AVX2__
#include <immintrin.h>
#endif

namespace meprop {

bool allFinite(const float* v, std::size_t n)
{
    // A NaN or an infinity has every exponent bit set, so with the sign cleared its bit pattern is
    // >= that of +infinity and above every finite float's: an unsigned max over the patterns (no
    // float comparison, which NaN would make unordered).
    std::size_t i = 0;
    std::uint32_t m = 0;
#ifdef __AVX2__
    // Four independent accumulators: the loop runs at the load rate, not at vpmaxud's latency.
    const __m256i magnitude = _mm256_set1_epi32(0x7fffffff);
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_max_epu32(a0, _mm256_and_si256(magnitude, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + i))));
        a1 = _mm256_max_epu32(a1, _mm256_and_si256(magnitude, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + i + 8))));
        a2 = _mm256_max_epu32(a2, _mm256_and_si256(magnitude, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + i + 16))));
        a3 = _mm256_max_epu32(a3, _mm256_and_si256(magnitude, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + i + 24))));
    }
    const __m256i all = _mm256_max_epu32(_mm256_max_epu32(a0, a1), _mm256_max_epu32(a2, a3));
    alignas(32) std::uint32_t lanes[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), all);
    for (std::uint32_t lane : lanes) m = std::max(m, lane);
#endif
    for (; i < n; ++i) {
        std::uint32_t b;
        std::memcpy(&b, v + i, sizeof b);
        m = std::max(m, b & 0x7fffffffu);
    }
    return m < kInfinityKey;
}

}  // namespace meprop
