#include "stats/StudentT.h"

#include "core/Error.h"

#include <cmath>
#include <limits>
#include <string>

namespace meprop::stats {

namespace {

// Continued fraction of I_x(a, b) (Numerical Recipes' betacf, modified Lentz).
double betaContinuedFraction(double a, double b, double x)
{
    constexpr int kMaxIterations = 1000;
    constexpr double kEps = 1e-16, kTiny = 1e-300;
    const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap;
    if (std::fabs(d) < kTiny) d = kTiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= kMaxIterations; ++m) {
        const double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (std::fabs(d) < kTiny) d = kTiny;
        c = 1.0 + aa / c;
        if (std::fabs(c) < kTiny) c = kTiny;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (std::fabs(d) < kTiny) d = kTiny;
        c = 1.0 + aa / c;
        if (std::fabs(c) < kTiny) c = kTiny;
        d = 1.0 / d;
        const double del = d * c;
        h *= del;
        if (std::fabs(del - 1.0) < kEps) return h;
    }
    return h;  // converged to double precision long before for the a, b of t intervals
}

}  // namespace

double regularizedIncompleteBeta(double a, double b, double x)
{
    if (!(a > 0.0) || !(b > 0.0) || !(x >= 0.0 && x <= 1.0))
        throw Error("incomplete beta: expected a > 0, b > 0 and 0 <= x <= 1, got a=" + std::to_string(a) + ", b=" + std::to_string(b) +
                    ", x=" + std::to_string(x));
    if (x == 0.0) return 0.0;
    if (x == 1.0) return 1.0;
    const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
    // The fraction converges fast for x < (a+1)/(a+b+2); use the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) otherwise.
    if (x < (a + 1.0) / (a + b + 2.0)) return front * betaContinuedFraction(a, b, x) / a;
    return 1.0 - front * betaContinuedFraction(b, a, 1.0 - x) / b;
}

double studentTCdf(double t, double df)
{
    if (!(df > 0.0) || std::isnan(t)) throw Error("Student t CDF: expected df > 0 and a number t, got df=" + std::to_string(df));
    if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
    const double tail = 0.5 * regularizedIncompleteBeta(0.5 * df, 0.5, df / (df + t * t));
    return t >= 0.0 ? 1.0 - tail : tail;
}

double studentTQuantile(double p, double df)
{
    if (!(p > 0.0 && p < 1.0) || !(df > 0.0))
        throw Error("Student t quantile: expected 0 < p < 1 and df > 0, got p=" + std::to_string(p) + ", df=" + std::to_string(df));
    if (p == 0.5) return 0.0;
    if (p < 0.5) return -studentTQuantile(1.0 - p, df);
    // Upper tail: bracket [lo, hi] with cdf(lo) < p <= cdf(hi), then bisect. Comparing on the tail
    // probability 1 - cdf keeps precision for p close to 1.
    const double tailWanted = 1.0 - p;
    auto tail = [df](double t) { return 0.5 * regularizedIncompleteBeta(0.5 * df, 0.5, df / (df + t * t)); };
    double lo = 0.0, hi = 1.0;
    while (tail(hi) > tailWanted) {
        lo = hi;
        hi *= 2.0;
        if (hi > 1e300) return std::numeric_limits<double>::infinity();
    }
    for (int i = 0; i < 2000 && hi - lo > 1e-14 * hi; ++i) {
        const double mid = 0.5 * (lo + hi);
        if (tail(mid) > tailWanted) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

}  // namespace meprop::stats
