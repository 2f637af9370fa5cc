#pragma once
// Element-wise arithmetic on device arrays of `count` floats, in place (backend/Backend.h's scale
// and multiply, the cube activation). Empty arrays launch nothing.
#include <cuda_runtime_api.h>

#include <cstddef>

namespace meprop::cuda {

// x[i] *= factor.
void scale(float* x, std::size_t count, float factor, cudaStream_t stream);

// x[i] *= y[i] (x and y do not overlap, or are the same array).
void multiply(float* x, const float* y, std::size_t count, cudaStream_t stream);

// The parser's cube activation: h[i] = z[i]^3; its backward dh[i] *= 3 z[i]^2.
void cubeForward(const float* z, float* h, std::size_t count, cudaStream_t stream);
void cubeBackward(const float* z, float* dh, std::size_t count, cudaStream_t stream);

// y[i] += x[i] (backend/Backend.h's accumulate; x and y do not overlap).
void add(float* y, const float* x, std::size_t count, cudaStream_t stream);

}  // namespace meprop::cuda
