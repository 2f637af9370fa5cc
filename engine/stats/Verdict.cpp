#include "stats/Verdict.h"

#include "core/Error.h"

#include <string>

namespace meprop::stats {

const char* toString(Verdict v)
{
    switch (v) {
    case Verdict::Holds: return "holds";
    case Verdict::Fails: return "fails";
    case Verdict::Inconclusive: return "inconclusive";
    }
    return "?";
}

Verdict noWorseThan(const Summary& delta, double margin)
{
    if (!(margin >= 0.0)) throw Error("margin: expected a number >= 0, got " + std::to_string(margin));
    if (!delta.hasInterval()) return Verdict::Inconclusive;
    if (delta.ciLow >= -margin) return Verdict::Holds;
    if (delta.ciHigh < -margin) return Verdict::Fails;
    return Verdict::Inconclusive;
}

Verdict atLeast(const RatioSummary& speedup, double claimed)
{
    if (!(claimed > 0.0)) throw Error("claimed speedup: expected a number > 0, got " + std::to_string(claimed));
    if (!speedup.hasInterval()) return Verdict::Inconclusive;
    if (speedup.ciLow >= claimed) return Verdict::Holds;
    if (speedup.ciHigh < claimed) return Verdict::Fails;
    return Verdict::Inconclusive;
}

}  // namespace meprop::stats
