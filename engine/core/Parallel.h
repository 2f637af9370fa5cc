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
// (an exception cannot leave an OpenMP region). A split that cost more than it saved sends the
// next calls to the calling thread for a while (detail::SplitBackoff).
#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
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

// OpenMP's idle threads wait passively (OMP_WAIT_POLICY=passive) unless the environment says
// otherwise (OMP_WAIT_POLICY or GOMP_SPINCOUNT set). GCC's OpenMP otherwise spins a thread that
// has finished its share for some 300,000 rounds (milliseconds) before it sleeps, which between
// the short parallel loops of a small-minibatch step is all the time: on a machine whose cores
// also run other work the spinning thread takes the time the calling thread and the other work
// need, and a waiting thread that is descheduled stalls the next loop. Measured on this 2-core
// machine beside a build: an empty parallel region with 20 us of serial work between regions cost
// 55 to 1,500 us with spinning, 7 us passive; the image preset's epoch at threads=2 went from
// 8.6 s to 0.54 s (threads=1: 0.47 s).
// OpenMP reads the setting once, when it is loaded, before main: an executable that wants it
// writes MEPROP_PASSIVE_OPENMP_WAIT once at namespace scope in one of its own source files
// (an ELF pre-initialiser, which runs before any library's initialisers; not in a library).
namespace detail {
inline void preferPassiveOpenMpWait(int, char**, char**)
{
    if (!std::getenv("OMP_WAIT_POLICY") && !std::getenv("GOMP_SPINCOUNT")) setenv("OMP_WAIT_POLICY", "passive", 0);
}
}  // namespace detail
#if defined(__ELF__) && defined(__GNUC__)
#define MEPROP_PASSIVE_OPENMP_WAIT                                                                            \
    [[gnu::section(".preinit_array"), gnu::used]] static void (*const meprop_preinit_passive_openmp_wait)( \
        int, char**, char**) = &::meprop::detail::preferPassiveOpenMpWait;
#else
#define MEPROP_PASSIVE_OPENMP_WAIT
#endif

namespace detail {
// parallelRanges' guard against cores that are busy with other work. A split loop waits for its
// slowest thread; a thread whose core runs another program may start or finish a scheduler time
// slice late (milliseconds against loops of tens of microseconds): measured on this 2-core
// machine with one busy process beside it, the image preset's epoch at threads=2 took 8 s, 20
// times threads=1. So a loop that took longer than its calling thread's share times the thread
// count (what the calling thread alone would have needed) plus kSplitSlackNs is a loss, and the
// next loops run on the calling thread: 64 after a first loss, twice as many after each further
// one in a row (at most 8,192), then one is split again to probe. The split never changes a
// result (the callers' contract above), only its speed.
struct SplitBackoff {
    std::atomic<long> skip{0};   // loops left to run on the calling thread
    std::atomic<long> next{64};  // how many to run so after the next loss
};
inline SplitBackoff g_splitBackoff;
inline constexpr long kFirstBackoff = 64, kMostBackoff = 8192;
inline constexpr long long kSplitSlackNs = 20000;

inline long long nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace detail

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
    detail::SplitBackoff& backoff = detail::g_splitBackoff;
    if (backoff.skip.load(std::memory_order_relaxed) > 0) {
        backoff.skip.fetch_sub(1, std::memory_order_relaxed);
        body(0L, n);
        return;
    }
    const long long start = detail::nowNs();
    long long ownNs = 0;  // the calling thread's share
#pragma omp parallel num_threads(threads)
    {
        const long id = omp_get_thread_num(), count = omp_get_num_threads();
        const long lo = n * id / count, hi = n * (id + 1) / count;
        if (id == 0) {
            const long long t = detail::nowNs();
            if (lo < hi) body(lo, hi);
            ownNs = detail::nowNs() - t;
        } else if (lo < hi) {
            body(lo, hi);
        }
    }
    const long long total = detail::nowNs() - start;
    if (total > threads * ownNs + detail::kSplitSlackNs) {
        const long next = backoff.next.load(std::memory_order_relaxed);
        backoff.skip.store(next, std::memory_order_relaxed);
        backoff.next.store(std::min(2 * next, detail::kMostBackoff), std::memory_order_relaxed);
    } else {
        backoff.next.store(detail::kFirstBackoff, std::memory_order_relaxed);
    }
}

}  // namespace meprop
