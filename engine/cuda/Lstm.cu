#include "cuda/Lstm.cuh"

#include "cuda/Check.cuh"

namespace meprop::cuda {

namespace {

constexpr int kThreads = 256;

int blocks(long total) { return static_cast<int>((total + kThreads - 1) / kThreads); }

__device__ float sigmoidOf(float x) { return 0.5f * (tanhf(0.5f * x) + 1.0f); }

__global__ void gatesForwardKernel(float* __restrict__ a, const float* __restrict__ cPrev, float* __restrict__ c,
                                   float* __restrict__ tc, float* __restrict__ h, int H)
{
    const int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= H) return;
    const float i = sigmoidOf(a[j]);
    const float f = sigmoidOf(a[H + j]);
    const float g = tanhf(a[2 * H + j]);
    const float o = sigmoidOf(a[3 * H + j]);
    a[j] = i;
    a[H + j] = f;
    a[2 * H + j] = g;
    a[3 * H + j] = o;
    const float cj = cPrev ? f * cPrev[j] + i * g : i * g;
    const float t = tanhf(cj);
    c[j] = cj;
    tc[j] = t;
    h[j] = o * t;
}

__device__ void gateGradient(int j, int H, const float* gates, const float* cPrev, float tcj, float d, float dc, float* out)
{
    const float i = gates[j], f = gates[H + j], g = gates[2 * H + j], o = gates[3 * H + j];
    out[j] = dc * g * i * (1.0f - i);
    out[H + j] = cPrev ? dc * cPrev[j] * f * (1.0f - f) : 0.0f;
    out[2 * H + j] = dc * i * (1.0f - g * g);
    out[3 * H + j] = d * tcj * o * (1.0f - o);
}

__global__ void stepBackwardKernel(const float* __restrict__ dh, const float* __restrict__ dhNext, float* __restrict__ dcNext,
                                   const float* __restrict__ gates, const float* __restrict__ cPrev, const float* __restrict__ tc,
                                   float* __restrict__ da, int H)
{
    const int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= H) return;
    const float d = dh[j] + dhNext[j];
    const float t = tc[j];
    const float dc = d * gates[3 * H + j] * (1.0f - t * t) + dcNext[j];
    gateGradient(j, H, gates, cPrev, t, d, dc, da);
    dcNext[j] = dc * gates[H + j];
}

__global__ void localScoreKernel(const float* __restrict__ dh, const float* __restrict__ gates, const float* __restrict__ c,
                                 const float* __restrict__ tc, int T, int H, bool reverse, float* __restrict__ score)
{
    const int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= H) return;
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    float out[4];
    for (int s = 0; s < T; ++s) {
        const int t = reverse ? T - 1 - s : s;
        const int tp = s > 0 ? (reverse ? t + 1 : t - 1) : -1;
        const float* g = gates + static_cast<long>(t) * 4 * H;
        const float d = dh[static_cast<long>(t) * H + j];
        const float tcj = tc[static_cast<long>(t) * H + j];
        const float dc = d * g[3 * H + j] * (1.0f - tcj * tcj);
        const float i = g[j], f = g[H + j], gg = g[2 * H + j], o = g[3 * H + j];
        out[0] = dc * gg * i * (1.0f - i);
        out[1] = tp >= 0 ? dc * c[static_cast<long>(tp) * H + j] * f * (1.0f - f) : 0.0f;
        out[2] = dc * i * (1.0f - gg * gg);
        out[3] = d * tcj * o * (1.0f - o);
        s0 += fabsf(out[0]);
        s1 += fabsf(out[1]);
        s2 += fabsf(out[2]);
        s3 += fabsf(out[3]);
    }
    score[j] = s0;
    score[H + j] = s1;
    score[2 * H + j] = s2;
    score[3 * H + j] = s3;
}

__global__ void blockOffsetsKernel(int* idx, int total, int k, int H)
{
    const int q = blockIdx.x * blockDim.x + threadIdx.x;
    if (q >= total) return;
    const int block = (q / k) % 4;
    idx[q] += block * H;
}

__global__ void broadcastKernel(const int* __restrict__ shared, int K, int total, int* __restrict__ kept)
{
    const int q = blockIdx.x * blockDim.x + threadIdx.x;
    if (q < total) kept[q] = shared[q % K];
}

__global__ void keptRecurrentKernel(const float* __restrict__ da, const int* __restrict__ kept, int K, const float* __restrict__ U,
                                    int H, float* __restrict__ dhNext)
{
    const int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= H) return;
    float sum = 0.0f;
    for (int q = 0; q < K; ++q) {
        const int r = kept[q];
        sum += da[r] * U[static_cast<long>(r) * H + j];
    }
    dhNext[j] = sum;
}

}  // namespace

void lstmGatesForward(float* a, const float* cPrev, float* c, float* tc, float* h, int H, cudaStream_t stream)
{
    gatesForwardKernel<<<blocks(H), kThreads, 0, stream>>>(a, cPrev, c, tc, h, H);
    MEPROP_CUDA_CHECK_LAUNCH("gatesForwardKernel");
}

void lstmStepBackward(const float* dh, const float* dhNext, float* dcNext, const float* gates, const float* cPrev, const float* tc,
                      float* da, int H, cudaStream_t stream)
{
    stepBackwardKernel<<<blocks(H), kThreads, 0, stream>>>(dh, dhNext, dcNext, gates, cPrev, tc, da, H);
    MEPROP_CUDA_CHECK_LAUNCH("stepBackwardKernel");
}

void lstmLocalScore(const float* dh, const float* gates, const float* c, const float* tc, int T, int H, bool reverse, float* score,
                    cudaStream_t stream)
{
    localScoreKernel<<<blocks(H), kThreads, 0, stream>>>(dh, gates, c, tc, T, H, reverse, score);
    MEPROP_CUDA_CHECK_LAUNCH("localScoreKernel");
}

void lstmBlockOffsets(int* idx, int rows, int k, int H, cudaStream_t stream)
{
    const int total = rows * 4 * k;
    if (total == 0) return;
    blockOffsetsKernel<<<blocks(total), kThreads, 0, stream>>>(idx, total, k, H);
    MEPROP_CUDA_CHECK_LAUNCH("blockOffsetsKernel");
}

void lstmBroadcastRows(const int* shared, int K, int T, int* kept, cudaStream_t stream)
{
    const int total = K * T;
    if (total == 0) return;
    broadcastKernel<<<blocks(total), kThreads, 0, stream>>>(shared, K, total, kept);
    MEPROP_CUDA_CHECK_LAUNCH("broadcastKernel");
}

void lstmKeptRecurrent(const float* da, const int* kept, int K, const float* U, int H, float* dhNext, cudaStream_t stream)
{
    keptRecurrentKernel<<<blocks(H), kThreads, 0, stream>>>(da, kept, K, U, H, dhNext);
    MEPROP_CUDA_CHECK_LAUNCH("keptRecurrentKernel");
}

}  // namespace meprop::cuda
