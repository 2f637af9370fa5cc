#include "optim/UpdateKernels.h"

#include <cmath>
#include <cstring>
#include <type_traits>

#if defined(__x86_64__) || defined(_M_X64) || defined(__SSE__)
#include <xmmintrin.h>
#define MEPROP_HAVE_MXCSR 1
#endif

namespace meprop {

namespace {

// Fixed-size Eigen blocks of one AVX register (8 floats): each statement is a few vector
// instructions on registers, so memory sees each array once (read, and written where it
// changes). The arithmetic is Eigen's, as the whole-array expressions the optimizers used before
// (the same bits: the image preset's run is unchanged to the last digit). Measured in the
// trainer, this beats a plain loop with the correctly rounded vector sqrt (-fno-math-errno) and a
// reciprocal-estimate division: the square root and the division share one unit, and Eigen's
// square root (an rsqrt estimate and a Newton step) does not use it. Larger blocks measured
// slower (their intermediate results go through L1). The tail of a span goes in blocks of 1.
template <int B>
using Block = Eigen::Array<float, B, 1>;
template <int B>
using Span = Eigen::Map<Block<B>>;

template <bool kClip, bool kZero, int B>
inline Block<B> takeGrad(float* g, float clip)
{
    Span<B> G(g);
    Block<B> gi = G;
    if constexpr (kClip) gi = gi.max(-clip).min(clip);
    if constexpr (kZero)
        std::memset(g, 0, sizeof(float) * B);  // vector stores (Eigen's setZero on a map may not be)
    else if constexpr (kClip)
        G = gi;
    return gi;
}

template <bool kClip, bool kZero, int B>
long sgdBlocks(long i, long n, float* w, float* g, float lr, float clip)
{
    for (; i + B <= n; i += B) {
        const Block<B> gi = takeGrad<kClip, kZero, B>(g + i, clip);
        Span<B>(w + i) -= lr * gi;
    }
    return i;
}

template <bool kClip, bool kZero, bool kInside, int B>
long adagradBlocks(long i, long n, float* w, float* g, float* h, float lr, float eps, float clip)
{
    for (; i + B <= n; i += B) {
        const Block<B> gi = takeGrad<kClip, kZero, B>(g + i, clip);
        Span<B> H(h + i);
        H += gi.square();
        if constexpr (kInside)
            Span<B>(w + i) -= lr * gi / (H + eps).sqrt();
        else
            Span<B>(w + i) -= lr * gi / (H.sqrt() + eps);
    }
    return i;
}

template <bool kClip, bool kZero, int B>
long adamBlocks(long i, long n, float* w, float* g, float* m, float* v, const AdamStep& s, float clip)
{
    // Local copies: the stores through the float pointers could alias `s`, which would make the
    // compiler reload each scalar in every iteration.
    const float b1 = s.beta1, b2 = s.beta2, c1 = 1.0f - s.beta1, c2 = 1.0f - s.beta2, stepSize = s.stepSize, invSqrtC2 = s.invSqrtC2,
                eps = s.eps;
    for (; i + B <= n; i += B) {
        const Block<B> gi = takeGrad<kClip, kZero, B>(g + i, clip);
        Span<B> M(m + i), V(v + i);
        M = b1 * M + c1 * gi;
        V = b2 * V + c2 * gi.square();
        Span<B>(w + i) -= stepSize * M / (V.sqrt() * invSqrtC2 + eps);
    }
    return i;
}

// For its lifetime, this thread's SSE/AVX arithmetic treats subnormal inputs as zero (DAZ) and
// flushes subnormal results to zero (FTZ); the caller's mode comes back at the end of the scope
// (no-op where there is no MXCSR). Why Adam's pass runs so (UpdateKernels.h): where a gradient
// element stays zero, m decays by beta1 each step and is subnormal some 800 steps later; on this
// machine's CPU an instruction with subnormal operands or results costs far more, measured 25 %
// of the image-dense preset's whole update phase over 1,000 steps.
class SubnormalsAsZero {
public:
#ifdef MEPROP_HAVE_MXCSR
    SubnormalsAsZero() : m_saved(_mm_getcsr()) { _mm_setcsr(m_saved | kFtz | kDaz); }
    ~SubnormalsAsZero() { _mm_setcsr(m_saved); }
#else
    SubnormalsAsZero() = default;
#endif
    SubnormalsAsZero(const SubnormalsAsZero&) = delete;
    SubnormalsAsZero& operator=(const SubnormalsAsZero&) = delete;

private:
#ifdef MEPROP_HAVE_MXCSR
    static constexpr unsigned kFtz = 0x8000, kDaz = 0x0040;
    unsigned m_saved;
#endif
};

// Calls f(clip, zero) with the two flags as compile-time constants.
template <class F>
void withFlags(const GradHandling& gh, F&& f)
{
    const bool clip = gh.clip > 0.0f;
    if (clip && gh.zeroGrad) f(std::true_type{}, std::true_type{});
    else if (clip) f(std::true_type{}, std::false_type{});
    else if (gh.zeroGrad) f(std::false_type{}, std::true_type{});
    else f(std::false_type{}, std::false_type{});
}

}  // namespace

AdamStep adamStep(float lr, float beta1, float beta2, float eps, long t)
{
    const float c1 = 1.0f - static_cast<float>(std::pow(beta1, t));
    const float c2 = 1.0f - static_cast<float>(std::pow(beta2, t));
    return {beta1, beta2, lr / c1, 1.0f / std::sqrt(c2), eps};
}

void sgdUpdate(float* w, float* g, long n, float lr, const GradHandling& gh)
{
    withFlags(gh, [&](auto clipFlag, auto zeroFlag) {
        constexpr bool clip = decltype(clipFlag)::value, zero = decltype(zeroFlag)::value;
        const long i = sgdBlocks<clip, zero, 8>(0, n, w, g, lr, gh.clip);
        sgdBlocks<clip, zero, 1>(i, n, w, g, lr, gh.clip);
    });
}

void adagradUpdate(float* w, float* g, float* h, long n, float lr, float eps, bool epsInside, const GradHandling& gh)
{
    withFlags(gh, [&](auto clipFlag, auto zeroFlag) {
        constexpr bool clip = decltype(clipFlag)::value, zero = decltype(zeroFlag)::value;
        auto run = [&](auto insideFlag) {
            constexpr bool inside = decltype(insideFlag)::value;
            const long i = adagradBlocks<clip, zero, inside, 8>(0, n, w, g, h, lr, eps, gh.clip);
            adagradBlocks<clip, zero, inside, 1>(i, n, w, g, h, lr, eps, gh.clip);
        };
        if (epsInside)
            run(std::true_type{});
        else
            run(std::false_type{});
    });
}

void adamUpdate(float* w, float* g, float* m, float* v, long n, const AdamStep& s, const GradHandling& gh)
{
    const SubnormalsAsZero flush;
    withFlags(gh, [&](auto clipFlag, auto zeroFlag) {
        constexpr bool clip = decltype(clipFlag)::value, zero = decltype(zeroFlag)::value;
        const long i = adamBlocks<clip, zero, 8>(0, n, w, g, m, v, s, gh.clip);
        adamBlocks<clip, zero, 1>(i, n, w, g, m, v, s, gh.clip);
    });
}

}  // namespace meprop
