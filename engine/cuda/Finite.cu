#include "cuda/Finite.cuh"

#include "cuda/Check.cuh"

namespace meprop::cuda {

namespace {

constexpr int kThreads = 256;

__global__ void flagNonFiniteKernel(const float* __restrict__ v, std::size_t count, unsigned* __restrict__ nonFinite)
{
    bool bad = false;
    for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < count;
         i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
        bad |= (__float_as_uint(v[i]) & 0x7f800000u) == 0x7f800000u;  // exponent all ones: NaN or infinity
    if (bad) *nonFinite = 1u;  // any thread may write it: same value
}

}  // namespace

void flagNonFinite(const float* v, std::size_t count, unsigned* nonFinite, cudaStream_t stream)
{
    if (count == 0 || !nonFinite) return;
    const std::size_t blocks = (count + kThreads - 1) / kThreads;
    flagNonFiniteKernel<<<static_cast<unsigned>(blocks < 1024 ? blocks : 1024), kThreads, 0, stream>>>(v, count, nonFinite);
    MEPROP_CUDA_CHECK_LAUNCH("flagNonFiniteKernel");
}

}  // namespace meprop::cuda
