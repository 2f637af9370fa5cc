#include "ops/RandomK.h"

#include "ops/CounterRng.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace meprop {

namespace {

// Up to kListMaxK members as a list: k compares per membership test beat clearing and reading back
// a bitmap of n bits when k is small (n = 500, k = 5: 37 ns against 70 ns).
constexpr int kListMaxK = 8;

struct SubsetList {
    int* members;
    int count = 0;
    bool contains(std::uint32_t i) const
    {
        bool found = false;
        for (int q = 0; q < count; ++q) found |= members[q] == static_cast<int>(i);
        return found;
    }
    void insert(std::uint32_t i) { members[count++] = static_cast<int>(i); }
};

}  // namespace

void randomKIndices(std::uint64_t key, std::uint64_t stream, int n, int k, int* out)
{
    if (k >= n) {  // every component; the stream's draws would mark all of them
        std::iota(out, out + n, 0);
        return;
    }
    if (k <= kListMaxK) {
        SubsetList list{out};
        drawRandomSubset(key, stream, n, k, list);
        std::sort(out, out + k);
        return;
    }
    thread_local std::vector<std::uint32_t> bits __attribute__((tls_model("initial-exec")));  // see CpuSparseLinear.cpp
    const std::size_t words = (static_cast<std::size_t>(n) + 31) / 32;
    bits.assign(words, 0u);
    SubsetBitmap bitmap{bits.data()};
    drawRandomSubset(key, stream, n, k, bitmap);
    int c = 0;
    for (std::size_t w = 0; w < words; ++w) {  // index order: ascending, no sort
        for (std::uint32_t x = bits[w]; x != 0u; x &= x - 1u) out[c++] = static_cast<int>(32 * w) + __builtin_ctz(x);
    }
}

}  // namespace meprop
