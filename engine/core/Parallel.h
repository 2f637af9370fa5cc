#pragma once
// The engine's CPU threads: OpenMP, as Eigen's products use it. The count is the run's (the
// trainer's `threads` key through setEngineThreads; bench-linear's --threads and the tests set
// Eigen::setNbThreads, which counts too).
//
// parallelRanges(n, minPerThread, body) splits [0, n) into contiguous ranges, one per thread, and
// calls body(lo, hi) once per non-empty range; with one thread (or n < 2 * minPerThread) it calls
// body(0, n) on the calling thread. Each index belongs to exactly one range, so a body whose
// result for an index does not depend on the range it came in (the callers' contract: no
// reduction across indices) gives the same result for every thread count. body must not throw
// (an exception cannot leave an OpenMP region).
#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <omp.h>

namespace meprop {

namespace detail {
inline std::atomic<int> g_engineThreads{0};  // setEngineThreads' count; 0: never set
}

// The thread count the run asked for (>= 1): the larger of setEngineThreads' and Eigen's.
inline int engineThreads() { return std::max({1, detail::g_engineThreads.load(std::memory_order_relaxed), Eigen::nbThreads()}); }

// Eigen's products are split over the run's threads only from minibatches of this many rows on.
// Eigen splits any product of more than about 50,000 multiply-adds, and its threads then wait
// for each other in busy loops inside the product. A minibatch of 10 through a 500-wide layer
// (about 4 million multiply-adds, some 100 us) gains little from that, and on a machine whose
// cores also run other work a waiting thread stalls the product for whole time slices: the image
// preset's forward pass at threads=2 measured 7 to 100 times slower than at threads=1 on this
// 2-core machine with a build beside it. Below this size the products stay on the calling thread
// (the same bits for any thread count, as parallelRanges' work) and the run's threads go to the
// engine's own loops (the optimizer updates, meProp's sparse backward).
inline constexpr long kThreadedProductMinRows = 256;

// The run's threads: parallelRanges uses `threads`; Eigen's products use them too when the run's
// minibatch has at least kThreadedProductMinRows rows, else one.
inline void setEngineThreads(int threads, long batchRows)
{
    threads = std::max(1, threads);
    detail::g_engineThreads.store(threads, std::memory_order_relaxed);
    Eigen::setNbThreads(batchRows >= kThreadedProductMinRows ? threads : 1);
}

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
