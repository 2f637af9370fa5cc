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
    Tensor x(5, 6);
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
        const Tensor g(p->grad);
        EXPECT_LT(test::gradCheck(p->value, g, loss, 1e-3), 1e-3) << p->name;
    }
}

TEST(Mlp, TopKWithKEqualWidthIsDense)
{
    Rng r1(3), r2(3);
    Mlp a(smallSpec(BackpropMode::Dense, 0), r1);
    Mlp b(smallSpec(BackpropMode::TopK, 8), r2);
    Tensor x(Matrix::Random(4, 6));
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
    Tensor x(Matrix::Random(3, 6));
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
    Tensor x(32, 4);
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

// The authors' C# softmax backward does not divide by the batch: the sum's gradient is B times the
// mean's for every parameter, and the loss reported stays the mean. The output bias gradient is
// checked by hand: sum_b (softmax(logits_b) - onehot(label_b)).
TEST(Mlp, SumLossGradientIsBatchTimesTheMean)
{
    for (BackpropMode mode : {BackpropMode::Dense, BackpropMode::TopK}) {
        MlpSpec spec = smallSpec(mode, 3);
        spec.denseBias = mode == BackpropMode::TopK;
        Rng r1(9), r2(9);
        Mlp mean(spec, r1);
        spec.sumLoss = true;
        Mlp sum(spec, r2);
        Tensor x(5, 6);
        for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = r1.uniform(-1, 1);
        const int labels[] = {0, 1, 2, 3, 1};
        double loss[2];
        Tensor logits;
        int i = 0;
        for (Mlp* m : {&mean, &sum}) {
            m->zeroGrad();
            logits = m->forward(x, true, r1);
            loss[i++] = m->lossAndBackward(labels, 5, true, r1, nullptr);
        }
        EXPECT_DOUBLE_EQ(loss[0], loss[1]);
        for (std::size_t p = 0; p < mean.parameters().size(); ++p)
            EXPECT_TRUE(sum.parameters()[p]->grad.isApprox(5.0f * mean.parameters()[p]->grad, 1e-5f)) << mean.parameters()[p]->name;
        RowVector db = RowVector::Zero(4);
        for (int b = 0; b < 5; ++b) {
            const RowVector e = (logits.row(b).array() - logits.row(b).maxCoeff()).exp();
            db += e / e.sum();
            db(labels[b]) -= 1.0f;
        }
        EXPECT_TRUE(sum.parameters().back()->grad.row(0).isApprox(db, 1e-5f)) << toString(mode);
    }
}

TEST(Mlp, InitAppliesToEveryLayer)
{
    MlpSpec spec = smallSpec(BackpropMode::Dense, 0);
    spec.input = 400;
    spec.hidden = 300;
    spec.init = Init::AuthorsNormal;
    Rng rng(4);
    Mlp mlp(spec, rng);
    // hidden1 400 -> 300: N(0, 6/700); its 120,000 weights put the sample std within 1 %.
    const Matrix& w = mlp.layer(0).weight().value;
    const double sd = std::sqrt(w.cwiseAbs2().mean() - std::pow(w.mean(), 2));
    EXPECT_NEAR(sd, std::sqrt(6.0 / 700.0), 0.01 * std::sqrt(6.0 / 700.0));
    // The output layer too: 300 -> 4, |w| beyond the Xavier bound sqrt(6/304) exists only for a normal.
    EXPECT_GT(mlp.layer(2).weight().value.cwiseAbs().maxCoeff(), std::sqrt(6.0f / 304.0f));
}
