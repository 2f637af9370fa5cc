// The Random mode's counter-based selection (ops/RandomK.h, ops/CounterRng.h): well-formed,
// uniform over the k-subsets, a pure function of (key, stream), one key per select.
#include "ops/CounterRng.h"
#include "ops/RandomK.h"
#include "ops/TopK.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <vector>

using namespace meprop;

namespace {

std::vector<int> draw(std::uint64_t key, std::uint64_t stream, int n, int k)
{
    std::vector<int> out(static_cast<std::size_t>(k), -1);
    randomKIndices(key, stream, n, k, out.data());
    return out;
}

// The definition written out independently: SplitMix64 (Vigna's reference splitmix64.c) seeded
// with the stream's seed, Lemire's exact bounded draw, Floyd's algorithm over a std::set.
std::vector<int> reference(std::uint64_t key, std::uint64_t stream, int n, int k)
{
    auto mix = [](std::uint64_t z) {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    };
    std::uint64_t x = mix(key + (stream + 1) * 0x9e3779b97f4a7c15ull);
    auto next = [&] { return mix(x += 0x9e3779b97f4a7c15ull); };
    auto below = [&](std::uint64_t m) {
        __extension__ using U128 = unsigned __int128;
        U128 p = static_cast<U128>(next()) * m;
        while (static_cast<std::uint64_t>(p) < (0 - m) % m) p = static_cast<U128>(next()) * m;
        return static_cast<int>(p >> 64);
    };
    std::set<int> s;
    for (int j = n - k; j < n; ++j) {
        const int t = below(static_cast<std::uint64_t>(j) + 1);
        s.insert(s.count(t) ? j : t);
    }
    return {s.begin(), s.end()};
}

}  // namespace

TEST(RandomK, IndicesAreDistinctAscendingAndInRange)
{
    for (int n : {1, 2, 5, 31, 32, 33, 64, 100, 500, 1000, 4097})
        for (int k : {1, 2, 3, 5, 20, 100, 1000})
            for (std::uint64_t key : {0ull, 1ull, 0xffffffffffffffffull, 0x123456789abcdefull}) {
                if (k > n) continue;
                for (std::uint64_t stream : {0ull, 1ull, 7ull, 1ull << 40}) {
                    const std::vector<int> out = draw(key, stream, n, k);
                    ASSERT_TRUE(std::is_sorted(out.begin(), out.end()));
                    ASSERT_EQ(std::adjacent_find(out.begin(), out.end()), out.end()) << "n " << n << " k " << k;
                    ASSERT_GE(out.front(), 0);
                    ASSERT_LT(out.back(), n);
                }
            }
    const std::vector<int> all = draw(3, 4, 9, 9);
    EXPECT_EQ(all, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(RandomK, IsFloydsAlgorithmOverTheStreamsSplitMix64Draws)
{
    for (int n : {1, 7, 32, 500, 3000})
        for (int k : {1, 4, 50, 499})
            for (std::uint64_t stream = 0; stream < 6; ++stream) {
                if (k >= n) continue;  // k == n is every component
                ASSERT_EQ(draw(0x5eed + stream * 977, stream, n, k), reference(0x5eed + stream * 977, stream, n, k))
                    << "n " << n << " k " << k << " stream " << stream;
            }
    // Pinned: the draws are part of a run's definition (the same on every platform and device).
    EXPECT_EQ(draw(1, 0, 10, 3), reference(1, 0, 10, 3));
    EXPECT_EQ(draw(1, 0, 10, 3), (std::vector<int>{0, 2, 8}));
    EXPECT_EQ(draw(2017, 5, 500, 5), (std::vector<int>{14, 38, 176, 274, 475}));
}

TEST(RandomK, KeepsEveryComponentWithFrequencyKOverN)
{
    const int n = 50, k = 5, draws = 40000;
    std::vector<long> hits(n, 0);
    for (int d = 0; d < draws; ++d)
        for (int i : draw(77, static_cast<std::uint64_t>(d), n, k)) ++hits[static_cast<std::size_t>(i)];
    // Each count is Binomial(draws, k / n): mean 4000, sd sqrt(4000 * 0.9) = 60; 5 sd.
    const double mean = static_cast<double>(draws) * k / n, sd = std::sqrt(mean * (1.0 - static_cast<double>(k) / n));
    for (int i = 0; i < n; ++i) EXPECT_NEAR(hits[static_cast<std::size_t>(i)], mean, 5.0 * sd) << "component " << i;
    // Pairs kept together: k (k - 1) / (n (n - 1)) of the draws for every pair.
    std::vector<long> pairs(static_cast<std::size_t>(n * n), 0);
    for (int d = 0; d < draws; ++d) {
        const std::vector<int> s = draw(78, static_cast<std::uint64_t>(d), n, k);
        for (int a = 0; a < k; ++a)
            for (int b = a + 1; b < k; ++b) ++pairs[static_cast<std::size_t>(s[a] * n + s[b])];
    }
    const double pairMean = static_cast<double>(draws) * k * (k - 1) / (n * (n - 1.0)), pairSd = std::sqrt(pairMean);
    double worst = 0.0;
    for (int a = 0; a < n; ++a)
        for (int b = a + 1; b < n; ++b) worst = std::max(worst, std::fabs(pairs[static_cast<std::size_t>(a * n + b)] - pairMean) / pairSd);
    EXPECT_LT(worst, 5.5);  // the largest of 1225 nearly normal deviations
}

TEST(RandomK, EveryKSubsetIsEquallyLikely)
{
    // n = 6, k = 3: 20 subsets, chi-square with 19 degrees of freedom (mean 19, sd 6.2).
    std::map<std::vector<int>, long> count;
    const int draws = 200000;
    for (int d = 0; d < draws; ++d) ++count[draw(static_cast<std::uint64_t>(d) * 0x9e3779b97f4a7c15ull, 0, 6, 3)];
    ASSERT_EQ(count.size(), 20u);
    const double expected = draws / 20.0;
    double chi2 = 0.0;
    for (const auto& [subset, c] : count) chi2 += (c - expected) * (c - expected) / expected;
    EXPECT_LT(chi2, 19.0 + 6.0 * 6.2);
    // Consecutive keys and consecutive streams as the trainer uses them: the same statistics.
    count.clear();
    for (int d = 0; d < draws; ++d) ++count[draw(12345, static_cast<std::uint64_t>(d), 6, 3)];
    chi2 = 0.0;
    for (const auto& [subset, c] : count) chi2 += (c - expected) * (c - expected) / expected;
    EXPECT_LT(chi2, 19.0 + 6.0 * 6.2);
}

TEST(RandomK, KeysAndStreamsGiveDifferentSubsets)
{
    const int n = 500, k = 20;
    const std::vector<int> base = draw(1, 0, n, k);
    EXPECT_EQ(draw(1, 0, n, k), base);  // a pure function of (key, stream)
    int sameKey = 0, sameStream = 0;
    for (std::uint64_t i = 1; i <= 200; ++i) {
        sameKey += draw(1, i, n, k) == base;
        sameStream += draw(1 + i, 0, n, k) == base;
    }
    EXPECT_EQ(sameKey, 0);
    EXPECT_EQ(sameStream, 0);
}

TEST(RandomK, SelectTakesOneKeyPerCallAndExampleBIsStreamB)
{
    Matrix dy = Matrix::Ones(7, 40);
    Rng rng(21), mirror(21);
    Selection sel;
    for (int call = 0; call < 3; ++call) {
        selectComponents(dy, BackpropMode::Random, 6, rng, sel);
        const std::uint64_t key = mirror.bits();
        for (int b = 0; b < 7; ++b) {
            const std::vector<int> expected = draw(key, static_cast<std::uint64_t>(b), 40, 6);
            EXPECT_TRUE(std::equal(expected.begin(), expected.end(), sel.row(b))) << "call " << call << " example " << b;
        }
        EXPECT_EQ(rng.state(), mirror.state());  // exactly one draw: checkpoints resume exactly
    }
    // The same seed, the same run; another seed, other components.
    Rng again(21), other(22);
    Selection first, second;
    selectComponents(dy, BackpropMode::Random, 6, again, first);
    selectComponents(dy, BackpropMode::Random, 6, other, second);
    Rng fresh(21);
    selectComponents(dy, BackpropMode::Random, 6, fresh, sel);
    EXPECT_EQ(sel.indices, first.indices);
    EXPECT_NE(second.indices, first.indices);
}

TEST(RandomK, CounterStreamBelowIsExactNearTwoToThe63)
{
    // m just above 2^63: about half the draws are rejected; the results still split evenly.
    CounterStream s(9, 0);
    const std::uint64_t m = (1ull << 63) + 3;
    long low = 0;
    for (int i = 0; i < 100000; ++i) {
        const std::uint64_t v = s.below(m);
        ASSERT_LT(v, m);
        low += v < m / 2;
    }
    EXPECT_NEAR(low / 100000.0, 0.5, 0.01);
    CounterStream one(9, 0);
    for (int i = 0; i < 100; ++i) ASSERT_EQ(one.below(1), 0u);
}
