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
    Matrix logits(1, 3);
    logits << 1.0f, 2.0f, 3.0f;
    const int label = 2;
    const double expected = -std::log(std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)));
    EXPECT_NEAR(softmaxCrossEntropy(logits, &label, 1, nullptr), expected, 1e-6);
}

TEST(SoftmaxCrossEntropy, GradientMatchesFiniteDifferences)
{
    Rng rng(3);
    Matrix logits = randomMatrix(4, 6, rng);
    const int labels[] = {0, 5, 2, 2};
    Matrix d;
    softmaxCrossEntropy(logits, labels, 4, &d);
    auto loss = [&]() { return softmaxCrossEntropy(logits, labels, 4, nullptr); };
    EXPECT_LT(test::gradCheck(logits, d, loss, 1e-2), 1e-3);
}

TEST(SoftmaxCrossEntropy, StableForHugeLogitsAndRejectsBadLabels)
{
    Matrix logits(1, 2);
    logits << 1000.0f, -1000.0f;
    const int label = 0;
    Matrix d;
    EXPECT_NEAR(softmaxCrossEntropy(logits, &label, 1, &d), 0.0, 1e-6);
    EXPECT_TRUE(d.allFinite());
    const int bad = 2;
    EXPECT_THROW(softmaxCrossEntropy(logits, &bad, 1, &d), ShapeError);
    EXPECT_THROW(softmaxCrossEntropy(logits, &label, 2, &d), ShapeError);
}

TEST(Relu, GradientMatchesFiniteDifferences)
{
    Rng rng(5);
    Matrix x = randomMatrix(3, 7, rng);
    Matrix w = randomMatrix(3, 7, rng);  // loss = sum(w .* relu(x))
    auto loss = [&]() {
        Matrix y = x;
        reluForward(y);
        return (y.array().cast<double>() * w.array().cast<double>()).sum();
    };
    Matrix y = x;
    reluForward(y);
    Matrix dx = w;
    reluBackward(y, dx);
    EXPECT_LT(test::gradCheck(x, dx, loss, 1e-3), 1e-3);
}

TEST(Dropout, GradientMatchesFiniteDifferencesWithFixedMask)
{
    Rng rng(7);
    Matrix x = randomMatrix(4, 9, rng);
    Matrix w = randomMatrix(4, 9, rng);
    Dropout drop(0.3f);
    // The same seed gives the same mask for every evaluation.
    auto loss = [&]() {
        Rng r(42);
        Matrix y = x;
        drop.forward(y, true, r);
        return (y.array().cast<double>() * w.array().cast<double>()).sum();
    };
    Rng r(42);
    Matrix y = x;
    drop.forward(y, true, r);
    Matrix dx = w;
    drop.backward(dx);
    EXPECT_LT(test::gradCheck(x, dx, loss, 1e-2), 1e-3);
}

TEST(Dropout, InvertedScalingAndIdentityAtEval)
{
    Rng rng(1);
    Dropout drop(0.5f);
    Matrix x = Matrix::Ones(200, 100);
    drop.forward(x, true, rng);
    const double mean = x.mean();
    EXPECT_NEAR(mean, 1.0, 0.05);
    EXPECT_TRUE(((x.array() == 0.0f) || (x.array() == 2.0f)).all());
    Matrix e = Matrix::Ones(3, 3);
    drop.forward(e, false, rng);
    EXPECT_EQ(e, Matrix::Ones(3, 3));
}
