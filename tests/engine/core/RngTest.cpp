// The run's random source (core/Rng.h): the shuffle, the written-out draws' equivalence with
// libstdc++'s distributions (bit for bit, where libstdc++ is the library) and their statistics.
#include "core/Rng.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

using namespace meprop;

TEST(Rng, ShuffleIsAFisherYatesOverTheRunsGenerator)
{
    std::vector<long> v(1000);
    std::iota(v.begin(), v.end(), 0L);
    Rng a(5), b(5);
    std::vector<long> shuffled = v;
    a.shuffle(shuffled);
    // Written out: from the back, one below(i) draw for i = n .. 2.
    std::vector<long> expected = v;
    for (std::size_t i = expected.size(); i > 1; --i) std::swap(expected[i - 1], expected[static_cast<std::size_t>(b.below(i))]);
    EXPECT_EQ(shuffled, expected);
    EXPECT_EQ(a.engine()(), b.engine()());  // the same draws, no more
    EXPECT_NE(shuffled, v);
    std::vector<long> sorted = shuffled;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(sorted, v);  // a permutation

    std::vector<int> empty, one{7};
    a.shuffle(empty);
    a.shuffle(one);
    EXPECT_EQ(one, std::vector<int>{7});
}

namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

// The ranges of below(n) the checks cover: the edges, small ones, powers of two and their
// neighbours, and ranges just above 2^63, where Lemire's method rejects about half the draws.
std::vector<std::uint64_t> belowRanges()
{
    std::vector<std::uint64_t> n{1, 2, 3, 5, 6, 7, 10, 100, 499, 500, 1000, 8192, 1000003, 4294967295ull, 4294967296ull,
                                 4294967297ull, (1ull << 62) + 1, (1ull << 63) - 1, 1ull << 63, (1ull << 63) + 1,
                                 (1ull << 63) + 12345, 3ull << 62, kMax - 1, kMax};
    std::mt19937_64 pick(99);
    for (int i = 0; i < 16; ++i) n.push_back(pick() >> (pick() % 64));  // every scale
    n.erase(std::remove(n.begin(), n.end(), 0ull), n.end());
    return n;
}

struct Range {
    float lo, hi;
};

std::vector<Range> uniformRanges()
{
    return {{0.0f, 1.0f},   {-1.0f, 1.0f},    {-0.05f, 0.05f}, {2.5f, 2.5f},      {-3.0f, 7.0f},
            {1e-8f, 2e-8f}, {-1e6f, 1e6f},    {100.0f, 100.0001f}, {-1e-30f, 1e-30f}, {-0.3f, -0.1f},
            {0.0f, 3e38f},  {-1.5f, 1e-3f}};
}

std::vector<Range> normalParameters()  // (mean, sd)
{
    return {{0.0f, 1.0f}, {0.0f, 0.01f}, {1.0f, 2.0f}, {-3.0f, 0.5f}, {100.0f, 1e-3f}, {0.0f, 0.0f}, {5.0f, 1e3f}, {-1e-3f, 0.1f}};
}

bool sameBits(float a, float b) { return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b); }

}  // namespace

// The engine's draw that float(u) rounds up to 2^64 (u >= 2^64 - 2^39, probability 2^-25): seed
// 60167's draw 764. canonical() must stay below 1 there, as the library's generate_canonical does.
constexpr std::uint64_t kClampSeed = 60167;
constexpr int kClampDraw = 764;

TEST(Rng, CanonicalStaysBelowOneWhenTheDrawRoundsUpToTwoToThe64)
{
    std::mt19937_64 e(kClampSeed);
    Rng r(kClampSeed);
    for (int i = 0; i < kClampDraw; ++i) {
        e();
        r.canonical();
    }
    EXPECT_GE(e(), kMax - (1ull << 39) + 1);
    EXPECT_EQ(r.canonical(), std::nextafter(1.0f, 0.0f));
    EXPECT_EQ(r.bits(), e());  // one draw each
}

TEST(Rng, DrawsAreInRangeAndConsumeTheDocumentedDraws)
{
    Rng r(3);
    std::mt19937_64 e(3);
    EXPECT_EQ(r.bits(), e());
    EXPECT_EQ(r.below(0), e());  // below(0): a raw draw
    EXPECT_EQ(r.below(1), 0u);   // one draw, always 0
    e();
    EXPECT_EQ(r.bits(), e());
    for (std::uint64_t n : belowRanges())
        for (int i = 0; i < 200; ++i) ASSERT_LT(r.below(n), n) << n;
    for (const Range& p : uniformRanges()) {
        for (int i = 0; i < 2000; ++i) {
            const float u = r.uniform(p.lo, p.hi);
            ASSERT_GE(u, p.lo);
            // [lo, hi) up to the rounding of lo + r (hi - lo), which can reach hi.
            ASSERT_LE(u, p.hi);
        }
    }
    for (int i = 0; i < 100000; ++i) {
        const float c = r.canonical();
        ASSERT_GE(c, 0.0f);
        ASSERT_LT(c, 1.0f);
    }
}

// Statistics that hold with any standard library: the draws are the written-out algorithms.
TEST(Rng, BelowIsUniform)
{
    Rng r(11);
    for (std::uint64_t n : {2ull, 3ull, 7ull, 10ull, 64ull}) {
        std::vector<long> count(n, 0);
        const long draws = 20000 * static_cast<long>(n);
        for (long i = 0; i < draws; ++i) ++count[static_cast<std::size_t>(r.below(n))];
        double chi2 = 0.0;
        for (long c : count) chi2 += (c - 20000.0) * (c - 20000.0) / 20000.0;
        // chi-square with n - 1 degrees of freedom: mean n - 1, sd sqrt(2 (n - 1)); 6 sd above.
        EXPECT_LT(chi2, (n - 1) + 6.0 * std::sqrt(2.0 * (n - 1))) << n;
    }
    // Above 2^63 half the draws are rejected; the result must still split evenly at n / 2.
    const std::uint64_t n = (1ull << 63) + 1;
    long low = 0;
    for (int i = 0; i < 100000; ++i) low += r.below(n) < n / 2 ? 1 : 0;
    EXPECT_NEAR(low / 100000.0, 0.5, 0.01);
}

TEST(Rng, UniformAndNormalHaveTheirMoments)
{
    Rng r(12);
    constexpr int draws = 200000;
    double sum = 0.0, sq = 0.0;
    for (int i = 0; i < draws; ++i) {
        const double u = r.uniform(-3.0f, 7.0f);
        sum += u;
        sq += u * u;
    }
    const double mean = sum / draws, var = sq / draws - mean * mean;
    EXPECT_NEAR(mean, 2.0, 0.05);          // sd of the mean: 2.89 / sqrt(2e5) = 0.0065
    EXPECT_NEAR(var, 100.0 / 12.0, 0.1);   // 8.33
    sum = sq = 0.0;
    double fourth = 0.0;
    for (int i = 0; i < draws; ++i) {
        const double z = (r.normal(1.5f, 2.0f) - 1.5) / 2.0;
        sum += z;
        sq += z * z;
        fourth += z * z * z * z;
    }
    EXPECT_NEAR(sum / draws, 0.0, 0.015);
    EXPECT_NEAR(sq / draws, 1.0, 0.02);
    EXPECT_NEAR(fourth / draws, 3.0, 0.1);  // a Gaussian's kurtosis
    EXPECT_EQ(r.normal(4.0f, 0.0f), 4.0f);
}

#ifdef __GLIBCXX__
// libstdc++ equivalence: the written-out draws are the draws libstdc++'s distributions make from
// the same engine, bit for bit (so the change from those distributions changed no result). Each
// function is compared over more than a million draws, with fresh distributions per call as the
// engine used them; the engines must also stay in step (the same number of draws consumed).
TEST(RngLibstdcxx, BelowIsUniformIntDistributionBitForBit)
{
    Rng r(2017);
    std::mt19937_64 e(2017);
    long draws = 0;
    for (std::uint64_t n : belowRanges()) {
        for (int i = 0; i < 30000; ++i, ++draws)
            ASSERT_EQ(r.below(n), std::uniform_int_distribution<std::uint64_t>(0, n - 1)(e)) << "n " << n << " draw " << i;
        ASSERT_EQ(r.bits(), e()) << n;
    }
    EXPECT_GE(draws, 1000000);
    // below(0): the range 2^64, as the distribution over [0, 2^64 - 1].
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(r.below(0), std::uniform_int_distribution<std::uint64_t>(0, kMax)(e));
}

TEST(RngLibstdcxx, UniformIsUniformRealDistributionBitForBit)
{
    Rng r(2018);
    std::mt19937_64 e(2018);
    long draws = 0;
    for (const Range& p : uniformRanges()) {
        for (int i = 0; i < 100000; ++i, ++draws) {
            const float mine = r.uniform(p.lo, p.hi);
            const float theirs = std::uniform_real_distribution<float>(p.lo, p.hi)(e);
            ASSERT_TRUE(sameBits(mine, theirs)) << "[" << p.lo << ", " << p.hi << ") draw " << i << ": " << mine << " vs " << theirs;
        }
        ASSERT_EQ(r.bits(), e());
    }
    EXPECT_GE(draws, 1000000);
    // Across the draw whose float rounds up to 2^64 (the clamp).
    Rng c(kClampSeed);
    std::mt19937_64 ce(kClampSeed);
    for (int i = 0; i <= kClampDraw + 10; ++i)
        ASSERT_TRUE(sameBits(c.uniform(-2.0f, 3.0f), std::uniform_real_distribution<float>(-2.0f, 3.0f)(ce))) << i;
    c = Rng(kClampSeed);
    ce.seed(kClampSeed);
    for (int i = 0; i <= kClampDraw + 10; ++i) ASSERT_TRUE(sameBits(c.canonical(), std::generate_canonical<float, 24>(ce))) << i;
}

TEST(RngLibstdcxx, NormalIsNormalDistributionBitForBit)
{
    Rng r(2019);
    std::mt19937_64 e(2019);
    long draws = 0;
    for (const Range& p : normalParameters()) {
        for (int i = 0; i < 130000; ++i, ++draws) {
            const float mine = r.normal(p.lo, p.hi);
            const float theirs = std::normal_distribution<float>(p.lo, p.hi)(e);
            ASSERT_TRUE(sameBits(mine, theirs)) << "mean " << p.lo << " sd " << p.hi << " draw " << i << ": " << mine << " vs " << theirs;
        }
        ASSERT_EQ(r.bits(), e());
    }
    EXPECT_GE(draws, 1000000);
}
#endif
