#pragma once
// The Random meProp mode's selection on the GPU (ops/RandomK.h): the counter-based draws of
// ops/CounterRng.h computed on the device, so the host neither draws nor uploads nor waits.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace meprop::cuda {

// Scratch words randomKRows needs for `rows` rows of n components: 0 while a row's bitmap fits in
// shared memory (n <= 393216), else rows * ceil(n / 32).
std::size_t randomKScratchWords(int rows, int n);

// For each of `rows` rows writes to out[r * k .. r * k + k) the k components of stream r under
// `key`, ascending: the CPU's randomKIndices(key, r, n, k, ...) exactly (one warp per row runs the
// same drawRandomSubset, then reads the bitmap back in index order). Requires 1 <= k <= n;
// scratch: randomKScratchWords(rows, n) words of device memory (may be null when that is 0).
void randomKRows(std::uint64_t key, int rows, int n, int k, int* out, unsigned* scratch, cudaStream_t stream);

}  // namespace meprop::cuda
