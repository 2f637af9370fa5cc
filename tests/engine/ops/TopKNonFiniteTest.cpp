// NaN and infinity in a gradient (issue 10). The selection order is total for every float (ops/TopK.h):
// larger magnitude first, +-inf above every finite value, NaN above inf, all NaNs equal, ties to
// the lower index; every path (index select, sampled threshold, the per-minibatch hint, unified,
// random, dense) reports the non-finite input, and the layers turn that into NonFiniteGradient.
#include "ops/TopK.h"

#include "core/Error.h"
#include "layers/Linear.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <vector>

using namespace meprop;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// The documented order, written out without keys: NaN > inf > finite by |v|; stable ties.
int rank(float x)
{
    return std::isnan(x) ? 2 : std::isinf(x) ? 1 : 0;
}

std::vector<int> reference(const std::vector<float>& v, int k)
{
    std::vector<int> order(v.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const float x = v[static_cast<std::size_t>(a)], y = v[static_cast<std::size_t>(b)];
        if (rank(x) != rank(y)) return rank(x) > rank(y);
        return rank(x) == 0 && std::fabs(x) > std::fabs(y);
    });
    order.resize(static_cast<std::size_t>(k));
    std::sort(order.begin(), order.end());
    return order;
}

bool anyNonFinite(const std::vector<float>& v)
{
    return std::any_of(v.begin(), v.end(), [](float x) { return !std::isfinite(x); });
}

// A vector with a share of NaN, +inf, -inf, zeros and repeated values.
std::vector<float> messy(int n, double nonFiniteShare, Rng& rng)
{
    std::vector<float> v(static_cast<std::size_t>(n));
    for (float& x : v) {
        const double u = rng.uniform(0.0f, 1.0f);
        if (u < nonFiniteShare / 3) x = kNaN;
        else if (u < 2 * nonFiniteShare / 3) x = kInf;
        else if (u < nonFiniteShare) x = -kInf;
        else x = std::round(rng.normal(0.0f, 3.0f) * 4.0f) / 4.0f;  // ties, zeros, -0
    }
    return v;
}

}  // namespace

TEST(TopKNonFinite, TheIssuesCaseNinetyEightNaNsAndTwoFiniteValues)
{
    // Before: the comparator was not a strict weak ordering here (nth_element's contract broken).
    std::vector<float> v(100, kNaN);
    v[17] = 3.0f;
    v[60] = -5.0f;
    std::vector<int> out(2, -1), scratch;
    EXPECT_FALSE(topKIndices(v.data(), 100, 2, out.data(), scratch));
    EXPECT_EQ(out, (std::vector<int>{0, 1}));  // NaN ranks first; among NaNs the lower index
    // With k = 98 the NaNs fill it, then -5 (|-5| > 3) would be next: 98 NaNs only.
    out.assign(98, -1);
    EXPECT_FALSE(topKIndices(v.data(), 100, 98, out.data(), scratch));
    EXPECT_EQ(out, reference(v, 98));
    EXPECT_EQ(std::set<int>(out.begin(), out.end()).size(), 98u);
}

TEST(TopKNonFinite, EveryPathFollowsTheOrderAndReportsNonFiniteInput)
{
    Rng rng(41);
    std::vector<int> scratch;
    // n < 256: the index select; n >= 256 with 8k <= n: the sampled threshold (and its fallback).
    for (int n : {5, 40, 255, 256, 500, 1000}) {
        for (int k : {1, 2, 7, n / 8, n / 2, n}) {
            if (k < 1 || k > n) continue;
            for (double share : {0.0, 0.002, 0.05, 0.5, 1.0}) {
                for (int trial = 0; trial < 6; ++trial) {
                    const std::vector<float> v = messy(n, share, rng);
                    std::vector<int> out(static_cast<std::size_t>(k), -1);
                    const bool finite = topKIndices(v.data(), n, k, out.data(), scratch);
                    ASSERT_EQ(out, reference(v, k)) << "n=" << n << " k=" << k << " share=" << share;
                    ASSERT_EQ(finite, !anyNonFinite(v)) << "n=" << n << " k=" << k << " share=" << share;
                }
            }
        }
    }
}

TEST(TopKNonFinite, TheSampledPathKeepsANaNItUsedToDrop)
{
    // n = 500, k = 20: the sampled threshold path. A NaN fails every ordered comparison with the
    // threshold, so "|v| >= t" dropped it; it now ranks above everything.
    Rng rng(5);
    std::vector<float> v(500);
    for (float& x : v) x = rng.normal(0.0f, 1.0f);
    v[123] = kNaN;
    v[321] = -kInf;
    std::vector<int> out(20, -1), scratch;
    EXPECT_FALSE(topKIndices(v.data(), 500, 20, out.data(), scratch));
    EXPECT_TRUE(std::binary_search(out.begin(), out.end(), 123));
    EXPECT_TRUE(std::binary_search(out.begin(), out.end(), 321));
    EXPECT_EQ(out, reference(v, 20));
}

TEST(TopKNonFinite, SelectionReportsNonFiniteGradientsInEveryMode)
{
    Rng rng(7);
    for (int n : {30, 500}) {
        Tensor clean(6, n);
        for (Eigen::Index i = 0; i < clean.size(); ++i) clean.data()[i] = rng.normal(0.0f, 1.0f);
        for (float bad : {kNaN, kInf, -kInf}) {
            // The bad value in a later row too: the per-example path hints each row's threshold
            // from the row before.
            for (int row : {0, 4}) {
                Tensor dy(clean);
                dy(row, n / 3) = bad;
                for (BackpropMode mode : {BackpropMode::Dense, BackpropMode::TopK, BackpropMode::Unified, BackpropMode::Random}) {
                    Selection sel;
                    Rng r(1);
                    selectComponents(dy, mode, 3, r, sel);
                    EXPECT_FALSE(sel.finite) << toString(mode) << " n=" << n << " row=" << row << " value=" << bad;
                    selectComponents(clean, mode, 3, r, sel);
                    EXPECT_TRUE(sel.finite) << toString(mode);
                }
                // The kept set follows the order: the bad entry is kept in its row / as a column.
                Selection sel;
                Rng r(1);
                selectComponents(dy, BackpropMode::TopK, 3, r, sel);
                EXPECT_TRUE(std::binary_search(sel.row(row), sel.row(row) + 3, n / 3));
                selectComponents(dy, BackpropMode::Unified, 3, r, sel);
                EXPECT_TRUE(std::binary_search(sel.indices.begin(), sel.indices.end(), n / 3));
            }
        }
    }
}

TEST(TopKNonFinite, LinearBackwardThrowsNamingTheLayerInEveryMode)
{
    for (int out : {12, 400}) {
        Rng rng(3);
        Linear layer(5, out, rng, Init::XavierUniform, "hidden2");
        Tensor x(4, 5), y, dx;
        for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-1.0f, 1.0f);
        layer.forward(x, y);
        Tensor dy(Matrix::Constant(4, out, 0.5f));
        dy(2, 7) = kNaN;
        for (BackpropMode mode : {BackpropMode::Dense, BackpropMode::TopK, BackpropMode::Unified, BackpropMode::Random}) {
            layer.weight().zeroGrad();
            layer.bias().zeroGrad();
            try {
                layer.backward(dy, dx, {mode, 3, true}, rng);
                ADD_FAILURE() << toString(mode) << ": no error";
            } catch (const NonFiniteGradient& e) {
                EXPECT_EQ(e.layer(), "hidden2");
                EXPECT_NE(std::string(e.what()).find("non-finite gradient in layer hidden2"), std::string::npos) << e.what();
            }
            // Thrown before any gradient was written.
            EXPECT_EQ(layer.weight().grad.cwiseAbs().maxCoeff(), 0.0f) << toString(mode);
        }
    }
}

TEST(TopKNonFinite, TheErrorNamesLayerAndStep)
{
    const NonFiniteGradient e("output", 17);
    EXPECT_EQ(e.step(), 17);
    EXPECT_NE(std::string(e.what()).find("non-finite gradient in layer output at step 17"), std::string::npos) << e.what();
    const Error& base = e;  // a typed engine error: the CLI prints it as one line and exits 2
    EXPECT_FALSE(std::string(base.what()).empty());
}
