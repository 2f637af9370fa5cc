#include "tasks/LossLog.h"

#include "core/Error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

using namespace meprop;

namespace {

// Writes `sum` into the batch's slot as the cross-entropy would (the backend's softmax
// cross-entropy of a 1 x 2 row of zeros is log 2 per row: `rows` rows give rows * log 2).
void writeLoss(Backend& be, const LossSlot& slot, int rows)
{
    Tensor logits(Matrix::Zero(rows, 2));
    IndexTensor labels(rows, 1);
    labels.setZero();
    be.softmaxCrossEntropy(logits, labels, 1.0f, slot, nullptr);
}

}  // namespace

TEST(LossLog, EachBatchIsItsSumOverItsDivisorInOrder)
{
    LossLog log(cpuBackend());
    EXPECT_FALSE(log.deferred());
    EXPECT_TRUE(log.take().empty());
    const double ln2 = std::log(2.0);
    // Batch 1: 4 rows in one write, the mean over 4. Batch 2: two sentences of 3 and 5 rows
    // accumulated, the mean over 8 tokens. Batch 3: the sum (divisor 1).
    log.begin(0);
    writeLoss(cpuBackend(), log.slot(), 4);
    log.end(4);
    log.begin(0);
    writeLoss(cpuBackend(), log.slot(), 3);
    writeLoss(cpuBackend(), log.accumulating(), 5);
    log.end(8);
    log.begin(0);
    writeLoss(cpuBackend(), log.slot(), 2);
    log.end(1);
    EXPECT_EQ(log.pending(), 3);
    const std::vector<double> means = log.take();
    ASSERT_EQ(means.size(), 3u);
    EXPECT_NEAR(means[0], ln2, 1e-12);
    EXPECT_NEAR(means[1], ln2, 1e-12);
    EXPECT_NEAR(means[2], 2.0 * ln2, 1e-12);
    EXPECT_EQ(log.pending(), 0);
    EXPECT_TRUE(log.take().empty());
}

TEST(LossLog, MoreBatchesThanSlotsAreAllKeptInOrder)
{
    LossLog log(cpuBackend());
    const long n = 3 * LossLog::kCapacity + 7;
    for (long b = 0; b < n; ++b) {
        log.begin(0);
        writeLoss(cpuBackend(), log.slot(), 1 + static_cast<int>(b % 5));  // (1 + b % 5) log 2
        log.end(1.0);
    }
    EXPECT_EQ(log.pending(), n);
    const std::vector<double> means = log.take();
    ASSERT_EQ(static_cast<long>(means.size()), n);
    for (long b = 0; b < n; ++b) EXPECT_NEAR(means[static_cast<std::size_t>(b)], (1 + b % 5) * std::log(2.0), 1e-12) << b;
}

TEST(LossLog, ABatchThatThrewIsDroppedAndEndWithoutBeginIsALogicError)
{
    LossLog log(cpuBackend());
    EXPECT_THROW(log.end(1.0), std::logic_error);
    log.begin(0);
    writeLoss(cpuBackend(), log.slot(), 7);  // a batch that threw before its end()
    log.begin(0);
    writeLoss(cpuBackend(), log.slot(), 2);
    log.end(2.0);
    const std::vector<double> means = log.take();
    ASSERT_EQ(means.size(), 1u);
    EXPECT_NEAR(means[0], std::log(2.0), 1e-12);
    LossLog::deferOnCpu(true);
    EXPECT_TRUE(log.deferred());
    LossLog::deferOnCpu(false);
    EXPECT_FALSE(log.deferred());
}
