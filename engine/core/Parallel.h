#pragma once
// The engine's CPU threads: OpenMP, as Eigen's products use it, with the count the run set through
// Eigen::setNbThreads (the trainer's `threads` key; bench-linear's --threads).
//
// parallelRanges(n, minPerThread, body) splits [0, n) into contiguous ranges, one per thread, and
// calls body(lo, hi) once per non-empty range; with one thread (or n < 2 * minPerThread) it calls
// body(0, n) on the calling thread. Each index belongs to exactly one range, so a body whose
// result for an index does not depend on the range it came in (the callers' contract: no
// reduction across indices) gives the same result for every thread count. body must not throw
// (an exception cannot leave an OpenMP region).
#include <Eigen/Core>
#include <algorithm>
#include <omp.h>

namespace meprop {

// The thread count the run asked for (>= 1).
inline int engineThreads() { return std::max(1, Eigen::nbThreads()); }

template <class Body>
void parallelRanges(long n, long minPerThread, Body&& body)
{
    if (n <= 0) return;
    const long most = std::max(1L, n / std::max(1L, minPerThread));
    const int threads = static_cast<int>(std::min<long>(engineThreads(), most));
    if (threads <= 1 || omp_in_parallel()) {
        body(0L, n);
        return;
    }
#pragma omp parallel num_threads(threads)
    {
        const long id = omp_get_thread_num(), count = omp_get_num_threads();
        const long lo = n * id / count, hi = n * (id + 1) / count;
        if (lo < hi) body(lo, hi);
    }
}

}  // namespace meprop
