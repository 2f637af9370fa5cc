#pragma once
// Top-k selection on the GPU, matching ops/TopK.h: the k components of largest magnitude, ties
// broken towards the lower index, NaN above infinity above every finite value (all NaNs equal),
// indices written sorted ascending. Radix select (four 8-bit passes
// over the magnitudes' bit patterns, one block per row), then an ordered compaction: no sort.
#include <cuda_runtime_api.h>

namespace meprop::cuda {

// Per row: for each of `rows` rows of v (row r at v + r * ld, n values) writes the indices of its
// k largest |v| to out[r * k .. r * k + k), ascending. Requires 1 <= k <= n. When nonFinite is
// given, sets *nonFinite = 1 if some value is NaN or infinite (never clears it).
void topKRows(const float* v, int rows, int n, int ld, int k, int* out, cudaStream_t stream, unsigned* nonFinite = nullptr);

// score[j] = sum over the batch of |dy[b, j]| for dy (batch x n, row-major). Deterministic order.
void columnAbsSum(const float* dy, int batch, int n, float* score, cudaStream_t stream);

// Unified (per minibatch): the k columns of dy (batch x n) with the largest sum of |dy| over the
// batch, ascending, to out[0..k). `score` is scratch of n floats (left holding the sums). When
// nonFinite is given, sets *nonFinite = 1 if a sum is NaN or infinite (as the CPU's Selection::finite).
void unifiedTopK(const float* dy, int batch, int n, int k, float* score, int* out, cudaStream_t stream,
                 unsigned* nonFinite = nullptr);

}  // namespace meprop::cuda
