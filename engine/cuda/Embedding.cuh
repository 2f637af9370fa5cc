#pragma once
// Embedding lookup and its deterministic gradient on the GPU (layers/Embedding.h,
// backend/Backend.h's embeddingForward/embeddingBackward).
#include <cuda_runtime_api.h>

namespace meprop::cuda {

// x[t * ldx + col + j] = E[ids[t] * dim + j] for t < T, j < dim.
void embeddingGather(const float* E, int dim, const int* ids, int T, float* x, int ldx, int col, cudaStream_t stream);

// The scatter-add grouped by row: group g adds, for p in [start[g], start[g + 1]) in order,
// dx[order[p] * ldx + col + j] to grad[rows[g] * dim + j], and sets touched[rows[g]] = 1 (may be
// null). One block per group: no two blocks write one row, no float atomics.
void embeddingScatter(const float* dx, int ldx, int col, int dim, const int* rows, const int* start, const int* order, int groups,
                      float* grad, unsigned char* touched, cudaStream_t stream);

}  // namespace meprop::cuda
