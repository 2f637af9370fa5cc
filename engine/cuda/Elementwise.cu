#include "cuda/Elementwise.cuh"

#include "cuda/Check.cuh"

namespace meprop::cuda {

namespace {

constexpr int kThreads = 256;

__global__ void scaleKernel(float* __restrict__ x, std::size_t total, float factor)
{
    for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < total;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
        x[i] *= factor;
}

// No __restrict__: x and y may be the same array.
__global__ void multiplyKernel(float* x, const float* y, std::size_t total)
{
    for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < total;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
        x[i] *= y[i];
}

__global__ void cubeForwardKernel(const float* __restrict__ z, float* __restrict__ h, std::size_t total)
{
    for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < total;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
        const float v = z[i];
        h[i] = v * v * v;
    }
}

__global__ void cubeBackwardKernel(const float* __restrict__ z, float* __restrict__ dh, std::size_t total)
{
    for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < total;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
        const float v = z[i];
        dh[i] *= 3.0f * (v * v);
    }
}

__global__ void addKernel(float* __restrict__ y, const float* __restrict__ x, std::size_t total)
{
    for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < total;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
        y[i] += x[i];
}

int blocksFor(std::size_t total)
{
    const std::size_t blocks = (total + kThreads - 1) / kThreads;
    return static_cast<int>(blocks < 65535 ? (blocks ? blocks : 1) : 65535);
}

}  // namespace

void scale(float* x, std::size_t count, float factor, cudaStream_t stream)
{
    if (count == 0) return;
    scaleKernel<<<blocksFor(count), kThreads, 0, stream>>>(x, count, factor);
    MEPROP_CUDA_CHECK_LAUNCH("scaleKernel");
}

void multiply(float* x, const float* y, std::size_t count, cudaStream_t stream)
{
    if (count == 0) return;
    multiplyKernel<<<blocksFor(count), kThreads, 0, stream>>>(x, y, count);
    MEPROP_CUDA_CHECK_LAUNCH("multiplyKernel");
}

void cubeForward(const float* z, float* h, std::size_t count, cudaStream_t stream)
{
    if (count == 0) return;
    cubeForwardKernel<<<blocksFor(count), kThreads, 0, stream>>>(z, h, count);
    MEPROP_CUDA_CHECK_LAUNCH("cubeForwardKernel");
}

void cubeBackward(const float* z, float* dh, std::size_t count, cudaStream_t stream)
{
    if (count == 0) return;
    cubeBackwardKernel<<<blocksFor(count), kThreads, 0, stream>>>(z, dh, count);
    MEPROP_CUDA_CHECK_LAUNCH("cubeBackwardKernel");
}

void add(float* y, const float* x, std::size_t count, cudaStream_t stream)
{
    if (count == 0) return;
    addKernel<<<blocksFor(count), kThreads, 0, stream>>>(y, x, count);
    MEPROP_CUDA_CHECK_LAUNCH("addKernel");
}

}  // namespace meprop::cuda
