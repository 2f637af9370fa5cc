#include "cuda/SparseLinear.cuh"

#include "cuda/Check.cuh"

#include <cub/device/device_radix_sort.cuh>

#include <cstddef>

namespace meprop::cuda {

namespace {

constexpr int kThreads = 256;

__global__ void addBiasKernel(float* __restrict__ y, int batch, int n, const float* __restrict__ b)
{
    const std::size_t total = static_cast<std::size_t>(batch) * n;
    for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < total;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
        y[i] += b[i % n];
}

__global__ void addToCountsKernel(unsigned long long* __restrict__ counts, int n, unsigned long long amount)
{
    for (int r = blockIdx.x * blockDim.x + threadIdx.x; r < n; r += gridDim.x * blockDim.x) counts[r] += amount;
}

__global__ void denseBiasGradKernel(const float* __restrict__ dy, int batch, int n, float* __restrict__ db,
                                    unsigned char* __restrict__ touched, unsigned long long* __restrict__ counts,
                                    unsigned* __restrict__ nonFinite)
{
    __shared__ float partial[32][33];
    const int col = blockIdx.x * 32 + threadIdx.x;
    float s = 0.0f;
    bool bad = false;
    if (col < n)
        for (int b = threadIdx.y; b < batch; b += 32) {
            const float v = dy[static_cast<std::size_t>(b) * n + col];
            bad |= (__float_as_uint(v) & 0x7f800000u) == 0x7f800000u;  // NaN or infinity
            s += v;
        }
    if (bad && nonFinite) *nonFinite = 1u;
    partial[threadIdx.y][threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.y == 0 && col < n) {
        float t = 0.0f;
        for (int r = 0; r < 32; ++r) t += partial[r][threadIdx.x];
        db[col] += t;
        if (touched) touched[col] = 1;
        if (counts) counts[col] += static_cast<unsigned long long>(batch);
    }
}

// Blocks [0, rowBlocks) copy rows of W (grid-strided over in), the rest copy dy's columns.
__global__ void gatherUnifiedKernel(const float* __restrict__ dy, int batch, int n, const int* __restrict__ idx, int k,
                                    const float* __restrict__ W, int in, float* __restrict__ dyK, float* __restrict__ wK,
                                    int rowBlocks)
{
    if (static_cast<int>(blockIdx.x) < rowBlocks) {
        const int perRow = rowBlocks / k;
        const int j = blockIdx.x / perRow;
        const float* src = W + static_cast<std::size_t>(idx[j]) * in;
        float* dst = wK + static_cast<std::size_t>(j) * in;
        for (int c = (blockIdx.x % perRow) * blockDim.x + threadIdx.x; c < in; c += perRow * blockDim.x) dst[c] = src[c];
        return;
    }
    const std::size_t total = static_cast<std::size_t>(batch) * k;
    for (std::size_t i = (blockIdx.x - rowBlocks) * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < total;
         i += static_cast<std::size_t>(gridDim.x - rowBlocks) * blockDim.x) {
        const std::size_t b = i / k;
        const int j = static_cast<int>(i % k);
        dyK[i] = dy[b * n + idx[j]];
    }
}

// grid (column chunks, min(k, 65535)). Block (x, y) adds its chunk of dWK rows j = y, y + gridDim.y,
// ... into dW rows idx[j]; the blocks with x == 0 also reduce those rows' bias gradient in a fixed order.
__global__ void scatterUnifiedKernel(const float* __restrict__ dWK, const float* __restrict__ dyK, int batch, int k, int in,
                                     const int* __restrict__ idx, float* __restrict__ dW, float* __restrict__ db,
                                     unsigned char* __restrict__ touched, unsigned long long* __restrict__ counts)
{
    __shared__ float partial[kThreads];
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    for (int j = blockIdx.y; j < k; j += gridDim.y) {  // uniform per block: the barriers below are safe
        const int r = idx[j];
        if (c < in) dW[static_cast<std::size_t>(r) * in + c] += dWK[static_cast<std::size_t>(j) * in + c];
        if (blockIdx.x != 0) continue;
        float s = 0.0f;
        for (int b = threadIdx.x; b < batch; b += blockDim.x) s += dyK[static_cast<std::size_t>(b) * k + j];
        partial[threadIdx.x] = s;
        __syncthreads();
        for (int step = blockDim.x / 2; step > 0; step >>= 1) {
            if (static_cast<int>(threadIdx.x) < step) partial[threadIdx.x] += partial[threadIdx.x + step];
            __syncthreads();
        }
        if (threadIdx.x == 0) {
            if (db) db[r] += partial[0];
            if (touched) touched[r] = 1;
            if (counts) counts[r] += static_cast<unsigned long long>(batch);
        }
        __syncthreads();  // partial is reused by the next j
    }
}

// grid (column chunks, min(batch, 65535)), examples grid-strided over y. The example's (index, value)
// pairs go through shared memory in tiles.
__global__ void perExampleInputGradKernel(const float* __restrict__ dy, int batch, int n, const int* __restrict__ idx, int k,
                                          const float* __restrict__ W, int in, float* __restrict__ dx)
{
    __shared__ int sIdx[kThreads];
    __shared__ float sVal[kThreads];
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    for (int b = blockIdx.y; b < batch; b += gridDim.y) {
        const int* rowIdx = idx + static_cast<std::size_t>(b) * k;
        float acc = 0.0f;
        for (int base = 0; base < k; base += blockDim.x) {
            const int t = base + threadIdx.x;
            if (t < k) {
                sIdx[threadIdx.x] = rowIdx[t];
                sVal[threadIdx.x] = dy[static_cast<std::size_t>(b) * n + rowIdx[t]];
            }
            __syncthreads();
            const int m = min(static_cast<int>(blockDim.x), k - base);
            if (c < in)
                for (int j = 0; j < m; ++j) acc += sVal[j] * W[static_cast<std::size_t>(sIdx[j]) * in + c];
            __syncthreads();
        }
        if (c < in) dx[static_cast<std::size_t>(b) * in + c] = acc;
    }
}

// The per-example weight gradient, grouped by row so that it is deterministic (no float atomics):
// pair t = b*k + j of the selection is (row idx[t], example b); a stable radix sort by row puts each
// row's examples together in ascending order, and one block column per row sums them in that order.
__global__ void exampleOfPairKernel(int total, int k, int* __restrict__ example)
{
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < total; t += gridDim.x * blockDim.x) example[t] = t / k;
}

// rows: the sorted rows of all pairs; start/end (zeroed before) get each present row's segment.
__global__ void segmentBoundsKernel(const unsigned* __restrict__ rows, int total, int* __restrict__ start, int* __restrict__ end)
{
    for (int t = blockIdx.x * blockDim.x + threadIdx.x; t < total; t += gridDim.x * blockDim.x) {
        const unsigned r = rows[t];
        if (t == 0 || rows[t - 1] != r) start[r] = t;
        if (t == total - 1 || rows[t + 1] != r) end[r] = t + 1;
    }
}

// grid (column chunks, rows grid-strided over y): dW[r, c] += sum over r's examples b (ascending) of
// dy[b, r] x[b, c]; the first column chunk's thread 0 adds db[r] (db may be null), touched[r],
// counts[r]. nonFinite (may be null): set when a dy[b, r] read is NaN or infinite.
__global__ void groupedWeightGradKernel(const float* __restrict__ dy, int n, const int* __restrict__ examples,
                                        const int* __restrict__ start, const int* __restrict__ end, const float* __restrict__ x,
                                        int in, float* __restrict__ dW, float* __restrict__ db, unsigned char* __restrict__ touched,
                                        unsigned long long* __restrict__ counts, unsigned* __restrict__ nonFinite)
{
    __shared__ int sB[kThreads];
    __shared__ float sG[kThreads];
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    const bool lead = blockIdx.x == 0 && threadIdx.x == 0;
    bool bad = false;
    for (int r = blockIdx.y; r < n; r += gridDim.y) {
        const int s = start[r], e = end[r];
        if (s == e) continue;  // the same row for the whole block: no thread skips a __syncthreads alone
        float acc = 0.0f, gsum = 0.0f;
        for (int base = s; base < e; base += blockDim.x) {
            const int t = base + threadIdx.x;
            if (t < e) {
                const int b = examples[t];
                const float v = dy[static_cast<std::size_t>(b) * n + r];
                bad |= (__float_as_uint(v) & 0x7f800000u) == 0x7f800000u;  // NaN or infinity
                sB[threadIdx.x] = b;
                sG[threadIdx.x] = v;
            }
            __syncthreads();
            const int m = min(static_cast<int>(blockDim.x), e - base);
            if (c < in)
                for (int j = 0; j < m; ++j) acc += sG[j] * x[static_cast<std::size_t>(sB[j]) * in + c];
            if (lead)
                for (int j = 0; j < m; ++j) gsum += sG[j];
            __syncthreads();
        }
        if (c < in) dW[static_cast<std::size_t>(r) * in + c] += acc;
        if (lead) {
            if (db) db[r] += gsum;
            if (touched) touched[r] = 1;
            if (counts) counts[r] += static_cast<unsigned long long>(e - s);
        }
    }
    if (bad && nonFinite) *nonFinite = 1u;
}

int bitsFor(int n)
{
    int bits = 1;
    while (bits < 31 && (1 << bits) < n) ++bits;
    return bits;
}

int blocksFor(std::size_t total)
{
    const std::size_t blocks = (total + kThreads - 1) / kThreads;
    return static_cast<int>(blocks < 65535 ? (blocks ? blocks : 1) : 65535);
}

unsigned ySize(int count)
{
    return static_cast<unsigned>(count < 65535 ? count : 65535);  // the limit of gridDim.y
}

unsigned long long* asULL(std::uint64_t* p)
{
    static_assert(sizeof(std::uint64_t) == sizeof(unsigned long long));
    return reinterpret_cast<unsigned long long*>(p);
}

}  // namespace

void addBias(float* y, int batch, int n, const float* b, cudaStream_t stream)
{
    addBiasKernel<<<blocksFor(static_cast<std::size_t>(batch) * n), kThreads, 0, stream>>>(y, batch, n, b);
    MEPROP_CUDA_CHECK_LAUNCH("addBiasKernel");
}

void addToCounts(std::uint64_t* counts, int n, std::uint64_t amount, cudaStream_t stream)
{
    if (n <= 0) return;
    addToCountsKernel<<<blocksFor(static_cast<std::size_t>(n)), kThreads, 0, stream>>>(asULL(counts), n,
                                                                                        static_cast<unsigned long long>(amount));
    MEPROP_CUDA_CHECK_LAUNCH("addToCountsKernel");
}

void denseBiasGrad(const float* dy, int batch, int n, float* db, unsigned char* touched, std::uint64_t* counts, cudaStream_t stream,
                   unsigned* nonFinite)
{
    if (n <= 0) return;
    denseBiasGradKernel<<<(n + 31) / 32, dim3(32, 32), 0, stream>>>(dy, batch, n, db, touched, asULL(counts), nonFinite);
    MEPROP_CUDA_CHECK_LAUNCH("denseBiasGradKernel");
}

void gatherUnified(const float* dy, int batch, int n, const int* idx, int k, const float* W, int in, float* dyK, float* wK,
                   cudaStream_t stream)
{
    const int perRow = (W && wK) ? (in + 4 * kThreads - 1) / (4 * kThreads) : 0;
    const int rowBlocks = perRow * k;
    const int dyBlocks = blocksFor(static_cast<std::size_t>(batch) * k);
    gatherUnifiedKernel<<<rowBlocks + dyBlocks, kThreads, 0, stream>>>(dy, batch, n, idx, k, W, in, dyK, wK, rowBlocks);
    MEPROP_CUDA_CHECK_LAUNCH("gatherUnifiedKernel");
}

void scatterUnified(const float* dWK, const float* dyK, int batch, int k, int in, const int* idx, float* dW, float* db,
                    unsigned char* touched, std::uint64_t* counts, cudaStream_t stream)
{
    const dim3 grid((in + kThreads - 1) / kThreads, ySize(k));
    scatterUnifiedKernel<<<grid, kThreads, 0, stream>>>(dWK, dyK, batch, k, in, idx, dW, db, touched, asULL(counts));
    MEPROP_CUDA_CHECK_LAUNCH("scatterUnifiedKernel");
}

void perExampleInputGrad(const float* dy, int batch, int n, const int* idx, int k, const float* W, int in, float* dx,
                         cudaStream_t stream)
{
    const dim3 grid((in + kThreads - 1) / kThreads, ySize(batch));
    perExampleInputGradKernel<<<grid, kThreads, 0, stream>>>(dy, batch, n, idx, k, W, in, dx);
    MEPROP_CUDA_CHECK_LAUNCH("perExampleInputGradKernel");
}

void groupPairsByKey(const unsigned* keys, const int* values, int count, int n, RowGroupScratch& scratch, cudaStream_t stream)
{
    const std::size_t total = static_cast<std::size_t>(count);
    scratch.rows.reserve(total);
    scratch.sortedExamples.reserve(total);
    scratch.start.reserve(static_cast<std::size_t>(n));
    scratch.end.reserve(static_cast<std::size_t>(n));
    // Only bitsFor(n) bits of the keys matter.
    std::size_t tempBytes = 0;
    MEPROP_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, tempBytes, keys, scratch.rows.data(), values,
                                                      scratch.sortedExamples.data(), count, 0, bitsFor(n), stream));
    scratch.temp.reserve(tempBytes);
    MEPROP_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(scratch.temp.data(), tempBytes, keys, scratch.rows.data(), values,
                                                      scratch.sortedExamples.data(), count, 0, bitsFor(n), stream));
    MEPROP_CUDA_CHECK(cudaMemsetAsync(scratch.start.data(), 0, static_cast<std::size_t>(n) * sizeof(int), stream));
    MEPROP_CUDA_CHECK(cudaMemsetAsync(scratch.end.data(), 0, static_cast<std::size_t>(n) * sizeof(int), stream));
    segmentBoundsKernel<<<blocksFor(total), kThreads, 0, stream>>>(scratch.rows.data(), count, scratch.start.data(),
                                                                   scratch.end.data());
    MEPROP_CUDA_CHECK_LAUNCH("segmentBoundsKernel");
}

void groupSelectionByRow(const int* idx, int batch, int k, int n, RowGroupScratch& scratch, cudaStream_t stream)
{
    const std::size_t total = static_cast<std::size_t>(batch) * k;
    if (total == 0) return;
    const int count = static_cast<int>(total);
    scratch.examples.reserve(total);
    exampleOfPairKernel<<<blocksFor(total), kThreads, 0, stream>>>(count, k, scratch.examples.data());
    MEPROP_CUDA_CHECK_LAUNCH("exampleOfPairKernel");
    // The indices are in [0, n): as unsigned keys they sort the same.
    groupPairsByKey(reinterpret_cast<const unsigned*>(idx), scratch.examples.data(), count, n, scratch, stream);
}

void groupedWeightGrad(const float* dy, int n, const RowGroupScratch& scratch, const float* x, int in, float* dW, float* db,
                       unsigned char* touched, std::uint64_t* counts, cudaStream_t stream, unsigned* nonFinite)
{
    if (n <= 0 || in <= 0) return;
    const dim3 grid((in + kThreads - 1) / kThreads, ySize(n));
    groupedWeightGradKernel<<<grid, kThreads, 0, stream>>>(dy, n, scratch.sortedExamples.data(), scratch.start.data(),
                                                           scratch.end.data(), x, in, dW, db, touched, asULL(counts), nonFinite);
    MEPROP_CUDA_CHECK_LAUNCH("groupedWeightGradKernel");
}

void perExampleWeightGrad(const float* dy, int batch, int n, const int* idx, int k, const float* x, int in, float* dW, float* db,
                          unsigned char* touched, std::uint64_t* counts, RowGroupScratch& scratch, cudaStream_t stream)
{
    if (static_cast<std::size_t>(batch) * k == 0) return;
    groupSelectionByRow(idx, batch, k, n, scratch, stream);
    groupedWeightGrad(dy, n, scratch, x, in, dW, db, touched, counts, stream);
}

}  // namespace meprop::cuda
