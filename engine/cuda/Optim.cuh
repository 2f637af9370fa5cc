#pragma once
// Optimizer updates on the device, elementwise and identical in formula to optim/{Sgd,AdaGrad,Adam}
// (the host computes the step-dependent scalars the same way). A parameter is (rows x cols)
// row-major; rowMask (rows bytes) null: update every element; else only rows with rowMask[r] != 0
// (the lazy "touchedRowsOnly" variant). Empty shapes launch nothing.
#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace meprop::cuda {

// Every update reads g[i] once as gi: clipped to [-clip, clip] when clip > 0 (0: off), then written
// back as 0 when zeroGrad (the gradient cleared in the same pass; the caller clears the row marks)
// or as the clipped value when clip > 0, else left as it is (optim/UpdateKernels.h's GradHandling).
//
// w -= lr * gi
void sgdUpdate(float* w, float* g, int rows, int cols, const unsigned char* rowMask, float lr, float clip, bool zeroGrad,
               cudaStream_t stream);
// h += gi^2; w -= lr * gi / (sqrt(h) + eps)   (epsInside: lr * gi / sqrt(h + eps))
void adagradUpdate(float* w, float* g, float* h, int rows, int cols, const unsigned char* rowMask, float lr, float eps, bool epsInside,
                   float clip, bool zeroGrad, cudaStream_t stream);
// m = b1 m + (1-b1) gi; v = b2 v + (1-b2) gi^2; w -= stepSize * m / (sqrt(v) * invSqrtC2 + eps)
void adamUpdate(float* w, float* g, float* m, float* v, int rows, int cols, const unsigned char* rowMask, float beta1, float beta2,
                float stepSize, float invSqrtC2, float eps, float clip, bool zeroGrad, cudaStream_t stream);
// Lazy Adam (optim/Adam.h): each row r with rowMask[r] != 0 (every row when rowMask is null) counts
// one more step in rowSteps[r] and is updated with the scalars of its own count t_r:
// stepSize = lr / (1 - b1^t_r), invSqrtC2 = 1 / sqrt(1 - b2^t_r), computed in double and rounded to
// float as the CPU does. rowScalars is scratch of 2 * rows floats.
void adamLazyUpdate(float* w, float* g, float* m, float* v, int rows, int cols, const unsigned char* rowMask,
                    std::int64_t* rowSteps, float* rowScalars, float beta1, float beta2, float lr, float eps, float clip, bool zeroGrad,
                    cudaStream_t stream);
// g[r, :] = 0 for the rows with touched[r] != 0, then touched[r] = 0: clearing a row-sparse gradient
// in O(touched rows * cols).
void zeroTouchedRows(float* g, int rows, int cols, unsigned char* touched, cudaStream_t stream);

}  // namespace meprop::cuda
