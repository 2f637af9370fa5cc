// The LSTM operations of the GPU backend (lstmForward/lstmBackward, the embedding lookup and its
// scatter-add, the column copies) against the CPU backend: one Lstm / Embedding / BiLstmTagger
// built twice from the same seed, once on each backend, fed the same data. Skipped without a
// device (CudaTestSupport.h).
#include "ParitySupport.h"
#include "backend/Backend.h"
#include "core/Error.h"
#include "layers/Embedding.h"
#include "layers/Lstm.h"
#include "models/BiLstmTagger.h"
#include "optim/Optimizer.h"

#include <limits>
#include <ostream>
#include <memory>
#include <vector>

using namespace meprop;
using test::relDiff;

using test::host;
using test::onBackend;

namespace {

struct LstmCase {
    BackpropMode mode;
    bool reverse;
    int k;
    bool denseBias;
    // The sentence: T steps of `in` inputs, H hidden units.
    int T = 7, in = 5, H = 12;

    bool small() const { return T == 7 && in == 5 && H == 12; }
};

// gtest prints a parameter with PrintTo (the struct's padding bytes otherwise).
void PrintTo(const LstmCase& c, std::ostream* os)
{
    *os << toString(c.mode) << (c.reverse ? " reverse" : " forward") << " k=" << c.k << (c.denseBias ? " denseBias" : "") << " T=" << c.T
        << " in=" << c.in << " H=" << c.H;
}

std::string caseName(const testing::TestParamInfo<LstmCase>& info)
{
    const LstmCase& c = info.param;
    return toString(c.mode) + (c.reverse ? std::string("Rev") : std::string("Fwd")) + "_k" + std::to_string(c.k) +
           (c.denseBias ? "_denseBias" : "") +
           (c.small() ? std::string() : "_T" + std::to_string(c.T) + "_in" + std::to_string(c.in) + "_H" + std::to_string(c.H));
}

std::vector<int> allRows(int n)
{
    std::vector<int> rows(static_cast<std::size_t>(n));
    for (int r = 0; r < n; ++r) rows[static_cast<std::size_t>(r)] = r;
    return rows;
}

// The rows of m outside `rows` (ascending) are all zero.
bool zeroOutside(const Matrix& m, const std::vector<int>& rows)
{
    std::size_t next = 0;
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
        if (next < rows.size() && rows[next] == r) {
            ++next;
            continue;
        }
        if (m.row(r).cwiseAbs().maxCoeff() != 0.0f) return false;
    }
    return true;
}

class CudaLstm : public ::testing::TestWithParam<LstmCase> {};

}  // namespace

// Forward, then two backward passes (accumulating) of a 7-step sentence: h, dx, dW, dU, db, the
// kept rows of every step and the update counts agree with the CPU.
TEST_P(CudaLstm, ForwardAndBackwardMatchTheCpu)
{
    MEPROP_REQUIRE_GPU();
    const LstmCase c = GetParam();
    const std::shared_ptr<Backend> gpu = test::gpuBackend();
    const int T = c.T, in = c.in, H = c.H;
    Rng initCpu(3), initGpu(3);
    Lstm cpu(in, H, initCpu, c.reverse, "lstm", std::nullopt, cpuBackend());
    Lstm dev(in, H, initGpu, c.reverse, "lstm", std::nullopt, *gpu);
    Rng data(9);
    for (int pass = 0; pass < 2; ++pass) {
        const Matrix xm = test::randomMatrix(T, in, data), dhm = test::randomMatrix(T, H, data);
        Tensor xc(xm), hc, dxc, dhc(dhm);
        Tensor xg = onBackend(*gpu, xm), hg, dxg, dhg = onBackend(*gpu, dhm);
        cpu.forward(xc, hc);
        dev.forward(xg, hg);
        EXPECT_LT(relDiff(host(*gpu, hg), hc), 1e-5) << "h, pass " << pass;
        const BackwardSpec spec{c.mode, c.k, true, c.denseBias};
        Rng rc(21 + pass), rg(21 + pass);  // random mode: both draw the same indices
        cpu.backward(dhc, dxc, spec, rc);
        dev.backward(dhg, dxg, spec, rg);
        gpu->synchronize();
        EXPECT_LT(relDiff(host(*gpu, dxg), dxc), 1e-4) << "dx, pass " << pass;
        ASSERT_EQ(dev.keptPerStep(), cpu.keptPerStep());
        if (c.mode != BackpropMode::Dense) {
            for (int t = 0; t < T; ++t)
                EXPECT_TRUE(std::equal(cpu.stepRows(t), cpu.stepRows(t) + cpu.keptPerStep(), dev.stepRows(t))) << "step " << t;
        }
        EXPECT_EQ(dev.lastRows(), cpu.lastRows());
    }
    EXPECT_LT(relDiff(host(*gpu, dev.inputWeight().grad), cpu.inputWeight().grad), 1e-4);
    EXPECT_LT(relDiff(host(*gpu, dev.recurrentWeight().grad), cpu.recurrentWeight().grad), 1e-4);
    EXPECT_LT(relDiff(host(*gpu, dev.bias().grad), cpu.bias().grad), 1e-4);
    EXPECT_EQ(dev.updateCounts(), cpu.updateCounts());
    // Clearing leaves nothing behind (the touched rows cover every nonzero row).
    dev.zeroGrad();
    EXPECT_EQ(host(*gpu, dev.inputWeight().grad).cwiseAbs().maxCoeff(), 0.0f);
    EXPECT_EQ(host(*gpu, dev.recurrentWeight().grad).cwiseAbs().maxCoeff(), 0.0f);
    EXPECT_EQ(host(*gpu, dev.bias().grad).cwiseAbs().maxCoeff(), 0.0f);
}

// One backward pass after a clearing, on the CPU and twice on the GPU (two layers from the same
// seed, the same data): the GPU marks exactly the kept rows of W and U touched (the union over the
// steps, as the CPU's row lists; every row when dense), the other rows of dW and dU stay exactly
// zero, and the two GPU runs agree bit for bit (dx, dW, dU, db, the kept rows, the counts). A lazy
// Adam step (update=touched) then moves only those rows, as on the CPU, and clears the gradients.
TEST_P(CudaLstm, SparseGradientsTouchOnlyTheKeptRowsAndRepeatBitForBit)
{
    MEPROP_REQUIRE_GPU();
    const LstmCase c = GetParam();
    const std::shared_ptr<Backend> gpu = test::gpuBackend();
    const int T = c.T, in = c.in, H = c.H;
    Rng initCpu(13), initA(13), initB(13);
    Lstm cpu(in, H, initCpu, c.reverse, "lstm", std::nullopt, cpuBackend());
    Lstm devA(in, H, initA, c.reverse, "lstm", std::nullopt, *gpu);
    Lstm devB(in, H, initB, c.reverse, "lstm", std::nullopt, *gpu);
    Rng data(19);
    const Matrix xm = test::randomMatrix(T, in, data), dhm = test::randomMatrix(T, H, data);
    const BackwardSpec spec{c.mode, c.k, true, c.denseBias};
    Tensor xc(xm), hc, dxc, dhc(dhm);
    cpu.forward(xc, hc);
    Rng rc(31);
    cpu.backward(dhc, dxc, spec, rc);
    Matrix dx[2];
    Lstm* devs[2] = {&devA, &devB};
    for (int i = 0; i < 2; ++i) {
        Tensor xg = onBackend(*gpu, xm), hg, dxg, dhg = onBackend(*gpu, dhm);
        devs[i]->forward(xg, hg);
        Rng rg(31);
        devs[i]->backward(dhg, dxg, spec, rg);
        gpu->synchronize();
        dx[i] = host(*gpu, dxg);
    }
    const std::vector<int> kept = c.mode == BackpropMode::Dense ? allRows(4 * H) : cpu.lastRows();
    ASSERT_EQ(devA.lastRows(), cpu.lastRows());
    if (c.mode != BackpropMode::Dense && c.k < H && c.small()) {
        ASSERT_LT(kept.size(), static_cast<std::size_t>(4 * H));  // a real subset (the long sentences keep every row)
    }
    for (Parameter* p : {&devA.inputWeight(), &devA.recurrentWeight()}) {
        EXPECT_EQ(test::markedRows(*gpu, *p), kept) << p->name;
        EXPECT_TRUE(zeroOutside(host(*gpu, p->grad), kept)) << p->name;
    }
    EXPECT_EQ(test::markedRows(cpuBackend(), cpu.inputWeight()), kept);
    EXPECT_EQ(test::markedRows(cpuBackend(), cpu.recurrentWeight()), kept);
    EXPECT_EQ(test::markedRows(*gpu, devA.bias()), std::vector<int>{0});
    EXPECT_LT(relDiff(dx[0], dxc), 1e-4);
    EXPECT_LT(relDiff(host(*gpu, devA.inputWeight().grad), cpu.inputWeight().grad), 1e-4);
    EXPECT_LT(relDiff(host(*gpu, devA.recurrentWeight().grad), cpu.recurrentWeight().grad), 1e-4);
    EXPECT_LT(relDiff(host(*gpu, devA.bias().grad), cpu.bias().grad), 1e-4);
    // Run to run: bit for bit.
    EXPECT_EQ(dx[1], dx[0]);
    EXPECT_EQ(host(*gpu, devB.inputWeight().grad), host(*gpu, devA.inputWeight().grad));
    EXPECT_EQ(host(*gpu, devB.recurrentWeight().grad), host(*gpu, devA.recurrentWeight().grad));
    EXPECT_EQ(host(*gpu, devB.bias().grad), host(*gpu, devA.bias().grad));
    EXPECT_EQ(devB.updateCounts(), devA.updateCounts());
    EXPECT_EQ(devA.updateCounts(), cpu.updateCounts());
    if (c.mode != BackpropMode::Dense) {
        for (int t = 0; t < T; ++t)
            EXPECT_TRUE(std::equal(devA.stepRows(t), devA.stepRows(t) + devA.keptPerStep(), devB.stepRows(t))) << "step " << t;
    }

    // update=touched: a lazy Adam step moves the kept rows only, as on the CPU.
    const Matrix w0 = host(*gpu, devA.inputWeight().value), u0 = host(*gpu, devA.recurrentWeight().value);
    OptimizerSettings os;
    os.lr = 0.01f;
    os.touchedRowsOnly = true;
    auto optCpu = makeOptimizer(os, cpuBackend());
    auto optGpu = makeOptimizer(os, *gpu);
    optCpu->attach({&cpu.inputWeight(), &cpu.recurrentWeight(), &cpu.bias()});
    optGpu->attach({&devA.inputWeight(), &devA.recurrentWeight(), &devA.bias()});
    optCpu->stepAndZeroGrad();
    optGpu->stepAndZeroGrad();
    const Matrix w1 = host(*gpu, devA.inputWeight().value), u1 = host(*gpu, devA.recurrentWeight().value);
    EXPECT_LT(relDiff(w1, cpu.inputWeight().value), 1e-4);
    EXPECT_LT(relDiff(u1, cpu.recurrentWeight().value), 1e-4);
    EXPECT_LT(relDiff(host(*gpu, devA.bias().value), cpu.bias().value), 1e-4);
    EXPECT_TRUE(zeroOutside(w1 - w0, kept));
    EXPECT_TRUE(zeroOutside(u1 - u0, kept));
    for (Parameter* p : {&devA.inputWeight(), &devA.recurrentWeight(), &devA.bias()}) {
        EXPECT_TRUE(test::markedRows(*gpu, *p).empty()) << p->name;
        EXPECT_EQ(host(*gpu, p->grad).cwiseAbs().maxCoeff(), 0.0f) << p->name;
    }
}

// The small sentence in every mode; then long ones (T > 256: a row's steps fill more than one tile
// of the grouped kernels) with wide inputs (in > 256: several column chunks). The long top-k case
// keeps every row (k = H), so that no near-tie of rounded gate gradients can pick different rows on
// the two devices.
INSTANTIATE_TEST_SUITE_P(
    Modes, CudaLstm,
    ::testing::Values(LstmCase{BackpropMode::Dense, false, 0, false}, LstmCase{BackpropMode::Dense, true, 0, false},
                      LstmCase{BackpropMode::TopK, false, 3, false}, LstmCase{BackpropMode::TopK, true, 3, false},
                      LstmCase{BackpropMode::TopK, false, 12, false}, LstmCase{BackpropMode::TopK, true, 2, true},
                      LstmCase{BackpropMode::Random, false, 3, false}, LstmCase{BackpropMode::Random, true, 4, false},
                      LstmCase{BackpropMode::Unified, false, 3, false}, LstmCase{BackpropMode::Unified, true, 5, false},
                      LstmCase{BackpropMode::Unified, false, 2, true}, LstmCase{BackpropMode::Dense, true, 0, false, 300, 300, 6},
                      LstmCase{BackpropMode::TopK, false, 6, false, 300, 300, 6},
                      LstmCase{BackpropMode::Random, true, 5, false, 400, 300, 6},
                      LstmCase{BackpropMode::Random, false, 2, true, 300, 300, 6},
                      LstmCase{BackpropMode::Unified, false, 3, false, 300, 300, 6},
                      LstmCase{BackpropMode::Unified, true, 2, true, 300, 300, 6}),
    caseName);

// Random on a wider layer (H = 70: bitmaps of three words, blocks not aligned to them) over three
// backward passes: the device draws the CPU's rows of every (step, block) from one key per pass,
// and both leave the run's Rng at the same state (checkpoints resume alike on either device).
TEST(CudaLstmRandom, DeviceDrawsTheCpuRowsFromOneKeyPerBackward)
{
    MEPROP_REQUIRE_GPU();
    const std::shared_ptr<Backend> gpu = test::gpuBackend();
    for (bool reverse : {false, true}) {
        const int T = 9, in = 4, H = 70, k = 7;
        Rng initCpu(3), initGpu(3);
        Lstm cpu(in, H, initCpu, reverse, "lstm", std::nullopt, cpuBackend());
        Lstm dev(in, H, initGpu, reverse, "lstm", std::nullopt, *gpu);
        Rng data(10), rc(31), rg(31);
        for (int pass = 0; pass < 3; ++pass) {
            const Matrix xm = test::randomMatrix(T, in, data), dhm = test::randomMatrix(T, H, data);
            Tensor xc(xm), hc, dxc, dhc(dhm);
            Tensor xg = onBackend(*gpu, xm), hg, dxg, dhg = onBackend(*gpu, dhm);
            cpu.forward(xc, hc);
            dev.forward(xg, hg);
            const BackwardSpec spec{BackpropMode::Random, k, true};
            cpu.backward(dhc, dxc, spec, rc);
            dev.backward(dhg, dxg, spec, rg);
            gpu->synchronize();
            EXPECT_EQ(rg.state(), rc.state()) << "pass " << pass;
            ASSERT_EQ(dev.keptPerStep(), 4 * k);
            for (int t = 0; t < T; ++t)
                EXPECT_TRUE(std::equal(cpu.stepRows(t), cpu.stepRows(t) + 4 * k, dev.stepRows(t))) << "pass " << pass << " step " << t;
            EXPECT_LT(relDiff(host(*gpu, dxg), dxc), 1e-4) << "dx, pass " << pass;
        }
        EXPECT_EQ(dev.updateCounts(), cpu.updateCounts());
    }
}

// A NaN in dh reaches the gate gradients: reported at the next synchronisation, naming the layer
// and (on the GPU) the step beginStep numbered the backward with, not a later one.
TEST(CudaLstmChecks, NonFiniteGateGradientIsReportedAtSynchronize)
{
    MEPROP_REQUIRE_GPU();
    const std::shared_ptr<Backend> gpu = test::gpuBackend();
    for (BackpropMode mode : {BackpropMode::Dense, BackpropMode::TopK, BackpropMode::Unified, BackpropMode::Random}) {
        Rng rng(4);
        Lstm l(5, 6, rng, false, "lstm.fwd", std::nullopt, *gpu);
        Tensor x = onBackend(*gpu, test::randomMatrix(6, 5, rng)), h, dx;
        l.forward(x, h);
        Matrix dhm = test::randomMatrix(6, 6, rng);
        dhm(3, 1) = std::numeric_limits<float>::quiet_NaN();
        Tensor dh = onBackend(*gpu, dhm);
        gpu->beginStep(17);
        try {
            l.backward(dh, dx, {mode, 2, true}, rng);  // the CPU reports here
            gpu->beginStep(18);
            gpu->synchronize();  // the GPU here
            ADD_FAILURE() << toString(mode) << ": no error";
        } catch (const NonFiniteGradient& e) {
            EXPECT_EQ(e.layer(), "lstm.fwd");
            if (test::onGpu(*gpu)) {
                EXPECT_EQ(e.step(), 17) << toString(mode);
            }
        }
    }
}

// The scatter-add groups the positions by row: repeated ids sum in ascending position, the same
// float operations as the CPU, so the gradients are bit for bit the CPU's and the same run to run.
TEST(CudaEmbedding, LookupAndScatterAddMatchTheCpuBitForBit)
{
    MEPROP_REQUIRE_GPU();
    const std::shared_ptr<Backend> gpu = test::gpuBackend();
    Rng ra(5), rb(5), rc(5);
    Embedding cpu(11, 7, ra, "e", 0.1f, cpuBackend());
    Embedding g1(11, 7, rb, "e", 0.1f, *gpu);
    Embedding g2(11, 7, rc, "e", 0.1f, *gpu);
    const std::vector<int> ids{3, 0, 3, 10, 3, 7, 0, 3};
    Rng data(2);
    const Matrix dxm = test::randomMatrix(static_cast<int>(ids.size()), 12, data);
    Tensor xc(Matrix::Zero(static_cast<Eigen::Index>(ids.size()), 12)), xg, dxc(dxm);
    gpu->resize(xg, static_cast<Eigen::Index>(ids.size()), 12);
    gpu->setZero(xg);
    cpu.forward(ids, xc, 4);
    g1.forward(ids, xg, 4);
    EXPECT_EQ(host(*gpu, xg), static_cast<const Matrix&>(xc));
    Tensor dxg = onBackend(*gpu, dxm);
    for (int pass = 0; pass < 2; ++pass) {
        cpu.backward(ids, dxc, 4);
        g1.backward(ids, dxg, 4);
        g2.backward(ids, dxg, 4);
    }
    const Matrix a = host(*gpu, g1.table().grad), b = host(*gpu, g2.table().grad);
    EXPECT_EQ(a, b);
    EXPECT_EQ(a, static_cast<const Matrix&>(cpu.table().grad));
    EXPECT_GT(a.row(3).cwiseAbs().maxCoeff(), 0.0f);
    EXPECT_EQ(a.row(1).cwiseAbs().maxCoeff(), 0.0f);  // an id no position used
    g1.zeroGrad();
    EXPECT_EQ(host(*gpu, g1.table().grad).cwiseAbs().maxCoeff(), 0.0f);
}

TEST(CudaEmbedding, ColumnCopiesAndAccumulate)
{
    MEPROP_REQUIRE_GPU();
    const std::shared_ptr<Backend> gpu = test::gpuBackend();
    Rng rng(6);
    const Matrix a = test::randomMatrix(4, 3, rng), b = test::randomMatrix(4, 5, rng);
    Tensor ag = onBackend(*gpu, a), bg = onBackend(*gpu, b), cat, part;
    gpu->resize(cat, 4, 8);
    gpu->copyIntoColumns(ag, cat, 0);
    gpu->copyIntoColumns(bg, cat, 3);
    Matrix expected(4, 8);
    expected << a, b;
    EXPECT_EQ(host(*gpu, cat), expected);
    gpu->copyColumns(cat, 3, 5, part);
    EXPECT_EQ(host(*gpu, part), b);
    gpu->accumulate(bg, part);
    EXPECT_EQ(host(*gpu, part), Matrix(b + b));
}

// Three training steps of the tagger (no dropout) with Adam: the same parameters on both devices.
TEST(CudaTagger, TrainingStepsMatchTheCpu)
{
    MEPROP_REQUIRE_GPU();
    const std::shared_ptr<Backend> gpu = test::gpuBackend();
    TaggerShape shape;
    shape.words = 9;
    shape.features = {5, 6, 7, 6, 7, 4, 4};
    shape.tags = 5;
    shape.wordDim = 3;
    shape.featureDim = 2;
    shape.hidden = 8;
    for (BackpropMode mode : {BackpropMode::Dense, BackpropMode::TopK, BackpropMode::Unified}) {
        Rng ic(7), ig(7);
        BiLstmTagger cpu(shape, ic, cpuBackend());
        BiLstmTagger dev(shape, ig, *gpu);
        OptimizerSettings os;
        os.lr = 0.01f;
        auto optCpu = makeOptimizer(os, cpuBackend());
        auto optGpu = makeOptimizer(os, *gpu);
        optCpu->attach(cpu.parameters());
        optGpu->attach(dev.parameters());
        cpu.zeroGrad();
        dev.zeroGrad();
        const TaggerBackprop spec{{mode, mode == BackpropMode::Dense ? 0 : 3, true}, {BackpropMode::Dense, 0, true}};
        Rng data(8);
        for (int step = 0; step < 3; ++step) {
            TaggerSentence s;
            const int T = 4 + step;
            for (int t = 0; t < T; ++t) {
                s.words.push_back(static_cast<int>(data.below(9)));
                for (int f = 0; f < kTaggerFeatures; ++f)
                    s.features[static_cast<std::size_t>(f)].push_back(
                        static_cast<int>(data.below(static_cast<std::uint64_t>(shape.features[static_cast<std::size_t>(f)]))));
                s.tags.push_back(static_cast<int>(data.below(5)));
            }
            s.words[1] = s.words[0];
            Rng rc(1), rg(1);
            Tensor sc, dc, sg, dg;
            cpu.forward(s, sc, true, rc);
            dev.forward(s, sg, true, rg);
            gpu->download(sg);
            EXPECT_LT(relDiff(sg, sc), 1e-4) << toString(mode) << " step " << step;
            const double lc = BiLstmTagger::crossEntropy(sc, s.tags, 1.0f, dc);
            const double lg = BiLstmTagger::crossEntropy(sg, s.tags, 1.0f, dg);
            EXPECT_NEAR(lg, lc, 1e-4 * (1.0 + std::abs(lc)));
            gpu->upload(dg);
            cpu.backward(s, dc, spec, rc);
            dev.backward(s, dg, spec, rg);
            gpu->synchronize();
            optCpu->stepAndZeroGrad();
            optGpu->stepAndZeroGrad();
        }
        const std::vector<Parameter*> pc = cpu.parameters(), pg = dev.parameters();
        ASSERT_EQ(pc.size(), pg.size());
        for (std::size_t i = 0; i < pc.size(); ++i)
            EXPECT_LT(relDiff(host(*gpu, pg[i]->value), pc[i]->value), 1e-4) << toString(mode) << " " << pc[i]->name;
        // Evaluation runs on the downloaded weights.
        TaggerSentence probe;
        probe.words = {1, 2, 3};
        for (auto& f : probe.features) f = {0, 1, 0};
        EXPECT_EQ(dev.predictMany({&probe}), cpu.predictMany({&probe}));
        EXPECT_EQ(dev.predict(probe), cpu.predict(probe));
    }
}
