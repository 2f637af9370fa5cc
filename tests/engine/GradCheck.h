#pragma once
// The one finite-difference gradient checker every differentiable op goes through.
// `loss` evaluates a scalar from the current contents of `x`; `analytic` holds dLoss/dx.
// Central differences in double around each element; returns the worst relative error
// |a - n| / max(1e-2, |a| + |n|) over the checked elements (a sample of at most maxChecks).
#include "core/Tensor.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace meprop::test {

inline double gradCheck(Matrix& x, const Matrix& analytic, const std::function<double()>& loss, double h = 1e-2,
                        int maxChecks = 200)
{
    double worst = 0.0;
    const Eigen::Index n = x.size();
    const Eigen::Index stride = std::max<Eigen::Index>(1, n / maxChecks);
    for (Eigen::Index i = 0; i < n; i += stride) {
        const float saved = x.data()[i];
        x.data()[i] = static_cast<float>(saved + h);
        const double up = loss();
        x.data()[i] = static_cast<float>(saved - h);
        const double down = loss();
        x.data()[i] = saved;
        const double numeric = (up - down) / (2.0 * h);
        const double a = analytic.data()[i];
        worst = std::max(worst, std::fabs(a - numeric) / std::max(1e-2, std::fabs(a) + std::fabs(numeric)));
    }
    return worst;
}

}  // namespace meprop::test
