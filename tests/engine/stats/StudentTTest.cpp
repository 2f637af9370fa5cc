// Student t: the incomplete beta function against closed forms, the CDF and quantile against the
// closed forms for df = 1, 2, 4 and against the printed two-sided 95 % table.
#include "stats/StudentT.h"

#include "core/Error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

using namespace meprop;
using namespace meprop::stats;

TEST(IncompleteBeta, MatchesClosedForms)
{
    for (double x : {0.0, 0.01, 0.2, 0.5, 0.77, 0.999, 1.0}) {
        EXPECT_NEAR(regularizedIncompleteBeta(2.5, 1.0, x), std::pow(x, 2.5), 1e-13) << x;        // I_x(a, 1) = x^a
        EXPECT_NEAR(regularizedIncompleteBeta(1.0, 3.0, x), 1.0 - std::pow(1 - x, 3.0), 1e-13) << x;  // I_x(1, b)
    }
    EXPECT_NEAR(regularizedIncompleteBeta(7.0, 7.0, 0.5), 0.5, 1e-14);  // symmetry
    EXPECT_NEAR(regularizedIncompleteBeta(0.5, 0.5, 0.25), 2.0 / std::numbers::pi * std::asin(0.5), 1e-13);  // arcsine law
    // I_x(a,b) = 1 - I_{1-x}(b,a)
    EXPECT_NEAR(regularizedIncompleteBeta(3.2, 0.5, 0.9), 1.0 - regularizedIncompleteBeta(0.5, 3.2, 0.1), 1e-14);
}

TEST(IncompleteBeta, RejectsArgumentsOutsideItsDomain)
{
    EXPECT_THROW(regularizedIncompleteBeta(0.0, 1.0, 0.5), Error);
    EXPECT_THROW(regularizedIncompleteBeta(1.0, -1.0, 0.5), Error);
    EXPECT_THROW(regularizedIncompleteBeta(1.0, 1.0, 1.5), Error);
    EXPECT_THROW(regularizedIncompleteBeta(1.0, 1.0, std::nan("")), Error);
}

TEST(StudentT, CdfMatchesClosedFormsForOneAndTwoDegreesOfFreedom)
{
    for (double t : {-30.0, -2.0, -0.3, 0.0, 0.4, 1.0, 3.5, 100.0}) {
        EXPECT_NEAR(studentTCdf(t, 1.0), 0.5 + std::atan(t) / std::numbers::pi, 1e-13) << t;      // Cauchy
        EXPECT_NEAR(studentTCdf(t, 2.0), 0.5 + t / (2.0 * std::sqrt(2.0 + t * t)), 1e-13) << t;
    }
    EXPECT_DOUBLE_EQ(studentTCdf(INFINITY, 3.0), 1.0);
    EXPECT_DOUBLE_EQ(studentTCdf(-INFINITY, 3.0), 0.0);
}

TEST(StudentT, QuantileMatchesClosedForms)
{
    for (double p : {0.6, 0.9, 0.975, 0.995, 0.9999}) {
        EXPECT_NEAR(studentTQuantile(p, 1.0), std::tan(std::numbers::pi * (p - 0.5)), 1e-9 * std::tan(std::numbers::pi * (p - 0.5))) << p;
        EXPECT_NEAR(studentTQuantile(p, 2.0), (2 * p - 1) / std::sqrt(2 * p * (1 - p)), 1e-10) << p;
        // df = 4: t = 2 sqrt(q - 1), q = cos(acos(sqrt(alpha)) / 3) / sqrt(alpha), alpha = 4p(1-p)
        const double alpha = 4 * p * (1 - p), q = std::cos(std::acos(std::sqrt(alpha)) / 3) / std::sqrt(alpha);
        EXPECT_NEAR(studentTQuantile(p, 4.0), 2 * std::sqrt(q - 1), 1e-10) << p;
        EXPECT_NEAR(studentTQuantile(1 - p, 4.0), -2 * std::sqrt(q - 1), 1e-10) << p;
    }
    EXPECT_EQ(studentTQuantile(0.5, 7.0), 0.0);
}

TEST(StudentT, QuantileMatchesTheTwoSided95PercentTable)
{
    // t_{0.975, df} as printed in statistics tables (and scipy.stats.t.ppf), 6 decimals.
    const std::pair<double, double> table[] = {{1, 12.706205}, {2, 4.302653}, {3, 3.182446}, {4, 2.776445}, {5, 2.570582},
                                               {6, 2.446912},  {7, 2.364624}, {8, 2.306004}, {9, 2.262157}, {10, 2.228139},
                                               {15, 2.131450}, {20, 2.085963}, {30, 2.042272}, {60, 2.000298}, {120, 1.979930}};
    for (const auto& [df, t] : table) EXPECT_NEAR(studentTQuantile(0.975, df), t, 5e-7) << "df " << df;
    EXPECT_NEAR(studentTQuantile(0.95, 10), 1.812461, 5e-7);
    EXPECT_NEAR(studentTQuantile(0.995, 5), 4.032143, 5e-7);
    EXPECT_NEAR(studentTQuantile(0.975, 1e7), 1.959964, 5e-6);  // the normal limit
}

TEST(StudentT, QuantileInvertsTheCdf)
{
    for (double df : {1.0, 2.5, 3.0, 11.0})
        for (double p : {0.01, 0.3, 0.8, 0.975})
            EXPECT_NEAR(studentTCdf(studentTQuantile(p, df), df), p, 1e-12) << df << " " << p;
}

TEST(StudentT, RejectsArgumentsOutsideItsDomain)
{
    EXPECT_THROW(studentTQuantile(0.0, 3), Error);
    EXPECT_THROW(studentTQuantile(1.0, 3), Error);
    EXPECT_THROW(studentTQuantile(0.9, 0), Error);
    EXPECT_THROW(studentTCdf(1.0, -1), Error);
}
