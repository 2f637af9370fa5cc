#include "optim/UpdateKernels.h"

#include <cmath>
#include <type_traits>

namespace meprop {

namespace {

// Plain loops over restrict pointers, which GCC and Clang vectorise (this file is compiled with
// -fno-math-errno, engine/CMakeLists.txt, so std::sqrt is the vector square-root instruction:
// correctly rounded, and faster here than Eigen's fast-math approximation: 0.153 against 0.174 ms
// for the image MLP's Adam pass, L3-resident). The spans are fixed by the callers (chunks of
// kUpdateChunk, rows), never by the thread count.
template <bool kClip, bool kZero>
inline float takeGrad(float* __restrict g, long i, float clip)
{
    float gi = g[i];
    if constexpr (kClip) gi = std::min(std::max(gi, -clip), clip);
    if constexpr (kZero)
        g[i] = 0.0f;
    else if constexpr (kClip)
        g[i] = gi;
    return gi;
}

template <bool kClip, bool kZero>
void sgdLoop(float* __restrict w, float* __restrict g, long n, float lr, float clip)
{
    for (long i = 0; i < n; ++i) w[i] -= lr * takeGrad<kClip, kZero>(g, i, clip);
}

template <bool kClip, bool kZero, bool kInside>
void adagradLoop(float* __restrict w, float* __restrict g, float* __restrict h, long n, float lr, float eps, float clip)
{
    for (long i = 0; i < n; ++i) {
        const float gi = takeGrad<kClip, kZero>(g, i, clip);
        const float hi = h[i] + gi * gi;
        h[i] = hi;
        if constexpr (kInside)
            w[i] -= lr * gi / std::sqrt(hi + eps);
        else
            w[i] -= lr * gi / (std::sqrt(hi) + eps);
    }
}

template <bool kClip, bool kZero>
void adamLoop(float* __restrict w, float* __restrict g, float* __restrict m, float* __restrict v, long n, const AdamStep& s, float clip)
{
    // Local copies: the stores through the float pointers could otherwise alias `s`.
    const float b1 = s.beta1, b2 = s.beta2, c1 = 1.0f - s.beta1, c2 = 1.0f - s.beta2, stepSize = s.stepSize, invSqrtC2 = s.invSqrtC2,
                eps = s.eps;
    for (long i = 0; i < n; ++i) {
        const float gi = takeGrad<kClip, kZero>(g, i, clip);
        const float mi = b1 * m[i] + c1 * gi;
        const float vi = b2 * v[i] + c2 * (gi * gi);
        m[i] = mi;
        v[i] = vi;
        w[i] -= stepSize * mi / (std::sqrt(vi) * invSqrtC2 + eps);
    }
}

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
        sgdLoop<decltype(clipFlag)::value, decltype(zeroFlag)::value>(w, g, n, lr, gh.clip);
    });
}

void adagradUpdate(float* w, float* g, float* h, long n, float lr, float eps, bool epsInside, const GradHandling& gh)
{
    withFlags(gh, [&](auto clipFlag, auto zeroFlag) {
        constexpr bool clip = decltype(clipFlag)::value, zero = decltype(zeroFlag)::value;
        if (epsInside)
            adagradLoop<clip, zero, true>(w, g, h, n, lr, eps, gh.clip);
        else
            adagradLoop<clip, zero, false>(w, g, h, n, lr, eps, gh.clip);
    });
}

void adamUpdate(float* w, float* g, float* m, float* v, long n, const AdamStep& s, const GradHandling& gh)
{
    withFlags(gh, [&](auto clipFlag, auto zeroFlag) {
        adamLoop<decltype(clipFlag)::value, decltype(zeroFlag)::value>(w, g, m, v, n, s, gh.clip);
    });
}

}  // namespace meprop
