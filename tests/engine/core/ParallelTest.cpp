// core/Parallel.h: the run's thread count (setEngineThreads: Eigen's products threaded only for
// large minibatches), parallelRanges' split, and a small-minibatch run giving the same bits at
// threads=1 and threads=2.
#include "core/Parallel.h"

#include "../TinyMnist.h"
#include "train/Trainer.h"

#include <gtest/gtest.h>

#include <atomic>
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
        parallelRanges(n, 10, [&](long lo, long hi) {
            ++calls;
            for (long i = lo; i < hi; ++i) ++seen[static_cast<std::size_t>(i)];
        });
        for (long i = 0; i < n; ++i) EXPECT_EQ(seen[static_cast<std::size_t>(i)].load(), 1) << "n " << n << " index " << i;
        EXPECT_EQ(calls.load(), n >= 20 ? 2 : n > 0 ? 1 : 0) << "n " << n << ": two ranges from 2 x minPerThread on";
    }
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
