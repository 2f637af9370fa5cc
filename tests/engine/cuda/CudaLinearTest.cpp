#include "cuda/CudaLinear.h"

#include "CudaTestSupport.h"
#include "core/Error.h"
#include "layers/Linear.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace meprop;
using test::relDiff;

namespace {

struct Case {
    BackpropMode mode;
    int k;
    bool needInputGrad;
};

std::string label(const Case& c)
{
    return std::string(toString(c.mode)) + " k=" + std::to_string(c.k) + (c.needInputGrad ? "" : " (no dx)");
}

std::vector<int> touchedRows(const std::vector<std::uint64_t>& counts)
{
    std::vector<int> rows;
    for (std::size_t r = 0; r < counts.size(); ++r)
        if (counts[r]) rows.push_back(static_cast<int>(r));
    return rows;
}

}  // namespace

TEST(CudaLinear, ForwardMatchesCpu)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    Rng rng(21);
    Linear cpu(70, 45, rng);
    cpu.bias().value = test::randomMatrix(1, 45, rng);
    cuda::CudaLinear gpu(ctx, cpu.weight().value, cpu.bias().value, "l");
    const Matrix x = test::randomMatrix(33, 70, rng);
    Matrix y;
    cpu.forward(x, y);
    auto dx = test::toDevice(x, ctx);
    cuda::DeviceBuffer<float> dyBuf(33 * 45);
    gpu.forward(dx.data(), 33, dyBuf.data());
    EXPECT_LT(relDiff(test::toHost(dyBuf, 33, 45, ctx), y), 1e-5);
    EXPECT_EQ(gpu.downloadWeight(), cpu.weight().value);  // uploaded bit for bit
}

// Every mode, with and without the input gradient, twice in a row (gradients accumulate): dx, dW,
// db, the kept indices, the touched rows and the per-row counts equal the CPU layer's.
TEST(CudaLinear, BackwardMatchesCpuInEveryMode)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    const int batch = 48, in = 150, out = 200;
    const std::vector<Case> cases = {
        {BackpropMode::Dense, 0, true},   {BackpropMode::Dense, 0, false},  {BackpropMode::TopK, 1, true},
        {BackpropMode::TopK, 20, true},   {BackpropMode::TopK, 20, false},  {BackpropMode::TopK, out, true},
        {BackpropMode::Unified, 1, true}, {BackpropMode::Unified, 20, true}, {BackpropMode::Unified, 20, false},
        {BackpropMode::Unified, out, true}, {BackpropMode::Random, 20, true}, {BackpropMode::Random, 7, false},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(label(c));
        Rng initRng(22);
        Linear cpu(in, out, initRng);
        cuda::CudaLinear gpu(ctx, cpu.weight().value, cpu.bias().value, "l");
        Rng cpuRng(5), gpuRng(5), dataRng(23);
        const BackwardSpec spec{c.mode, c.k, c.needInputGrad};
        for (int step = 0; step < 2; ++step) {
            const Matrix x = test::randomMatrix(batch, in, dataRng);
            // Unified selects by column sums: dyadic values make them exact on both sides.
            const Matrix dy = c.mode == BackpropMode::Unified ? test::dyadicMatrix(batch, out, dataRng)
                                                              : test::randomMatrix(batch, out, dataRng);
            Matrix y, dxCpu;
            cpu.forward(x, y);
            cpu.backward(dy, dxCpu, spec, cpuRng);

            auto xd = test::toDevice(x, ctx), dyd = test::toDevice(dy, ctx);
            cuda::DeviceBuffer<float> yd(static_cast<std::size_t>(batch) * out), dxd(static_cast<std::size_t>(batch) * in);
            gpu.forward(xd.data(), batch, yd.data());
            gpu.backward(dyd.data(), batch, c.needInputGrad ? dxd.data() : nullptr, spec, gpuRng);

            if (c.needInputGrad) {
                EXPECT_LT(relDiff(test::toHost(dxd, batch, in, ctx), dxCpu), 1e-5) << "dx, step " << step;
            }
            EXPECT_LT(relDiff(gpu.downloadWeightGrad(), cpu.weight().grad), 1e-5) << "dW, step " << step;
            EXPECT_LT(relDiff(gpu.downloadBiasGrad(), cpu.bias().grad), 1e-5) << "db, step " << step;
            EXPECT_EQ(gpu.lastIndices(), cpu.lastSelection().indices) << "step " << step;
            EXPECT_EQ(gpu.updateCounts(), cpu.updateCounts()) << "step " << step;
        }
        EXPECT_EQ(gpu.touchedRows(), touchedRows(cpu.updateCounts()));
        // zeroGrad clears exactly what backward wrote.
        gpu.zeroGrad();
        EXPECT_EQ(gpu.downloadWeightGrad().cwiseAbs().maxCoeff(), 0.0f);
        EXPECT_EQ(gpu.downloadBiasGrad().cwiseAbs().maxCoeff(), 0.0f);
        EXPECT_TRUE(gpu.touchedRows().empty());
    }
}

// The per-example weight gradient is grouped by row (a stable sort, no float atomics): many examples
// keeping the same rows give bit-identical dW and db on every run, and they still equal the CPU's.
TEST(CudaLinear, PerExampleWeightGradientIsTheSameOnEveryRun)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    Rng rng(31);
    const int batch = 700, in = 300, out = 40, k = 25;  // 17,500 pairs on 40 rows: heavy collisions
    const Matrix w = test::randomMatrix(out, in, rng), b = Matrix::Zero(1, out);
    const Matrix x = test::randomMatrix(batch, in, rng), dy = test::randomMatrix(batch, out, rng);
    auto xd = test::toDevice(x, ctx), dyd = test::toDevice(dy, ctx);
    cuda::DeviceBuffer<float> y(static_cast<std::size_t>(batch) * out);
    Matrix firstW, firstB;
    for (int run = 0; run < 4; ++run) {
        cuda::CudaLinear gpu(ctx, w, b, "l");
        gpu.forward(xd.data(), batch, y.data());
        gpu.backward(dyd.data(), batch, nullptr, {BackpropMode::TopK, k, false}, rng);
        if (run == 0) {
            firstW = gpu.downloadWeightGrad();
            firstB = gpu.downloadBiasGrad();
            Linear cpu(in, out, rng);
            cpu.weight().value = w;
            cpu.bias().value = b;
            Matrix yc, dxc;
            cpu.forward(x, yc);
            cpu.backward(dy, dxc, {BackpropMode::TopK, k, false}, rng);
            EXPECT_LT(relDiff(firstW, cpu.weight().grad), 1e-5);
            EXPECT_LT(relDiff(firstB, cpu.bias().grad), 1e-5);
        } else {
            EXPECT_EQ(gpu.downloadWeightGrad(), firstW) << "run " << run;
            EXPECT_EQ(gpu.downloadBiasGrad(), firstB) << "run " << run;
        }
    }
}

// meProp's invariant on the GPU: the sparse backward equals the dense backward of the masked dy.
TEST(CudaLinear, SparseBackwardEqualsDenseBackwardOfMaskedGradient)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    Rng rng(24);
    const int batch = 32, in = 64, out = 96, k = 10;
    const Matrix w = test::randomMatrix(out, in, rng), b = Matrix::Zero(1, out);
    const Matrix x = test::randomMatrix(batch, in, rng), dy = test::randomMatrix(batch, out, rng);
    cuda::CudaLinear sparse(ctx, w, b, "sparse"), dense(ctx, w, b, "dense");
    auto xd = test::toDevice(x, ctx), dyd = test::toDevice(dy, ctx);
    cuda::DeviceBuffer<float> y(batch * out), dxs(batch * in), dxd(batch * in);
    sparse.forward(xd.data(), batch, y.data());
    sparse.backward(dyd.data(), batch, dxs.data(), {BackpropMode::TopK, k, true}, rng);
    Selection sel;
    sel.mode = BackpropMode::TopK;
    sel.batch = batch;
    sel.n = out;
    sel.k = k;
    sel.indices = sparse.lastIndices();
    auto masked = test::toDevice(maskedGradient(dy, sel), ctx);
    dense.forward(xd.data(), batch, y.data());
    dense.backward(masked.data(), batch, dxd.data(), {BackpropMode::Dense, 0, true}, rng);
    EXPECT_LT(relDiff(test::toHost(dxs, batch, in, ctx), test::toHost(dxd, batch, in, ctx)), 1e-5);
    EXPECT_LT(relDiff(sparse.downloadWeightGrad(), dense.downloadWeightGrad()), 1e-5);
}

TEST(CudaLinear, BadInputThrowsTypedErrors)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    Rng rng(25);
    const Matrix w = test::randomMatrix(8, 4, rng);
    EXPECT_THROW(cuda::CudaLinear(ctx, w, Matrix::Zero(1, 7), "l"), ShapeError);
    cuda::CudaLinear l(ctx, w, Matrix::Zero(1, 8), "l");
    cuda::DeviceBuffer<float> x(4 * 4), y(4 * 8), dx(4 * 4);
    EXPECT_THROW(l.backward(y.data(), 4, dx.data(), {BackpropMode::Dense, 0, true}, rng), ShapeError);  // no forward yet
    l.forward(x.data(), 4, y.data());
    EXPECT_THROW(l.backward(y.data(), 3, dx.data(), {BackpropMode::Dense, 0, true}, rng), ShapeError);
    EXPECT_THROW(l.backward(y.data(), 4, dx.data(), {BackpropMode::TopK, 9, true}, rng), ConfigError);
    EXPECT_THROW(l.backward(y.data(), 4, dx.data(), {BackpropMode::Unified, 0, true}, rng), ConfigError);
}

// The non-finite flag is raised in every mode exactly when dy holds a NaN or an infinity, as the CPU
// layer throws (issue 10).
TEST(CudaLinear, NonFiniteGradientRaisesTheFlagInEveryMode)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    Rng rng(26);
    const int batch = 5, in = 9, out = 300;
    const Matrix w = test::randomMatrix(out, in, rng);
    cuda::CudaLinear l(ctx, w, Matrix::Zero(1, out), "hidden1");
    const Matrix x = test::randomMatrix(batch, in, rng);
    auto xd = test::toDevice(x, ctx);
    cuda::DeviceBuffer<float> y(static_cast<std::size_t>(batch) * out), dx(static_cast<std::size_t>(batch) * in);
    cuda::DeviceBuffer<unsigned> flag(1);
    for (float bad : {std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::infinity(), 0.5f}) {
        Matrix dyHost = test::randomMatrix(batch, out, rng);
        dyHost(3, 17) = bad;
        auto dy = test::toDevice(dyHost, ctx);
        for (BackpropMode mode : {BackpropMode::Dense, BackpropMode::TopK, BackpropMode::Unified, BackpropMode::Random}) {
            l.forward(xd.data(), batch, y.data());
            flag.zero(ctx.stream());
            l.backward(dy.data(), batch, dx.data(), {mode, 4, true}, rng, cuda::GemmPrecision::Fp32, flag.data());
            EXPECT_EQ(flag.download(ctx.stream())[0] != 0, !std::isfinite(bad)) << toString(mode) << " value " << bad;
            l.zeroGrad();
        }
    }
}
