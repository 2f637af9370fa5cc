#pragma once
// Verdicts on the paper's claims, with an equivalence margin (the definition):
//   "meProp is no worse than its baseline": holds when the paired delta's CI lower bound is
//     >= -margin, fails when its CI upper bound is < -margin, inconclusive otherwise;
//   "as fast as the paper's speedup": holds when the speedup's CI lower bound is >= the paper's
//     speedup, fails when its CI upper bound is < the paper's speedup, inconclusive otherwise.
// With fewer than two paired seeds there is no interval and every verdict is inconclusive.
#include "stats/Paired.h"
#include "stats/Summary.h"

#include <string>

namespace meprop::stats {

enum class Verdict { Holds, Fails, Inconclusive };

const char* toString(Verdict v);  // "holds" | "fails" | "inconclusive"

// margin in the metric's units (accuracy points); margin >= 0, else Error.
Verdict noWorseThan(const Summary& delta, double margin);
// claimed > 0, else Error.
Verdict atLeast(const RatioSummary& speedup, double claimed);

}  // namespace meprop::stats
