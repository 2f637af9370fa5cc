#pragma once
// The element-wise kernels of one LSTM direction on the GPU (layers/Lstm.h's formulas; the
// products are cuBLAS GEMMs and, for the sparse weight gradients, the row-grouped kernels of
// cuda/SparseLinear.cuh, see CudaBackend::lstmForward/lstmBackward). Row-major, by time
// index t; a gate row is [i | f | g | o] of 4H. Every call launches on `stream`; H >= 1.
#include <cuda_runtime_api.h>

namespace meprop::cuda {

// One forward step: a (4H pre-activations) becomes the activations in place (sigmoid as
// (tanh(x/2) + 1) / 2, as the CPU); c = f * cPrev + i * g (cPrev null at the first step: i * g),
// tc = tanh(c), h = o * tc.
void lstmGatesForward(float* a, const float* cPrev, float* c, float* tc, float* h, int H, cudaStream_t stream);

// One backward step t: d = dh + dhNext, dc = d * o * (1 - tc^2) + dcNext, da (4H) the gate
// gradients (df = 0 when cPrev is null), then dcNext = dc * f (in place).
void lstmStepBackward(const float* dh, const float* dhNext, float* dcNext, const float* gates, const float* cPrev, const float* tc,
                      float* da, int H, cudaStream_t stream);

// Unified ranking: score[j] (4H) = sum over the steps, in processing order, of |the gate gradient
// of step t from dh_t alone| (dh T x H; gates T x 4H; c, tc T x H).
void lstmLocalScore(const float* dh, const float* gates, const float* c, const float* tc, int T, int H, bool reverse, float* score,
                    cudaStream_t stream);

// idx holds `rows` rows of 4 blocks of k indices within a block: adds j * H to block j.
void lstmBlockOffsets(int* idx, int rows, int k, int H, cudaStream_t stream);

// kept[t * K + q] = shared[q] for t < T.
void lstmBroadcastRows(const int* shared, int K, int T, int* kept, cudaStream_t stream);

// dhNext[j] = sum over q < K, in order, of da[kept[q]] * U[kept[q], j] (U 4H x H).
void lstmKeptRecurrent(const float* da, const int* kept, int K, const float* U, int H, float* dhNext, cudaStream_t stream);

}  // namespace meprop::cuda
