#pragma once
// The finiteness check of a gradient on the device (the GPU twin of ops/Finite.h). Kernels that
// already read a whole gradient (the radix select, the dense bias gradient) set the same flag
// themselves; this one is for the paths that do not (random-k reads only the kept entries).
#include <cuda_runtime_api.h>

#include <cstddef>

namespace meprop::cuda {

// Sets *nonFinite = 1 when some v[i], i < count, is NaN or infinite; never clears it.
void flagNonFinite(const float* v, std::size_t count, unsigned* nonFinite, cudaStream_t stream);

}  // namespace meprop::cuda
