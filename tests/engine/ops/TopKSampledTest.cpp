// topKIndices takes a sampled-threshold path for k << n (n >= 256, 8k <= n) and falls back to an
// indirect nth_element when the sample misleads it. Both must give exactly the reference set:
// the k largest |v|, ties to the lower index, sorted ascending.
#include "ops/TopK.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

using namespace meprop;

namespace {

std::vector<int> referenceTopK(const std::vector<float>& v, int k)
{
    std::vector<int> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return std::fabs(v[a]) > std::fabs(v[b]); });
    order.resize(static_cast<std::size_t>(k));
    std::sort(order.begin(), order.end());
    return order;
}

void expectMatchesReference(const std::vector<float>& v, int k, const char* what)
{
    std::vector<int> out(static_cast<std::size_t>(k), -1), scratch;
    topKIndices(v.data(), static_cast<int>(v.size()), k, out.data(), scratch);
    EXPECT_EQ(out, referenceTopK(v, k)) << what << " n=" << v.size() << " k=" << k;
}

}  // namespace

TEST(TopKSampled, MatchesReferenceOnRandomVectors)
{
    Rng rng(23);
    for (int n : {256, 500, 777, 1024}) {
        for (int k : {1, 2, 5, 20, n / 8, n / 8 + 1, n / 3}) {
            for (int trial = 0; trial < 20; ++trial) {
                std::vector<float> v(static_cast<std::size_t>(n));
                for (float& x : v) x = rng.normal(0.0f, 1.0f);
                expectMatchesReference(v, k, "normal");
            }
        }
    }
}

TEST(TopKSampled, BreaksTiesTowardsLowerIndices)
{
    // Few distinct magnitudes, both signs, and zeros of both signs: many ties at the k-th value.
    Rng rng(29);
    for (int k : {1, 7, 20, 62}) {
        for (int trial = 0; trial < 30; ++trial) {
            std::vector<float> v(500);
            for (float& x : v) {
                const float level = static_cast<float>(rng.below(4));
                x = rng.bernoulli(0.5f) ? level : -level;
            }
            v[3] = -0.0f;
            expectMatchesReference(v, k, "ties");
        }
    }
    std::vector<float> constant(500, -1.5f);
    expectMatchesReference(constant, 20, "constant");
}

TEST(TopKSampled, FallsBackWhenTheSampleMisleads)
{
    // The sample (every n/64-th entry) sees only large values while the real top k lies elsewhere,
    // and the other way round: a threshold from the sample keeps too few or nearly all entries.
    const int n = 512, stride = n / 64;
    std::vector<float> highOnSample(n, 0.01f), lowOnSample(n, 5.0f);
    for (int i = 0; i < n; ++i) {
        if (i % stride == 0) {
            highOnSample[static_cast<std::size_t>(i)] = 3.0f + static_cast<float>(i) * 1e-3f;
            lowOnSample[static_cast<std::size_t>(i)] = 0.0f;
        } else {
            lowOnSample[static_cast<std::size_t>(i)] = 5.0f + static_cast<float>((i * 37) % 101);
        }
    }
    for (int k : {1, 10, 64}) {
        expectMatchesReference(highOnSample, k, "high on sample");
        expectMatchesReference(lowOnSample, k, "low on sample");
    }
    // Only 3 entries reach the sample's threshold region, fewer than k.
    std::vector<float> sparse(n, 0.0f);
    sparse[1] = 9.0f;
    sparse[100] = -8.0f;
    sparse[300] = 7.0f;
    expectMatchesReference(sparse, 20, "mostly zero");
}

TEST(TopKSampled, MinibatchSelectionMatchesReferenceWhateverTheRowScales)
{
    // selectComponents reuses one example's k-th magnitude as the next one's threshold; rows of
    // very different scales (and a row of ties) must still get exactly their own top k.
    Rng rng(31);
    for (int k : {1, 5, 20, 60}) {
        Matrix dy(12, 500);
        for (int b = 0; b < dy.rows(); ++b) {
            const float scale = std::pow(10.0f, static_cast<float>(b % 5) - 2.0f);
            for (int i = 0; i < dy.cols(); ++i) dy(b, i) = scale * rng.normal(0.0f, 1.0f);
        }
        dy.row(7).setConstant(0.25f);
        dy.row(8).setZero();
        dy(8, 13) = 1.0f;
        Selection sel;
        selectComponents(dy, BackpropMode::TopK, k, rng, sel);
        for (int b = 0; b < dy.rows(); ++b) {
            std::vector<float> row(dy.row(b).data(), dy.row(b).data() + dy.cols());
            std::vector<int> got(sel.row(b), sel.row(b) + k);
            EXPECT_EQ(got, referenceTopK(row, k)) << "row " << b << " k=" << k;
        }
    }
}

TEST(TopKSampled, ReluSparseRowsMatchTheReference)
{
    // Mostly exact zeros (a ReLU's gradient): the sampled threshold is 0; the result must still be
    // the reference set, also when fewer than k entries are nonzero (zeros then fill by index).
    meprop::Rng rng(77);
    std::vector<int> scratch;
    for (int nonzero : {0, 3, 19, 20, 21, 60, 200}) {
        const int n = 500, k = 20;
        std::vector<float> v(n, 0.0f);
        for (int i = 0; i < nonzero; ++i) v[static_cast<std::size_t>(rng.below(n))] = rng.uniform(-1.0f, 1.0f);
        std::vector<int> out(k);
        meprop::topKIndices(v.data(), n, k, out.data(), scratch);
        std::vector<int> all(n);
        for (int i = 0; i < n; ++i) all[static_cast<std::size_t>(i)] = i;
        std::stable_sort(all.begin(), all.end(), [&](int a, int b) { return std::fabs(v[a]) > std::fabs(v[b]); });
        std::vector<int> expected(all.begin(), all.begin() + k);
        std::sort(expected.begin(), expected.end());
        EXPECT_EQ(out, expected) << nonzero << " nonzero entries";
    }
}
