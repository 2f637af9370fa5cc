// The one set of optimizers (optim/, makeOptimizer(settings, backend)) on the GPU backend against
// the same optimizers on the CPU backend, over row-sparse gradients made by the one Linear layer's
// sparse backward (top-k of a crafted dy keeps exactly the rows of a schedule): lazy Adam keeps a
// step count per row, AdaGrad resolves its default epsilon as the CPU does, grad_clip clips on the
// GPU too, and a checkpoint written on one device continues on the other. Ported from the tests
// of the deleted GPU twin (CudaOptimizer, commit a17703b). Skipped without a device.
#include "optim/Optimizer.h"

#include "ParitySupport.h"
#include "layers/Linear.h"
#include "optim/Adam.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

using namespace meprop;
using test::host;
using test::onBackend;
using test::relDiff;

namespace {

// Which rows of a 6-row weight get a gradient at each of 8 steps: row 0 always, row 3 first at
// step 5, row 5 never, the others now and then.
const std::vector<std::vector<int>> kTouched = {{0}, {0, 1}, {0, 2}, {0}, {0, 3, 4}, {0, 1, 3}, {0, 2, 4}, {0, 3}};
constexpr int kRows = 6, kCols = 70;

// One output gradient (1 x kRows) whose top-|rows| components are exactly `rows`: magnitudes in
// [1, 2) there, below 0.01 elsewhere, random signs; all times scale.
Matrix craftedGradient(const std::vector<int>& rows, float scale, Rng& rng)
{
    Matrix dy(1, kRows);
    for (int r = 0; r < kRows; ++r) {
        const bool kept = std::find(rows.begin(), rows.end(), r) != rows.end();
        const float magnitude = kept ? rng.uniform(1.0f, 2.0f) : rng.uniform(0.0f, 0.01f);
        dy(0, r) = scale * (rng.below(2) ? magnitude : -magnitude);
    }
    return dy;
}

// A layer and its optimizer on one backend; a step back-propagates a crafted gradient (top-k: only
// the scheduled rows of dW get a gradient) and updates.
struct Side {
    Side(const OptimizerSettings& s, Backend& be) : be(&be), init(5), layer(kCols, kRows, init, Init::XavierUniform, "w", be)
    {
        opt = makeOptimizer(s, be);
        opt->attach({&layer.weight(), &layer.bias()});
    }
    void backward(const Matrix& x, const Matrix& dy, int k)
    {
        const Tensor xt = onBackend(*be, x), dyt = onBackend(*be, dy);
        Tensor y, dx;
        layer.forward(xt, y);
        Rng unused(1);
        layer.backward(dyt, dx, {BackpropMode::TopK, k, false}, unused);
    }
    Backend* be;
    Rng init;
    Linear layer;
    std::unique_ptr<Optimizer> opt;
};

// Runs the schedule on both devices and compares after every step: the weight and bias, and the
// gradients the step left (clipped in place by step(), zero after stepAndZeroGrad()).
void runBoth(const OptimizerSettings& s, bool zeroInTheStep, float gradScale = 1.0f)
{
    const auto gpu = test::gpuBackend();
    Side cpu(s, cpuBackend()), dev(s, *gpu);
    Rng rng(6);
    for (std::size_t step = 0; step < kTouched.size(); ++step) {
        SCOPED_TRACE("step " + std::to_string(step));
        const std::vector<int>& rows = kTouched[step];
        const Matrix x = test::randomMatrix(1, kCols, rng, -2.0f, 2.0f);
        const Matrix dy = craftedGradient(rows, gradScale, rng);
        for (Side* side : {&cpu, &dev}) side->backward(x, dy, static_cast<int>(rows.size()));
        ASSERT_EQ(dev.layer.lastSelection().indices, rows);
        ASSERT_EQ(test::markedRows(*gpu, dev.layer.weight()), rows);
        for (Side* side : {&cpu, &dev}) {
            if (zeroInTheStep) {
                side->opt->stepAndZeroGrad();
            } else {
                side->opt->step();
            }
        }
        EXPECT_LT(relDiff(host(*gpu, dev.layer.weight().value), cpu.layer.weight().value), 1e-5);
        EXPECT_LT(relDiff(host(*gpu, dev.layer.bias().value), cpu.layer.bias().value), 1e-5);
        const Matrix gw = host(*gpu, dev.layer.weight().grad), gb = host(*gpu, dev.layer.bias().grad);
        if (zeroInTheStep) {
            EXPECT_EQ(gw, Matrix::Zero(kRows, kCols));
            EXPECT_EQ(gb, Matrix::Zero(1, kRows));
            EXPECT_TRUE(test::markedRows(*gpu, dev.layer.weight()).empty());
        } else {
            EXPECT_LT(relDiff(gw, cpu.layer.weight().grad), 1e-6);
            EXPECT_LT(relDiff(gb, cpu.layer.bias().grad), 1e-6);
            if (s.clip > 0.0f) {
                EXPECT_LE(gw.cwiseAbs().maxCoeff(), s.clip);
            }
            for (Side* side : {&cpu, &dev}) side->layer.zeroGrad();
        }
    }
    if (s.kind == "adam" && s.touchedRowsOnly) {
        // Row 0 every step, row 3 from step 5 on, row 5 never; the bias' one row every step.
        const std::vector<long> expected = {8, 2, 2, 3, 2, 0};
        for (Side* side : {&cpu, &dev}) {
            const auto& adam = dynamic_cast<const Adam&>(*side->opt);
            for (int r = 0; r < kRows; ++r) EXPECT_EQ(adam.rowSteps(0, r), expected[static_cast<std::size_t>(r)]) << "row " << r;
            EXPECT_EQ(adam.rowSteps(1, 0), 8);
        }
    }
}

}  // namespace

TEST(CudaOptimizerParity, LazyAdamBiasCorrectsEachRowWithItsOwnStepCount)
{
    MEPROP_REQUIRE_GPU();
    OptimizerSettings s;
    s.kind = "adam";
    s.lr = 0.01f;
    s.touchedRowsOnly = true;
    runBoth(s, true);
    runBoth(s, false);
}

TEST(CudaOptimizerParity, AdamMovesEveryRowAsThePaper)
{
    MEPROP_REQUIRE_GPU();
    OptimizerSettings s;
    s.kind = "adam";
    s.lr = 0.01f;
    runBoth(s, true);
    runBoth(s, false);
}

TEST(CudaOptimizerParity, AdaGradUsesTheDefaultEpsilonOfTheCpu)
{
    MEPROP_REQUIRE_GPU();
    OptimizerSettings s;
    s.kind = "adagrad";
    s.lr = 0.01f;
    ASSERT_FALSE(s.eps.has_value());
    runBoth(s, true, 1e-6f);  // tiny gradients: sqrt(h) of the order of eps, so eps matters
    s.adagradEpsInside = true;
    runBoth(s, true, 1e-6f);
}

TEST(CudaOptimizerParity, SgdSkipsTheRowsWithoutGradient)
{
    MEPROP_REQUIRE_GPU();
    OptimizerSettings s;
    s.kind = "sgd";
    s.lr = 0.1f;
    runBoth(s, true);
    runBoth(s, false);
}

// grad_clip > 0 is supported on the GPU: every element clipped in the update pass (and left
// clipped in the gradient by step()), as on the CPU, for every optimizer.
TEST(CudaOptimizerParity, GradClipClipsEveryElementOnTheGpuToo)
{
    MEPROP_REQUIRE_GPU();
    for (const char* kind : {"sgd", "adagrad", "adam"})
        for (bool lazy : {false, true}) {
            if (lazy && std::string(kind) != "adam") continue;
            SCOPED_TRACE(std::string(kind) + (lazy ? " lazy" : ""));
            OptimizerSettings s;
            s.kind = kind;
            s.lr = 0.01f;
            s.clip = 0.5f;  // the gradients reach 4 (|dy| < 2, |x| < 2): the clip bites
            s.touchedRowsOnly = lazy;
            runBoth(s, false);
            runBoth(s, true);
        }
}

// A checkpoint of the layer and its optimizer written on one device and read on the other
// continues the run as the writer does (up to the devices' rounding).
TEST(CudaOptimizerParity, CheckpointMovesBetweenDevices)
{
    MEPROP_REQUIRE_GPU();
    const auto gpu = test::gpuBackend();
    for (const char* kind : {"adam", "adagrad"})
        for (bool cpuWrites : {true, false}) {
            SCOPED_TRACE(std::string(kind) + (cpuWrites ? ": cpu to gpu" : ": gpu to cpu"));
            OptimizerSettings s;
            s.kind = kind;
            s.lr = 0.01f;
            s.touchedRowsOnly = std::string(kind) == "adam";
            Backend& from = cpuWrites ? cpuBackend() : *gpu;
            Backend& to = cpuWrites ? *gpu : cpuBackend();
            Side writer(s, from), reader(s, to);
            Rng rng(7);
            auto step = [&](Side& side, std::size_t i, Rng& r) {
                const Matrix x = test::randomMatrix(1, kCols, r, -2.0f, 2.0f);
                const Matrix dy = craftedGradient(kTouched[i], 1.0f, r);
                side.backward(x, dy, static_cast<int>(kTouched[i].size()));
                side.opt->stepAndZeroGrad();
            };
            for (std::size_t i = 0; i < 4; ++i) step(writer, i, rng);
            CheckpointWriter w;
            writer.layer.save(w);
            writer.opt->save(w);
            const std::string bytes = w.take();
            CheckpointReader r(bytes, "optimizer checkpoint");
            reader.layer.load(r);
            reader.opt->load(r);
            EXPECT_TRUE(r.atEnd());
            EXPECT_EQ(host(to, reader.layer.weight().value), host(from, writer.layer.weight().value));  // bits, through the host
            if (s.touchedRowsOnly) {
                const auto& a = dynamic_cast<const Adam&>(*writer.opt);
                const auto& b = dynamic_cast<const Adam&>(*reader.opt);
                for (int row = 0; row < kRows; ++row) EXPECT_EQ(b.rowSteps(0, row), a.rowSteps(0, row)) << "row " << row;
            }
            Rng rngW(8), rngR(8);
            for (std::size_t i = 4; i < kTouched.size(); ++i) {
                step(writer, i, rngW);
                step(reader, i, rngR);
                EXPECT_LT(relDiff(host(to, reader.layer.weight().value), host(from, writer.layer.weight().value)), 1e-5) << "step " << i;
                EXPECT_LT(relDiff(host(to, reader.layer.bias().value), host(from, writer.layer.bias().value)), 1e-5) << "step " << i;
            }
        }
}
