// The device optimizers against the CPU ones on hand-made row-sparse gradients: lazy Adam keeps a
// step count per row (optim/Adam.h), and the default epsilons are the CPU's (issue 10).
#include "cuda/CudaOptimizer.h"

#include "CudaTestSupport.h"
#include "core/Parameter.h"
#include "optim/Optimizer.h"

#include <vector>

using namespace meprop;
using test::relDiff;

namespace {

// Which rows of a 6-row weight get a gradient at each of 8 steps: row 0 always, row 3 first at
// step 5, row 5 never, the others now and then.
const std::vector<std::vector<int>> kTouched = {{0}, {0, 1}, {0, 2}, {0}, {0, 3, 4}, {0, 1, 3}, {0, 2, 4}, {0, 3}};

// gradScale: tiny gradients make eps matter (sqrt(h) is then of the order of eps).
void runBoth(const OptimizerSettings& s, float gradScale = 1.0f)
{
    cuda::Context ctx;
    const int rows = 6, cols = 70;
    Rng rng(5);
    Parameter cpu("w", rows, cols);
    cpu.value = test::randomMatrix(rows, cols, rng);
    auto w = test::toDevice(cpu.value, ctx);
    cuda::DeviceBuffer<float> g(static_cast<std::size_t>(rows) * cols);
    cuda::DeviceBuffer<unsigned char> touched(static_cast<std::size_t>(rows));
    auto cpuOpt = makeOptimizer(s);
    cpuOpt->attach({&cpu});
    cuda::CudaOptimizer gpuOpt(ctx, s);
    gpuOpt.attach({{w.data(), g.data(), rows, cols, touched.data()}});
    for (const std::vector<int>& rowsNow : kTouched) {
        cpu.zeroGrad();
        std::vector<unsigned char> mark(static_cast<std::size_t>(rows), 0);
        for (int r : rowsNow) {
            cpu.grad.row(r) = gradScale * test::randomMatrix(1, cols, rng);
            cpu.touchRow(r);
            mark[static_cast<std::size_t>(r)] = 1;
        }
        g.upload(cpu.grad.data(), static_cast<std::size_t>(cpu.grad.size()), ctx.stream());
        touched.upload(mark, ctx.stream());
        cpuOpt->step();
        gpuOpt.step();
        EXPECT_LT(relDiff(test::toHost(w, rows, cols, ctx), cpu.value), 1e-6);
    }
}

}  // namespace

TEST(CudaOptimizer, LazyAdamBiasCorrectsEachRowWithItsOwnStepCount)
{
    MEPROP_REQUIRE_GPU();
    OptimizerSettings s;
    s.kind = "adam";
    s.lr = 0.01f;
    s.touchedRowsOnly = true;
    runBoth(s);
    s.touchedRowsOnly = false;
    runBoth(s);
}

TEST(CudaOptimizer, AdaGradUsesTheDefaultEpsilonOfTheCpu)
{
    MEPROP_REQUIRE_GPU();
    OptimizerSettings s;
    s.kind = "adagrad";
    s.lr = 0.01f;
    ASSERT_FALSE(s.eps.has_value());
    runBoth(s, 1e-6f);  // both resolve eps through epsilon(s): kAdaGradEpsilon
}
