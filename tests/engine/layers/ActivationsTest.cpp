#include "layers/Dropout.h"
#include "layers/Relu.h"
#include "layers/SoftmaxCrossEntropy.h"

#include "../GradCheck.h"
#include "core/Error.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace meprop;

namespace {

Matrix randomMatrix(int r, int c, Rng& rng)
{
    Matrix m(r, c);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(-2.0f, 2.0f);
    return m;
}

}  // namespace

TEST(SoftmaxCrossEntropy, ValueOnKnownInput)
{
    Tensor logits(1, 3);
    logits << 1.0f, 2.0f, 3.0f;
    const int label = 2;
    const double expected = -std::log(std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)));
    EXPECT_NEAR(softmaxCrossEntropy(logits, &label, 1, nullptr), expected, 1e-6);
}

TEST(SoftmaxCrossEntropy, GradientMatchesFiniteDifferences)
{
    Rng rng(3);
    Tensor logits(randomMatrix(4, 6, rng));
    const int labels[] = {0, 5, 2, 2};
    Tensor d;
    softmaxCrossEntropy(logits, labels, 4, &d);
    auto loss = [&]() { return softmaxCrossEntropy(logits, labels, 4, nullptr); };
    EXPECT_LT(test::gradCheck(logits, d, loss, 1e-2), 1e-3);
}

TEST(SoftmaxCrossEntropy, StableForHugeLogitsAndRejectsBadLabels)
{
    Tensor logits(1, 2);
    logits << 1000.0f, -1000.0f;
    const int label = 0;
    Tensor d;
    EXPECT_NEAR(softmaxCrossEntropy(logits, &label, 1, &d), 0.0, 1e-6);
    EXPECT_TRUE(d.allFinite());
    const int bad = 2;
    EXPECT_THROW(softmaxCrossEntropy(logits, &bad, 1, &d), ShapeError);
    EXPECT_THROW(softmaxCrossEntropy(logits, &label, 2, &d), ShapeError);
}

// The options the tagger and the parser use: a scale on the gradient (1 for a summed loss, 1/B
// for a mean), rows without a target (label < 0) that add nothing.
TEST(SoftmaxCrossEntropy, SumScaleAndRowsWithoutATarget)
{
    Rng rng(13);
    Tensor logits(randomMatrix(5, 7, rng));
    const int labels[] = {3, -1, 0, 6, -1};
    const int kept[] = {3, 0, 6};
    const Tensor keptLogits((Matrix(3, 7) << logits.row(0), logits.row(2), logits.row(3)).finished());
    CrossEntropyOptions o;
    o.scale = 0.25f;
    o.skipNegative = true;
    Tensor d, dKept;
    const double sum = softmaxCrossEntropySum(logits, labels, 5, &d, o);
    const double mean = softmaxCrossEntropy(keptLogits, kept, 3, &dKept);
    EXPECT_NEAR(sum, 3.0 * mean, 1e-9);
    EXPECT_EQ(d.row(1).cwiseAbs().maxCoeff(), 0.0f);
    EXPECT_EQ(d.row(4).cwiseAbs().maxCoeff(), 0.0f);
    // dKept = (p - onehot) / 3; d = 0.25 (p - onehot).
    EXPECT_LT((d.row(0) - 0.75f * dKept.row(0)).cwiseAbs().maxCoeff(), 1e-6f);
    EXPECT_LT((d.row(3) - 0.75f * dKept.row(2)).cwiseAbs().maxCoeff(), 1e-6f);
    auto loss = [&]() { return 0.25 * softmaxCrossEntropySum(logits, labels, 5, nullptr, o); };
    EXPECT_LT(test::gradCheck(logits, d, loss, 1e-2), 1e-3);
    // A negative label is an error unless skipped, and the message names the caller.
    o.skipNegative = false;
    o.what = "tagger";
    try {
        softmaxCrossEntropySum(logits, labels, 5, &d, o);
        FAIL() << "expected ShapeError";
    } catch (const ShapeError& e) {
        EXPECT_NE(std::string(e.what()).find("tagger: label -1"), std::string::npos) << e.what();
    }
}

TEST(Relu, GradientMatchesFiniteDifferences)
{
    Rng rng(5);
    Tensor x(randomMatrix(3, 7, rng));
    Tensor w(randomMatrix(3, 7, rng));  // loss = sum(w .* relu(x))
    auto loss = [&]() {
        Tensor y(x);
        reluForward(y);
        return (y.array().cast<double>() * w.array().cast<double>()).sum();
    };
    Tensor y(x);
    reluForward(y);
    Tensor dx(w);
    reluBackward(y, dx);
    EXPECT_LT(test::gradCheck(x, dx, loss, 1e-3), 1e-3);
}

TEST(Dropout, GradientMatchesFiniteDifferencesWithFixedMask)
{
    Rng rng(7);
    Tensor x(randomMatrix(4, 9, rng));
    Tensor w(randomMatrix(4, 9, rng));
    Dropout drop(0.3f);
    // The same seed gives the same mask for every evaluation.
    auto loss = [&]() {
        Rng r(42);
        Tensor y(x);
        drop.forward(y, true, r);
        return (y.array().cast<double>() * w.array().cast<double>()).sum();
    };
    Rng r(42);
    Tensor y(x);
    drop.forward(y, true, r);
    Tensor dx(w);
    drop.backward(dx);
    EXPECT_LT(test::gradCheck(x, dx, loss, 1e-2), 1e-3);
}

TEST(Dropout, InvertedScalingAndIdentityAtEval)
{
    Rng rng(1);
    Dropout drop(0.5f);
    Tensor x(Matrix::Ones(200, 100));
    drop.forward(x, true, rng);
    const double mean = x.mean();
    EXPECT_NEAR(mean, 1.0, 0.05);
    EXPECT_TRUE(((x.array() == 0.0f) || (x.array() == 2.0f)).all());
    Tensor e(Matrix::Ones(3, 3));
    drop.forward(e, false, rng);
    EXPECT_EQ(e, Matrix::Ones(3, 3));
}

// The one mask of the engine (the MLP's Dropout, the tagger, the parser): one bernoulli(p) draw
// per element in row-major order, 0 on success and 1/(1-p) otherwise.
TEST(Dropout, TheMaskDrawsOneBernoulliPerElementInRowMajorOrder)
{
    Rng rng(17), copy = rng;
    Tensor mask;
    dropoutMask(mask, 40, 30, 0.25f, rng);
    ASSERT_EQ(mask.rows(), 40);
    ASSERT_EQ(mask.cols(), 30);
    long zeros = 0;
    for (int r = 0; r < 40; ++r)
        for (int c = 0; c < 30; ++c) {
            const float expected = copy.bernoulli(0.25f) ? 0.0f : 1.0f / 0.75f;
            EXPECT_EQ(mask(r, c), expected);
            zeros += mask(r, c) == 0.0f;
        }
    EXPECT_NEAR(static_cast<double>(zeros) / 1200.0, 0.25, 0.05);
    EXPECT_EQ(rng.engine()(), copy.engine()());  // and nothing more was drawn
}
