#pragma once
// The one finite-difference gradient checker every differentiable op goes through.
//
// `loss` evaluates a scalar from the current contents of `x`, accumulated in double (the ops
// themselves run in float); `analytic` holds dLoss/dx.
//
// Which elements: all of x when it has at most `samples` elements, otherwise `samples` distinct
// ones drawn with an Rng seeded by `seed` (the same set on every run, spread over the whole tensor
// instead of a fixed stride that can miss a pattern).
//
// Per element: the float x_i is perturbed by +-s and the difference of the two losses divided by
// the steps actually taken (x_i + s rounded to float, minus x_i - s rounded), so the rounding of
// the perturbation is no error source. This central difference D(s) is taken at s = h (the
// estimate n) and at h/2, 2h/3, 3h/2 and 2h: their spread e = max - min bounds the difference's
// own error, which is truncation (growing as s^2, so D(2h) - D(h) is 3x the error of D(h)) or
// the float noise of the forward pass (growing as 1/s and different at every s, so five samples
// show it; three were measured to underestimate it now and then), whichever dominates. The
// relative error is
//     err_i = max(0, |a - n| - e) / (|a| + |n|)        (0 when both are 0)
// and the result is the worst. A relative error is thus measured wherever the finite difference
// resolves the gradient, however small the gradient (the old fixed floor of 1e-2 on |a| + |n| let
// any gradient below about 1e-4 pass unchecked); only the part of a discrepancy that the finite
// difference cannot resolve is forgiven. GradCheckResult::resolved counts the elements where
// e <= 1e-2 (|a| + |n|), i.e. where an error of 1 % would show.
#include "core/Rng.h"
#include "core/Tensor.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <ostream>
#include <vector>

namespace meprop::test {

struct GradCheckResult {
    double worst = 0.0;       // the largest relative error (see above)
    Eigen::Index index = -1;  // of the element where it occurred
    double analytic = 0.0, numeric = 0.0, spread = 0.0;
    int checked = 0;
    int resolved = 0;                          // elements where a 1 % error would show
    operator double() const { return worst; }  // EXPECT_LT(gradCheck(...), tol) compares this
};

inline std::ostream& operator<<(std::ostream& os, const GradCheckResult& r)
{
    return os << r.worst << " (worst at element " << r.index << ": analytic " << r.analytic << ", numeric " << r.numeric
              << " +- " << r.spread << "; " << r.checked << " elements checked, " << r.resolved << " resolved to 1 %)";
}
// gtest prints values through PrintTo when it finds one.
inline void PrintTo(const GradCheckResult& r, std::ostream* os)
{
    *os << r;
}

inline GradCheckResult gradCheck(Matrix& x, const Matrix& analytic, const std::function<double()>& loss, double h = 1e-2,
                                 int samples = 200, std::uint64_t seed = 1)
{
    GradCheckResult result;
    const Eigen::Index n = x.size();
    if (analytic.rows() != x.rows() || analytic.cols() != x.cols()) {
        result.worst = HUGE_VAL;  // a shape mismatch never passes
        return result;
    }
    std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    const Eigen::Index count = std::min<Eigen::Index>(n, std::max(1, samples));
    if (count < n) {
        Rng rng(seed);
        for (Eigen::Index i = 0; i < count; ++i)  // partial Fisher-Yates: `count` distinct elements
            std::swap(order[static_cast<std::size_t>(i)],
                      order[static_cast<std::size_t>(i + static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(n - i))))]);
        order.resize(static_cast<std::size_t>(count));
    }
    for (const Eigen::Index i : order) {
        float& xi = x.data()[i];
        const float saved = xi;
        auto central = [&](double step) {
            const float up = static_cast<float>(saved + step), down = static_cast<float>(saved - step);
            xi = up;
            const double lossUp = loss();
            xi = down;
            const double lossDown = loss();
            xi = saved;
            return (lossUp - lossDown) / (static_cast<double>(up) - static_cast<double>(down));
        };
        const double d1 = central(h);
        double lo = d1, hi = d1;
        for (const double f : {0.5, 2.0 / 3.0, 1.5, 2.0}) {
            const double d = central(f * h);
            lo = std::min(lo, d);
            hi = std::max(hi, d);
        }
        const double spread = hi - lo;
        const double a = analytic.data()[i];
        const double scale = std::fabs(a) + std::fabs(d1);
        double err = scale > 0.0 ? std::max(0.0, std::fabs(a - d1) - spread) / scale : 0.0;
        if (std::isnan(err) || std::isnan(spread)) err = HUGE_VAL;  // a NaN loss or gradient never passes
        if (spread <= 1e-2 * scale) ++result.resolved;
        if (err >= result.worst) {
            result.worst = err;
            result.index = i;
            result.analytic = a;
            result.numeric = d1;
            result.spread = spread;
        }
        ++result.checked;
    }
    return result;
}

}  // namespace meprop::test
