#include "ops/TopK.h"

#include "core/Error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

using namespace meprop;

TEST(TopK, PicksLargestMagnitudes)
{
    const float v[] = {1.0f, 2.0f, 3.0f, -4.0f};  // the paper's example: top2 = {3, -4}
    std::vector<int> scratch;
    int out[2];
    topKIndices(v, 4, 2, out, scratch);
    EXPECT_EQ(out[0], 2);
    EXPECT_EQ(out[1], 3);
}

TEST(TopK, TiesGoToLowerIndexDeterministically)
{
    const float v[] = {1.0f, -1.0f, 1.0f, 0.5f, -1.0f};
    std::vector<int> scratch;
    int out[2];
    topKIndices(v, 5, 2, out, scratch);
    EXPECT_EQ(out[0], 0);
    EXPECT_EQ(out[1], 1);
    int out3[3];
    topKIndices(v, 5, 3, out3, scratch);
    EXPECT_EQ(std::vector<int>(out3, out3 + 3), (std::vector<int>{0, 1, 2}));
}

TEST(TopK, KEqualsNKeepsEverything)
{
    const float v[] = {0.0f, 5.0f, -2.0f};
    std::vector<int> scratch;
    int out[3];
    topKIndices(v, 3, 3, out, scratch);
    EXPECT_EQ(std::vector<int>(out, out + 3), (std::vector<int>{0, 1, 2}));
}

TEST(TopK, MatchesFullSortOnRandomRows)
{
    Rng rng(9);
    std::vector<int> scratch;
    for (int trial = 0; trial < 200; ++trial) {
        const int n = 1 + static_cast<int>(rng.below(60));
        const int k = 1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(n)));
        std::vector<float> v(static_cast<std::size_t>(n));
        for (float& x : v) x = std::round(rng.uniform(-5, 5));  // many ties
        std::vector<int> out(static_cast<std::size_t>(k));
        topKIndices(v.data(), n, k, out.data(), scratch);
        std::vector<int> all(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) all[static_cast<std::size_t>(i)] = i;
        std::stable_sort(all.begin(), all.end(), [&](int a, int b) { return std::fabs(v[a]) > std::fabs(v[b]); });
        std::vector<int> expected(all.begin(), all.begin() + k);
        std::sort(expected.begin(), expected.end());
        ASSERT_EQ(out, expected) << "n=" << n << " k=" << k;
    }
}

TEST(Selection, PerExampleKeepsExactlyKPerRow)
{
    Rng rng(4);
    Matrix dy(6, 40);
    for (Eigen::Index i = 0; i < dy.size(); ++i) dy.data()[i] = rng.uniform(-1, 1);
    for (BackpropMode mode : {BackpropMode::TopK, BackpropMode::Random}) {
        Selection sel;
        selectComponents(dy, mode, 7, rng, sel);
        ASSERT_EQ(sel.indices.size(), 6u * 7u);
        for (int b = 0; b < 6; ++b) {
            std::set<int> unique(sel.row(b), sel.row(b) + 7);
            EXPECT_EQ(unique.size(), 7u);
            EXPECT_TRUE(std::is_sorted(sel.row(b), sel.row(b) + 7));
            for (int i : unique) EXPECT_TRUE(i >= 0 && i < 40);
        }
        const Matrix masked = maskedGradient(dy, sel);
        for (int b = 0; b < 6; ++b) EXPECT_EQ((masked.row(b).array() != 0.0f).count(), 7);
    }
}

TEST(Selection, TopKKeepsTheLargestOfEachRow)
{
    Rng rng(8);
    Matrix dy(5, 30);
    for (Eigen::Index i = 0; i < dy.size(); ++i) dy.data()[i] = rng.uniform(-1, 1);
    Selection sel;
    selectComponents(dy, BackpropMode::TopK, 4, rng, sel);
    for (int b = 0; b < 5; ++b) {
        float minKept = 1e9f;
        for (int j = 0; j < 4; ++j) minKept = std::min(minKept, std::fabs(dy(b, sel.row(b)[j])));
        int larger = 0;
        for (int i = 0; i < 30; ++i) larger += std::fabs(dy(b, i)) > minKept;
        EXPECT_EQ(larger, 3);
    }
}

TEST(Selection, UnifiedRanksColumnsBySumOfMagnitudes)
{
    Matrix dy(3, 5);
    dy << 1, -9, 0, 0, 2,  //
        1, 0, 0, -3, 2,    //
        1, 0, 0, 3, -2;
    Rng rng(1);
    Selection sel;
    selectComponents(dy, BackpropMode::Unified, 2, rng, sel);
    EXPECT_EQ(sel.indices, (std::vector<int>{1, 3}));  // sums 3, 9, 0, 6, 6 -> 9 then 6 (tie: lower index 3)
    EXPECT_TRUE(sel.shared());
    EXPECT_EQ(sel.row(2), sel.row(0));
}

TEST(Selection, RandomIsSeededAndCoversAllComponents)
{
    Matrix dy = Matrix::Ones(200, 10);
    Rng a(5), b(5);
    Selection sa, sb;
    selectComponents(dy, BackpropMode::Random, 3, a, sa);
    selectComponents(dy, BackpropMode::Random, 3, b, sb);
    EXPECT_EQ(sa.indices, sb.indices);
    std::vector<int> hits(10, 0);
    for (int i : sa.indices) ++hits[static_cast<std::size_t>(i)];
    for (int h : hits) EXPECT_GT(h, 20);  // expected 60 each
}

TEST(Selection, RejectsKOutOfRange)
{
    Rng rng(1);
    Matrix dy = Matrix::Ones(2, 5);
    Selection sel;
    EXPECT_THROW(selectComponents(dy, BackpropMode::TopK, 0, rng, sel), ConfigError);
    EXPECT_THROW(selectComponents(dy, BackpropMode::Unified, 6, rng, sel), ConfigError);
    EXPECT_NO_THROW(selectComponents(dy, BackpropMode::Dense, 0, rng, sel));
}

TEST(BackpropMode, ParsesAndNamesModes)
{
    for (const char* m : {"dense", "topk", "unified", "random"}) EXPECT_STREQ(toString(parseBackpropMode(m)), m);
    EXPECT_THROW(parseBackpropMode("sparse"), ConfigError);
}
