#include "cuda/Activation.cuh"

#include "cuda/Check.cuh"

#include <cfloat>
#include <cstddef>

namespace meprop::cuda {

namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ std::uint64_t splitMix64(std::uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

__global__ void biasReluDropoutKernel(float* __restrict__ h, std::size_t total, int n, const float* __restrict__ b, float dropRate,
                                      float scale, std::uint64_t seed)
{
    for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < total;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
        float v = fmaxf(h[i] + b[i % n], 0.0f);
        if (dropRate > 0.0f) {
            const float u = static_cast<float>(splitMix64(seed ^ splitMix64(i)) >> 40) * (1.0f / 16777216.0f);
            v = u < dropRate ? 0.0f : v * scale;
        }
        h[i] = v;
    }
}

__global__ void reluDropoutBackwardKernel(const float* __restrict__ out, float* __restrict__ dout, std::size_t total, float scale)
{
    for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < total;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
        dout[i] = out[i] > 0.0f ? dout[i] * scale : 0.0f;
}

__global__ void reluKernel(float* __restrict__ x, std::size_t total)
{
    for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < total;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
        x[i] = fmaxf(x[i], 0.0f);
}

// The mask of biasReluDropout's hash: the same (seed, element index) gives the same decision.
__global__ void dropoutKernel(float* __restrict__ x, float* __restrict__ mask, std::size_t total, float dropRate, float scale,
                              std::uint64_t seed)
{
    for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < total;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
        const float u = static_cast<float>(splitMix64(seed ^ splitMix64(i)) >> 40) * (1.0f / 16777216.0f);
        const float m = u < dropRate ? 0.0f : scale;
        mask[i] = m;
        x[i] *= m;
    }
}

// dz may be null (the loss alone). A label outside [0, classes) skips its row: no loss, zero gradient.
__global__ void softmaxCrossEntropyKernel(const float* __restrict__ z, const int* __restrict__ labels, int batch, int classes,
                                          float* __restrict__ dz, double* __restrict__ loss, bool accumulate, float gScale)
{
    __shared__ double partial[kThreads];
    double acc = 0.0;
    for (int b = threadIdx.x; b < batch; b += blockDim.x) {
        const float* row = z + static_cast<std::size_t>(b) * classes;
        float* drow = dz ? dz + static_cast<std::size_t>(b) * classes : nullptr;
        const int y = labels[b];
        if (y < 0 || y >= classes) {
            if (drow)
                for (int c = 0; c < classes; ++c) drow[c] = 0.0f;
            continue;
        }
        float mx = -FLT_MAX;
        for (int c = 0; c < classes; ++c) mx = fmaxf(mx, row[c]);
        float sum = 0.0f;
        for (int c = 0; c < classes; ++c) sum += expf(row[c] - mx);
        acc += static_cast<double>(logf(sum) + mx - row[y]);
        if (drow) {
            const float inv = 1.0f / sum;
            for (int c = 0; c < classes; ++c) drow[c] = (expf(row[c] - mx) * inv - (c == y ? 1.0f : 0.0f)) * gScale;
        }
    }
    partial[threadIdx.x] = acc;
    __syncthreads();
    for (int step = blockDim.x / 2; step > 0; step >>= 1) {
        if (static_cast<int>(threadIdx.x) < step) partial[threadIdx.x] += partial[threadIdx.x + step];
        __syncthreads();
    }
    if (threadIdx.x == 0) *loss = accumulate ? *loss + partial[0] : partial[0];
}

__global__ void countCorrectKernel(const float* __restrict__ z, const int* __restrict__ labels, int batch, int classes, int* correct)
{
    const int b = blockIdx.x * blockDim.x + threadIdx.x;
    if (b >= batch) return;
    const float* row = z + static_cast<std::size_t>(b) * classes;
    int best = 0;
    for (int c = 1; c < classes; ++c)
        if (row[c] > row[best]) best = c;
    if (best == labels[b]) atomicAdd(correct, 1);
}

__global__ void gatherExamplesKernel(const float* __restrict__ data, const int* __restrict__ labels, int features,
                                     const int* __restrict__ order, float* __restrict__ x, int* __restrict__ y)
{
    const int i = blockIdx.x;
    const int src = order[i];
    const float* from = data + static_cast<std::size_t>(src) * features;
    float* to = x + static_cast<std::size_t>(i) * features;
    for (int c = threadIdx.x; c < features; c += blockDim.x) to[c] = from[c];
    if (threadIdx.x == 0) y[i] = labels[src];
}

__global__ void gatherIndexRowsKernel(const int* __restrict__ src, int cols, const int* __restrict__ order, std::size_t total,
                                      int* __restrict__ dst)
{
    for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < total;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
        const std::size_t row = i / static_cast<std::size_t>(cols), c = i % static_cast<std::size_t>(cols);
        dst[i] = src[static_cast<std::size_t>(order[row]) * cols + c];
    }
}

__global__ void fillUniformKernel(float* __restrict__ v, std::size_t total, float lo, float hi, std::uint64_t seed)
{
    for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < total;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
        const float u = static_cast<float>(splitMix64(seed ^ splitMix64(i)) >> 40) * (1.0f / 16777216.0f);
        v[i] = lo + (hi - lo) * u;
    }
}

int blocksFor(std::size_t total)
{
    const std::size_t blocks = (total + kThreads - 1) / kThreads;
    return static_cast<int>(blocks < 65535 ? (blocks ? blocks : 1) : 65535);
}

}  // namespace

void biasReluDropout(float* h, int batch, int n, const float* b, float dropRate, std::uint64_t seed, cudaStream_t stream)
{
    const std::size_t total = static_cast<std::size_t>(batch) * n;
    const float scale = dropRate > 0.0f ? 1.0f / (1.0f - dropRate) : 1.0f;
    biasReluDropoutKernel<<<blocksFor(total), kThreads, 0, stream>>>(h, total, n, b, dropRate, scale, seed);
    MEPROP_CUDA_CHECK_LAUNCH("biasReluDropoutKernel");
}

void reluDropoutBackward(const float* out, float* dout, std::size_t count, float dropRate, cudaStream_t stream)
{
    if (count == 0) return;
    const float scale = dropRate > 0.0f ? 1.0f / (1.0f - dropRate) : 1.0f;
    reluDropoutBackwardKernel<<<blocksFor(count), kThreads, 0, stream>>>(out, dout, count, scale);
    MEPROP_CUDA_CHECK_LAUNCH("reluDropoutBackwardKernel");
}

void reluForward(float* x, std::size_t count, cudaStream_t stream)
{
    if (count == 0) return;
    reluKernel<<<blocksFor(count), kThreads, 0, stream>>>(x, count);
    MEPROP_CUDA_CHECK_LAUNCH("reluKernel");
}

void dropoutForward(float* x, float* mask, std::size_t count, float dropRate, std::uint64_t seed, cudaStream_t stream)
{
    if (count == 0) return;
    const float scale = 1.0f / (1.0f - dropRate);
    dropoutKernel<<<blocksFor(count), kThreads, 0, stream>>>(x, mask, count, dropRate, scale, seed);
    MEPROP_CUDA_CHECK_LAUNCH("dropoutKernel");
}

void softmaxCrossEntropy(const float* z, const int* labels, int batch, int classes, float* dz, double* loss, bool accumulate,
                         cudaStream_t stream, float gradScale)
{
    if (batch <= 0) {
        if (!accumulate) MEPROP_CUDA_CHECK(cudaMemsetAsync(loss, 0, sizeof(double), stream));
        return;
    }
    softmaxCrossEntropyKernel<<<1, kThreads, 0, stream>>>(z, labels, batch, classes, dz, loss, accumulate, gradScale);
    MEPROP_CUDA_CHECK_LAUNCH("softmaxCrossEntropyKernel");
}

void countCorrect(const float* z, const int* labels, int batch, int classes, int* correct, cudaStream_t stream)
{
    if (batch <= 0) return;
    countCorrectKernel<<<(batch + kThreads - 1) / kThreads, kThreads, 0, stream>>>(z, labels, batch, classes, correct);
    MEPROP_CUDA_CHECK_LAUNCH("countCorrectKernel");
}

void gatherExamples(const float* data, const int* labels, int features, const int* order, int count, float* x, int* y,
                    cudaStream_t stream)
{
    if (count <= 0) return;
    gatherExamplesKernel<<<count, kThreads, 0, stream>>>(data, labels, features, order, x, y);
    MEPROP_CUDA_CHECK_LAUNCH("gatherExamplesKernel");
}

void gatherIndexRows(const int* src, int cols, const int* order, int count, int* dst, cudaStream_t stream)
{
    const std::size_t total = static_cast<std::size_t>(count) * static_cast<std::size_t>(cols);
    if (total == 0) return;
    gatherIndexRowsKernel<<<blocksFor(total), kThreads, 0, stream>>>(src, cols, order, total, dst);
    MEPROP_CUDA_CHECK_LAUNCH("gatherIndexRowsKernel");
}

void fillUniform(float* v, std::size_t count, float lo, float hi, std::uint64_t seed, cudaStream_t stream)
{
    if (count == 0) return;
    fillUniformKernel<<<blocksFor(count), kThreads, 0, stream>>>(v, count, lo, hi, seed);
    MEPROP_CUDA_CHECK_LAUNCH("fillUniformKernel");
}

}  // namespace meprop::cuda
