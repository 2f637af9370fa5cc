#pragma once
// The fused element-wise updates of SGD, AdaGrad and Adam: one pass over n contiguous floats of
// a parameter (a whole row-major matrix, a chunk of it or one row) that reads the gradient once,
// clips it, updates the moments and the weight, and writes the gradient back (clipped, or zero
// when the caller clears it in the same pass). The CPU body of the optimizer-update operation
// (issue 13's backend interface); the drivers below spread it over the run's threads.
//
// For every element i (g = clip > 0 ? min(max(g_i, -clip), clip) : g_i):
//   sgd:      w_i -= lr g
//   adagrad:  h_i += g^2;  w_i -= lr g / (sqrt(h_i) + eps)   (epsInside: lr g / sqrt(h_i + eps))
//   adam:     m_i = b1 m_i + (1-b1) g;  v_i = b2 v_i + (1-b2) g^2;
//             w_i -= stepSize m_i / (sqrt(v_i) invSqrtC2 + eps)   (stepSize, invSqrtC2: AdamStep)
// and then g_i = 0 (zeroGrad), or g_i = g (clip > 0), or g_i unchanged. No throws; w, g, m, v, h
// must not overlap.
//
// Adam's pass computes with subnormal floats (|x| < FLT_MIN, 1.2e-38) taken and stored as zero
// (x86's FTZ and DAZ for the pass, the caller's mode restored): where a gradient element stays
// zero, m decays by beta1 each step into the subnormals some 800 steps later, and arithmetic on
// subnormals is slow (a quarter of the image-dense preset's update time). Only moments below
// FLT_MIN change (to zero); a weight could move only through a step below about 1e-33, which
// changes no weight larger than about 1e-26 (Eigen's square root already took a subnormal v as 0).
#include "core/Parallel.h"

#include <algorithm>
#include <vector>

namespace meprop {

struct GradHandling {
    float clip = 0.0f;      // > 0: clip every element to [-clip, clip] first
    bool zeroGrad = false;  // clear the gradient in the same pass
};

struct AdamStep {
    float beta1, beta2;
    float stepSize;   // lr / (1 - b1^t)
    float invSqrtC2;  // 1 / sqrt(1 - b2^t)
    float eps;
};

// The bias-corrected scalars of Adam after t >= 1 updates.
AdamStep adamStep(float lr, float beta1, float beta2, float eps, long t);

void sgdUpdate(float* w, float* g, long n, float lr, const GradHandling& gh);
void adagradUpdate(float* w, float* g, float* h, long n, float lr, float eps, bool epsInside, const GradHandling& gh);
void adamUpdate(float* w, float* g, float* m, float* v, long n, const AdamStep& s, const GradHandling& gh);

// Chunks of a dense update: fixed in size (not derived from the thread count), so every element
// is computed by the same code path, with the same neighbours in its vector, for any thread count.
inline constexpr long kUpdateChunk = 4096;
// Below about this many elements per thread the threads cost more than they save.
inline constexpr long kUpdateMinPerThread = 32768;

// kernel(offset, count) over [0, n) in chunks of kUpdateChunk, the chunks spread over the threads.
template <class Kernel>
void forEachChunk(long n, Kernel&& kernel)
{
    const long chunks = (n + kUpdateChunk - 1) / kUpdateChunk;
    parallelRanges(chunks, kUpdateMinPerThread / kUpdateChunk, [&](long lo, long hi) {
        for (long c = lo; c < hi; ++c) kernel(c * kUpdateChunk, std::min(kUpdateChunk, n - c * kUpdateChunk));
    });
}

// body(lo, hi) over the row positions [0, count) of rows `cols` floats wide, spread over the
// threads. The positions name distinct rows (Parameter::rows holds each row once), so each row is
// updated by exactly one thread.
template <class Body>
void forEachRowRange(long count, long cols, Body&& body)
{
    parallelRanges(count, std::max(1L, kUpdateMinPerThread / std::max(1L, cols)), body);
}

}  // namespace meprop
