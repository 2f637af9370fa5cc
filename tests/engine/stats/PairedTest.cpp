// Paired deltas and ratios by seed against values computed by hand.
#include "stats/Paired.h"

#include "core/Error.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace meprop;
using namespace meprop::stats;

TEST(Paired, DeltaUsesOnlyTheSeedsBothHave)
{
    // Seed 4 has no cell value: differences 0.2, -0.1, 0.4; mean 1/6; s = 0.2516611478;
    // half width t_{.975,2} * s / sqrt 3 = 4.302652730 * 0.2516611478 / 1.7320508 = 0.6251609.
    const BySeed cell = {{1, 98.0}, {2, 97.5}, {3, 97.9}};
    const BySeed base = {{1, 97.8}, {2, 97.6}, {3, 97.5}, {4, 99.0}};
    const Summary d = pairedDelta(cell, base);
    EXPECT_EQ(d.n, 3);
    EXPECT_NEAR(d.mean, 1.0 / 6.0, 1e-12);
    EXPECT_NEAR(d.stddev, 0.25166114784235816, 1e-12);
    EXPECT_NEAR(d.ciLow, -0.4584942812709839, 1e-8);
    EXPECT_NEAR(d.ciHigh, 0.7918276146043267, 1e-8);
}

TEST(Paired, PairingRemovesTheSeedEffect)
{
    // The seed moves both by the same amount: the unpaired spread is large, the paired one zero.
    const BySeed cell = {{1, 90.5}, {2, 95.5}, {3, 97.5}};
    const BySeed base = {{1, 90.0}, {2, 95.0}, {3, 97.0}};
    const Summary d = pairedDelta(cell, base);
    EXPECT_NEAR(d.mean, 0.5, 1e-12);
    EXPECT_NEAR(d.stddev, 0.0, 1e-12);
    EXPECT_NEAR(d.ciLow, 0.5, 1e-12);
}

TEST(Paired, NoCommonSeeds)
{
    const Summary d = pairedDelta({{1, 1.0}}, {{2, 1.0}});
    EXPECT_EQ(d.n, 0);
    EXPECT_FALSE(d.hasInterval());
}

TEST(Paired, RatioIsTheGeometricMeanWithALogScaleInterval)
{
    // Ratios 10/2 = 5 and 12/2 = 6: geometric mean sqrt 30; log interval
    // mean(log) -/+ t_{.975,1} * sd(log) / sqrt 2 = 1.7005986 -/+ 12.7062047 * 0.1289214 / 1.4142136.
    const RatioSummary r = pairedRatio({{1, 10.0}, {2, 12.0}}, {{1, 2.0}, {2, 2.0}});
    EXPECT_EQ(r.n, 2);
    EXPECT_NEAR(r.ratio, std::sqrt(30.0), 1e-12);
    EXPECT_NEAR(r.ciLow, 1.7199430444573314, 1e-7);
    EXPECT_NEAR(r.ciHigh, 17.442438048560764, 1e-5);
    EXPECT_NEAR(r.ciLow * r.ciHigh, 30.0, 1e-6);  // symmetric on the log scale around sqrt 30
}

TEST(Paired, RatioOfOneSeedHasNoInterval)
{
    const RatioSummary r = pairedRatio({{3, 9.0}}, {{3, 3.0}, {4, 1.0}});
    EXPECT_EQ(r.n, 1);
    EXPECT_NEAR(r.ratio, 3.0, 1e-12);
    EXPECT_FALSE(r.hasInterval());
    EXPECT_TRUE(std::isnan(r.ciLow));
}

TEST(Paired, RatioRejectsNonPositiveTimes)
{
    EXPECT_THROW(pairedRatio({{1, 1.0}}, {{1, 0.0}}), Error);
    EXPECT_THROW(pairedRatio({{1, -1.0}}, {{1, 1.0}}), Error);
}
