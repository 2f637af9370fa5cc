// Verdict edges exactly as the issue defines them: holds at CI low >= -margin, fails at CI high <
// -margin, inconclusive in between and always with fewer than two seeds.
#include "stats/Verdict.h"

#include "core/Error.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace meprop;
using namespace meprop::stats;

namespace {

Summary delta(int n, double lo, double hi)
{
    Summary s;
    s.n = n;
    s.mean = 0.5 * (lo + hi);
    s.ciLow = lo;
    s.ciHigh = hi;
    return s;
}

RatioSummary speedup(int n, double lo, double hi)
{
    RatioSummary r;
    r.n = n;
    r.ratio = std::sqrt(lo * hi);
    r.ciLow = lo;
    r.ciHigh = hi;
    return r;
}

}  // namespace

TEST(Verdict, NoWorseThanEdges)
{
    const double m = 0.25;  // exactly representable, so the edges are exact
    EXPECT_EQ(noWorseThan(delta(3, -0.25, 0.5), m), Verdict::Holds);              // lower bound == -margin
    EXPECT_EQ(noWorseThan(delta(3, std::nextafter(-0.25, -1.0), 0.5), m), Verdict::Inconclusive);  // just below
    EXPECT_EQ(noWorseThan(delta(3, 0.1, 0.9), m), Verdict::Holds);
    EXPECT_EQ(noWorseThan(delta(3, -1.0, -0.25), m), Verdict::Inconclusive);      // upper bound == -margin: not < -margin
    EXPECT_EQ(noWorseThan(delta(3, -1.0, std::nextafter(-0.25, -1.0)), m), Verdict::Fails);
    EXPECT_EQ(noWorseThan(delta(3, -2.0, -1.0), m), Verdict::Fails);
    EXPECT_EQ(noWorseThan(delta(3, -0.5, 0.5), m), Verdict::Inconclusive);        // straddles -margin
    EXPECT_EQ(noWorseThan(delta(3, -0.5, 0.5), 0.5), Verdict::Holds);             // a wider margin
    EXPECT_EQ(noWorseThan(delta(3, -0.1, 0.5), 0.0), Verdict::Inconclusive);      // margin 0: plain sign test
}

TEST(Verdict, OneSeedIsAlwaysInconclusive)
{
    Summary one = delta(1, 5.0, 5.0);
    EXPECT_EQ(noWorseThan(one, 0.3), Verdict::Inconclusive);
    one = delta(1, -5.0, -5.0);
    EXPECT_EQ(noWorseThan(one, 0.3), Verdict::Inconclusive);
    EXPECT_EQ(atLeast(speedup(1, 100.0, 100.0), 2.0), Verdict::Inconclusive);
    EXPECT_EQ(noWorseThan(delta(0, NAN, NAN), 0.3), Verdict::Inconclusive);
}

TEST(Verdict, AtLeastEdges)
{
    EXPECT_EQ(atLeast(speedup(3, 21.4, 30.0), 21.4), Verdict::Holds);               // lower bound == claim
    EXPECT_EQ(atLeast(speedup(3, std::nextafter(21.4, 0.0), 30.0), 21.4), Verdict::Inconclusive);
    EXPECT_EQ(atLeast(speedup(3, 3.0, 21.4), 21.4), Verdict::Inconclusive);          // upper bound == claim
    EXPECT_EQ(atLeast(speedup(3, 3.0, std::nextafter(21.4, 0.0)), 21.4), Verdict::Fails);
    EXPECT_EQ(atLeast(speedup(5, 4.0, 5.0), 21.4), Verdict::Fails);
}

TEST(Verdict, NamesAndBadArguments)
{
    EXPECT_STREQ(toString(Verdict::Holds), "holds");
    EXPECT_STREQ(toString(Verdict::Fails), "fails");
    EXPECT_STREQ(toString(Verdict::Inconclusive), "inconclusive");
    EXPECT_THROW(noWorseThan(delta(3, 0, 1), -0.1), Error);
    EXPECT_THROW(atLeast(speedup(3, 1, 2), 0.0), Error);
}
