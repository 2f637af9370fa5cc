#pragma once
// The kernels of a linear layer y = x W^T + b on the GPU besides the cuBLAS GEMMs (see
// CudaBackend::linearSparseBackward for the whole backward). Row-major: x (batch x in), W (out x in), dy (batch x out).
// Gradients accumulate (+=) like layers/Linear. Every kernel that gives output row r a gradient also
// sets touched[r] = 1 and adds to counts[r] the number of examples that kept r (the bookkeeping of
// Linear::updateCounts()); touched/counts may be null.
#include "cuda/DeviceBuffer.h"

#include <cuda_runtime_api.h>

#include <cstdint>

namespace meprop::cuda {

// y (batch x n) += b (1 x n) broadcast over rows.
void addBias(float* y, int batch, int n, const float* b, cudaStream_t stream);

// counts[r] += amount for r < n (the dense backward's update counts, amount = batch).
void addToCounts(std::uint64_t* counts, int n, std::uint64_t amount, cudaStream_t stream);

// Dense backward bookkeeping: db[j] += sum_b dy[b, j] (fixed order); touched[j] = 1, counts[j] += batch.
// nonFinite (may be null): set to 1 when some dy[b, j] is NaN or infinite (it reads all of dy).
// touched and counts may be null (db alone: the column sums). n == 0 launches nothing.
void denseBiasGrad(const float* dy, int batch, int n, float* db, unsigned char* touched, std::uint64_t* counts, cudaStream_t stream,
                   unsigned* nonFinite = nullptr);

// Unified: gathers dyK[b, j] = dy[b, idx[j]] (batch x k) and, when W and wK are given,
// wK[j, :] = W[idx[j], :] (k x in), in one launch.
void gatherUnified(const float* dy, int batch, int n, const int* idx, int k, const float* W, int in, float* dyK, float* wK,
                   cudaStream_t stream);

// Unified: dW[idx[j], :] += dWK[j, :] (dWK is k x in); db[idx[j]] += sum_b dyK[b, j] (db may be null:
// no bias); touched and counts (+= batch) for every idx[j]. The indices of idx are distinct; in >= 1.
void scatterUnified(const float* dWK, const float* dyK, int batch, int k, int in, const int* idx, float* dW, float* db,
                    unsigned char* touched, std::uint64_t* counts, cudaStream_t stream);

// Per-example selection idx (batch x k, example b's indices at idx + b*k):
// dx[b, :] = sum_j dy[b, idx_bj] W[idx_bj, :] (overwrites dx, batch x in).
void perExampleInputGrad(const float* dy, int batch, int n, const int* idx, int k, const float* W, int in, float* dx,
                         cudaStream_t stream);
// Scratch space of perExampleWeightGrad, grown on demand and kept between calls.
struct RowGroupScratch {
    DeviceBuffer<unsigned> rows;                   // batch*k: the selected rows, sorted
    DeviceBuffer<int> examples, sortedExamples;    // batch*k: the example of each pair, before/after the sort
    DeviceBuffer<int> start, end;                  // n: each row's segment of the sorted pairs
    DeviceBuffer<unsigned char> temp;              // CUB's radix-sort storage
};

// Groups `count` (key, value) pairs by key, the keys (device, count) in [0, n): a stable radix sort
// carrying the values (device, count) leaves the sorted keys in scratch.rows and the values in
// scratch.sortedExamples, ascending within each key; scratch.start[r], scratch.end[r] bound key r's
// segment (both 0 for a key that does not occur). What the deterministic scatters sum in order.
void groupPairsByKey(const unsigned* keys, const int* values, int count, int n, RowGroupScratch& scratch, cudaStream_t stream);
// The pairs (row idx_bj, example b) of a per-example selection idx (batch x k, entries in [0, n))
// grouped by row: groupPairsByKey with the examples as values (scratch.sortedExamples: each row's
// examples ascending). batch*k < 2^31; batch*k == 0 does nothing.
void groupSelectionByRow(const int* idx, int batch, int k, int n, RowGroupScratch& scratch, cudaStream_t stream);
// With the pairs grouped (groupSelectionByRow, same n): dW[r, :] += sum over r's examples b, ascending,
// of dy[b, r] x[b, :] (dy batch x n, x batch x in, dW n x in); db[r] += sum of those dy[b, r] (db may
// be null); touched[r] = 1, counts[r] += the number of r's examples (either may be null). nonFinite
// (may be null): set to 1 when one of the dy[b, r] read is NaN or infinite. One block column per
// row, no float atomics: deterministic. n or in <= 0 launches nothing.
void groupedWeightGrad(const float* dy, int n, const RowGroupScratch& scratch, const float* x, int in, float* dW, float* db,
                       unsigned char* touched, std::uint64_t* counts, cudaStream_t stream, unsigned* nonFinite = nullptr);
// Both of the above: dW[idx_bj, :] += dy[b, idx_bj] x[b, :]; db[idx_bj] += dy[b, idx_bj]; touched, counts (+= 1 per
// example); batch*k < 2^31. Deterministic: the pairs are grouped by row (a stable CUB radix sort) and each row sums
// its examples in ascending order, as the CPU's row-grouped backward does; no float atomics.
void perExampleWeightGrad(const float* dy, int batch, int n, const int* idx, int k, const float* x, int in, float* dW, float* db,
                          unsigned char* touched, std::uint64_t* counts, RowGroupScratch& scratch, cudaStream_t stream);

}  // namespace meprop::cuda
