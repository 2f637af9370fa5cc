#pragma once
// Comparisons paired by seed: a cell and its baseline ran with the same seeds, so the seed's effect
// (initialisation, shuffling) cancels in the per-seed difference or ratio.
#include "stats/Summary.h"

#include <cstdint>
#include <map>

namespace meprop::stats {

using BySeed = std::map<std::int64_t, double>;

// Summary of cell[s] - baseline[s] over the seeds present in both (n = their number).
Summary pairedDelta(const BySeed& cell, const BySeed& baseline, double level = 0.95);

// A ratio (e.g. a speedup) with its confidence interval, computed on the log scale: the per-seed
// ratios r_s = numerator[s] / denominator[s] are summarised as log r_s with a Student-t interval,
// and everything is transformed back, so `ratio` is the geometric mean and [ciLow, ciHigh] =
// exp(mean log r -/+ t * sd(log r) / sqrt(n)), always positive and asymmetric like a ratio's spread.
struct RatioSummary {
    int n = 0;
    double ratio = 0.0;   // geometric mean of the per-seed ratios; NaN when n == 0
    double ciLow = 0.0;   // NaN when n < 2
    double ciHigh = 0.0;
    double level = 0.95;
    bool hasInterval() const { return n >= 2; }
};

// Pairs numerator[s] / denominator[s] over the common seeds. Throws Error when a paired value is
// not positive (a time of 0 s cannot give a ratio).
RatioSummary pairedRatio(const BySeed& numerator, const BySeed& denominator, double level = 0.95);

}  // namespace meprop::stats
