#include "models/Mlp.h"

#include "../GradCheck.h"
#include "core/Error.h"
#include "optim/Optimizer.h"

#include <gtest/gtest.h>

using namespace meprop;

namespace {

MlpSpec smallSpec(BackpropMode mode, int k)
{
    MlpSpec s;
    s.input = 6;
    s.hidden = 8;
    s.layers = 2;
    s.classes = 4;
    s.mode = mode;
    s.k = k;
    return s;
}

}  // namespace

TEST(Mlp, DenseGradientsMatchFiniteDifferences)
{
    Rng rng(21);
    Mlp mlp(smallSpec(BackpropMode::Dense, 0), rng);
    Matrix x(5, 6);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-1, 1);
    const int labels[] = {0, 1, 2, 3, 1};
    auto loss = [&]() {
        mlp.forward(x, false, rng);
        return mlp.lossAndBackward(labels, 5, false, rng, nullptr);
    };
    mlp.zeroGrad();
    mlp.forward(x, true, rng);
    mlp.lossAndBackward(labels, 5, true, rng, nullptr);
    for (Parameter* p : mlp.parameters()) {
        const Matrix g = p->grad;
        EXPECT_LT(test::gradCheck(p->value, g, loss, 1e-3), 1e-3) << p->name;
    }
}

TEST(Mlp, TopKWithKEqualWidthIsDense)
{
    Rng r1(3), r2(3);
    Mlp a(smallSpec(BackpropMode::Dense, 0), r1);
    Mlp b(smallSpec(BackpropMode::TopK, 8), r2);
    Matrix x = Matrix::Random(4, 6);
    const int labels[] = {0, 1, 2, 3};
    for (Mlp* m : {&a, &b}) {
        m->zeroGrad();
        m->forward(x, true, r1);
        m->lossAndBackward(labels, 4, true, r1, nullptr);
    }
    for (std::size_t i = 0; i < a.parameters().size(); ++i)
        EXPECT_TRUE(a.parameters()[i]->grad.isApprox(b.parameters()[i]->grad, 1e-5f)) << a.parameters()[i]->name;
}

TEST(Mlp, SparseBackpropRatioAndSelection)
{
    Rng rng(4);
    MlpSpec spec = smallSpec(BackpropMode::TopK, 2);
    spec.kOutput = 1;
    Mlp mlp(spec, rng);
    Matrix x = Matrix::Random(3, 6);
    const int labels[] = {0, 1, 2};
    mlp.forward(x, true, rng);
    Timings t;
    mlp.lossAndBackward(labels, 3, true, rng, &t);
    const std::vector<double> ratio = mlp.backpropRatio();
    ASSERT_EQ(ratio.size(), 3u);
    EXPECT_DOUBLE_EQ(ratio[0], 2.0 / 8.0);
    EXPECT_DOUBLE_EQ(ratio[2], 1.0 / 4.0);
    EXPECT_GT(t.bpOverall, 0.0);
    EXPECT_LE(t.bpLinear, t.bpOverall);
    const auto sel = mlp.selection();
    ASSERT_EQ(sel.size(), 3u);
    EXPECT_LE(sel[0].rows.size(), 6u);  // union over 3 examples of 2 rows
    std::uint64_t total = 0;
    for (auto c : sel[0].counts) total += c;
    EXPECT_EQ(total, 6u);  // 3 examples x k=2
}

TEST(Mlp, RejectsKLargerThanWidth)
{
    Rng rng(1);
    EXPECT_THROW(Mlp(smallSpec(BackpropMode::TopK, 9), rng), ConfigError);
    MlpSpec s = smallSpec(BackpropMode::TopK, 2);
    s.kOutput = 5;
    EXPECT_THROW(Mlp(s, rng), ConfigError);
}

TEST(Mlp, LearnsASeparableProblemWithTopK)
{
    // Class = index of the largest of 4 inputs: learnable by a small MLP; top-k k=4 of 16.
    Rng rng(11);
    MlpSpec s;
    s.input = 4;
    s.hidden = 16;
    s.layers = 1;
    s.classes = 4;
    s.mode = BackpropMode::TopK;
    s.k = 4;
    Mlp mlp(s, rng);
    auto opt = makeOptimizer({"adam", 1e-2f});
    opt->attach(mlp.parameters());
    Matrix x(32, 4);
    std::vector<int> y(32);
    double firstLoss = 0.0, lastLoss = 0.0;
    for (int step = 0; step < 400; ++step) {
        for (int b = 0; b < 32; ++b) {
            for (int j = 0; j < 4; ++j) x(b, j) = rng.uniform(0, 1);
            Eigen::Index arg = 0;
            x.row(b).maxCoeff(&arg);
            y[static_cast<std::size_t>(b)] = static_cast<int>(arg);
        }
        mlp.forward(x, true, rng);
        const double loss = mlp.lossAndBackward(y.data(), 32, true, rng, nullptr);
        opt->step();
        mlp.zeroGrad();
        if (step == 0) firstLoss = loss;
        lastLoss = loss;
    }
    EXPECT_LT(lastLoss, 0.5 * firstLoss);
}
