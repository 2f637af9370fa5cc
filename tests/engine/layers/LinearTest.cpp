#include "layers/Linear.h"

#include "../GradCheck.h"
#include "core/Error.h"

#include <gtest/gtest.h>

using namespace meprop;

namespace {

Matrix randomMatrix(int r, int c, Rng& rng)
{
    Matrix m(r, c);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(-1.0f, 1.0f);
    return m;
}

// Reference: dense backward of the masked output gradient.
void maskedDenseBackward(const Linear& layer, const Matrix& x, const Matrix& dyMasked, Matrix& dx, Matrix& dW, Matrix& db)
{
    dx = dyMasked * layer.weight().value;
    dW = dyMasked.transpose() * x;
    db = dyMasked.colwise().sum();
}

}  // namespace

TEST(Linear, ForwardMatchesDefinition)
{
    Rng rng(3);
    Linear layer(4, 3, rng);
    layer.bias().value << 0.5f, -1.0f, 2.0f;
    Tensor x(randomMatrix(2, 4, rng));
    Tensor y;
    layer.forward(x, y);
    Tensor expected((x * layer.weight().value.transpose()).rowwise() + layer.bias().value.row(0));
    EXPECT_TRUE(y.isApprox(expected, 1e-6f));
}

TEST(Linear, DenseGradientsMatchFiniteDifferences)
{
    Rng rng(5);
    Linear layer(6, 5, rng);
    Tensor x(randomMatrix(3, 6, rng));
    Tensor target(randomMatrix(3, 5, rng));
    // loss = 0.5 * sum((y - target)^2)  =>  dy = y - target
    auto loss = [&]() {
        Tensor y;
        layer.forward(x, y);
        return 0.5 * (y.cast<double>() - target.cast<double>()).squaredNorm();
    };
    Tensor y, dx;
    layer.forward(x, y);
    Tensor dy(y - target);
    layer.backward(dy, dx, {BackpropMode::Dense, 0, true}, rng);
    EXPECT_LT(test::gradCheck(x, dx, loss), 1e-3);
    Tensor dW(layer.weight().grad);
    Tensor db(layer.bias().grad);
    EXPECT_LT(test::gradCheck(layer.weight().value, dW, loss), 1e-3);
    EXPECT_LT(test::gradCheck(layer.bias().value, db, loss), 1e-3);
}

struct SparseCase {
    BackpropMode mode;
    int batch, in, out, k;
};

class LinearSparse : public ::testing::TestWithParam<SparseCase> {};

TEST_P(LinearSparse, EqualsMaskedDense)
{
    const SparseCase c = GetParam();
    Rng rng(11);
    Linear layer(c.in, c.out, rng);
    Tensor x(randomMatrix(c.batch, c.in, rng));
    Tensor y, dx;
    layer.forward(x, y);
    Tensor dy(randomMatrix(c.batch, c.out, rng));
    layer.weight().zeroGrad();
    layer.bias().zeroGrad();
    EXPECT_EQ(layer.keptFraction(), 1.0);  // no backward yet
    layer.backward(dy, dx, {c.mode, c.k, true}, rng);
    // The kept fraction from the selection's shape (what backpropRatio reports, without a download).
    EXPECT_EQ(layer.keptFraction(), c.mode == BackpropMode::Dense ? 1.0 : static_cast<double>(c.k) / c.out);
    const Selection& sel = layer.lastSelection();
    ASSERT_EQ(sel.k, c.mode == BackpropMode::Dense ? c.out : c.k);

    Tensor rdx, rdW, rdb;
    maskedDenseBackward(layer, x, maskedGradient(dy, sel), rdx, rdW, rdb);
    EXPECT_LT((dx - rdx).cwiseAbs().maxCoeff(), 1e-4f);
    EXPECT_LT((layer.weight().grad - rdW).cwiseAbs().maxCoeff(), 1e-4f);
    EXPECT_LT((layer.bias().grad - rdb).cwiseAbs().maxCoeff(), 1e-4f);

    // Only rows that were kept carry a gradient, and the row list says which.
    if (c.mode != BackpropMode::Dense) {
        ASSERT_TRUE(layer.weight().rowSparse);
        std::vector<char> listed(c.out, 0);
        for (int r : layer.weight().rows) listed[r] = 1;
        for (int r = 0; r < c.out; ++r) {
            if (!listed[r]) {
                EXPECT_EQ(layer.weight().grad.row(r).cwiseAbs().maxCoeff(), 0.0f) << "row " << r;
            }
        }
    }

    // zeroGrad clears everything it touched.
    layer.weight().zeroGrad();
    EXPECT_EQ(layer.weight().grad.cwiseAbs().maxCoeff(), 0.0f);
}

TEST_P(LinearSparse, KEqualsNIsDense)
{
    const SparseCase c = GetParam();
    if (c.mode == BackpropMode::Dense) return;  // the property is about the sparse modes
    Rng rng(13);
    Linear a(c.in, c.out, rng);
    Linear b = a;
    Tensor x(randomMatrix(c.batch, c.in, rng));
    Tensor y, dxa, dxb;
    Tensor dy(randomMatrix(c.batch, c.out, rng));
    a.forward(x, y);
    b.forward(x, y);
    a.backward(dy, dxa, {c.mode, c.out, true}, rng);
    b.backward(dy, dxb, {BackpropMode::Dense, 0, true}, rng);
    EXPECT_LT((dxa - dxb).cwiseAbs().maxCoeff(), 1e-4f);
    EXPECT_LT((a.weight().grad - b.weight().grad).cwiseAbs().maxCoeff(), 1e-4f);
}

TEST_P(LinearSparse, AccumulatesOverDenseAndSparseCalls)
{
    // Every path adds to the gradient, whether the rows are fresh after zeroGrad, already touched
    // by an earlier sparse call, or part of a dense (not row-sparse) gradient.
    const SparseCase c = GetParam();
    Rng rng(19);
    Linear layer(c.in, c.out, rng);
    Tensor x(randomMatrix(c.batch, c.in, rng));
    Tensor y, dx;
    layer.forward(x, y);
    layer.weight().zeroGrad();
    layer.bias().zeroGrad();
    Tensor expectedW(Matrix::Zero(c.out, c.in)), expectedB(Matrix::Zero(1, c.out));
    const BackpropMode modes[] = {c.mode, c.mode, BackpropMode::Dense, c.mode};
    for (BackpropMode mode : modes) {
        Tensor dy(randomMatrix(c.batch, c.out, rng));
        layer.backward(dy, dx, {mode, c.k, true}, rng);
        const Tensor masked(maskedGradient(dy, layer.lastSelection()));
        expectedW += masked.transpose() * x;
        expectedB += masked.colwise().sum();
        EXPECT_LT((dx - masked * layer.weight().value).cwiseAbs().maxCoeff(), 1e-4f);
        EXPECT_LT((layer.weight().grad - expectedW).cwiseAbs().maxCoeff(), 1e-4f);
        EXPECT_LT((layer.bias().grad - expectedB).cwiseAbs().maxCoeff(), 1e-4f);
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, LinearSparse,
                         ::testing::Values(SparseCase{BackpropMode::Dense, 3, 7, 9, 9}, SparseCase{BackpropMode::TopK, 1, 5, 8, 1},
                                           SparseCase{BackpropMode::TopK, 4, 7, 9, 3}, SparseCase{BackpropMode::TopK, 10, 30, 50, 5},
                                           SparseCase{BackpropMode::TopK, 2, 3, 6, 6}, SparseCase{BackpropMode::Unified, 1, 5, 8, 1},
                                           SparseCase{BackpropMode::Unified, 6, 11, 13, 4}, SparseCase{BackpropMode::Unified, 3, 4, 5, 5},
                                           SparseCase{BackpropMode::Random, 1, 5, 8, 1}, SparseCase{BackpropMode::Random, 5, 9, 20, 7},
                                           SparseCase{BackpropMode::Random, 2, 3, 4, 4},
                                           // Row kernels with rows kept by several examples, the
                                           // sampled top-k path (n >= 256) and odd widths (tails).
                                           SparseCase{BackpropMode::TopK, 12, 77, 300, 20}, SparseCase{BackpropMode::Random, 12, 130, 40, 9},
                                           SparseCase{BackpropMode::Unified, 3, 77, 300, 20},
                                           // Masked GEMMs (2k >= n, batch >= 2): union below and equal to n.
                                           SparseCase{BackpropMode::TopK, 2, 7, 10, 5}, SparseCase{BackpropMode::Random, 6, 9, 8, 5},
                                           // Gathered GEMMs for unified (batch >= 4, batch k >= 350).
                                           SparseCase{BackpropMode::Unified, 40, 6, 30, 10}, SparseCase{BackpropMode::Unified, 40, 6, 30, 30},
                                           // Row kernels large enough to be split over threads.
                                           SparseCase{BackpropMode::TopK, 64, 500, 500, 20}, SparseCase{BackpropMode::Unified, 3, 500, 500, 100}));

// The row kernels split the examples (dx) and the kept rows (dW) over the threads when the work is
// large enough (threads > 1): the results, the row list and the counts are the same bits for any
// thread count. Two backward calls, so that the second adds to rows the first touched.
TEST(Linear, SparseRowKernelsGiveTheSameBitsForAnyThreadCount)
{
    const SparseCase cases[] = {{BackpropMode::TopK, 64, 500, 500, 20}, {BackpropMode::Random, 48, 301, 200, 30},
                                {BackpropMode::Unified, 3, 500, 500, 100}, {BackpropMode::TopK, 1, 500, 500, 100}};
    const int saved = Eigen::nbThreads();
    for (const SparseCase& c : cases) {
        struct Result {
            Tensor dx1, dx2, dW, db;
            std::vector<int> rows;
            std::vector<std::uint64_t> counts;
        };
        auto run = [&](int threads) {
            Eigen::setNbThreads(threads);
            Rng rng(23);
            Linear layer(c.in, c.out, rng);
            Tensor x(randomMatrix(c.batch, c.in, rng));
            Tensor y;
            layer.forward(x, y);
            layer.weight().zeroGrad();
            layer.bias().zeroGrad();
            Result r;
            layer.backward(Tensor(randomMatrix(c.batch, c.out, rng)), r.dx1, {c.mode, c.k, true}, rng);
            layer.backward(Tensor(randomMatrix(c.batch, c.out, rng)), r.dx2, {c.mode, c.k, true}, rng);
            r.dW = layer.weight().grad;
            r.db = layer.bias().grad;
            r.rows = layer.weight().rows;
            r.counts = layer.updateCounts();
            return r;
        };
        const Result one = run(1), two = run(2);
        const std::string label = std::string(toString(c.mode)) + " batch " + std::to_string(c.batch) + " k " + std::to_string(c.k);
        EXPECT_TRUE(one.dx1 == two.dx1 && one.dx2 == two.dx2) << label;
        EXPECT_TRUE(one.dW == two.dW) << label;
        EXPECT_TRUE(one.db == two.db) << label;
        EXPECT_EQ(one.rows, two.rows) << label;
        EXPECT_EQ(one.counts, two.counts) << label;
    }
    Eigen::setNbThreads(saved);
}

TEST(Linear, GradientsAccumulateAcrossCalls)
{
    // BPTT applies one layer at many time steps: gradients must add up across backward calls.
    Rng rng(17);
    Linear layer(4, 6, rng);
    Tensor x1(randomMatrix(1, 4, rng));
    Tensor x2(randomMatrix(1, 4, rng));
    Tensor y, dx;
    Tensor dy1(randomMatrix(1, 6, rng));
    Tensor dy2(randomMatrix(1, 6, rng));
    layer.forward(x1, y);
    layer.backward(dy1, dx, {BackpropMode::TopK, 2, false}, rng);
    Tensor first(maskedGradient(dy1, layer.lastSelection()).transpose() * x1);
    layer.forward(x2, y);
    layer.backward(dy2, dx, {BackpropMode::TopK, 2, false}, rng);
    Tensor second(maskedGradient(dy2, layer.lastSelection()).transpose() * x2);
    EXPECT_LT((layer.weight().grad - first - second).cwiseAbs().maxCoeff(), 1e-5f);
}

TEST(Linear, RejectsBadShapesAndK)
{
    Rng rng(1);
    Linear layer(4, 6, rng);
    Tensor bad(Matrix::Zero(2, 5));
    Tensor y, dx;
    EXPECT_THROW(layer.forward(bad, y), ShapeError);
    Tensor x(Matrix::Zero(2, 4));
    layer.forward(x, y);
    EXPECT_THROW(layer.backward(Tensor(Matrix::Zero(2, 6)), dx, {BackpropMode::TopK, 0, true}, rng), ConfigError);
    EXPECT_THROW(layer.backward(Tensor(Matrix::Zero(2, 6)), dx, {BackpropMode::TopK, 7, true}, rng), ConfigError);
    EXPECT_THROW(layer.backward(Tensor(Matrix::Zero(3, 6)), dx, {BackpropMode::Dense, 0, true}, rng), ShapeError);
}

TEST(Linear, CountsUpdatesPerRow)
{
    Rng rng(2);
    Linear layer(3, 5, rng);
    Tensor x(randomMatrix(2, 3, rng));
    Tensor y, dx;
    Tensor dy(2, 5);
    dy << 0, 9, 0, 0, 1,  //
        0, 0, 8, 7, 0;
    layer.forward(x, y);
    layer.backward(dy, dx, {BackpropMode::TopK, 1, true}, rng);
    std::vector<std::uint64_t> expected{0, 1, 1, 0, 0};
    EXPECT_EQ(layer.updateCounts(), expected);
}

// The authors' C# AddBias: in a top-k layer the bias still gets every component of dy, while dW
// and dx use only the kept ones. Hand-computed: dy = [[3, -1, 0.5], [0.2, -4, 1]], k = 1 keeps
// component 0 of example 0 and component 1 of example 1.
TEST(Linear, DenseBiasGradientInATopKLayer)
{
    for (bool denseBias : {false, true}) {
        Rng rng(2);
        Linear layer(2, 3, rng);
        Tensor x(2, 2), y, dx;
        x << 1.0f, 2.0f, -1.0f, 0.5f;
        layer.forward(x, y);
        Tensor dy(2, 3);
        dy << 3.0f, -1.0f, 0.5f, 0.2f, -4.0f, 1.0f;
        layer.weight().zeroGrad();
        layer.bias().zeroGrad();
        layer.bias().grad << 10.0f, 20.0f, 30.0f;  // gradients accumulate: the earlier sum stays
        layer.bias().touchAll();
        BackwardSpec spec{BackpropMode::TopK, 1, true};
        spec.denseBias = denseBias;
        layer.backward(dy, dx, spec, rng);
        Tensor dW(3, 2);
        dW << 3.0f, 6.0f, 4.0f, -2.0f, 0.0f, 0.0f;  // row 0: 3 x_0, row 1: -4 x_1
        EXPECT_TRUE(layer.weight().grad.isApprox(dW, 1e-6f)) << layer.weight().grad;
        RowVector db(3);
        if (denseBias)
            db << 10.0f + 3.2f, 20.0f - 5.0f, 30.0f + 1.5f;
        else
            db << 10.0f + 3.0f, 20.0f - 4.0f, 30.0f;
        EXPECT_TRUE(layer.bias().grad.row(0).isApprox(db, 1e-6f)) << layer.bias().grad;
        Tensor dxExpected(2, 2);
        dxExpected.row(0) = 3.0f * layer.weight().value.row(0);
        dxExpected.row(1) = -4.0f * layer.weight().value.row(1);
        EXPECT_TRUE(dx.isApprox(dxExpected, 1e-6f));
    }
}

// Every sparse path (row kernels, masked GEMM, unified gather) with a dense bias.
TEST(Linear, DenseBiasGradientIsTheColumnSumInEverySparsePath)
{
    const SparseCase cases[] = {{BackpropMode::TopK, 4, 6, 10, 2}, {BackpropMode::TopK, 4, 6, 10, 8}, {BackpropMode::Unified, 40, 6, 10, 9},
                                {BackpropMode::Random, 3, 6, 10, 3}, {BackpropMode::Unified, 3, 6, 10, 2}};
    for (const SparseCase& c : cases) {
        Rng rng(13);
        Linear layer(c.in, c.out, rng);
        Tensor x(randomMatrix(c.batch, c.in, rng));
        Tensor y, dx;
        layer.forward(x, y);
        const Tensor dy(randomMatrix(c.batch, c.out, rng));
        layer.weight().zeroGrad();
        layer.bias().zeroGrad();
        BackwardSpec spec{c.mode, c.k, true};
        spec.denseBias = true;
        layer.backward(dy, dx, spec, rng);
        EXPECT_TRUE(layer.bias().grad.row(0).isApprox(RowVector(dy.colwise().sum()), 1e-5f)) << toString(c.mode) << " k=" << c.k;
        Tensor dxRef, dWRef, dbRef;
        maskedDenseBackward(layer, x, maskedGradient(dy, layer.lastSelection()), dxRef, dWRef, dbRef);
        EXPECT_TRUE(layer.weight().grad.isApprox(dWRef, 1e-5f)) << toString(c.mode) << " k=" << c.k;
        EXPECT_TRUE(dx.isApprox(dxRef, 1e-5f)) << toString(c.mode) << " k=" << c.k;
    }
}
