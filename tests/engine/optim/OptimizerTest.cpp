#include "optim/Optimizer.h"
#include "optim/GradientClip.h"

#include "core/Error.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace meprop;

namespace {

Parameter param(std::initializer_list<float> w, std::initializer_list<float> g)
{
    Parameter p("p", 1, static_cast<int>(w.size()));
    int i = 0;
    for (float v : w) p.value(0, i++) = v;
    i = 0;
    for (float v : g) p.grad(0, i++) = v;
    p.touchAll();
    return p;
}

}  // namespace

TEST(Optimizer, SgdStep)
{
    Parameter p = param({1.0f, -2.0f}, {0.5f, -1.0f});
    auto opt = makeOptimizer({"sgd", 0.1f});
    opt->attach({&p});
    opt->step();
    EXPECT_FLOAT_EQ(p.value(0, 0), 0.95f);
    EXPECT_FLOAT_EQ(p.value(0, 1), -1.9f);
}

TEST(Optimizer, AdaGradTwoSteps)
{
    OptimizerSettings s{"adagrad", 0.01f};
    s.eps = 1e-6f;
    Parameter p = param({1.0f}, {2.0f});
    auto opt = makeOptimizer(s);
    opt->attach({&p});
    opt->step();  // h = 4, w = 1 - 0.01 * 2 / (2 + 1e-6)
    const double w1 = 1.0 - 0.01 * 2.0 / (2.0 + 1e-6);
    EXPECT_NEAR(p.value(0, 0), w1, 1e-6);
    p.grad(0, 0) = -1.0f;
    opt->step();  // h = 5
    EXPECT_NEAR(p.value(0, 0), w1 + 0.01 / (std::sqrt(5.0) + 1e-6), 1e-6);
}

TEST(Optimizer, AdamMatchesHandComputedSteps)
{
    Parameter p = param({0.5f}, {0.2f});
    auto opt = makeOptimizer({"adam", 1e-3f});
    opt->attach({&p});
    double m = 0, v = 0, w = 0.5;
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8, lr = 1e-3;
    const double grads[] = {0.2, -0.1, 0.0, 0.3};
    for (int t = 1; t <= 4; ++t) {
        const double g = grads[t - 1];
        p.grad(0, 0) = static_cast<float>(g);
        opt->step();
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g * g;
        w -= lr * (m / (1 - std::pow(b1, t))) / (std::sqrt(v / (1 - std::pow(b2, t))) + eps);
        EXPECT_NEAR(p.value(0, 0), w, 1e-6) << "step " << t;
    }
}

TEST(Optimizer, AdamUpdatesRowsWithoutGradientUnlessLazy)
{
    // Row 1 gets a gradient only at step 1. Unmodified Adam keeps moving it by its momentum;
    // the lazy variant (touchedRowsOnly) leaves it alone.
    for (bool lazy : {false, true}) {
        Parameter p("w", 2, 1);
        OptimizerSettings s{"adam", 0.1f};
        s.touchedRowsOnly = lazy;
        auto opt = makeOptimizer(s);
        opt->attach({&p});
        p.zeroGrad();
        p.grad(1, 0) = 1.0f;
        p.touchRow(1);
        opt->step();
        const float after1 = p.value(1, 0);
        EXPECT_LT(after1, 0.0f);
        p.zeroGrad();
        p.grad(0, 0) = 1.0f;
        p.touchRow(0);
        opt->step();
        if (lazy)
            EXPECT_FLOAT_EQ(p.value(1, 0), after1);
        else
            EXPECT_LT(p.value(1, 0), after1);
    }
}

TEST(Optimizer, RowSparseSgdAndAdaGradAreExact)
{
    // Skipping rows with zero gradient is exact for SGD and AdaGrad: compare with a dense copy.
    for (const char* kind : {"sgd", "adagrad"}) {
        Parameter sparse("w", 3, 2), dense("w", 3, 2);
        sparse.value.setConstant(1.0f);
        dense.value.setConstant(1.0f);
        auto a = makeOptimizer({kind, 0.1f});
        auto b = makeOptimizer({kind, 0.1f});
        a->attach({&sparse});
        b->attach({&dense});
        sparse.zeroGrad();
        sparse.grad.row(2) << 0.5f, -0.25f;
        sparse.touchRow(2);
        dense.grad = sparse.grad;
        dense.touchAll();
        a->step();
        b->step();
        EXPECT_TRUE(sparse.value.isApprox(dense.value)) << kind;
    }
}

TEST(Optimizer, RejectsUnknownKindAndBadLr)
{
    EXPECT_THROW(makeOptimizer({"rmsprop", 0.1f}), ConfigError);
    EXPECT_THROW(makeOptimizer({"adam", 0.0f}), ConfigError);
    EXPECT_THROW(makeOptimizer({"adam", -1.0f}), ConfigError);
}

// The authors' C# optimizers clip every gradient element to [-ClipBound, ClipBound] (5) first.
TEST(Optimizer, ClipsEveryGradientElementBeforeTheUpdate)
{
    Parameter p = param({1.0f, 1.0f, 1.0f, 1.0f}, {-7.0f, -5.0f, 0.3f, 5.5f});
    OptimizerSettings s{"sgd", 0.1f};
    s.clip = 5.0f;
    auto opt = makeOptimizer(s);
    EXPECT_EQ(opt->name(), "sgd");
    opt->attach({&p});
    opt->step();
    const float expected[] = {1.5f, 1.5f, 0.97f, 0.5f};  // 1 - 0.1 * {-5, -5, 0.3, 5}
    for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(p.value(0, i), expected[i]) << i;
    EXPECT_FLOAT_EQ(p.grad(0, 0), -5.0f);  // clipped in place
    EXPECT_FLOAT_EQ(p.grad(0, 3), 5.0f);

    // A row-sparse gradient: only its touched rows can be nonzero, and they are clipped.
    Parameter q("q", 3, 2);
    q.zeroGrad();
    q.grad.row(1) << 9.0f, -0.5f;
    q.touchRow(1);
    clipGradients({&q}, 2.0f);
    EXPECT_FLOAT_EQ(q.grad(1, 0), 2.0f);
    EXPECT_FLOAT_EQ(q.grad(1, 1), -0.5f);
    EXPECT_EQ(q.grad.row(0).cwiseAbs().sum() + q.grad.row(2).cwiseAbs().sum(), 0.0f);

    s.clip = -1.0f;
    EXPECT_THROW(makeOptimizer(s), ConfigError);
}

TEST(Optimizer, AdaGradWithEpsInsideTheRootAsTheAuthors)
{
    OptimizerSettings s{"adagrad", 0.1f};
    s.eps = 1e-6f;
    s.adagradEpsInside = true;
    Parameter p = param({1.0f, 1.0f}, {2.0f, 1e-3f});
    auto opt = makeOptimizer(s);
    opt->attach({&p});
    opt->step();
    // w -= lr g / sqrt(g^2 + eps): for g = 1e-3 the step is lr / sqrt(2), not lr (eps outside).
    EXPECT_NEAR(p.value(0, 0), 1.0 - 0.1 * 2.0 / std::sqrt(4.0 + 1e-6), 1e-6);
    EXPECT_NEAR(p.value(0, 1), 1.0 - 0.1 * 1e-3 / std::sqrt(1e-6 + 1e-6), 1e-6);
}
