// The shared finite-difference checker (GradCheck.h) must catch wrong gradients, not only pass right
// ones: off by 1 %, one element wrong, wrong where the gradient is small, and it must not be fooled
// by the float rounding of its own perturbation.
#include "GradCheck.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace meprop;

namespace {

Matrix randomMatrix(int r, int c, Rng& rng, float lo, float hi)
{
    Matrix m(r, c);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(lo, hi);
    return m;
}

// loss = scale * sum sin(x) + 0.5 * sum x^2 (in double); gradient scale * cos(x) + x.
struct Smooth {
    double scale = 1.0;
    double quadratic = 1.0;
    double operator()(const Matrix& x) const
    {
        const Eigen::ArrayXXd xd = x.cast<double>().array();
        return scale * xd.sin().sum() + 0.5 * quadratic * xd.square().sum();
    }
    Matrix gradient(const Matrix& x) const
    {
        const Eigen::ArrayXXd xd = x.cast<double>().array();
        return (scale * xd.cos() + quadratic * xd).matrix().cast<float>();
    }
};

}  // namespace

TEST(GradCheck, ARightGradientPassesTightly)
{
    Rng rng(1);
    Matrix x = randomMatrix(30, 40, rng, -2.0f, 2.0f);  // 1200 elements: 200 sampled
    const Smooth f;
    const Matrix g = f.gradient(x);
    // h = 1e-3: the central difference's truncation error (h^2 / 6 times the third derivative) is
    // then ~2e-7, below 1e-4 of the gradient's scale even where the gradient crosses zero.
    const test::GradCheckResult r = test::gradCheck(x, g, [&] { return f(x); }, 1e-3);
    EXPECT_LT(r.worst, 1e-4) << r;
    EXPECT_EQ(r.checked, 200);
}

TEST(GradCheck, CatchesAGradientOffByOnePercent)
{
    Rng rng(2);
    Matrix x = randomMatrix(20, 20, rng, -2.0f, 2.0f);
    const Smooth f;
    const Matrix g = 1.01f * f.gradient(x);
    const test::GradCheckResult r = test::gradCheck(x, g, [&] { return f(x); }, 1e-2);
    EXPECT_GT(r.worst, 4e-3) << r;  // |0.01 a| / |2.01 a|: every element shows it
    EXPECT_LT(r.worst, 6e-3) << r;
}

TEST(GradCheck, CatchesOneWrongElementAndNamesIt)
{
    Rng rng(3);
    Matrix x = randomMatrix(6, 8, rng, -2.0f, 2.0f);  // 48 <= 200: every element is checked
    const Smooth f;
    Matrix g = f.gradient(x);
    g(4, 5) += 0.05f;
    const test::GradCheckResult r = test::gradCheck(x, g, [&] { return f(x); }, 1e-2);
    EXPECT_EQ(r.index, 4 * 8 + 5) << r;
    EXPECT_GT(r.worst, 5e-3) << r;
    EXPECT_EQ(r.checked, 48);
}

// The old checker's floor of 1e-2 on |a| + |n| let every gradient below ~1e-4 pass: here a
// gradient of the order of 1e-5 that is twice too large. The floor is now relative to the tensor's
// largest gradient.
TEST(GradCheck, CatchesAWrongGradientOfASmallScale)
{
    Rng rng(4);
    Matrix x = randomMatrix(10, 10, rng, -2.0f, 2.0f);
    Smooth f;
    f.scale = 1e-5;
    f.quadratic = 0.0;
    const Matrix g = 2.0f * f.gradient(x);
    const test::GradCheckResult r = test::gradCheck(x, g, [&] { return f(x); }, 1e-2);
    EXPECT_GT(r.worst, 0.3) << r;  // |2a - a| / |3a|
    // And the right one passes at that scale.
    const Matrix right = f.gradient(x);
    EXPECT_LT(test::gradCheck(x, right, [&] { return f(x); }, 1e-2).worst, 1e-3);
}

// x in [3000, 3001]: float spacing there is 2.4e-4, so x +- h with h = 1e-3 rounds to a step up to
// 1.2e-4 (12 %) away from h; a quotient over 2h is off by as much. The checker divides by the
// steps actually taken.
TEST(GradCheck, DividesByTheStepsActuallyTaken)
{
    Rng rng(5);
    Matrix x = randomMatrix(4, 5, rng, 3000.0f, 3001.0f);
    auto loss = [&] { return 0.5 * x.cast<double>().squaredNorm(); };  // gradient x
    const Matrix g = x;
    const test::GradCheckResult r = test::gradCheck(x, g, loss, 1e-3);
    EXPECT_LT(r.worst, 1e-6) << r;
}

TEST(GradCheck, SamplesTheSameElementsForTheSameSeedAndRestoresX)
{
    Rng rng(6);
    Matrix x = randomMatrix(50, 50, rng, -1.0f, 1.0f);
    const Matrix before = x;
    const Smooth f;
    Matrix g = f.gradient(x);
    for (Eigen::Index i = 0; i < g.size(); ++i)
        if (i % 50 != 0) g.data()[i] *= 1.5f;  // wrong everywhere except at multiples of 50
    const test::GradCheckResult a = test::gradCheck(x, g, [&] { return f(x); }, 1e-2, 50, 11);
    const test::GradCheckResult b = test::gradCheck(x, g, [&] { return f(x); }, 1e-2, 50, 11);
    EXPECT_EQ(a.index, b.index);
    EXPECT_EQ(a.worst, b.worst);
    EXPECT_EQ(x, before);
    // A fixed stride (the old sampling: n / 50 = 50) checked only the multiples of 50 and saw no
    // error here; a random sample of 50 finds one.
    EXPECT_GT(a.worst, 0.1) << a;
}

TEST(GradCheck, ANaNOrAShapeMismatchNeverPasses)
{
    Rng rng(7);
    Matrix x = randomMatrix(3, 3, rng, -1.0f, 1.0f);
    const Matrix g = x;
    EXPECT_GT(test::gradCheck(x, g, [] { return std::nan(""); }).worst, 1.0);
    EXPECT_GT(test::gradCheck(x, Matrix::Zero(2, 2), [] { return 0.0; }).worst, 1.0);
}
