#pragma once
// Embedding lookups on the device (backend/Backend.h embeddingForward / embeddingBackward).
// ids (batch x ldIds, row-major ints): row b's ids of one table are ids[b*ldIds + idCol0 ..
// + idCount); x, dx (batch x ldx): id j of row b reads/writes the d columns from xCol0 + j*d.
#include "cuda/SparseLinear.cuh"

#include <cuda_runtime_api.h>

namespace meprop::cuda {

// x[b, xCol0 + j d + c] = table[id, c] for every row b, j < idCount, c < d.
void embeddingGather(const float* table, int d, const int* ids, int ldIds, int idCol0, int idCount, int batch, float* x, int ldx,
                     int xCol0, cudaStream_t stream);

// grad[id, c] += dx[b, xCol0 + j d + c] over the occurrences (b, j) of id, summed in ascending
// (b, j) order onto the old value (the CPU's order: the same bits), touched[id] = 1 (touched may be
// null). Deterministic: the occurrences are grouped by id (groupPairsByKey), no float atomics.
// keys, positions: scratch of batch*idCount each (grown here).
void embeddingScatterAdd(const float* dx, int ldx, int xCol0, const int* ids, int ldIds, int idCol0, int idCount, int batch, int d,
                         int vocab, float* grad, unsigned char* touched, DeviceBuffer<unsigned>& keys, DeviceBuffer<int>& positions,
                         RowGroupScratch& scratch, cudaStream_t stream);

}  // namespace meprop::cuda
