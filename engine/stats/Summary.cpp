#include "stats/Summary.h"

#include "core/Error.h"
#include "stats/StudentT.h"

#include <cmath>
#include <limits>
#include <string>

namespace meprop::stats {

Summary summarize(const std::vector<double>& values, double level)
{
    if (!(level > 0.0 && level < 1.0)) throw Error("confidence level: expected a number in (0, 1), got " + std::to_string(level));
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    Summary s;
    s.level = level;
    s.n = static_cast<int>(values.size());
    s.mean = s.stddev = s.ciLow = s.ciHigh = nan;
    if (values.empty()) return s;
    double sum = 0.0;
    for (double v : values) {
        if (!std::isfinite(v)) throw Error("statistics: a value is not finite (" + std::to_string(v) + ")");
        sum += v;
    }
    s.mean = sum / s.n;
    if (s.n < 2) return s;
    double ss = 0.0;  // two-pass: no cancellation for values far from zero (accuracies near 98)
    for (double v : values) ss += (v - s.mean) * (v - s.mean);
    s.stddev = std::sqrt(ss / (s.n - 1));
    const double half = studentTQuantile(0.5 * (1.0 + level), s.n - 1) * s.stddev / std::sqrt(static_cast<double>(s.n));
    s.ciLow = s.mean - half;
    s.ciHigh = s.mean + half;
    return s;
}

}  // namespace meprop::stats
