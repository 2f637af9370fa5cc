#include "cuda/RandomK.cuh"

#include "cuda/Check.cuh"
#include "ops/CounterRng.h"

namespace meprop::cuda {

namespace {

constexpr unsigned kFullMask = 0xffffffffu;
constexpr int kMaxSharedWords = 12 * 1024;  // 48 KiB of bitmap: rows up to 393216 components

// One warp per row: lane 0 draws the row's subset into a zeroed bitmap (Floyd's algorithm is
// sequential, k draws), then the warp writes the marked components in index order, 32 words per
// pass with a warp scan of their popcounts giving each word its output position.
__global__ void randomKRowsKernel(std::uint64_t key, int n, int k, int* __restrict__ out, unsigned* __restrict__ globalBits)
{
    extern __shared__ unsigned sharedBits[];
    const int row = blockIdx.x;
    const int lane = static_cast<int>(threadIdx.x);
    const int words = (n + 31) / 32;
    unsigned* bits = globalBits ? globalBits + static_cast<std::size_t>(row) * words : sharedBits;
    for (int w = lane; w < words; w += 32) bits[w] = 0u;
    __syncwarp();
    if (lane == 0) {
        SubsetBitmap bitmap{reinterpret_cast<std::uint32_t*>(bits)};
        drawRandomSubset(key, static_cast<std::uint64_t>(row), n, k, bitmap);
    }
    __syncwarp();
    int* rowOut = out + static_cast<std::size_t>(row) * k;
    int base = 0;
    for (int w0 = 0; w0 < words; w0 += 32) {
        const int w = w0 + lane;
        unsigned x = w < words ? bits[w] : 0u;
        const int count = __popc(x);
        int incl = count;
        for (int d = 1; d < 32; d <<= 1) {
            const int y = __shfl_up_sync(kFullMask, incl, d);
            if (lane >= d) incl += y;
        }
        int pos = base + incl - count;
        for (; x != 0u; x &= x - 1u) rowOut[pos++] = 32 * w + __ffs(static_cast<int>(x)) - 1;
        base += __shfl_sync(kFullMask, incl, 31);
    }
}

}  // namespace

std::size_t randomKScratchWords(int rows, int n)
{
    const std::size_t words = (static_cast<std::size_t>(n) + 31) / 32;
    return words <= static_cast<std::size_t>(kMaxSharedWords) ? 0 : static_cast<std::size_t>(rows) * words;
}

void randomKRows(std::uint64_t key, int rows, int n, int k, int* out, unsigned* scratch, cudaStream_t stream)
{
    if (rows <= 0) return;
    const std::size_t words = (static_cast<std::size_t>(n) + 31) / 32;
    const bool shared = randomKScratchWords(rows, n) == 0;
    randomKRowsKernel<<<rows, 32, shared ? words * sizeof(unsigned) : 0, stream>>>(key, n, k, out, shared ? nullptr : scratch);
    MEPROP_CUDA_CHECK_LAUNCH("randomKRowsKernel");
}

}  // namespace meprop::cuda
