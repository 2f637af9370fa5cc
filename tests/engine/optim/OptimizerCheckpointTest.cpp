// Optimizer save/load: an optimizer restored from a checkpoint continues exactly as the saved one
// (all its state, per-row state included), for every kind and both update rules.
#include "optim/Optimizer.h"

#include "core/Error.h"

#include <gtest/gtest.h>

using namespace meprop;

namespace {

struct Params {
    Parameter w{"w", 6, 3}, b{"b", 1, 6};
    std::vector<Parameter*> list() { return {&w, &b}; }
};

// Gradient of step s: row-sparse on w (rows s % 6 and (s + 3) % 6, so rows start being updated at
// different steps), dense on b.
void fill(Params& p, int s)
{
    Rng rng(static_cast<std::uint64_t>(100 + s));
    for (Parameter* q : p.list()) q->zeroGrad();
    for (int r : {s % 6, (s + 3) % 6}) {
        p.w.touchRow(r);
        for (int c = 0; c < 3; ++c) p.w.grad(r, c) = rng.normal(0.0f, 1.0f);
    }
    for (int c = 0; c < 6; ++c) p.b.grad(0, c) = rng.normal(0.0f, 1.0f);
    p.b.touchAll();
}

void expectSame(const Parameter& a, const Parameter& b, const std::string& what)
{
    for (Eigen::Index i = 0; i < a.value.size(); ++i) ASSERT_EQ(a.value.data()[i], b.value.data()[i]) << what << " element " << i;
}

}  // namespace

TEST(OptimizerCheckpoint, RestoredOptimizerContinuesExactly)
{
    for (const char* kind : {"sgd", "adagrad", "adam"}) {
        for (bool touched : {false, true}) {
            const std::string what = std::string(kind) + (touched ? " touched" : " all rows");
            OptimizerSettings s{kind, 0.05f};
            s.touchedRowsOnly = touched;
            Params a;
            Rng init(1);
            for (Parameter* p : a.list())
                for (Eigen::Index i = 0; i < p->value.size(); ++i) p->value.data()[i] = init.uniform(-1, 1);
            auto optA = makeOptimizer(s);
            optA->attach(a.list());
            for (int step = 0; step < 7; ++step) {
                fill(a, step);
                optA->step();
            }
            CheckpointWriter w;
            w.parameter(a.w);
            w.parameter(a.b);
            optA->save(w);
            const std::string bytes = w.take();

            Params b;  // fresh values and state, then the checkpoint
            auto optB = makeOptimizer(s);
            optB->attach(b.list());
            CheckpointReader r(bytes, "test");
            r.parameterInto(b.w);
            r.parameterInto(b.b);
            optB->load(r);
            EXPECT_TRUE(r.atEnd()) << what;

            for (int step = 7; step < 20; ++step) {
                fill(a, step);
                fill(b, step);
                optA->step();
                optB->step();
            }
            expectSame(a.w, b.w, what);
            expectSame(a.b, b.b, what);
        }
    }
}

TEST(OptimizerCheckpoint, AnotherKindOrShapeIsRefused)
{
    Params a;
    auto adam = makeOptimizer({"adam", 0.01f});
    adam->attach(a.list());
    CheckpointWriter w;
    adam->save(w);
    const std::string bytes = w.take();

    auto sgd = makeOptimizer({"sgd", 0.01f});
    sgd->attach(a.list());
    CheckpointReader r1(bytes, "ck");
    try {
        sgd->load(r1);
        FAIL();
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("expected section \"sgd\""), std::string::npos) << e.what();
    }

    Parameter wide("w", 6, 4), b("b", 1, 6);
    auto other = makeOptimizer({"adam", 0.01f});
    other->attach({&wide, &b});
    CheckpointReader r2(bytes, "ck");
    try {
        other->load(r2);
        FAIL();
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("6x3 in the checkpoint, 6x4 in this run"), std::string::npos) << e.what();
    }
}
