#pragma once
// Mean, sample standard deviation and Student-t confidence interval of a handful of values (one per
// seed): the statistics behind every cell of `meprop reproduce`.
#include <vector>

namespace meprop::stats {

struct Summary {
    int n = 0;
    double mean = 0.0;    // NaN when n == 0
    double stddev = 0.0;  // sample standard deviation (divisor n - 1); NaN when n < 2
    double ciLow = 0.0;   // mean -/+ t_{(1+level)/2, n-1} * stddev / sqrt(n); NaN when n < 2
    double ciHigh = 0.0;
    double level = 0.95;
    bool hasInterval() const { return n >= 2; }
};

// Throws Error when a value is not finite or level is outside (0, 1).
Summary summarize(const std::vector<double>& values, double level = 0.95);

}  // namespace meprop::stats
