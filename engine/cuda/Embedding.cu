#include "cuda/Embedding.cuh"

#include "cuda/Check.cuh"

#include <cstddef>

namespace meprop::cuda {

namespace {

constexpr int kThreads = 128;

unsigned ySize(long count)
{
    return static_cast<unsigned>(count < 65535 ? (count > 0 ? count : 1) : 65535);  // the limit of gridDim.y
}

int blocksFor(std::size_t total)
{
    const std::size_t blocks = (total + kThreads - 1) / kThreads;
    return static_cast<int>(blocks < 65535 ? (blocks ? blocks : 1) : 65535);
}

// grid (column chunks, lookups grid-strided over y).
__global__ void gatherKernel(const float* __restrict__ table, int d, const int* __restrict__ ids, int ldIds, int idCol0, int idCount,
                             int total, float* __restrict__ x, int ldx, int xCol0)
{
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    if (c >= d) return;
    for (int p = blockIdx.y; p < total; p += gridDim.y) {
        const int b = p / idCount, j = p % idCount;
        const int id = ids[static_cast<std::size_t>(b) * ldIds + idCol0 + j];
        x[static_cast<std::size_t>(b) * ldx + xCol0 + static_cast<std::size_t>(j) * d + c] = table[static_cast<std::size_t>(id) * d + c];
    }
}

__global__ void keysKernel(const int* __restrict__ ids, int ldIds, int idCol0, int idCount, int total, unsigned* __restrict__ keys,
                           int* __restrict__ positions)
{
    for (int p = blockIdx.x * blockDim.x + threadIdx.x; p < total; p += gridDim.x * blockDim.x) {
        const int b = p / idCount, j = p % idCount;
        keys[p] = static_cast<unsigned>(ids[static_cast<std::size_t>(b) * ldIds + idCol0 + j]);
        positions[p] = p;
    }
}

// grid (column chunks, table rows grid-strided over y): each present row sums its occurrences in
// ascending position order onto its gradient.
__global__ void scatterKernel(const float* __restrict__ dx, int ldx, int xCol0, int idCount, int d, int vocab,
                              const int* __restrict__ positions, const int* __restrict__ start, const int* __restrict__ end,
                              float* __restrict__ grad, unsigned char* __restrict__ touched)
{
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    for (int r = blockIdx.y; r < vocab; r += gridDim.y) {
        const int s = start[r], e = end[r];
        if (s == e) continue;
        if (c < d) {
            float acc = grad[static_cast<std::size_t>(r) * d + c];
            for (int t = s; t < e; ++t) {
                const int p = positions[t];
                const int b = p / idCount, j = p % idCount;
                acc += dx[static_cast<std::size_t>(b) * ldx + xCol0 + static_cast<std::size_t>(j) * d + c];
            }
            grad[static_cast<std::size_t>(r) * d + c] = acc;
        }
        if (touched && blockIdx.x == 0 && threadIdx.x == 0) touched[r] = 1;
    }
}

}  // namespace

void embeddingGather(const float* table, int d, const int* ids, int ldIds, int idCol0, int idCount, int batch, float* x, int ldx,
                     int xCol0, cudaStream_t stream)
{
    const long total = static_cast<long>(batch) * idCount;
    if (total == 0 || d == 0) return;
    const dim3 grid((d + kThreads - 1) / kThreads, ySize(total));
    gatherKernel<<<grid, kThreads, 0, stream>>>(table, d, ids, ldIds, idCol0, idCount, static_cast<int>(total), x, ldx, xCol0);
    MEPROP_CUDA_CHECK_LAUNCH("embedding gatherKernel");
}

void embeddingScatterAdd(const float* dx, int ldx, int xCol0, const int* ids, int ldIds, int idCol0, int idCount, int batch, int d,
                         int vocab, float* grad, unsigned char* touched, DeviceBuffer<unsigned>& keys, DeviceBuffer<int>& positions,
                         RowGroupScratch& scratch, cudaStream_t stream)
{
    const std::size_t total = static_cast<std::size_t>(batch) * idCount;
    if (total == 0 || d == 0 || vocab == 0) return;
    keys.reserve(total);
    positions.reserve(total);
    const int count = static_cast<int>(total);
    keysKernel<<<blocksFor(total), kThreads, 0, stream>>>(ids, ldIds, idCol0, idCount, count, keys.data(), positions.data());
    MEPROP_CUDA_CHECK_LAUNCH("embedding keysKernel");
    groupPairsByKey(keys.data(), positions.data(), count, vocab, scratch, stream);
    const dim3 grid((d + kThreads - 1) / kThreads, ySize(vocab));
    scatterKernel<<<grid, kThreads, 0, stream>>>(dx, ldx, xCol0, idCount, d, vocab, scratch.sortedExamples.data(), scratch.start.data(),
                                                 scratch.end.data(), grad, touched);
    MEPROP_CUDA_CHECK_LAUNCH("embedding scatterKernel");
}

}  // namespace meprop::cuda
