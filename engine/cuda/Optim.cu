#include "cuda/Optim.cuh"

#include "cuda/Check.cuh"

namespace meprop::cuda {

namespace {

constexpr int kThreads = 256;

// grid (column chunks, row chunks), grid-strided over rows; a masked-out row costs one byte read.
#define MEPROP_FOR_EACH_ELEMENT(body)                                                                                 \
    for (int r = blockIdx.y; r < rows; r += gridDim.y) {                                                              \
        if (rowMask && !rowMask[r]) continue;                                                                         \
        for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < cols; c += gridDim.x * blockDim.x) {                  \
            const std::size_t i = static_cast<std::size_t>(r) * cols + c;                                             \
            body                                                                                                      \
        }                                                                                                             \
    }

// The gradient element as the update uses it: clipped to [-clip, clip] when clip > 0; written
// back as 0 (zeroGrad) or clipped (clip > 0), as optim/UpdateKernels.h's takeGrad does.
__device__ __forceinline__ float takeGrad(float* g, std::size_t i, float clip, bool zeroGrad)
{
    float gi = g[i];
    if (clip > 0.0f) gi = fminf(fmaxf(gi, -clip), clip);
    if (zeroGrad)
        g[i] = 0.0f;
    else if (clip > 0.0f)
        g[i] = gi;
    return gi;
}

__global__ void sgdKernel(float* __restrict__ w, float* __restrict__ g, int rows, int cols, const unsigned char* rowMask, float lr,
                          float clip, bool zeroGrad)
{
    MEPROP_FOR_EACH_ELEMENT(const float gi = takeGrad(g, i, clip, zeroGrad); w[i] -= lr * gi;)
}

__global__ void adagradKernel(float* __restrict__ w, float* __restrict__ g, float* __restrict__ h, int rows, int cols,
                              const unsigned char* rowMask, float lr, float eps, bool epsInside, float clip, bool zeroGrad)
{
    MEPROP_FOR_EACH_ELEMENT(const float gi = takeGrad(g, i, clip, zeroGrad); const float hi = h[i] + gi * gi; h[i] = hi;
                            w[i] -= lr * gi / (epsInside ? sqrtf(hi + eps) : sqrtf(hi) + eps);)
}

__global__ void adamKernel(float* __restrict__ w, float* __restrict__ g, float* __restrict__ m, float* __restrict__ v, int rows,
                           int cols, const unsigned char* rowMask, float b1, float b2, float stepSize, float invSqrtC2, float eps,
                           float clip, bool zeroGrad)
{
    MEPROP_FOR_EACH_ELEMENT(const float gi = takeGrad(g, i, clip, zeroGrad); const float mi = b1 * m[i] + (1.0f - b1) * gi;
                            const float vi = b2 * v[i] + (1.0f - b2) * gi * gi; m[i] = mi; v[i] = vi;
                            w[i] -= stepSize * mi / (sqrtf(vi) * invSqrtC2 + eps);)
}

// One thread per row: advance the row's step count and write its two Adam scalars.
__global__ void adamRowScalarsKernel(int rows, const unsigned char* rowMask, std::int64_t* __restrict__ rowSteps,
                                     float* __restrict__ rowScalars, float b1, float b2, float lr)
{
    const int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r >= rows || (rowMask && !rowMask[r])) return;
    const std::int64_t t = ++rowSteps[r];
    const float c1 = 1.0f - static_cast<float>(pow(static_cast<double>(b1), static_cast<double>(t)));
    const float c2 = 1.0f - static_cast<float>(pow(static_cast<double>(b2), static_cast<double>(t)));
    rowScalars[2 * r] = lr / c1;
    rowScalars[2 * r + 1] = 1.0f / sqrtf(c2);
}

__global__ void adamLazyKernel(float* __restrict__ w, float* __restrict__ g, float* __restrict__ m, float* __restrict__ v, int rows,
                               int cols, const unsigned char* rowMask, const float* __restrict__ rowScalars, float b1, float b2,
                               float eps, float clip, bool zeroGrad)
{
    MEPROP_FOR_EACH_ELEMENT(const float stepSize = rowScalars[2 * r]; const float invSqrtC2 = rowScalars[2 * r + 1];
                            const float gi = takeGrad(g, i, clip, zeroGrad); const float mi = b1 * m[i] + (1.0f - b1) * gi;
                            const float vi = b2 * v[i] + (1.0f - b2) * gi * gi; m[i] = mi; v[i] = vi;
                            w[i] -= stepSize * mi / (sqrtf(vi) * invSqrtC2 + eps);)
}

__global__ void zeroTouchedRowsKernel(float* __restrict__ g, int rows, int cols, unsigned char* touched)
{
    const unsigned char* rowMask = touched;
    MEPROP_FOR_EACH_ELEMENT(g[i] = 0.0f;)
}

__global__ void clearMaskKernel(unsigned char* touched, int rows)
{
    const int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r < rows) touched[r] = 0;
}

#undef MEPROP_FOR_EACH_ELEMENT

dim3 gridFor(int rows, int cols)
{
    const int colBlocks = (cols + kThreads - 1) / kThreads;
    const int rowBlocks = rows < 65535 ? rows : 65535;
    return dim3(colBlocks < 64 ? colBlocks : 64, rowBlocks > 0 ? rowBlocks : 1);
}

}  // namespace

void sgdUpdate(float* w, float* g, int rows, int cols, const unsigned char* rowMask, float lr, float clip, bool zeroGrad,
               cudaStream_t stream)
{
    if (rows <= 0 || cols <= 0) return;
    sgdKernel<<<gridFor(rows, cols), kThreads, 0, stream>>>(w, g, rows, cols, rowMask, lr, clip, zeroGrad);
    MEPROP_CUDA_CHECK_LAUNCH("sgdKernel");
}

void adagradUpdate(float* w, float* g, float* h, int rows, int cols, const unsigned char* rowMask, float lr, float eps, bool epsInside,
                   float clip, bool zeroGrad, cudaStream_t stream)
{
    if (rows <= 0 || cols <= 0) return;
    adagradKernel<<<gridFor(rows, cols), kThreads, 0, stream>>>(w, g, h, rows, cols, rowMask, lr, eps, epsInside, clip, zeroGrad);
    MEPROP_CUDA_CHECK_LAUNCH("adagradKernel");
}

void adamUpdate(float* w, float* g, float* m, float* v, int rows, int cols, const unsigned char* rowMask, float beta1, float beta2,
                float stepSize, float invSqrtC2, float eps, float clip, bool zeroGrad, cudaStream_t stream)
{
    if (rows <= 0 || cols <= 0) return;
    adamKernel<<<gridFor(rows, cols), kThreads, 0, stream>>>(w, g, m, v, rows, cols, rowMask, beta1, beta2, stepSize, invSqrtC2, eps,
                                                             clip, zeroGrad);
    MEPROP_CUDA_CHECK_LAUNCH("adamKernel");
}

void adamLazyUpdate(float* w, float* g, float* m, float* v, int rows, int cols, const unsigned char* rowMask,
                    std::int64_t* rowSteps, float* rowScalars, float beta1, float beta2, float lr, float eps, float clip, bool zeroGrad,
                    cudaStream_t stream)
{
    if (rows <= 0 || cols <= 0) return;
    adamRowScalarsKernel<<<(rows + kThreads - 1) / kThreads, kThreads, 0, stream>>>(rows, rowMask, rowSteps, rowScalars, beta1,
                                                                                      beta2, lr);
    MEPROP_CUDA_CHECK_LAUNCH("adamRowScalarsKernel");
    adamLazyKernel<<<gridFor(rows, cols), kThreads, 0, stream>>>(w, g, m, v, rows, cols, rowMask, rowScalars, beta1, beta2, eps, clip,
                                                                 zeroGrad);
    MEPROP_CUDA_CHECK_LAUNCH("adamLazyKernel");
}

void zeroTouchedRows(float* g, int rows, int cols, unsigned char* touched, cudaStream_t stream)
{
    if (rows <= 0 || cols <= 0) return;
    zeroTouchedRowsKernel<<<gridFor(rows, cols), kThreads, 0, stream>>>(g, rows, cols, touched);
    MEPROP_CUDA_CHECK_LAUNCH("zeroTouchedRowsKernel");
    clearMaskKernel<<<(rows + kThreads - 1) / kThreads, kThreads, 0, stream>>>(touched, rows);
    MEPROP_CUDA_CHECK_LAUNCH("clearMaskKernel");
}

}  // namespace meprop::cuda
