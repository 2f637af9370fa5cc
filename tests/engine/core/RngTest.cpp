// The engine's one shuffle (Rng::shuffle): the tasks' epoch orders.
#include "core/Rng.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
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
