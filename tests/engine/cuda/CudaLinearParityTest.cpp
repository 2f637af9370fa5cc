// The one Linear layer (layers/Linear) on the GPU backend against the same layer on the CPU
// backend: built from the same seed, fed the same inputs and output gradients, in every backprop
// mode (random: both devices draw the same indices from Rng's of the same seed). Ported from the
// tests of the deleted GPU twin (CudaLinear, commit a17703b). Skipped without a device.
#include "layers/Linear.h"

#include "ParitySupport.h"
#include "core/Error.h"
#include "layers/SoftmaxCrossEntropy.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace meprop;
using test::host;
using test::onBackend;
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

std::vector<int> countedRows(const std::vector<std::uint64_t>& counts)
{
    std::vector<int> rows;
    for (std::size_t r = 0; r < counts.size(); ++r)
        if (counts[r]) rows.push_back(static_cast<int>(r));
    return rows;
}

}  // namespace

TEST(CudaLinearParity, ForwardMatchesCpuAndStartsFromTheSameWeights)
{
    MEPROP_REQUIRE_GPU();
    const auto gpu = test::gpuBackend();
    Rng a(21), b(21), dataRng(20);
    Linear cpu(70, 45, a, Init::XavierUniform, "l");
    Linear dev(70, 45, b, Init::XavierUniform, "l", *gpu);
    EXPECT_EQ(host(*gpu, dev.weight().value), Matrix(cpu.weight().value));  // initialised on the host, uploaded bit for bit
    EXPECT_EQ(host(*gpu, dev.bias().value), Matrix(cpu.bias().value));
    EXPECT_EQ(a.engine()(), b.engine()());  // the same draws
    if (test::onGpu(*gpu)) {
        EXPECT_TRUE(dev.weight().value.onDevice());
    }

    // A nonzero bias, set on both.
    const Matrix bias = test::randomMatrix(1, 45, dataRng);
    cpu.bias().value = bias;
    dev.bias().value = bias;
    gpu->upload(dev.bias().value);
    const Matrix x = test::randomMatrix(33, 70, dataRng);
    Tensor xc(x), yc;
    Tensor xg = onBackend(*gpu, x), yg;
    cpu.forward(xc, yc);
    dev.forward(xg, yg);
    EXPECT_LT(relDiff(host(*gpu, yg), yc), 1e-5);
    EXPECT_EQ(yg.rows(), 33);
    EXPECT_EQ(yg.cols(), 45);
}

// Every mode, with and without the input gradient, twice in a row (gradients accumulate): dx, dW,
// db, the kept indices and the per-row counts equal the CPU layer's; the rows marked touched are
// the rows counted; zeroGrad then clears exactly what backward wrote.
TEST(CudaLinearParity, BackwardMatchesCpuInEveryMode)
{
    MEPROP_REQUIRE_GPU();
    const auto gpu = test::gpuBackend();
    const int batch = 48, in = 150, out = 200;
    const std::vector<Case> cases = {
        {BackpropMode::Dense, 0, true},     {BackpropMode::Dense, 0, false},   {BackpropMode::TopK, 1, true},
        {BackpropMode::TopK, 20, true},     {BackpropMode::TopK, 20, false},   {BackpropMode::TopK, out, true},
        {BackpropMode::Unified, 1, true},   {BackpropMode::Unified, 20, true}, {BackpropMode::Unified, 20, false},
        {BackpropMode::Unified, out, true}, {BackpropMode::Random, 20, true},  {BackpropMode::Random, 7, false},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(label(c));
        Rng initA(22), initB(22);
        Linear cpu(in, out, initA, Init::XavierUniform, "l");
        Linear dev(in, out, initB, Init::XavierUniform, "l", *gpu);
        Rng cpuRng(5), gpuRng(5), dataRng(23);
        const BackwardSpec spec{c.mode, c.k, c.needInputGrad};
        for (int step = 0; step < 2; ++step) {
            const Matrix x = test::randomMatrix(batch, in, dataRng);
            // Unified selects by column sums: dyadic values make them exact on both sides.
            const Matrix dy = c.mode == BackpropMode::Unified ? test::dyadicMatrix(batch, out, dataRng)
                                                              : test::randomMatrix(batch, out, dataRng);
            Tensor xc(x), dyc(dy), yc, dxc;
            cpu.forward(xc, yc);
            cpu.backward(dyc, dxc, spec, cpuRng);

            Tensor xg = onBackend(*gpu, x), dyg = onBackend(*gpu, dy), yg, dxg;
            dev.forward(xg, yg);
            dev.backward(dyg, dxg, spec, gpuRng);
            EXPECT_EQ(dev.keptFraction(), cpu.keptFraction()) << "step " << step;  // the shape, before any download
            EXPECT_NO_THROW(gpu->synchronize());

            if (c.needInputGrad) {
                EXPECT_LT(relDiff(host(*gpu, dxg), dxc), 1e-5) << "dx, step " << step;
            }
            EXPECT_LT(relDiff(host(*gpu, dev.weight().grad), cpu.weight().grad), 1e-5) << "dW, step " << step;
            EXPECT_LT(relDiff(host(*gpu, dev.bias().grad), cpu.bias().grad), 1e-5) << "db, step " << step;
            EXPECT_EQ(dev.lastSelection().indices, cpu.lastSelection().indices) << "step " << step;
            EXPECT_EQ(dev.lastSelection().k, cpu.lastSelection().k) << "step " << step;
            EXPECT_EQ(dev.updateCounts(), cpu.updateCounts()) << "step " << step;
        }
        EXPECT_EQ(cpuRng.engine()(), gpuRng.engine()());  // random: the same draws on both
        const std::vector<int> counted = countedRows(cpu.updateCounts());
        EXPECT_EQ(test::markedRows(*gpu, dev.weight()), counted);
        EXPECT_EQ(test::markedRows(cpuBackend(), cpu.weight()), counted);
        dev.zeroGrad();
        EXPECT_EQ(host(*gpu, dev.weight().grad), Matrix::Zero(out, in));
        EXPECT_EQ(host(*gpu, dev.bias().grad), Matrix::Zero(1, out));
        EXPECT_TRUE(test::markedRows(*gpu, dev.weight()).empty());
        // The counts survive zeroGrad and go with resetCounts.
        EXPECT_EQ(dev.updateCounts(), cpu.updateCounts());
        dev.resetCounts();
        EXPECT_EQ(dev.updateCounts(), std::vector<std::uint64_t>(static_cast<std::size_t>(out), 0));
    }
}

// BackwardSpec::precision = Tf32: the GPU's products in TF32 (10-bit mantissas) stay close to the
// CPU's FP32 (which ignores the setting) in the dense and the gathered (unified) paths, and the
// per-example path, which has no product to round, is as in FP32.
TEST(CudaLinearParity, Tf32ProductsStayCloseToTheCpu)
{
    MEPROP_REQUIRE_GPU();
    const auto gpu = test::gpuBackend();
    const int batch = 64, in = 96, out = 80;
    for (BackpropMode mode : {BackpropMode::Dense, BackpropMode::Unified, BackpropMode::TopK}) {
        SCOPED_TRACE(toString(mode));
        Rng initA(28), initB(28), dataRng(29), cpuRng(1), gpuRng(1);
        Linear cpu(in, out, initA, Init::XavierUniform, "l");
        Linear dev(in, out, initB, Init::XavierUniform, "l", *gpu);
        const Matrix x = test::randomMatrix(batch, in, dataRng), dy = test::dyadicMatrix(batch, out, dataRng);
        BackwardSpec spec{mode, mode == BackpropMode::Dense ? 0 : 12, true};
        spec.precision = Precision::Tf32;
        Tensor xc(x), dyc(dy), yc, dxc, xg = onBackend(*gpu, x), dyg = onBackend(*gpu, dy), yg, dxg;
        cpu.forward(xc, yc);
        cpu.backward(dyc, dxc, spec, cpuRng);
        dev.forward(xg, yg);
        dev.backward(dyg, dxg, spec, gpuRng);
        const double tolerance = mode == BackpropMode::TopK ? 1e-5 : 1e-2;
        EXPECT_LT(relDiff(host(*gpu, dxg), dxc), tolerance);
        EXPECT_LT(relDiff(host(*gpu, dev.weight().grad), cpu.weight().grad), tolerance);
        EXPECT_EQ(dev.lastSelection().indices, cpu.lastSelection().indices);
    }
}

// The per-example weight gradient is grouped by row (a stable sort, no float atomics): many
// examples keeping the same rows give bit-identical dW and db on every run, equal to the CPU's.
TEST(CudaLinearParity, PerExampleWeightGradientIsTheSameOnEveryRun)
{
    MEPROP_REQUIRE_GPU();
    const auto gpu = test::gpuBackend();
    Rng dataRng(31);
    const int batch = 700, in = 300, out = 40, k = 25;  // 17,500 pairs on 40 rows: heavy collisions
    const Matrix x = test::randomMatrix(batch, in, dataRng), dy = test::randomMatrix(batch, out, dataRng);
    const BackwardSpec spec{BackpropMode::TopK, k, false};
    Matrix firstW, firstB;
    for (int run = 0; run < 4; ++run) {
        SCOPED_TRACE("run " + std::to_string(run));
        Rng init(32), rng(33);
        Linear dev(in, out, init, Init::XavierUniform, "l", *gpu);
        Tensor xg = onBackend(*gpu, x), dyg = onBackend(*gpu, dy), yg, dxg;
        dev.forward(xg, yg);
        dev.backward(dyg, dxg, spec, rng);
        if (run == 0) {
            firstW = host(*gpu, dev.weight().grad);
            firstB = host(*gpu, dev.bias().grad);
            Rng cpuInit(32), cpuRng(33);
            Linear cpu(in, out, cpuInit, Init::XavierUniform, "l");
            Tensor xc(x), dyc(dy), yc, dxc;
            cpu.forward(xc, yc);
            cpu.backward(dyc, dxc, spec, cpuRng);
            EXPECT_LT(relDiff(firstW, cpu.weight().grad), 1e-5);
            EXPECT_LT(relDiff(firstB, cpu.bias().grad), 1e-5);
        } else {
            EXPECT_EQ(host(*gpu, dev.weight().grad), firstW);
            EXPECT_EQ(host(*gpu, dev.bias().grad), firstB);
        }
    }
}

// meProp's invariant on the GPU: the sparse backward equals the dense backward of the masked dy
// (both on the GPU), in every sparse mode.
TEST(CudaLinearParity, SparseBackwardEqualsDenseBackwardOfMaskedGradient)
{
    MEPROP_REQUIRE_GPU();
    const auto gpu = test::gpuBackend();
    const int batch = 32, in = 64, out = 96, k = 10;
    for (BackpropMode mode : {BackpropMode::TopK, BackpropMode::Unified, BackpropMode::Random}) {
        SCOPED_TRACE(toString(mode));
        Rng dataRng(24), initA(25), initB(25), rng(26);
        const Matrix x = test::randomMatrix(batch, in, dataRng);
        const Matrix dy = mode == BackpropMode::Unified ? test::dyadicMatrix(batch, out, dataRng) : test::randomMatrix(batch, out, dataRng);
        Linear sparse(in, out, initA, Init::XavierUniform, "sparse", *gpu);
        Linear dense(in, out, initB, Init::XavierUniform, "dense", *gpu);
        Tensor xg = onBackend(*gpu, x), dyg = onBackend(*gpu, dy), y, dxs, dxd;
        sparse.forward(xg, y);
        sparse.backward(dyg, dxs, {mode, k, true}, rng);
        const Selection& sel = sparse.lastSelection();
        ASSERT_EQ(sel.indices.size(), mode == BackpropMode::Unified ? static_cast<std::size_t>(k) : static_cast<std::size_t>(batch * k));
        Tensor masked = onBackend(*gpu, maskedGradient(dy, sel));
        dense.forward(xg, y);
        dense.backward(masked, dxd, {BackpropMode::Dense, 0, true}, rng);
        EXPECT_LT(relDiff(host(*gpu, dxs), host(*gpu, dxd)), 1e-5);
        EXPECT_LT(relDiff(host(*gpu, sparse.weight().grad), host(*gpu, dense.weight().grad)), 1e-5);
        EXPECT_LT(relDiff(host(*gpu, sparse.bias().grad), host(*gpu, dense.bias().grad)), 1e-5);
    }
}

// The same typed errors from the layer on both devices; on the GPU an input that is not in device
// memory is the caller's mistake (std::logic_error), not a silent host read.
TEST(CudaLinearParity, BadInputThrowsTypedErrorsOnBothDevices)
{
    MEPROP_REQUIRE_GPU();
    const auto gpu = test::gpuBackend();
    for (Backend* be : {&cpuBackend(), gpu.get()}) {
        SCOPED_TRACE(be->name());
        Rng rng(25);
        EXPECT_THROW(Linear(0, 3, rng, Init::XavierUniform, "l", *be), ShapeError);
        Linear l(4, 8, rng, Init::XavierUniform, "l", *be);
        Tensor x = onBackend(*be, test::randomMatrix(4, 4, rng)), wide = onBackend(*be, test::randomMatrix(4, 5, rng));
        Tensor dy = onBackend(*be, test::randomMatrix(4, 8, rng)), dy3 = onBackend(*be, test::randomMatrix(3, 8, rng));
        Tensor dy7 = onBackend(*be, test::randomMatrix(4, 7, rng)), y, dx;
        EXPECT_THROW(l.backward(dy, dx, {BackpropMode::Dense, 0, true}, rng), ShapeError);  // no forward yet
        EXPECT_THROW(l.forward(wide, y), ShapeError);
        l.forward(x, y);
        EXPECT_THROW(l.backward(dy3, dx, {BackpropMode::Dense, 0, true}, rng), ShapeError);
        EXPECT_THROW(l.backward(dy7, dx, {BackpropMode::TopK, 2, true}, rng), ShapeError);
        EXPECT_THROW(l.backward(dy, dx, {BackpropMode::TopK, 9, true}, rng), ConfigError);
        EXPECT_THROW(l.backward(dy, dx, {BackpropMode::Unified, 0, true}, rng), ConfigError);
        EXPECT_THROW(l.backward(dy, dx, {BackpropMode::Random, -1, true}, rng), ConfigError);
        EXPECT_NO_THROW(l.backward(dy, dx, {BackpropMode::TopK, 8, true}, rng));
        EXPECT_NO_THROW(be->synchronize());
        if (test::onGpu(*be)) {
            Tensor hostOnly(test::randomMatrix(4, 4, rng));
            EXPECT_THROW(l.forward(hostOnly, y), std::logic_error);
        }
    }
}

// A NaN or an infinity in dy stops training with NonFiniteGradient naming the layer, in every
// mode: the CPU layer throws in backward, the GPU layer at the next synchronize() or readScalar()
// (the selection's pass queues the check); a finite dy raises nothing on either.
TEST(CudaLinearParity, NonFiniteGradientIsReportedAtTheNextSynchronisation)
{
    MEPROP_REQUIRE_GPU();
    const auto gpu = test::gpuBackend();
    const int batch = 5, in = 9, out = 300;
    Rng initA(26), initB(26), rng(27);
    Linear cpu(in, out, initA, Init::XavierUniform, "hidden1");
    Linear dev(in, out, initB, Init::XavierUniform, "hidden1", *gpu);
    const Matrix x = test::randomMatrix(batch, in, rng);
    Tensor xc(x), xg = onBackend(*gpu, x), y, dx;
    // A loss to read (readScalar synchronises too).
    Tensor logits = onBackend(*gpu, Matrix::Zero(1, 2));
    const IndexTensor label = test::labelsOn(*gpu, {0});
    ScalarTensor loss;
    int variant = 0;
    for (float bad : {std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::infinity(), 0.5f}) {
        Matrix dyHost = test::randomMatrix(batch, out, rng);
        dyHost(3, 17) = bad;
        const bool finite = std::isfinite(bad);
        Tensor dyc(dyHost), dyg = onBackend(*gpu, dyHost);
        for (BackpropMode mode : {BackpropMode::Dense, BackpropMode::TopK, BackpropMode::Unified, BackpropMode::Random}) {
            SCOPED_TRACE(std::string(toString(mode)) + " value " + std::to_string(bad));
            const BackwardSpec spec{mode, 4, true};
            cpu.forward(xc, y);
            if (finite) {
                EXPECT_NO_THROW(cpu.backward(dyc, dx, spec, rng));
            } else {
                try {
                    cpu.backward(dyc, dx, spec, rng);
                    ADD_FAILURE() << "cpu: no NonFiniteGradient";
                } catch (const NonFiniteGradient& e) {
                    EXPECT_EQ(e.layer(), "hidden1");
                }
            }
            cpu.zeroGrad();

            dev.forward(xg, y);
            const bool viaScalar = (variant++ % 2) == 1;
            bool reported = false;
            try {
                dev.backward(dyg, dx, spec, rng);
            } catch (const NonFiniteGradient& e) {
                reported = true;
                EXPECT_EQ(e.layer(), "hidden1");
            }
            if (test::onGpu(*gpu)) {
                EXPECT_FALSE(reported) << "the GPU layer waited for dy";
            }
            if (!reported) {
                try {
                    if (viaScalar) {
                        gpu->resize(loss, 1, 1);
                        gpu->softmaxCrossEntropy(logits, label, 1.0f, LossSlot{&loss, 0, false}, nullptr);
                        EXPECT_NEAR(gpu->readScalar(loss), std::log(2.0), 1e-6);
                    } else {
                        gpu->synchronize();
                    }
                } catch (const NonFiniteGradient& e) {
                    reported = true;
                    EXPECT_EQ(e.layer(), "hidden1");
                }
            }
            EXPECT_EQ(reported, !finite) << (viaScalar ? "readScalar" : "synchronize");
            EXPECT_NO_THROW(gpu->synchronize());  // reported once
            dev.zeroGrad();
        }
    }
}
