// core/Parallel.h: the run's thread count (setEngineThreads: Eigen's products threaded only for
// large minibatches), parallelRanges' split, and a small-minibatch run giving the same bits at
// threads=1 and threads=2.
#include "core/Parallel.h"

#include "../TinyMnist.h"
#include "train/Trainer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <utility>
#include <vector>

using namespace meprop;

namespace {

// Restores the process's thread settings after a test.
struct ThreadsGuard {
    int eigen = Eigen::nbThreads();
    ~ThreadsGuard()
    {
        setEngineThreads(1, 1);
        Eigen::setNbThreads(eigen);
        detail::g_splitBackoff.skip = 0;
        detail::g_splitBackoff.next = detail::kFirstBackoff;
    }
};

}  // namespace

TEST(Parallel, SmallMinibatchesKeepEigensProductsOnOneThread)
{
    ThreadsGuard guard;
    setEngineThreads(2, 10);
    EXPECT_EQ(engineThreads(), 2);
    EXPECT_EQ(Eigen::nbThreads(), 1);
    setEngineThreads(2, kThreadedProductMinRows - 1);
    EXPECT_EQ(Eigen::nbThreads(), 1);
    setEngineThreads(2, kThreadedProductMinRows);
    EXPECT_EQ(engineThreads(), 2);
    EXPECT_EQ(Eigen::nbThreads(), 2);
    setEngineThreads(1, 10000);
    EXPECT_EQ(engineThreads(), 1);
    EXPECT_EQ(Eigen::nbThreads(), 1);
    setEngineThreads(0, 10);  // at least one
    EXPECT_EQ(engineThreads(), 1);
}

TEST(Parallel, RangesCoverEveryIndexOnceOnTwoThreads)
{
    ThreadsGuard guard;
    setEngineThreads(2, 1);
    ASSERT_EQ(engineThreads(), 2);
    for (const long n : {0L, 1L, 7L, 100L, 1001L}) {
        std::vector<std::atomic<int>> seen(static_cast<std::size_t>(n));
        std::atomic<int> calls{0};
        detail::g_splitBackoff.skip = 0;  // a slow split before (the first one starts the threads) may have sent calls to one thread
        parallelRanges(n, 10, [&](long lo, long hi) {
            ++calls;
            for (long i = lo; i < hi; ++i) ++seen[static_cast<std::size_t>(i)];
        });
        for (long i = 0; i < n; ++i) EXPECT_EQ(seen[static_cast<std::size_t>(i)].load(), 1) << "n " << n << " index " << i;
        EXPECT_EQ(calls.load(), n >= 20 ? 2 : n > 0 ? 1 : 0) << "n " << n << ": two ranges from 2 x minPerThread on";
    }
}

TEST(Parallel, AfterASplitThatLostTheNextCallsRunOnTheCallingThread)
{
    ThreadsGuard guard;
    setEngineThreads(2, 1);
    detail::g_splitBackoff.skip = 2;
    for (int i = 0; i < 2; ++i) {
        std::vector<std::pair<long, long>> ranges;
        parallelRanges(1000, 10, [&](long lo, long hi) { ranges.emplace_back(lo, hi); });  // one call: no race
        ASSERT_EQ(ranges.size(), 1u);
        EXPECT_EQ(ranges[0], std::make_pair(0L, 1000L));
    }
    EXPECT_EQ(detail::g_splitBackoff.skip.load(), 0);
    // A split that cost more than the calling thread alone would have (here: one thread sleeps)
    // starts the backoff; one that paid resets it to its first length.
    detail::g_splitBackoff.next = detail::kFirstBackoff;
    parallelRanges(1000, 10, [&](long lo, long) {
        if (lo > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    });
    EXPECT_EQ(detail::g_splitBackoff.skip.load(), detail::kFirstBackoff);
    EXPECT_EQ(detail::g_splitBackoff.next.load(), 2 * detail::kFirstBackoff);
    detail::g_splitBackoff.skip = 0;
    parallelRanges(1000, 10, [&](long lo, long) {
        if (lo == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the calling thread's share is the long one
    });
    EXPECT_EQ(detail::g_splitBackoff.skip.load(), 0);
    EXPECT_EQ(detail::g_splitBackoff.next.load(), detail::kFirstBackoff);
}

// With Eigen's products threaded, this run at threads=2 differed from threads=1 in
// the last bits (Eigen's split product); with its products on one thread and the engine's own
// loops split index by index, the run is the same to the bit.
TEST(Parallel, ASmallMinibatchRunIsTheSameAtOneAndTwoThreads)
{
    ThreadsGuard guard;
    const std::string data = test::writeTinyMnistDir(test::tempDir("parallel-data"), 300, 50);
    for (const char* mode : {"dense", "topk"}) {
        Config c;
        c.set("data", data);
        c.set("dev_size", 100);
        c.set("hidden", 500);
        c.set("k", 20);
        c.set("mode", mode);
        c.set("batch", 10);
        c.set("epochs", 1);
        c.set("threads", 1);
        const RunResult one = Trainer(c).run("");
        c.set("threads", 2);
        const RunResult two = Trainer(c).run("");
        ASSERT_EQ(one.epochs.size(), two.epochs.size());
        EXPECT_EQ(one.epochs[0].trainLoss, two.epochs[0].trainLoss) << mode;
        EXPECT_EQ(one.epochs[0].devMetric, two.epochs[0].devMetric) << mode;
    }
}
