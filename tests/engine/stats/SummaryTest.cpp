// Mean, sample standard deviation and t interval against values computed by hand.
#include "stats/Summary.h"

#include "core/Error.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace meprop;
using namespace meprop::stats;

TEST(Summary, FourValues)
{
    // {1,2,3,4}: mean 2.5, s^2 = (2.25+0.25+0.25+2.25)/3 = 5/3, half width t_{.975,3} * s / 2.
    const Summary s = summarize({1, 2, 3, 4});
    EXPECT_EQ(s.n, 4);
    EXPECT_DOUBLE_EQ(s.mean, 2.5);
    EXPECT_NEAR(s.stddev, std::sqrt(5.0 / 3.0), 1e-15);
    const double half = 3.182446305284263 * std::sqrt(5.0 / 3.0) / 2.0;
    EXPECT_NEAR(s.ciLow, 2.5 - half, 1e-9);
    EXPECT_NEAR(s.ciHigh, 2.5 + half, 1e-9);
    EXPECT_NEAR(s.ciLow, 0.44573974, 1e-7);
    EXPECT_TRUE(s.hasInterval());
}

TEST(Summary, TwoValuesAndAnotherLevel)
{
    // {97.8, 98.2}: s = 0.4 / sqrt 2; 90 %: t_{.95,1} = 6.313752.
    const Summary s = summarize({97.8, 98.2}, 0.90);
    EXPECT_NEAR(s.mean, 98.0, 1e-12);
    EXPECT_NEAR(s.stddev, 0.4 / std::sqrt(2.0), 1e-12);
    EXPECT_NEAR(s.ciHigh - s.mean, 6.313751514675 * 0.2, 1e-8);
}

TEST(Summary, OneValueHasNoSpreadAndNoInterval)
{
    const Summary s = summarize({97.5});
    EXPECT_EQ(s.n, 1);
    EXPECT_DOUBLE_EQ(s.mean, 97.5);
    EXPECT_TRUE(std::isnan(s.stddev));
    EXPECT_TRUE(std::isnan(s.ciLow));
    EXPECT_FALSE(s.hasInterval());
}

TEST(Summary, EmptyAndIdenticalValues)
{
    const Summary e = summarize({});
    EXPECT_EQ(e.n, 0);
    EXPECT_TRUE(std::isnan(e.mean));
    const Summary same = summarize({3, 3, 3});
    EXPECT_DOUBLE_EQ(same.stddev, 0.0);
    EXPECT_DOUBLE_EQ(same.ciLow, 3.0);
    EXPECT_DOUBLE_EQ(same.ciHigh, 3.0);
}

TEST(Summary, RejectsNonFiniteValuesAndBadLevels)
{
    EXPECT_THROW(summarize({1.0, NAN}), Error);
    EXPECT_THROW(summarize({1.0, INFINITY}), Error);
    EXPECT_THROW(summarize({1.0, 2.0}, 1.0), Error);
    EXPECT_THROW(summarize({1.0, 2.0}, 0.0), Error);
}
