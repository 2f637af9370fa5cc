// The GPU backend (cuda/CudaBackend) operation by operation against the CPU formulas: Eigen for
// the products and element-wise operations, ops/TopK for the selections, the masked dense backward
// for the sparse one, optim/UpdateKernels for the optimizer updates, layers/SoftmaxCrossEntropy
// for the loss. Small random tensors; skipped without a device (CudaTestSupport.h).
#include "cuda/CudaBackend.h"

#include "ParitySupport.h"
#include "core/Error.h"
#include "layers/SoftmaxCrossEntropy.h"
#include "ops/TopK.h"
#include "optim/UpdateKernels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <set>
#include <vector>

using namespace meprop;
using test::relDiff;

using test::host;
using test::onBackend;

namespace {

IndexTensor indicesOnDevice(Backend& be, const std::vector<int>& v, bool column)
{
    IndexTensor t(column ? static_cast<Eigen::Index>(v.size()) : 1, column ? 1 : static_cast<Eigen::Index>(v.size()));
    for (std::size_t i = 0; i < v.size(); ++i) t.data()[i] = v[i];
    be.upload(t);
    return t;
}

// The host reference of one parameter for the optimizer tests.
struct HostParam {
    Matrix w, g, m, v, h;
    std::vector<long> steps;
};

}  // namespace

TEST(CudaBackend, MakeCudaBackendGivesTheGpu)
{
    MEPROP_REQUIRE_GPU();
    const std::shared_ptr<Backend> be = makeCudaBackend();
    EXPECT_EQ(be->device(), Device::Cuda);
    EXPECT_EQ(be->name(), cudaDeviceInfo().name);
}

TEST(CudaBackend, MemoryRoundTripsCopiesAndKeepsAllocations)
{
    MEPROP_REQUIRE_GPU();
    cuda::CudaBackend be;
    Rng rng(1);
    const Matrix a = test::randomMatrix(5, 7, rng);
    Tensor t = onBackend(be, a);
    ASSERT_TRUE(t.onDevice());
    t.setZero();  // the host mirror only: the device keeps a
    EXPECT_EQ(host(be, t), a);

    const float* before = t.deviceData();
    be.resize(t, 5, 7);
    EXPECT_EQ(t.deviceData(), before);  // same size: same memory, values kept
    EXPECT_EQ(host(be, t), a);
    be.resize(t, 3, 4);  // smaller: the allocation is kept, the shape follows
    EXPECT_EQ(t.deviceData(), before);
    EXPECT_EQ(t.rows(), 3);
    EXPECT_EQ(t.cols(), 4);

    Tensor src = onBackend(be, a), dst, rows;
    be.copy(src, dst);
    EXPECT_EQ(host(be, dst), a);
    be.copyRows(src, 1, 3, rows);
    EXPECT_EQ(host(be, rows), Matrix(a.middleRows(1, 3)));
    EXPECT_THROW(be.copyRows(src, 3, 3, rows), ShapeError);
    be.setZero(src);
    EXPECT_EQ(host(be, src), Matrix::Zero(5, 7));

    CountTensor counts(1, 6);
    be.setZero(counts);
    be.addToCounts(counts, 3);
    be.addToCounts(counts, 4);
    be.download(counts);
    for (Eigen::Index i = 0; i < counts.size(); ++i) EXPECT_EQ(counts(0, i), 7u);

    Tensor hostOnly(2, 2);
    Tensor out;
    EXPECT_THROW(be.gemm(false, false, 1.0f, hostOnly, hostOnly, 0.0f, out), std::logic_error);  // inputs must be on the device
}

TEST(CudaBackend, GemmMatchesEigenInAllFourTranspositions)
{
    MEPROP_REQUIRE_GPU();
    cuda::CudaBackend be;
    Rng rng(2);
    const int m = 9, n = 13, kk = 17;
    for (int ta = 0; ta < 2; ++ta)
        for (int tb = 0; tb < 2; ++tb) {
            SCOPED_TRACE("transA=" + std::to_string(ta) + " transB=" + std::to_string(tb));
            const Matrix a = ta ? test::randomMatrix(kk, m, rng) : test::randomMatrix(m, kk, rng);
            const Matrix b = tb ? test::randomMatrix(n, kk, rng) : test::randomMatrix(kk, n, rng);
            const Matrix opA = ta ? Matrix(a.transpose()) : a;
            const Matrix opB = tb ? Matrix(b.transpose()) : b;
            Tensor A = onBackend(be, a), B = onBackend(be, b), C;
            be.gemm(ta, tb, 0.5f, A, B, 0.0f, C);  // C resized
            EXPECT_LT(relDiff(host(be, C), 0.5f * opA * opB), 1e-5);
            const Matrix c0 = test::randomMatrix(m, n, rng);
            Tensor C2 = onBackend(be, c0);
            be.gemm(ta, tb, 1.0f, A, B, 2.0f, C2);  // accumulates
            EXPECT_LT(relDiff(host(be, C2), opA * opB + 2.0f * c0), 1e-5);
            Tensor C3;
            be.gemm(ta, tb, 1.0f, A, B, 0.0f, C3, Precision::Tf32);
            EXPECT_LT(relDiff(host(be, C3), opA * opB), 1e-2);  // TF32: 10-bit mantissas
        }
    Tensor A = onBackend(be, test::randomMatrix(3, 4, rng)), B = onBackend(be, test::randomMatrix(5, 6, rng)), C;
    EXPECT_THROW(be.gemm(false, false, 1.0f, A, B, 0.0f, C), ShapeError);
}

TEST(CudaBackend, ElementwiseOperationsMatchEigen)
{
    MEPROP_REQUIRE_GPU();
    cuda::CudaBackend be;
    Rng rng(3);
    const Matrix x = test::randomMatrix(6, 10, rng);
    const Matrix bias = test::randomMatrix(1, 10, rng);

    Tensor y = onBackend(be, x), b = onBackend(be, bias);
    be.addBias(y, b);
    EXPECT_LT(relDiff(host(be, y), Matrix(x.rowwise() + bias.row(0))), 1e-6);

    Tensor db = onBackend(be, bias), dy = onBackend(be, x);
    be.addColumnSums(dy, db);
    EXPECT_LT(relDiff(host(be, db), Matrix(bias + x.colwise().sum())), 1e-6);

    Tensor s = onBackend(be, x);
    be.scale(s, -2.5f);
    EXPECT_EQ(host(be, s), Matrix(-2.5f * x));

    Tensor r = onBackend(be, x);
    be.reluForward(r);
    const Matrix relu = x.cwiseMax(0.0f);
    EXPECT_EQ(host(be, r), relu);
    const Matrix g = test::randomMatrix(6, 10, rng);
    Tensor dr = onBackend(be, g);
    be.reluBackward(r, dr);
    EXPECT_EQ(host(be, dr), Matrix((relu.array() > 0.0f).select(g, 0.0f)));

    Tensor mul = onBackend(be, x), mask = onBackend(be, g);
    be.multiply(mul, mask);
    EXPECT_EQ(host(be, mul), Matrix(x.cwiseProduct(g)));
}

// The GPU mask is a hash of one rng draw (not the CPU's per-element draws): check what it must be.
TEST(CudaBackend, DropoutMasksAreInvertedAndSeededByOneDraw)
{
    MEPROP_REQUIRE_GPU();
    cuda::CudaBackend be;
    Rng dataRng(4);
    const float p = 0.3f;
    const Matrix x = test::randomMatrix(64, 128, dataRng, 0.5f, 1.5f);
    Rng a(9), b(9);
    Tensor xa = onBackend(be, x), xb = onBackend(be, x), ma, mb;
    be.dropoutForward(xa, p, a, ma);
    be.dropoutForward(xb, p, b, mb);
    const Matrix maskA = host(be, ma), maskB = host(be, mb);
    EXPECT_EQ(maskA, maskB);                // the same draw, the same mask
    EXPECT_EQ(a.engine()(), b.engine()());  // and one draw each
    long dropped = 0;
    for (Eigen::Index i = 0; i < maskA.size(); ++i) {
        const float v = maskA.data()[i];
        ASSERT_TRUE(v == 0.0f || v == 1.0f / (1.0f - p)) << v;
        dropped += v == 0.0f;
    }
    const double frac = static_cast<double>(dropped) / static_cast<double>(maskA.size());
    EXPECT_NEAR(frac, p, 0.03);  // 8192 elements: the standard deviation is 0.005
    EXPECT_EQ(host(be, xa), Matrix(x.cwiseProduct(maskA)));
    Tensor xc = onBackend(be, x), mc;
    be.dropoutForward(xc, p, a, mc);  // the next draw: another mask
    EXPECT_NE(host(be, mc), maskA);
    EXPECT_THROW(be.dropoutForward(xc, 1.0f, a, mc), ConfigError);
}

TEST(CudaBackend, SoftmaxCrossEntropyMatchesTheCpuLoss)
{
    MEPROP_REQUIRE_GPU();
    cuda::CudaBackend be;
    Rng rng(5);
    const int rows = 37, classes = 11;
    const Matrix z = test::randomMatrix(rows, classes, rng, -4.0f, 4.0f);
    std::vector<int> labels(rows);
    for (int& l : labels) l = static_cast<int>(rng.below(classes));
    const float gradScale = 0.75f / static_cast<float>(rows);
    CrossEntropyOptions o;
    o.scale = gradScale;
    Matrix dz;
    const double loss = softmaxCrossEntropySum(z, labels.data(), rows, &dz, o);

    Tensor logits = onBackend(be, z), dlogits;
    ScalarTensor lossT;
    be.resize(lossT, 1, 3);
    const IndexTensor y = indicesOnDevice(be, labels, true);
    be.softmaxCrossEntropy(logits, y, gradScale, LossSlot{&lossT, 1, false}, &dlogits);
    double read[3];
    be.readScalars(lossT, 3, read);
    EXPECT_NEAR(read[1], loss, 1e-5 * (1.0 + loss));
    EXPECT_LT(relDiff(host(be, dlogits), dz), 1e-5);
    be.softmaxCrossEntropy(logits, y, 1.0f, LossSlot{&lossT, 1, true}, nullptr);  // the loss alone, accumulated
    be.readScalars(lossT, 3, read);
    EXPECT_NEAR(read[1], 2.0 * loss, 2e-5 * (1.0 + loss));

    // A label outside [0, classes) skips its row on the GPU (no loss, zero gradient); -1 on both devices.
    for (int badLabel : {classes, -1}) {
        std::vector<int> bad = labels;
        bad[3] = badLabel;
        const IndexTensor yBad = indicesOnDevice(be, bad, true);
        be.softmaxCrossEntropy(logits, yBad, 1.0f, LossSlot{&lossT, 0, false}, &dlogits);
        double restLoss = 0.0;
        for (int r = 0; r < rows; ++r) {
            const Matrix row = z.row(r);
            if (r != 3) restLoss += softmaxCrossEntropySum(row, &labels[static_cast<std::size_t>(r)], 1, nullptr, o);
        }
        be.readScalars(lossT, 1, read);
        EXPECT_NEAR(read[0], restLoss, 1e-5 * (1.0 + restLoss));
        EXPECT_TRUE(host(be, dlogits).row(3).isZero(0.0f));
    }
    EXPECT_THROW(be.softmaxCrossEntropy(logits, indicesOnDevice(be, {1, 2}, true), 1.0f, LossSlot{&lossT, 0, false}, nullptr), ShapeError);
    EXPECT_THROW(be.softmaxCrossEntropy(logits, y, 1.0f, LossSlot{&lossT, 3, false}, nullptr), ShapeError);
}

TEST(CudaBackend, CountCorrectAndGatherExamples)
{
    MEPROP_REQUIRE_GPU();
    cuda::CudaBackend be;
    Rng rng(6);
    const int n = 40, features = 9, classes = 5;
    const Matrix data = test::randomMatrix(n, features, rng);
    std::vector<int> labels(n), order(n);
    for (int i = 0; i < n; ++i) {
        labels[static_cast<std::size_t>(i)] = static_cast<int>(rng.below(classes));
        order[static_cast<std::size_t>(i)] = i;
    }
    rng.shuffle(order);
    const Tensor dataT = onBackend(be, data);
    const IndexTensor labelsT = indicesOnDevice(be, labels, true), orderT = indicesOnDevice(be, order, false);
    Tensor x;
    IndexTensor y;
    be.gatherExamples(dataT, labelsT, orderT, 10, 12, x, y);
    be.download(y);
    const Matrix xh = host(be, x);
    for (int i = 0; i < 12; ++i) {
        const int src = order[static_cast<std::size_t>(10 + i)];
        EXPECT_TRUE(xh.row(i) == data.row(src)) << "example " << i;
        EXPECT_EQ(y(i, 0), labels[static_cast<std::size_t>(src)]);
    }

    // Logits of rows 7..7+15 against the labels from `begin` on; ties go to the lower index.
    Matrix z = test::randomMatrix(15, classes, rng);
    z.row(2).setConstant(0.5f);  // all equal: class 0
    long expected = 0;
    const std::vector<int> argmax = argmaxRows(z);
    for (int i = 0; i < 15; ++i) expected += argmax[static_cast<std::size_t>(i)] == labels[static_cast<std::size_t>(7 + i)];
    EXPECT_EQ(argmax[2], 0);
    const Tensor zT = onBackend(be, z);
    EXPECT_EQ(be.countCorrect(zT, labelsT, 7), expected);
    EXPECT_THROW(be.countCorrect(zT, labelsT, n - 3), ShapeError);
}

// The same indices as ops/TopK's selectComponents in every sparse mode (Random: the same key from
// an Rng of the same seed, ops/RandomK.h's components drawn on the device), kept on the device
// until downloadSelection.
TEST(CudaBackend, SelectKeepsTheCpuIndices)
{
    MEPROP_REQUIRE_GPU();
    cuda::CudaBackend be;
    Rng dataRng(7);
    const int batch = 12, n = 300;
    for (BackpropMode mode : {BackpropMode::TopK, BackpropMode::Unified, BackpropMode::Random})
        for (int k : {1, 17, n}) {
            SCOPED_TRACE(std::string(toString(mode)) + " k=" + std::to_string(k));
            const Matrix dy = mode == BackpropMode::Unified ? test::dyadicMatrix(batch, n, dataRng) : test::randomMatrix(batch, n, dataRng);
            Rng cpuRng(11), gpuRng(11);
            Selection cpu, gpu;
            selectComponents(dy, mode, k, cpuRng, cpu);
            const Tensor dyT = onBackend(be, dy);
            be.select(dyT, mode, k, gpuRng, gpu);
            EXPECT_EQ(gpu.mode, mode);
            EXPECT_EQ(gpu.batch, batch);
            EXPECT_EQ(gpu.n, n);
            EXPECT_EQ(gpu.k, k);
            EXPECT_TRUE(gpu.indices.empty());
            EXPECT_GE(gpu.deviceFlag, 0);
            be.downloadSelection(gpu);
            EXPECT_EQ(gpu.indices, cpu.indices);
            EXPECT_EQ(gpuRng.state(), cpuRng.state());  // the same draws (Random: one key) on both
            be.checkFinite(gpu, "layer");
            EXPECT_NO_THROW(be.synchronize());
        }
    Selection sel;
    Rng rng(1);
    const Tensor dyT = onBackend(be, test::randomMatrix(2, 5, dataRng));
    EXPECT_THROW(be.select(dyT, BackpropMode::TopK, 6, rng, sel), ConfigError);
    be.select(dyT, BackpropMode::Dense, 0, rng, sel);
    EXPECT_EQ(sel.k, 5);
}

// linearSparseBackward == the dense backward of the masked gradient: dW, db, dx, the update
// counts and the touched rows, accumulating over two calls; zeroGrad then clears exactly.
TEST(CudaBackend, SparseBackwardEqualsMaskedDenseBackward)
{
    MEPROP_REQUIRE_GPU();
    cuda::CudaBackend be;
    const int batch = 9, in = 37, out = 50;
    struct Case {
        BackpropMode mode;
        int k;
        bool dx;
    };
    for (const Case c : {Case{BackpropMode::TopK, 4, true}, Case{BackpropMode::TopK, out, true}, Case{BackpropMode::TopK, 6, false},
                         Case{BackpropMode::Unified, 5, true}, Case{BackpropMode::Unified, 5, false},
                         Case{BackpropMode::Random, 3, true}}) {
        SCOPED_TRACE(std::string(toString(c.mode)) + " k=" + std::to_string(c.k) + (c.dx ? "" : " no dx"));
        Rng rng(8), cpuRng(3), gpuRng(3);
        const Matrix W = test::randomMatrix(out, in, rng);
        Parameter w("l.weight", out, in), b("l.bias", 1, out);
        w.value = W;
        b.value = test::randomMatrix(1, out, rng);
        be.upload(w.value);
        be.upload(w.grad);
        be.upload(b.value);
        be.upload(b.grad);
        be.zeroGrad(w);  // row bookkeeping from here on
        be.zeroGrad(b);
        CountTensor counts(1, out);
        be.setZero(counts);
        Matrix dW = Matrix::Zero(out, in), db = Matrix::Zero(1, out);
        std::vector<std::uint64_t> expectCounts(out, 0);
        std::set<int> rows;
        for (int step = 0; step < 2; ++step) {
            const Matrix x = test::randomMatrix(batch, in, rng);
            const Matrix dy = c.mode == BackpropMode::Unified ? test::dyadicMatrix(batch, out, rng) : test::randomMatrix(batch, out, rng);
            Selection cpu, gpu;
            selectComponents(dy, c.mode, c.k, cpuRng, cpu);
            const Matrix masked = maskedGradient(dy, cpu);
            dW += masked.transpose() * x;
            db += masked.colwise().sum();
            for (int e = 0; e < batch; ++e)
                for (int j = 0; j < cpu.k; ++j) {
                    const int r = cpu.row(e)[j];
                    ++expectCounts[static_cast<std::size_t>(r)];
                    rows.insert(r);
                }
            const Tensor dyT = onBackend(be, dy), xT = onBackend(be, x);
            Tensor dx;
            be.select(dyT, c.mode, c.k, gpuRng, gpu);
            be.linearSparseBackward(dyT, gpu, xT, w, b, counts, c.dx ? &dx : nullptr);
            if (c.dx) {
                EXPECT_LT(relDiff(host(be, dx), Matrix(masked * W)), 1e-5);
            }
        }
        EXPECT_LT(relDiff(host(be, w.grad), dW), 1e-5);
        EXPECT_LT(relDiff(host(be, b.grad), db), 1e-5);
        be.download(counts);
        for (int r = 0; r < out; ++r) EXPECT_EQ(counts(0, r), expectCounts[static_cast<std::size_t>(r)]) << "row " << r;
        be.download(w.touched);
        be.download(b.touched);
        for (int r = 0; r < out; ++r) EXPECT_EQ(w.touched(0, r) != 0, rows.count(r) == 1) << "row " << r;
        EXPECT_NE(b.touched(0, 0), 0);
        EXPECT_FALSE(w.gradDense);
        be.zeroGrad(w);
        be.zeroGrad(b);
        EXPECT_EQ(host(be, w.grad), Matrix::Zero(out, in));
        EXPECT_EQ(host(be, b.grad), Matrix::Zero(1, out));
        be.download(w.touched);
        EXPECT_EQ(w.touched.cast<int>().sum(), 0);
    }
}

// A new parameter is dense (as Parameter::rowSparse starts false): zeroGrad clears all of it,
// whatever a sparse backward touched since.
TEST(CudaBackend, ANewParameterIsClearedWhole)
{
    MEPROP_REQUIRE_GPU();
    cuda::CudaBackend be;
    Rng rng(9);
    const int batch = 4, in = 6, out = 8;
    Parameter w("w", out, in), b("b", 1, out);
    w.value = test::randomMatrix(out, in, rng);
    w.grad = test::randomMatrix(out, in, rng);  // garbage the bookkeeping knows nothing of
    for (Tensor* t : {&w.value, &w.grad, &b.value, &b.grad}) be.upload(*t);
    CountTensor counts(1, out);
    be.setZero(counts);
    Selection sel;
    const Tensor dy = onBackend(be, test::randomMatrix(batch, out, rng)), x = onBackend(be, test::randomMatrix(batch, in, rng));
    be.select(dy, BackpropMode::TopK, 2, rng, sel);
    be.linearSparseBackward(dy, sel, x, w, b, counts, nullptr);
    EXPECT_TRUE(w.gradDense);
    be.zeroGrad(w);
    EXPECT_FALSE(w.gradDense);
    EXPECT_EQ(host(be, w.grad), Matrix::Zero(out, in));
}

namespace {

enum class Kind { Sgd, AdaGrad, AdaGradInside, Adam, AdamLazy };

const char* kindName(Kind k)
{
    switch (k) {
    case Kind::Sgd: return "sgd";
    case Kind::AdaGrad: return "adagrad";
    case Kind::AdaGradInside: return "adagrad eps inside";
    case Kind::Adam: return "adam";
    case Kind::AdamLazy: return "adam lazy";
    }
    return "";
}

// Which rows of a 6-row weight get a gradient at each step (row 5 never; -1: a dense gradient).
const std::vector<std::vector<int>> kSteps = {{0}, {0, 1}, {-1}, {0, 2}, {0, 3, 4}, {3}};

}  // namespace

// Every update against optim/UpdateKernels on the host, with and without clipping and the fused
// clearing of the gradient, over row-sparse and dense gradients; lazy Adam with per-row steps.
TEST(CudaBackend, OptimizerUpdatesMatchTheCpuKernels)
{
    MEPROP_REQUIRE_GPU();
    cuda::CudaBackend be;
    const int rows = 6, cols = 45;
    const float lr = 0.05f, b1 = 0.9f, b2 = 0.999f, eps = 1e-6f;
    for (Kind kind : {Kind::Sgd, Kind::AdaGrad, Kind::AdaGradInside, Kind::Adam, Kind::AdamLazy})
        for (float clip : {0.0f, 0.5f})
            for (bool zero : {false, true}) {
                SCOPED_TRACE(std::string(kindName(kind)) + " clip=" + std::to_string(clip) + (zero ? " zeroGrad" : ""));
                const GradHandling gh{clip, zero};
                Rng rng(10);
                HostParam ref;
                ref.w = test::randomMatrix(rows, cols, rng);
                ref.g = Matrix::Zero(rows, cols);
                ref.m = ref.v = Matrix::Zero(rows, cols);
                ref.h = Matrix::Constant(rows, cols, 0.1f);
                ref.steps.assign(rows, 0);
                Parameter p("w", rows, cols);
                p.value = ref.w;
                be.upload(p.value);
                be.upload(p.grad);
                be.zeroGrad(p);
                Tensor m = onBackend(be, ref.m), v = onBackend(be, ref.v), h = onBackend(be, ref.h);
                StepTensor steps(StepTensor::Base::Zero(1, rows));
                long t = 0;
                for (const std::vector<int>& now : kSteps) {
                    const bool dense = now.front() < 0;
                    // New gradient entries up to 2 (so that clip 0.5 bites) in the rows that get one,
                    // added to what the last update left (nothing after a clearing update, the
                    // clipped values after a clipping one).
                    std::vector<int> updated;
                    for (int r = 0; r < rows; ++r)
                        if (dense || std::find(now.begin(), now.end(), r) != now.end()) {
                            ref.g.row(r) += test::randomMatrix(1, cols, rng, -2.0f, 2.0f);
                            updated.push_back(r);
                        }
                    p.grad = ref.g;
                    be.upload(p.grad);
                    if (dense) {
                        be.touchAll(p);
                    } else {
                        be.download(p.touched);  // what the backend marked so far (zero after a clearing update)
                        for (int r : now) p.touched(0, r) = 1;
                        be.upload(p.touched);
                        // Rows marked before (no clearing since) stay in the update, as on the CPU.
                        for (int r = 0; r < rows; ++r)
                            if (p.touched(0, r) && std::find(updated.begin(), updated.end(), r) == updated.end()) updated.push_back(r);
                    }
                    const bool allRows = dense || p.gradDense || kind == Kind::Adam;
                    if (allRows) {
                        updated.clear();
                        for (int r = 0; r < rows; ++r) updated.push_back(r);
                    }
                    ++t;
                    const AdamStep st = adamStep(lr, b1, b2, eps, t);
                    for (int r : updated) {
                        float* w = ref.w.row(r).data();
                        float* g = ref.g.row(r).data();
                        switch (kind) {
                        case Kind::Sgd: sgdUpdate(w, g, cols, lr, gh); break;
                        case Kind::AdaGrad: adagradUpdate(w, g, ref.h.row(r).data(), cols, lr, eps, false, gh); break;
                        case Kind::AdaGradInside: adagradUpdate(w, g, ref.h.row(r).data(), cols, lr, eps, true, gh); break;
                        case Kind::Adam: adamUpdate(w, g, ref.m.row(r).data(), ref.v.row(r).data(), cols, st, gh); break;
                        case Kind::AdamLazy: {
                            const long tr = ++ref.steps[static_cast<std::size_t>(r)];
                            adamUpdate(w, g, ref.m.row(r).data(), ref.v.row(r).data(), cols, adamStep(lr, b1, b2, eps, tr), gh);
                            break;
                        }
                        }
                    }
                    switch (kind) {
                    case Kind::Sgd: be.sgdUpdate(p, lr, gh); break;
                    case Kind::AdaGrad: be.adagradUpdate(p, h, lr, eps, false, gh); break;
                    case Kind::AdaGradInside: be.adagradUpdate(p, h, lr, eps, true, gh); break;
                    case Kind::Adam: be.adamUpdate(p, m, v, st, gh); break;
                    case Kind::AdamLazy: be.adamLazyUpdate(p, m, v, steps, lr, b1, b2, eps, gh); break;
                    }
                    EXPECT_LT(relDiff(host(be, p.value), ref.w), 1e-5);
                    EXPECT_LT(relDiff(host(be, p.grad), ref.g), 1e-6);  // cleared, clipped or left
                    if (kind == Kind::Adam || kind == Kind::AdamLazy) {
                        EXPECT_LT(relDiff(host(be, m), ref.m), 1e-5);
                        EXPECT_LT(relDiff(host(be, v), ref.v), 1e-5);
                    }
                    if (kind == Kind::AdaGrad || kind == Kind::AdaGradInside) {
                        EXPECT_LT(relDiff(host(be, h), ref.h), 1e-5);
                    }
                    if (zero) {
                        EXPECT_FALSE(p.gradDense);
                        be.download(p.touched);
                        EXPECT_EQ(p.touched.cast<int>().sum(), 0);
                    }
                    if (!zero && dense) {  // a dense gradient stays dense until cleared: clear it here
                        be.zeroGrad(p);
                        ref.g.setZero();
                    }
                }
                if (kind == Kind::AdamLazy) {
                    be.download(steps);
                    for (int r = 0; r < rows; ++r) EXPECT_EQ(steps(0, r), ref.steps[static_cast<std::size_t>(r)]) << "row " << r;
                    EXPECT_EQ(steps(0, 5), 1);  // row 5: only the dense step
                }
            }
}

// A NaN in a gradient is found by the selection's pass, reported at the next synchronize() or
// readScalar() (not before), naming the first layer in the order checkFinite was called.
TEST(CudaBackend, NonFiniteGradientsAreReportedAtSynchronize)
{
    MEPROP_REQUIRE_GPU();
    cuda::CudaBackend be;
    Rng rng(12);
    Matrix bad = test::randomMatrix(4, 20, rng);
    bad(2, 7) = std::numeric_limits<float>::quiet_NaN();
    Matrix inf = test::randomMatrix(4, 20, rng);
    inf(1, 3) = std::numeric_limits<float>::infinity();
    const Tensor good = onBackend(be, test::randomMatrix(4, 20, rng)), nanT = onBackend(be, bad), infT = onBackend(be, inf);
    for (BackpropMode mode : {BackpropMode::Dense, BackpropMode::TopK, BackpropMode::Unified, BackpropMode::Random}) {
        SCOPED_TRACE(toString(mode));
        Selection s1, s2, s3;
        be.select(good, mode, 3, rng, s1);
        be.select(infT, mode, 3, rng, s2);
        be.select(nanT, mode, 3, rng, s3);
        be.checkFinite(s1, "first");
        be.checkFinite(s3, "nan layer");  // checked before s2: reported first
        EXPECT_NO_THROW(be.checkFinite(s2, "inf layer"));
        try {
            be.synchronize();
            ADD_FAILURE() << "no NonFiniteGradient";
        } catch (const NonFiniteGradient& e) {
            EXPECT_EQ(e.layer(), "nan layer");
        }
        EXPECT_NO_THROW(be.synchronize());  // reported once
        EXPECT_THROW(be.checkFinite(s2, "late"), NonFiniteGradient);  // checked after its slot was read
    }
    // readScalar reads the flags too; a selection nobody checks stops nothing.
    Selection s;
    be.select(nanT, BackpropMode::TopK, 2, rng, s);
    // A loss of log 2 (two equal logits) to read.
    const Tensor zeros = onBackend(be, Matrix::Zero(1, 2));
    const IndexTensor label = indicesOnDevice(be, std::vector<int>{0}, true);
    ScalarTensor one;
    be.resize(one, 1, 1);
    be.softmaxCrossEntropy(zeros, label, 1.0f, LossSlot{&one, 0, false}, nullptr);
    EXPECT_NEAR(be.readScalar(one), std::log(2.0), 1e-6);
    be.beginStep(41);
    be.select(good, BackpropMode::TopK, 2, rng, s);
    be.checkFinite(s, "output");
    be.beginStep(42);  // the step a deferred report names: the one its check was queued in
    be.select(nanT, BackpropMode::TopK, 2, rng, s);
    be.checkFinite(s, "hidden1");
    be.beginStep(43);
    be.select(good, BackpropMode::TopK, 2, rng, s);
    be.checkFinite(s, "output");
    try {
        double v[1];
        be.readScalars(one, 1, v);
        ADD_FAILURE() << "no NonFiniteGradient";
    } catch (const NonFiniteGradient& e) {
        EXPECT_EQ(e.layer(), "hidden1");
        EXPECT_EQ(e.step(), 42);
    }
}
