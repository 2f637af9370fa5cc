// The CPU backend (backend/CpuBackend) operation by operation against plain Eigen formulas, for
// the operations the layer and model tests do not pin down by themselves: gemm in all four
// transpositions with alpha and beta, the row copies and gathers, countCorrect, the softmax
// cross-entropy with a gradient scale, the counts, dropout and the element-wise operations; and
// the typed errors the backend contract (backend/Backend.h) promises where a size cannot work.
#include "backend/CpuBackend.h"

#include "core/Error.h"
#include "layers/Dropout.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace meprop;

namespace {

Matrix randomMatrix(Eigen::Index r, Eigen::Index c, Rng& rng, float lo = -1.0f, float hi = 1.0f)
{
    Matrix m(r, c);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(lo, hi);
    return m;
}

IndexTensor column(const std::vector<int>& v)
{
    IndexTensor t(static_cast<Eigen::Index>(v.size()), 1);
    for (std::size_t i = 0; i < v.size(); ++i) t.data()[i] = v[i];
    return t;
}

// max |a - b| / (1 + max |b|).
double relDiff(const Matrix& a, const Matrix& b)
{
    if (a.rows() != b.rows() || a.cols() != b.cols()) return 1e30;
    return static_cast<double>((a - b).cwiseAbs().maxCoeff()) / (1.0 + static_cast<double>(b.cwiseAbs().maxCoeff()));
}

}  // namespace

TEST(CpuBackend, IsTheProcesssCpuBackend)
{
    Backend& be = cpuBackend();
    EXPECT_EQ(be.device(), Device::Cpu);
    EXPECT_EQ(be.name(), "cpu");
    EXPECT_EQ(makeBackend(Device::Cpu).get(), &be);
}

TEST(CpuBackend, GemmMatchesEigenInAllFourTranspositionsWithAlphaAndBeta)
{
    Backend& be = cpuBackend();
    Rng rng(1);
    const int m = 7, n = 11, kk = 13;
    for (int ta = 0; ta < 2; ++ta)
        for (int tb = 0; tb < 2; ++tb) {
            SCOPED_TRACE("transA=" + std::to_string(ta) + " transB=" + std::to_string(tb));
            const Matrix a = ta ? randomMatrix(kk, m, rng) : randomMatrix(m, kk, rng);
            const Matrix b = tb ? randomMatrix(n, kk, rng) : randomMatrix(kk, n, rng);
            const Matrix opA = ta ? Matrix(a.transpose()) : a;
            const Matrix opB = tb ? Matrix(b.transpose()) : b;
            const Tensor A(a), B(b);
            for (const auto& [alpha, beta] : {std::pair{1.0f, 0.0f}, std::pair{0.5f, 0.0f}, std::pair{1.0f, 1.0f}, std::pair{-1.5f, 2.0f},
                                              std::pair{2.0f, 0.25f}}) {
                SCOPED_TRACE("alpha=" + std::to_string(alpha) + " beta=" + std::to_string(beta));
                const Matrix c0 = randomMatrix(m, n, rng);
                Tensor C;
                if (beta != 0.0f) {
                    C = c0;
                } else {
                    C = randomMatrix(3, 2, rng);  // beta 0: resized, its old values ignored
                }
                be.gemm(ta, tb, alpha, A, B, beta, C);
                const Matrix expected = beta != 0.0f ? Matrix(alpha * opA * opB + beta * c0) : Matrix(alpha * opA * opB);
                EXPECT_LT(relDiff(C, expected), 1e-6);
            }
            Tensor tf32;
            be.gemm(ta, tb, 1.0f, A, B, 0.0f, tf32, Precision::Tf32);  // the CPU computes in FP32 whatever is asked
            EXPECT_LT(relDiff(tf32, opA * opB), 1e-6);
        }
    const Tensor A(randomMatrix(3, 4, rng)), B(randomMatrix(5, 6, rng));
    Tensor C;
    EXPECT_THROW(be.gemm(false, false, 1.0f, A, B, 0.0f, C), ShapeError);  // inner sizes 4 and 5
    const Tensor B2(randomMatrix(4, 6, rng));
    Tensor wrong(randomMatrix(3, 5, rng));
    EXPECT_THROW(be.gemm(false, false, 1.0f, A, B2, 1.0f, wrong), ShapeError);  // beta != 0: C must be 3x6
    Tensor right(randomMatrix(3, 6, rng));
    EXPECT_NO_THROW(be.gemm(false, false, 1.0f, A, B2, 1.0f, right));
}

TEST(CpuBackend, CopiesRowsAndZeroes)
{
    Backend& be = cpuBackend();
    Rng rng(2);
    const Matrix a = randomMatrix(6, 5, rng);
    const Tensor src(a);
    Tensor dst, rows(randomMatrix(1, 1, rng));
    be.copy(src, dst);
    EXPECT_EQ(Matrix(dst), a);
    be.copyRows(src, 2, 3, rows);
    EXPECT_EQ(Matrix(rows), Matrix(a.middleRows(2, 3)));
    be.copyRows(src, 0, 6, rows);
    EXPECT_EQ(Matrix(rows), a);
    be.copyRows(src, 4, 0, rows);
    EXPECT_EQ(rows.rows(), 0);
    EXPECT_EQ(rows.cols(), 5);
    Tensor z(a);
    be.setZero(z);
    EXPECT_EQ(Matrix(z), Matrix::Zero(6, 5));
    CountTensor counts(CountTensor::Base::Constant(1, 4, 9));
    be.setZero(counts);
    EXPECT_EQ(counts.sum(), 0u);
}

TEST(CpuBackend, AddToCountsAddsToEveryRow)
{
    Backend& be = cpuBackend();
    CountTensor counts(1, 5);
    for (int r = 0; r < 5; ++r) counts(0, r) = static_cast<std::uint64_t>(r);
    be.addToCounts(counts, 7);
    be.addToCounts(counts, 0);
    be.addToCounts(counts, 1ull << 40);  // 64-bit counts
    for (int r = 0; r < 5; ++r) EXPECT_EQ(counts(0, r), static_cast<std::uint64_t>(r) + 7 + (1ull << 40)) << r;
}

TEST(CpuBackend, GatherExamplesFollowsTheOrder)
{
    Backend& be = cpuBackend();
    Rng rng(3);
    const int n = 20, features = 7;
    const Tensor data(randomMatrix(n, features, rng));
    std::vector<int> labels(n), order(n);
    for (int i = 0; i < n; ++i) {
        labels[static_cast<std::size_t>(i)] = static_cast<int>(rng.below(10));
        order[static_cast<std::size_t>(i)] = i;
    }
    rng.shuffle(order);
    const IndexTensor labelsT = column(labels);
    IndexTensor orderT(1, n);
    for (int i = 0; i < n; ++i) orderT(0, i) = order[static_cast<std::size_t>(i)];
    Tensor x;
    IndexTensor y;
    be.gatherExamples(data, labelsT, orderT, 5, 9, x, y);
    ASSERT_EQ(x.rows(), 9);
    ASSERT_EQ(x.cols(), features);
    ASSERT_EQ(y.rows(), 9);
    ASSERT_EQ(y.cols(), 1);
    for (int i = 0; i < 9; ++i) {
        const int src = order[static_cast<std::size_t>(5 + i)];
        EXPECT_TRUE(x.row(i) == data.row(src)) << "example " << i;
        EXPECT_EQ(y(i, 0), labels[static_cast<std::size_t>(src)]);
    }
    be.gatherExamples(data, labelsT, orderT, n, 0, x, y);  // an empty range at the end
    EXPECT_EQ(x.rows(), 0);
    EXPECT_THROW(be.gatherExamples(data, labelsT, orderT, 15, 6, x, y), ShapeError);
    EXPECT_THROW(be.gatherExamples(data, labelsT, orderT, -1, 3, x, y), ShapeError);
}

TEST(CpuBackend, CountCorrectTakesTheLowestIndexAmongEquals)
{
    Backend& be = cpuBackend();
    Rng rng(4);
    const int rows = 12, classes = 5;
    Matrix z = randomMatrix(rows, classes, rng);
    z.row(3).setConstant(0.25f);  // all equal: class 0
    z.row(4) << 0.1f, 0.9f, 0.9f, -1.0f, 0.9f;  // class 1
    std::vector<int> labels(30);
    for (int& l : labels) l = static_cast<int>(rng.below(classes));
    labels[6 + 3] = 0;
    labels[6 + 4] = 2;  // wrong: the tie goes to 1
    long expected = 0;
    for (int r = 0; r < rows; ++r) {
        Eigen::Index best = 0;
        for (Eigen::Index c = 1; c < classes; ++c)
            if (z(r, c) > z(r, best)) best = c;  // strictly larger: the first maximum stays
        expected += best == labels[static_cast<std::size_t>(6 + r)];
    }
    const Tensor logits(z);
    const IndexTensor labelsT = column(labels);
    EXPECT_EQ(be.countCorrect(logits, labelsT, 6), expected);
    std::vector<int> right = labels;
    right[6 + 4] = 1;
    EXPECT_EQ(be.countCorrect(logits, column(right), 6), expected + 1);
    EXPECT_THROW(be.countCorrect(logits, labelsT, 30 - rows + 1), ShapeError);  // labels run out
    EXPECT_THROW(be.countCorrect(logits, labelsT, -1), ShapeError);
}

// loss(0, slot) (+)= sum_r (log sum_j exp z_rj - z_r,y), dz = gradScale (softmax - onehot), in
// double by hand; a label < 0 is a row without a target.
TEST(CpuBackend, SoftmaxCrossEntropySumsIntoItsSlotWithAScaledGradient)
{
    Backend& be = cpuBackend();
    Rng rng(5);
    const int rows = 9, classes = 6;
    const Matrix z = randomMatrix(rows, classes, rng, -5.0f, 5.0f);
    std::vector<int> labels(rows);
    for (int& l : labels) l = static_cast<int>(rng.below(classes));
    double loss = 0.0;
    Matrix softmaxMinusOnehot(rows, classes);
    for (int r = 0; r < rows; ++r) {
        const Eigen::VectorXd e = z.row(r).cast<double>().array().exp();
        const double sum = e.sum();
        loss += std::log(sum) - static_cast<double>(z(r, labels[static_cast<std::size_t>(r)]));
        for (int c = 0; c < classes; ++c)
            softmaxMinusOnehot(r, c) = static_cast<float>(e(c) / sum - (c == labels[static_cast<std::size_t>(r)] ? 1.0 : 0.0));
    }
    const Tensor logits(z);
    const IndexTensor y = column(labels);
    ScalarTensor sums;
    be.resize(sums, 1, 3);
    sums.setConstant(7.0);
    for (float scale : {1.0f, 0.5f, 1.0f / static_cast<float>(rows)}) {
        SCOPED_TRACE("gradScale=" + std::to_string(scale));
        Tensor dz;
        be.softmaxCrossEntropy(logits, y, scale, LossSlot{&sums, 1, false}, &dz);
        double read[3];
        be.readScalars(sums, 3, read);
        EXPECT_NEAR(read[1], loss, 1e-6 * (1.0 + loss));
        EXPECT_EQ(read[0], 7.0);  // the other slots are untouched
        EXPECT_EQ(read[2], 7.0);
        EXPECT_LT(relDiff(dz, scale * softmaxMinusOnehot), 1e-6);
        EXPECT_NEAR(dz.sum(), 0.0, 1e-5);  // each row of softmax - onehot sums to 0
    }
    // Accumulating: the slot's value plus the sum; the loss alone without a gradient.
    be.softmaxCrossEntropy(logits, y, 3.0f, LossSlot{&sums, 2, true}, nullptr);
    EXPECT_NEAR(sums(0, 2), 7.0 + loss, 1e-6 * (1.0 + loss));

    // A row without a target (label -1): no loss, a zero gradient row.
    std::vector<int> some = labels;
    some[4] = -1;
    Tensor dz;
    be.softmaxCrossEntropy(logits, column(some), 1.0f, LossSlot{&sums, 0, false}, &dz);
    const Eigen::VectorXd e4 = z.row(4).cast<double>().array().exp();
    EXPECT_NEAR(sums(0, 0), loss - (std::log(e4.sum()) - static_cast<double>(z(4, labels[4]))), 1e-6 * (1.0 + loss));
    EXPECT_EQ(dz.row(4).cwiseAbs().maxCoeff(), 0.0f);

    std::vector<int> bad = labels;
    bad[2] = classes;
    EXPECT_THROW(be.softmaxCrossEntropy(logits, column(bad), 1.0f, LossSlot{&sums, 0, false}, nullptr), ShapeError);
    EXPECT_THROW(be.softmaxCrossEntropy(logits, column({1, 2}), 1.0f, LossSlot{&sums, 0, false}, nullptr), ShapeError);
    EXPECT_THROW(be.softmaxCrossEntropy(logits, y, 1.0f, LossSlot{&sums, 3, false}, nullptr), ShapeError);  // no slot 3
    EXPECT_THROW(be.softmaxCrossEntropy(logits, y, 1.0f, LossSlot{nullptr, 0, false}, nullptr), ShapeError);
    double four[4];
    EXPECT_THROW(be.readScalars(sums, 4, four), ShapeError);
}

TEST(CpuBackend, ElementwiseOperationsMatchEigen)
{
    Backend& be = cpuBackend();
    Rng rng(6);
    const Matrix x = randomMatrix(4, 9, rng), bias = randomMatrix(1, 9, rng), g = randomMatrix(4, 9, rng);
    Tensor y(x);
    be.addBias(y, Tensor(bias));
    EXPECT_EQ(Matrix(y), Matrix(x.rowwise() + bias.row(0)));
    Tensor db(bias);
    be.addColumnSums(Tensor(x), db);
    EXPECT_LT(relDiff(db, Matrix(bias + x.colwise().sum())), 1e-6);
    Tensor s(x);
    be.scale(s, -2.5f);
    EXPECT_EQ(Matrix(s), Matrix(-2.5f * x));
    Tensor r(x);
    be.reluForward(r);
    EXPECT_EQ(Matrix(r), Matrix(x.cwiseMax(0.0f)));
    Tensor dr(g);
    be.reluBackward(r, dr);
    EXPECT_EQ(Matrix(dr), Matrix((x.array() > 0.0f).select(g, 0.0f)));
    Tensor mul(x);
    be.multiply(mul, Tensor(g));
    EXPECT_EQ(Matrix(mul), Matrix(x.cwiseProduct(g)));
}

// The CPU's dropout is layers/Dropout's mask, drawn element by element from the Rng; a rate
// outside [0, 1) is a ConfigError, as on the GPU.
TEST(CpuBackend, DropoutUsesTheEnginesMaskAndRejectsABadRate)
{
    Backend& be = cpuBackend();
    Rng dataRng(7);
    const Matrix x = randomMatrix(8, 30, dataRng, 0.5f, 1.5f);
    Rng a(9), b(9);
    Tensor xa(x), mask;
    be.dropoutForward(xa, 0.3f, a, mask);
    Matrix expected;
    dropoutMask(expected, 8, 30, 0.3f, b);
    EXPECT_EQ(Matrix(mask), expected);
    EXPECT_EQ(Matrix(xa), Matrix(x.cwiseProduct(expected)));
    EXPECT_EQ(a.engine()(), b.engine()());  // one draw per element on both
    for (float p : {1.0f, 1.5f, -0.1f}) {
        Tensor xb(x);
        EXPECT_THROW(be.dropoutForward(xb, p, a, mask), ConfigError) << p;
    }
}

TEST(CpuBackend, HostOnlyMemoryOperationsDoNothing)
{
    Backend& be = cpuBackend();
    Rng rng(8);
    const Matrix a = randomMatrix(3, 3, rng);
    Tensor t(a);
    be.upload(t);
    be.download(t);
    EXPECT_FALSE(t.onDevice());
    EXPECT_EQ(Matrix(t), a);
    be.resize(t, 2, 5);
    EXPECT_EQ(t.rows(), 2);
    EXPECT_EQ(t.cols(), 5);
    ScalarTensor s(1, 1);
    s(0, 0) = 2.5;
    EXPECT_EQ(be.readScalar(s), 2.5);
    EXPECT_NO_THROW(be.synchronize());
}
