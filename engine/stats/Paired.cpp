#include "stats/Paired.h"

#include "core/Error.h"

#include <cmath>
#include <string>
#include <vector>

namespace meprop::stats {

Summary pairedDelta(const BySeed& cell, const BySeed& baseline, double level)
{
    std::vector<double> d;
    for (const auto& [seed, v] : cell)
        if (auto it = baseline.find(seed); it != baseline.end()) d.push_back(v - it->second);
    return summarize(d, level);
}

RatioSummary pairedRatio(const BySeed& numerator, const BySeed& denominator, double level)
{
    std::vector<double> logs;
    for (const auto& [seed, num] : numerator) {
        const auto it = denominator.find(seed);
        if (it == denominator.end()) continue;
        if (!(num > 0.0) || !(it->second > 0.0))
            throw Error("ratio of seed " + std::to_string(seed) + ": expected positive values, got " + std::to_string(num) + " / " +
                        std::to_string(it->second));
        logs.push_back(std::log(num / it->second));
    }
    const Summary s = summarize(logs, level);
    RatioSummary r;
    r.n = s.n;
    r.level = level;
    r.ratio = std::exp(s.mean);
    r.ciLow = std::exp(s.ciLow);
    r.ciHigh = std::exp(s.ciHigh);
    return r;
}

}  // namespace meprop::stats
