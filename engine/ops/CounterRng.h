#pragma once
// Counter-based random draws, written once for the CPU and the GPU: the draws of stream s under a
// key are a pure function of (key, s), so every device and every thread order computes the same
// values without sharing a generator's state. The Random meProp mode (ops/RandomK.h) draws the
// components of each example, or of each LSTM step's gate block, as one such stream.
//
// Plain C++17 integer arithmetic: nvcc compiles it into kernels (cuda/RandomK.cu), the host
// compilers into the CPU's selection, with the same results bit for bit.
#include <cstdint>

#if defined(__CUDACC__)
#define MEPROP_HOST_DEVICE __host__ __device__
#else
#define MEPROP_HOST_DEVICE
#endif

namespace meprop {

// 2^64 / golden ratio (odd): SplitMix64's Weyl increment.
constexpr std::uint64_t kWeyl64 = 0x9e3779b97f4a7c15ull;

// SplitMix64's output function (Stafford's mix13): a bijection of 64-bit words with full
// avalanche.
MEPROP_HOST_DEVICE inline std::uint64_t splitMix64(std::uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// The seed of stream `stream` under `key`: output stream + 1 of the SplitMix64 generator seeded
// with key, so the streams of one key are independent draws.
MEPROP_HOST_DEVICE inline std::uint64_t streamSeed(std::uint64_t key, std::uint64_t stream)
{
    return splitMix64(key + (stream + 1) * kWeyl64);
}

// The draws of one stream: a SplitMix64 generator (Steele, Lea and Flood 2014; it passes BigCrush)
// seeded with streamSeed(key, stream).
class CounterStream {
public:
    MEPROP_HOST_DEVICE CounterStream(std::uint64_t key, std::uint64_t stream) : m_state(streamSeed(key, stream)) {}

    MEPROP_HOST_DEVICE std::uint64_t next()
    {
        m_state += kWeyl64;
        return splitMix64(m_state);
    }

    // Uniform in [0, m), m >= 1: Lemire's nearly divisionless method (as core/Rng.h below), exact:
    // a further draw only when the product's low half falls below 2^64 mod m (probability < m / 2^64).
    MEPROP_HOST_DEVICE std::uint64_t below(std::uint64_t m)
    {
        std::uint64_t hi, lo;
        multiply(next(), m, hi, lo);
        if (lo < m) {
            const std::uint64_t threshold = (0 - m) % m;
            while (lo < threshold) multiply(next(), m, hi, lo);
        }
        return hi;
    }

private:
    // The 128-bit product a * b as its halves.
    MEPROP_HOST_DEVICE static void multiply(std::uint64_t a, std::uint64_t b, std::uint64_t& hi, std::uint64_t& lo)
    {
#if defined(__CUDA_ARCH__)
        hi = __umul64hi(a, b);
        lo = a * b;
#else
        __extension__ using U128 = unsigned __int128;
        const U128 p = static_cast<U128>(a) * b;
        hi = static_cast<std::uint64_t>(p >> 64);
        lo = static_cast<std::uint64_t>(p);
#endif
    }

    std::uint64_t m_state;
};

// Draws a uniformly random k-subset of [0, n), 0 <= k <= n, from stream `stream` under `key` into
// `set` (empty on entry; set.contains(i), set.insert(i)): Floyd's algorithm (Bentley and Floyd
// 1987), k draws t = below(j + 1) for j = n - k .. n - 1, each inserting t unless the set holds it
// already, else j (larger than every member so far). Which container holds the set does not
// change the subset.
template <class Set>
MEPROP_HOST_DEVICE inline void drawRandomSubset(std::uint64_t key, std::uint64_t stream, int n, int k, Set& set)
{
    CounterStream draws(key, stream);
    for (int j = n - k; j < n; ++j) {
        const auto t = static_cast<std::uint32_t>(draws.below(static_cast<std::uint64_t>(j) + 1));
        set.insert(set.contains(t) ? static_cast<std::uint32_t>(j) : t);
    }
}

// The set as a bitmap of ceil(n / 32) words, zero on entry: component i is bit i % 32 of word i / 32.
struct SubsetBitmap {
    std::uint32_t* bits;
    MEPROP_HOST_DEVICE bool contains(std::uint32_t i) const { return (bits[i >> 5] & (1u << (i & 31u))) != 0u; }
    MEPROP_HOST_DEVICE void insert(std::uint32_t i) { bits[i >> 5] |= 1u << (i & 31u); }
};

}  // namespace meprop
