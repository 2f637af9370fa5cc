#pragma once
// Student's t distribution: the CDF through the regularized incomplete beta function, and its
// quantile by bracketing and bisection on that CDF (monotone, so the root is unique and found to
// ~1e-13 relative accuracy). Used for the 95 % confidence intervals of seed statistics.
namespace meprop::stats {

// I_x(a, b), the regularized incomplete beta function, for a > 0, b > 0, 0 <= x <= 1; continued
// fraction evaluated with the modified Lentz method (Numerical Recipes 6.4), relative error ~1e-14.
// Throws Error for arguments outside the domain.
double regularizedIncompleteBeta(double a, double b, double x);

// P(T <= t) for T ~ Student t with df > 0 degrees of freedom (df need not be an integer):
//   P(T <= t) = 1 - I_{df/(df+t^2)}(df/2, 1/2) / 2 for t >= 0, symmetric for t < 0.
// Throws Error when df <= 0 or t is NaN.
double studentTCdf(double t, double df);

// The t with P(T <= t) = p, for 0 < p < 1 and df > 0 (e.g. p = 0.975, df = 4 gives 2.776445).
// Throws Error outside that domain.
double studentTQuantile(double p, double df);

}  // namespace meprop::stats
