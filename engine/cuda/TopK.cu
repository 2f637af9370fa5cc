#include "cuda/TopK.cuh"

#include "cuda/Check.cuh"

#include <cstdint>

namespace meprop::cuda {

namespace {

constexpr unsigned kFullMask = 0xffffffffu;

constexpr unsigned kInfinityKey = 0x7f800000u;

// |x| as an unsigned whose order is the order of the magnitudes (IEEE 754 without the sign bit),
// every NaN mapped to one key just above +infinity's: the CPU's order (ops/TopK.h magnitudeKey).
__device__ __forceinline__ unsigned magnitudeKey(float x)
{
    const unsigned bits = __float_as_uint(x) & 0x7fffffffu;
    return bits > kInfinityKey ? kInfinityKey + 1u : bits;
}

// Exclusive prefix sum over the block of `x`; *total receives the block's sum. All threads of the
// block must call it; `warpSums` is shared scratch of 32 entries.
__device__ unsigned blockExclusiveScan(unsigned x, unsigned* warpSums, unsigned* total)
{
    const unsigned lane = threadIdx.x & 31u, warp = threadIdx.x >> 5;
    const unsigned nWarps = (blockDim.x + 31u) >> 5;
    unsigned incl = x;
    for (unsigned d = 1; d < 32; d <<= 1) {
        const unsigned y = __shfl_up_sync(kFullMask, incl, d);
        if (lane >= d) incl += y;
    }
    if (lane == 31) warpSums[warp] = incl;
    __syncthreads();
    if (warp == 0) {
        unsigned s = lane < nWarps ? warpSums[lane] : 0u;
        for (unsigned d = 1; d < 32; d <<= 1) {
            const unsigned y = __shfl_up_sync(kFullMask, s, d);
            if (lane >= d) s += y;
        }
        if (lane < nWarps) warpSums[lane] = s;  // inclusive over warps
    }
    __syncthreads();
    const unsigned before = (warp > 0 ? warpSums[warp - 1] : 0u) + incl - x;
    *total = warpSums[nWarps - 1];
    __syncthreads();  // warpSums may be reused by the next call
    return before;
}

// One block per row. kShared: the row's keys are staged in dynamic shared memory (n fits).
// nonFinite (may be null): set to 1 when a value of the row is NaN or infinite (the first
// histogram pass reads every key once).
template <bool kShared>
__global__ void radixTopKKernel(const float* __restrict__ v, int n, int ld, int k, int* __restrict__ out,
                                unsigned* __restrict__ nonFinite)
{
    extern __shared__ unsigned sharedKeys[];
    __shared__ unsigned hist[256];
    __shared__ unsigned warpSums[32];
    __shared__ unsigned sPrefix, sRemaining;

    const float* row = v + static_cast<std::size_t>(blockIdx.x) * ld;
    int* rowOut = out + static_cast<std::size_t>(blockIdx.x) * k;
    if (kShared) {
        for (int i = threadIdx.x; i < n; i += blockDim.x) sharedKeys[i] = magnitudeKey(row[i]);
    }
    auto key = [&](int i) { return kShared ? sharedKeys[i] : magnitudeKey(__ldg(row + i)); };

    // Find K, the k-th largest key, one byte at a time from the top: `prefix` holds the bytes fixed
    // so far (under `mask`), `remaining` how many of the keys matching it still belong to the top k.
    unsigned prefix = 0, mask = 0, remaining = static_cast<unsigned>(k);
    for (int shift = 24; shift >= 0; shift -= 8) {
        for (int b = threadIdx.x; b < 256; b += blockDim.x) hist[b] = 0;
        __syncthreads();
        bool bad = false;
        for (int i = threadIdx.x; i < n; i += blockDim.x) {
            const unsigned x = key(i);
            bad |= x >= kInfinityKey;
            if ((x & mask) == prefix) atomicAdd(&hist[(x >> shift) & 255u], 1u);
        }
        if (shift == 24 && bad && nonFinite) *nonFinite = 1u;  // any thread may write it: same value
        __syncthreads();
        if (threadIdx.x < 32) {
            // Lane l owns bins 255-8l down to 248-8l; a warp scan from the top finds the bin where
            // the running count reaches `remaining`.
            const unsigned lane = threadIdx.x;
            unsigned local = 0;
            for (int j = 0; j < 8; ++j) local += hist[255 - 8 * lane - j];
            unsigned incl = local;
            for (unsigned d = 1; d < 32; d <<= 1) {
                const unsigned y = __shfl_up_sync(kFullMask, incl, d);
                if (lane >= d) incl += y;
            }
            const unsigned ballot = __ballot_sync(kFullMask, incl >= remaining);
            if (lane == static_cast<unsigned>(__ffs(ballot) - 1)) {
                unsigned above = incl - local;
                for (int j = 0; j < 8; ++j) {
                    const unsigned bin = 255u - 8u * lane - j;
                    if (above + hist[bin] >= remaining) {
                        sPrefix = prefix | (bin << shift);
                        sRemaining = remaining - above;
                        break;
                    }
                    above += hist[bin];
                }
            }
        }
        __syncthreads();
        prefix = sPrefix;
        remaining = sRemaining;
        mask |= 255u << shift;
    }
    // Keys > K are all kept; of the keys == K the `needEqual` with the lowest indices are kept.
    // Walking tiles in index order with one scan of packed (greater, equal) counts gives each kept
    // element its output position, so the indices come out ascending.
    const unsigned kth = prefix, needEqual = remaining;
    unsigned greaterSoFar = 0, equalSoFar = 0;
    for (int base = 0; base < n; base += blockDim.x) {
        const int i = base + static_cast<int>(threadIdx.x);
        const unsigned x = i < n ? key(i) : 0u;
        const bool greater = i < n && x > kth;
        const bool equal = i < n && x == kth;
        unsigned total;
        const unsigned before = blockExclusiveScan((greater ? 0x10000u : 0u) | (equal ? 1u : 0u), warpSums, &total);
        const unsigned greaterBefore = greaterSoFar + (before >> 16);
        const unsigned equalBefore = equalSoFar + (before & 0xffffu);
        if (greater || (equal && equalBefore < needEqual))
            rowOut[greaterBefore + min(equalBefore, needEqual)] = i;
        greaterSoFar += total >> 16;
        equalSoFar += total & 0xffffu;
    }
}

// Block (32 x 32): 32 columns per block, 32 row lanes each summing a strided part of the batch, then
// a fixed-order reduction in shared memory (deterministic, unlike atomics).
__global__ void columnAbsSumKernel(const float* __restrict__ dy, int batch, int n, float* __restrict__ score)
{
    __shared__ float partial[32][33];
    const int col = blockIdx.x * 32 + threadIdx.x;
    float s = 0.0f;
    if (col < n)
        for (int b = threadIdx.y; b < batch; b += 32) s += fabsf(dy[static_cast<std::size_t>(b) * n + col]);
    partial[threadIdx.y][threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.y == 0 && col < n) {
        float t = 0.0f;
        for (int r = 0; r < 32; ++r) t += partial[r][threadIdx.x];
        score[col] = t;
    }
}

constexpr int kMaxSharedKeys = 11 * 1024;  // 44 KiB of keys + the static arrays stay under 48 KiB

void launchRadix(const float* v, int rows, int n, int ld, int k, int* out, unsigned* nonFinite, int threads, cudaStream_t stream)
{
    if (n <= kMaxSharedKeys)
        radixTopKKernel<true><<<rows, threads, static_cast<std::size_t>(n) * sizeof(unsigned), stream>>>(v, n, ld, k, out, nonFinite);
    else
        radixTopKKernel<false><<<rows, threads, 0, stream>>>(v, n, ld, k, out, nonFinite);
    MEPROP_CUDA_CHECK_LAUNCH("radixTopKKernel");
}

}  // namespace

void topKRows(const float* v, int rows, int n, int ld, int k, int* out, cudaStream_t stream, unsigned* nonFinite)
{
    if (rows <= 0) return;
    launchRadix(v, rows, n, ld, k, out, nonFinite, n >= 4096 ? 512 : 256, stream);
}

void columnAbsSum(const float* dy, int batch, int n, float* score, cudaStream_t stream)
{
    columnAbsSumKernel<<<(n + 31) / 32, dim3(32, 32), 0, stream>>>(dy, batch, n, score);
    MEPROP_CUDA_CHECK_LAUNCH("columnAbsSumKernel");
}

void unifiedTopK(const float* dy, int batch, int n, int k, float* score, int* out, cudaStream_t stream, unsigned* nonFinite)
{
    columnAbsSum(dy, batch, n, score, stream);
    // One row of n scores: a full block of 1024 threads.
    launchRadix(score, 1, n, n, k, out, nonFinite, 1024, stream);
}

}  // namespace meprop::cuda
