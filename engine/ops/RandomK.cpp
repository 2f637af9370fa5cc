#include "ops/RandomK.h"

#include "ops/CounterRng.h"

#include <numeric>
#include <vector>

namespace meprop {

void randomKIndices(std::uint64_t key, std::uint64_t stream, int n, int k, int* out)
{
    if (k >= n) {  // every component; the stream's draws would mark all of them
        std::iota(out, out + n, 0);
        return;
    }
    thread_local std::vector<std::uint32_t> bits __attribute__((tls_model("initial-exec")));  // see CpuSparseLinear.cpp
    const std::size_t words = (static_cast<std::size_t>(n) + 31) / 32;
    bits.assign(words, 0u);
    markRandomSubset(key, stream, n, k, bits.data());
    int c = 0;
    for (std::size_t w = 0; w < words; ++w) {
        for (std::uint32_t x = bits[w]; x != 0u; x &= x - 1u) out[c++] = static_cast<int>(32 * w) + __builtin_ctz(x);
    }
}

}  // namespace meprop
