#include "layers/Lstm.h"

#include "../GradCheck.h"
#include "core/Error.h"
#include "ops/RandomK.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <set>

using namespace meprop;

namespace {

Tensor randomMatrix(int r, int c, Rng& rng, float a = 1.0f)
{
    Tensor m(r, c);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(-a, a);
    return m;
}

// A plain, independent LSTM (double precision, no shortcuts) to compare the layer against.
struct Reference {
    Eigen::MatrixXd W, U;
    Eigen::RowVectorXd b;
    bool reverse = false;
    int H = 0;
    bool denseBias = false;  // db sums the whole da_t (the mask applies to the products only)
    // Forward state per time index t.
    std::vector<Eigen::RowVectorXd> gates, c, h;

    explicit Reference(const Lstm& l)
        : W(l.inputWeight().value.cast<double>()), U(l.recurrentWeight().value.cast<double>()),
          b(l.bias().value.row(0).cast<double>()), reverse(l.reverse()), H(l.hidden())
    {
    }
    static double sig(double v) { return 1.0 / (1.0 + std::exp(-v)); }
    int step(int s, int T) const { return reverse ? T - 1 - s : s; }

    Eigen::MatrixXd forward(const Tensor& xf)
    {
        const Eigen::MatrixXd x = xf.cast<double>();
        const int T = static_cast<int>(x.rows());
        gates.assign(T, {});
        c.assign(T, {});
        h.assign(T, {});
        Eigen::RowVectorXd hp = Eigen::RowVectorXd::Zero(H), cp = Eigen::RowVectorXd::Zero(H);
        Eigen::MatrixXd out(T, H);
        for (int s = 0; s < T; ++s) {
            const int t = step(s, T);
            Eigen::RowVectorXd a = x.row(t) * W.transpose() + hp * U.transpose() + b;
            for (int j = 0; j < H; ++j) {
                a(j) = sig(a(j));
                a(H + j) = sig(a(H + j));
                a(2 * H + j) = std::tanh(a(2 * H + j));
                a(3 * H + j) = sig(a(3 * H + j));
            }
            Eigen::RowVectorXd cc(H), hh(H);
            for (int j = 0; j < H; ++j) {
                cc(j) = a(H + j) * cp(j) + a(j) * a(2 * H + j);
                hh(j) = a(3 * H + j) * std::tanh(cc(j));
            }
            gates[t] = a;
            c[t] = cc;
            h[t] = hh;
            out.row(t) = hh;
            hp = hh;
            cp = cc;
        }
        return out;
    }

    // BPTT where mask(t, da_t) returns the 0/1 mask applied to da_t before its use in the products.
    void backward(const Tensor& xf, const Tensor& dhf, const std::function<Eigen::RowVectorXd(int, const Eigen::RowVectorXd&)>& mask,
                  Eigen::MatrixXd& dW, Eigen::MatrixXd& dU, Eigen::RowVectorXd& db, Eigen::MatrixXd& dx)
    {
        const Eigen::MatrixXd x = xf.cast<double>(), dh = dhf.cast<double>();
        const int T = static_cast<int>(x.rows());
        dW = Eigen::MatrixXd::Zero(W.rows(), W.cols());
        dU = Eigen::MatrixXd::Zero(U.rows(), U.cols());
        db = Eigen::RowVectorXd::Zero(4 * H);
        dx = Eigen::MatrixXd::Zero(T, W.cols());
        Eigen::RowVectorXd dhn = Eigen::RowVectorXd::Zero(H), dcn = Eigen::RowVectorXd::Zero(H);
        for (int s = T - 1; s >= 0; --s) {
            const int t = step(s, T);
            const int tp = s > 0 ? step(s - 1, T) : -1;
            const Eigen::RowVectorXd& a = gates[t];
            Eigen::RowVectorXd da(4 * H), dcv(H);
            for (int j = 0; j < H; ++j) {
                const double i = a(j), f = a(H + j), g = a(2 * H + j), o = a(3 * H + j), tc = std::tanh(c[t](j));
                const double d = dh(t, j) + dhn(j);
                const double dc = d * o * (1 - tc * tc) + dcn(j);
                const double cprev = tp >= 0 ? c[tp](j) : 0.0;
                da(j) = dc * g * i * (1 - i);
                da(H + j) = dc * cprev * f * (1 - f);
                da(2 * H + j) = dc * i * (1 - g * g);
                da(3 * H + j) = d * tc * o * (1 - o);
                dcv(j) = dc * f;
            }
            const Eigen::RowVectorXd m = da.cwiseProduct(mask(t, da));
            dcn = dcv;
            dW += m.transpose() * x.row(t);
            db += denseBias ? da : m;
            dx.row(t) = m * W;
            if (tp >= 0) {
                dU += m.transpose() * h[tp];
                dhn = m * U;
            } else {
                dhn.setZero();
            }
        }
    }
};

Eigen::RowVectorXd ones(int n) { return Eigen::RowVectorXd::Ones(n); }

// Mask keeping the given rows.
Eigen::RowVectorXd maskOf(const int* rows, int count, int n)
{
    Eigen::RowVectorXd m = Eigen::RowVectorXd::Zero(n);
    for (int j = 0; j < count; ++j) m(rows[j]) = 1.0;
    return m;
}

// Top-k of each H-block of |v|, lower index first on ties (the engine's rule).
Eigen::RowVectorXd topKBlockMask(const Eigen::RowVectorXd& v, int H, int k)
{
    Eigen::RowVectorXd m = Eigen::RowVectorXd::Zero(v.size());
    for (int j = 0; j < 4; ++j) {
        std::vector<int> idx(H);
        for (int q = 0; q < H; ++q) idx[q] = q;
        std::stable_sort(idx.begin(), idx.end(), [&](int a, int b) { return std::fabs(v(j * H + a)) > std::fabs(v(j * H + b)); });
        for (int q = 0; q < k; ++q) m(j * H + idx[q]) = 1.0;
    }
    return m;
}

double maxDiff(const Tensor& a, const Eigen::MatrixXd& b) { return (a.cast<double>() - b).cwiseAbs().maxCoeff(); }

void zeroAll(Lstm& l)
{
    l.inputWeight().zeroGrad();
    l.recurrentWeight().zeroGrad();
    l.bias().zeroGrad();
}

}  // namespace

class LstmDirection : public ::testing::TestWithParam<bool> {};

TEST_P(LstmDirection, ForwardMatchesReference)
{
    Rng rng(3);
    Lstm l(5, 4, rng, GetParam());
    Tensor x = randomMatrix(6, 5, rng), h;
    l.forward(x, h);
    Reference ref(l);
    EXPECT_LT(maxDiff(h, ref.forward(x)), 1e-5);
    // One step, and the direction matters for longer sequences.
    Tensor x1 = randomMatrix(1, 5, rng), h1;
    l.forward(x1, h1);
    EXPECT_LT(maxDiff(h1, ref.forward(x1)), 1e-5);
}

TEST_P(LstmDirection, BpttMatchesFiniteDifferencesForEveryParameterAndTheInput)
{
    Rng rng(5);
    Lstm l(5, 4, rng, GetParam());
    l.bias().value = randomMatrix(1, 16, rng, 0.5f);
    Tensor x = randomMatrix(7, 5, rng);
    const Tensor target = randomMatrix(7, 4, rng, 0.5f);
    // loss = 0.5 ||h - target||^2 + sum(h * h0) with a fixed h0 gives non-trivial gradients at every step.
    const Tensor h0 = randomMatrix(7, 4, rng);
    auto loss = [&]() {
        Tensor h;
        l.forward(x, h);
        const Eigen::MatrixXd hd = h.cast<double>();
        return 0.5 * (hd - target.cast<double>()).squaredNorm() + hd.cwiseProduct(h0.cast<double>()).sum();
    };
    Tensor h, dx;
    l.forward(x, h);
    const Tensor dh(h - target + h0);
    zeroAll(l);
    l.backward(dh, dx, {BackpropMode::Dense, 0, true}, rng);
    const Tensor dW = l.inputWeight().grad, dU = l.recurrentWeight().grad, db = l.bias().grad;
    EXPECT_LT(test::gradCheck(x, dx, loss), 1e-3);
    EXPECT_LT(test::gradCheck(l.inputWeight().value, dW, loss), 1e-3);
    EXPECT_LT(test::gradCheck(l.recurrentWeight().value, dU, loss), 1e-3);
    EXPECT_LT(test::gradCheck(l.bias().value, db, loss), 1e-3);
    // The recurrent weights really are exercised through time.
    EXPECT_GT(dU.cwiseAbs().maxCoeff(), 1e-3f);
}

INSTANTIATE_TEST_SUITE_P(Directions, LstmDirection, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? std::string("Reverse") : std::string("Forward"); });

struct SparseCase {
    BackpropMode mode;
    bool reverse;
    int T, in, H, k;
};

class LstmSparse : public ::testing::TestWithParam<SparseCase> {};

TEST_P(LstmSparse, EqualsMaskedDenseBptt)
{
    const SparseCase c = GetParam();
    Rng rng(11);
    Lstm l(c.in, c.H, rng, c.reverse);
    Tensor x = randomMatrix(c.T, c.in, rng), h, dx;
    l.forward(x, h);
    const Tensor dh = randomMatrix(c.T, c.H, rng);
    zeroAll(l);
    l.backward(dh, dx, {c.mode, c.k, true}, rng);
    const int G = 4 * c.H;
    ASSERT_EQ(l.keptPerStep(), c.mode == BackpropMode::Dense ? G : 4 * c.k);

    Reference ref(l);
    ref.forward(x);
    Eigen::MatrixXd rW, rU, rx;
    Eigen::RowVectorXd rb;
    auto mask = [&](int t, const Eigen::RowVectorXd& da) -> Eigen::RowVectorXd {
        switch (c.mode) {
        case BackpropMode::Dense: return ones(G);
        // The reference selects by itself from its own masked-dense BPTT.
        case BackpropMode::TopK: return topKBlockMask(da, c.H, c.k);
        // Random and unified: the draws / shared ranking are the layer's; check they are well formed
        // below and that the products use exactly them here.
        default: return maskOf(l.stepRows(t), l.keptPerStep(), G);
        }
    };
    ref.backward(x, dh, mask, rW, rU, rb, rx);
    EXPECT_LT(maxDiff(dx, rx), 1e-4);
    EXPECT_LT(maxDiff(l.inputWeight().grad, rW), 1e-4);
    EXPECT_LT(maxDiff(l.recurrentWeight().grad, rU), 1e-4);
    EXPECT_LT(maxDiff(l.bias().grad, rb), 1e-4);

    if (c.mode == BackpropMode::Dense) return;
    // k per gate block per step; unified shares one set across the steps.
    for (int t = 0; t < c.T; ++t) {
        const int* rows = l.stepRows(t);
        for (int j = 0; j < 4; ++j) {
            for (int q = 0; q < c.k; ++q) {
                EXPECT_EQ(rows[j * c.k + q] / c.H, j) << "step " << t;
                if (q > 0) {
                    EXPECT_LT(rows[j * c.k + q - 1], rows[j * c.k + q]);
                }
            }
        }
        if (c.mode == BackpropMode::Unified) {
            EXPECT_TRUE(std::equal(rows, rows + l.keptPerStep(), l.stepRows(0)));
        }
    }
    // Only the kept rows carry a gradient, and the row lists say which.
    const std::vector<int> kept = l.lastRows();
    std::set<int> keptSet(kept.begin(), kept.end());
    ASSERT_TRUE(l.inputWeight().rowSparse);
    ASSERT_TRUE(l.recurrentWeight().rowSparse);
    for (int r = 0; r < G; ++r) {
        if (keptSet.count(r)) continue;
        EXPECT_EQ(l.inputWeight().grad.row(r).cwiseAbs().maxCoeff(), 0.0f) << "row " << r;
        EXPECT_EQ(l.recurrentWeight().grad.row(r).cwiseAbs().maxCoeff(), 0.0f) << "row " << r;
        EXPECT_EQ(l.bias().grad(0, r), 0.0f) << "row " << r;
    }
    std::set<int> listed(l.inputWeight().rows.begin(), l.inputWeight().rows.end());
    EXPECT_EQ(listed, keptSet);
    zeroAll(l);
    EXPECT_EQ(l.inputWeight().grad.cwiseAbs().maxCoeff(), 0.0f);
    EXPECT_EQ(l.recurrentWeight().grad.cwiseAbs().maxCoeff(), 0.0f);
}

// The authors' C# code adds the bias outside the product meProp sparsifies: with denseBias the
// bias gets the sum over t of every component of da_t, everything else stays masked.
TEST_P(LstmSparse, DenseBiasSumsTheWholeGateGradient)
{
    const SparseCase c = GetParam();
    if (c.mode == BackpropMode::Dense) GTEST_SKIP();
    Rng rng(17);
    Lstm l(c.in, c.H, rng, c.reverse);
    Tensor x = randomMatrix(c.T, c.in, rng), h, dx;
    l.forward(x, h);
    const Tensor dh = randomMatrix(c.T, c.H, rng);
    zeroAll(l);
    BackwardSpec spec{c.mode, c.k, true};
    spec.denseBias = true;
    l.backward(dh, dx, spec, rng);
    Reference ref(l);
    ref.denseBias = true;
    ref.forward(x);
    Eigen::MatrixXd rW, rU, rx;
    Eigen::RowVectorXd rb;
    auto mask = [&](int t, const Eigen::RowVectorXd& da) -> Eigen::RowVectorXd {
        return c.mode == BackpropMode::TopK ? topKBlockMask(da, c.H, c.k) : maskOf(l.stepRows(t), l.keptPerStep(), 4 * c.H);
    };
    ref.backward(x, dh, mask, rW, rU, rb, rx);
    EXPECT_LT(maxDiff(dx, rx), 1e-4);
    EXPECT_LT(maxDiff(l.inputWeight().grad, rW), 1e-4);
    EXPECT_LT(maxDiff(l.recurrentWeight().grad, rU), 1e-4);
    EXPECT_LT(maxDiff(l.bias().grad, rb), 1e-4);
    // Not the masked sum: some bias component outside the selection is nonzero.
    EXPECT_GT((rb.array() != 0.0).count(), static_cast<Eigen::Index>(l.lastRows().size()));
}

TEST_P(LstmSparse, KEqualsHIsDense)
{
    const SparseCase c = GetParam();
    if (c.mode == BackpropMode::Dense) GTEST_SKIP();
    Rng rng(13);
    Lstm a(c.in, c.H, rng, c.reverse);
    Lstm b = a;
    Tensor x = randomMatrix(c.T, c.in, rng), h, dxa, dxb;
    const Tensor dh = randomMatrix(c.T, c.H, rng);
    a.forward(x, h);
    b.forward(x, h);
    zeroAll(a);
    zeroAll(b);
    a.backward(dh, dxa, {c.mode, c.H, true}, rng);
    b.backward(dh, dxb, {BackpropMode::Dense, 0, true}, rng);
    EXPECT_LT((dxa - dxb).cwiseAbs().maxCoeff(), 1e-4f);
    EXPECT_LT((a.inputWeight().grad - b.inputWeight().grad).cwiseAbs().maxCoeff(), 1e-4f);
    EXPECT_LT((a.recurrentWeight().grad - b.recurrentWeight().grad).cwiseAbs().maxCoeff(), 1e-4f);
    EXPECT_LT((a.bias().grad - b.bias().grad).cwiseAbs().maxCoeff(), 1e-4f);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LstmSparse,
    ::testing::Values(SparseCase{BackpropMode::Dense, false, 5, 4, 6, 6}, SparseCase{BackpropMode::Dense, true, 5, 4, 6, 6},
                      SparseCase{BackpropMode::TopK, false, 6, 5, 8, 1}, SparseCase{BackpropMode::TopK, true, 6, 5, 8, 3},
                      SparseCase{BackpropMode::TopK, false, 1, 3, 4, 2}, SparseCase{BackpropMode::TopK, false, 9, 7, 20, 5},
                      SparseCase{BackpropMode::Random, false, 6, 5, 8, 2}, SparseCase{BackpropMode::Random, true, 4, 3, 10, 4},
                      SparseCase{BackpropMode::Unified, false, 6, 5, 8, 2}, SparseCase{BackpropMode::Unified, true, 7, 4, 9, 3},
                      SparseCase{BackpropMode::Unified, false, 1, 3, 5, 1}),
    [](const auto& info) {
        const SparseCase& c = info.param;
        return std::string(toString(c.mode)) + (c.reverse ? "Rev" : "Fwd") + "_T" + std::to_string(c.T) + "_H" +
               std::to_string(c.H) + "_k" + std::to_string(c.k);
    });

TEST(Lstm, UnifiedRanksBySumOfLocalGateGradients)
{
    Rng rng(21);
    const int T = 6, in = 4, H = 7, k = 2;
    Lstm l(in, H, rng);
    Tensor x = randomMatrix(T, in, rng), h, dx;
    l.forward(x, h);
    const Tensor dh = randomMatrix(T, H, rng);
    zeroAll(l);
    l.backward(dh, dx, {BackpropMode::Unified, k, true}, rng);
    // Independent ranking: the gradient each step gets from dh_t alone.
    Reference ref(l);
    ref.forward(x);
    Eigen::RowVectorXd score = Eigen::RowVectorXd::Zero(4 * H);
    for (int t = 0; t < T; ++t) {
        const auto& a = ref.gates[t];
        for (int j = 0; j < H; ++j) {
            const double i = a(j), f = a(H + j), g = a(2 * H + j), o = a(3 * H + j), tc = std::tanh(ref.c[t](j));
            const double dc = dh(t, j) * o * (1 - tc * tc);
            score(j) += std::fabs(dc * g * i * (1 - i));
            score(H + j) += std::fabs(t > 0 ? dc * ref.c[t - 1](j) * f * (1 - f) : 0.0);
            score(2 * H + j) += std::fabs(dc * i * (1 - g * g));
            score(3 * H + j) += std::fabs(dh(t, j) * tc * o * (1 - o));
        }
    }
    const Eigen::RowVectorXd expected = topKBlockMask(score, H, k);
    EXPECT_EQ(maskOf(l.stepRows(0), l.keptPerStep(), 4 * H), expected);
}

TEST(Lstm, RandomDrawsDifferAcrossSteps)
{
    Rng rng(4);
    const int T = 8, H = 50, k = 5;
    Lstm l(3, H, rng);
    Tensor x = randomMatrix(T, 3, rng), h, dx;
    l.forward(x, h);
    l.backward(randomMatrix(T, H, rng), dx, {BackpropMode::Random, k, true}, rng);
    int differing = 0;
    for (int t = 1; t < T; ++t) differing += !std::equal(l.stepRows(t), l.stepRows(t) + 4 * k, l.stepRows(0));
    EXPECT_GE(differing, T - 2);
}

// Random: one key per backward (Rng::bits); gate block j of step t keeps ops/RandomK.h's
// components of stream 4 t + j, in either direction (the steps' processing order does not matter).
TEST(Lstm, RandomKeepsTheCounterBasedRowsOfEachStepAndBlock)
{
    for (bool reverse : {false, true}) {
        Rng rng(9);
        const int T = 6, H = 40, k = 3;
        Lstm l(3, H, rng, reverse);
        Tensor x = randomMatrix(T, 3, rng), h, dx;
        l.forward(x, h);
        const Tensor dh = randomMatrix(T, H, rng);
        Rng mirror = rng;
        l.backward(dh, dx, {BackpropMode::Random, k, true}, rng);
        const std::uint64_t key = mirror.bits();
        EXPECT_EQ(rng.state(), mirror.state());  // exactly one draw
        ASSERT_EQ(l.keptPerStep(), 4 * k);
        for (int t = 0; t < T; ++t)
            for (int j = 0; j < 4; ++j) {
                std::vector<int> expected(static_cast<std::size_t>(k));
                randomKIndices(key, 4 * static_cast<std::uint64_t>(t) + static_cast<std::uint64_t>(j), H, k, expected.data());
                for (int q = 0; q < k; ++q)
                    EXPECT_EQ(l.stepRows(t)[j * k + q], expected[static_cast<std::size_t>(q)] + j * H) << "t " << t << " block " << j;
            }
    }
}

TEST(Lstm, CountsUpdatesPerGateRow)
{
    Rng rng(6);
    const int T = 5, H = 6, k = 2;
    Lstm l(3, H, rng);
    Tensor x = randomMatrix(T, 3, rng), h, dx;
    l.forward(x, h);
    l.backward(randomMatrix(T, H, rng), dx, {BackpropMode::TopK, k, false}, rng);
    std::vector<std::uint64_t> expected(4 * H, 0);
    for (int t = 0; t < T; ++t)
        for (int j = 0; j < 4 * k; ++j) ++expected[l.stepRows(t)[j]];
    EXPECT_EQ(l.updateCounts(), expected);
    std::uint64_t total = 0;
    for (auto c : l.updateCounts()) total += c;
    EXPECT_EQ(total, static_cast<std::uint64_t>(T * 4 * k));
    l.resetCounts();
    l.forward(x, h);
    l.backward(randomMatrix(T, H, rng), dx, {BackpropMode::Dense, 0, false}, rng);
    EXPECT_EQ(l.updateCounts(), std::vector<std::uint64_t>(4 * H, T));
    EXPECT_EQ(l.lastRows().size(), static_cast<std::size_t>(4 * H));
}

TEST(Lstm, GradientsAccumulateAcrossSentences)
{
    Rng rng(8);
    Lstm l(3, 4, rng);
    Tensor x1 = randomMatrix(3, 3, rng), x2 = randomMatrix(5, 3, rng), h, dx;
    const Tensor d1 = randomMatrix(3, 4, rng), d2 = randomMatrix(5, 4, rng);
    l.forward(x1, h);
    l.backward(d1, dx, {BackpropMode::Dense, 0, true}, rng);
    const Tensor g1 = l.recurrentWeight().grad;
    zeroAll(l);
    l.forward(x2, h);
    l.backward(d2, dx, {BackpropMode::Dense, 0, true}, rng);
    const Tensor g2 = l.recurrentWeight().grad;
    zeroAll(l);
    l.forward(x1, h);
    l.backward(d1, dx, {BackpropMode::Dense, 0, true}, rng);
    l.forward(x2, h);
    l.backward(d2, dx, {BackpropMode::Dense, 0, true}, rng);
    EXPECT_LT((l.recurrentWeight().grad - g1 - g2).cwiseAbs().maxCoeff(), 1e-5f);
}

TEST(Lstm, RejectsBadShapesAndK)
{
    Rng rng(1);
    EXPECT_THROW(Lstm(0, 3, rng), ShapeError);
    EXPECT_THROW(Lstm(3, 0, rng), ShapeError);
    Lstm l(4, 6, rng);
    Tensor h, dx;
    EXPECT_THROW(l.forward(Tensor(Matrix::Zero(2, 5)), h), ShapeError);
    EXPECT_THROW(l.forward(Tensor(Matrix::Zero(0, 4)), h), ShapeError);
    l.forward(Tensor(Matrix::Zero(3, 4)), h);
    EXPECT_THROW(l.backward(Tensor(Matrix::Zero(3, 6)), dx, {BackpropMode::TopK, 0, true}, rng), ConfigError);
    EXPECT_THROW(l.backward(Tensor(Matrix::Zero(3, 6)), dx, {BackpropMode::Unified, 7, true}, rng), ConfigError);
    EXPECT_THROW(l.backward(Tensor(Matrix::Zero(2, 6)), dx, {BackpropMode::Dense, 0, true}, rng), ShapeError);
    EXPECT_THROW(l.backward(Tensor(Matrix::Zero(3, 5)), dx, {BackpropMode::Dense, 0, true}, rng), ShapeError);
}

TEST_P(LstmDirection, ForwardManyEqualsForwardOfEach)
{
    Rng rng(12);
    Lstm l(5, 6, rng, GetParam());
    std::vector<Matrix> xs;
    for (int T : {3, 7, 1, 7, 4}) xs.push_back(Matrix(randomMatrix(T, 5, rng)));
    std::vector<const Matrix*> ptrs;
    for (const auto& x : xs) ptrs.push_back(&x);
    std::vector<Matrix> hs;
    l.forwardMany(ptrs, hs);
    ASSERT_EQ(hs.size(), xs.size());
    for (std::size_t b = 0; b < xs.size(); ++b) {
        Tensor h;
        l.forward(Tensor(xs[b]), h);
        ASSERT_EQ(hs[b].rows(), h.rows());
        EXPECT_LT((hs[b] - h).cwiseAbs().maxCoeff(), 1e-5f) << "sequence " << b;
    }
    Matrix empty(0, 5);
    ptrs.push_back(&empty);
    EXPECT_THROW(l.forwardMany(ptrs, hs), ShapeError);
}

// A NaN or an infinity in the gate gradients stops back propagation with NonFiniteGradient in
// every mode (issue 10), before any weight gradient is written; before, top-k's own selection
// dropped NaN (no comparison holds) and the other modes passed it on into the weights.
TEST_P(LstmDirection, NonFiniteGateGradientThrowsInEveryMode)
{
    for (int H : {6, 40}) {  // k <= 32 takes the LSTM's own selection; H = 40, k = 40 topKIndices
        for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
            for (int k : {2, H}) {
                for (BackpropMode mode : {BackpropMode::Dense, BackpropMode::TopK, BackpropMode::Unified, BackpropMode::Random}) {
                    Rng rng(4);
                    Lstm l(5, H, rng, GetParam(), "lstm.fwd");
                    Tensor x = randomMatrix(6, 5, rng), h, dx;
                    l.forward(x, h);
                    Tensor dh = randomMatrix(6, H, rng);
                    dh(3, 1) = bad;  // reaches the gate gradients of step 3 and, through time, the earlier ones
                    zeroAll(l);
                    try {
                        l.backward(dh, dx, {mode, k, true}, rng);
                        ADD_FAILURE() << toString(mode) << " H=" << H << " k=" << k << ": no error";
                    } catch (const NonFiniteGradient& e) {
                        EXPECT_EQ(e.layer(), "lstm.fwd");
                    }
                    EXPECT_EQ(l.inputWeight().grad.cwiseAbs().maxCoeff(), 0.0f) << toString(mode);
                    EXPECT_EQ(l.recurrentWeight().grad.cwiseAbs().maxCoeff(), 0.0f) << toString(mode);
                }
            }
        }
    }
}
