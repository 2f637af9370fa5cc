#include "cuda/Embedding.cuh"

#include "cuda/Check.cuh"

namespace meprop::cuda {

namespace {

constexpr int kThreads = 128;

__global__ void gatherKernel(const float* __restrict__ E, int dim, const int* __restrict__ ids, int T, float* __restrict__ x, int ldx,
                             int col)
{
    const int t = blockIdx.x;
    const long row = ids[t];
    for (int j = threadIdx.x; j < dim; j += blockDim.x) x[static_cast<long>(t) * ldx + col + j] = E[row * dim + j];
}

__global__ void scatterKernel(const float* __restrict__ dx, int ldx, int col, int dim, const int* __restrict__ rows,
                              const int* __restrict__ start, const int* __restrict__ order, float* __restrict__ grad,
                              unsigned char* touched)
{
    const int g = blockIdx.x;
    const long r = rows[g];
    const int b = start[g], e = start[g + 1];
    for (int j = threadIdx.x; j < dim; j += blockDim.x) {
        float v = grad[r * dim + j];
        for (int p = b; p < e; ++p) v += dx[static_cast<long>(order[p]) * ldx + col + j];
        grad[r * dim + j] = v;
    }
    if (touched && threadIdx.x == 0) touched[r] = 1;
}

}  // namespace

void embeddingGather(const float* E, int dim, const int* ids, int T, float* x, int ldx, int col, cudaStream_t stream)
{
    if (T == 0 || dim == 0) return;
    gatherKernel<<<T, kThreads, 0, stream>>>(E, dim, ids, T, x, ldx, col);
    MEPROP_CUDA_CHECK_LAUNCH("embeddingGatherKernel");
}

void embeddingScatter(const float* dx, int ldx, int col, int dim, const int* rows, const int* start, const int* order, int groups,
                      float* grad, unsigned char* touched, cudaStream_t stream)
{
    if (groups == 0 || dim == 0) return;
    scatterKernel<<<groups, kThreads, 0, stream>>>(dx, ldx, col, dim, rows, start, order, grad, touched);
    MEPROP_CUDA_CHECK_LAUNCH("embeddingScatterKernel");
}

}  // namespace meprop::cuda
