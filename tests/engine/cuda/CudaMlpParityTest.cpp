// The one image model (models/Mlp with optim/ optimizers) on the GPU backend against the same
// model on the CPU backend: the same initial weights from the same seed, and training steps that
// match in every backprop mode with Adam, AdaGrad and SGD (no dropout: the two devices draw
// different dropout masks by design, backend/Backend.h). Ported from the tests of the deleted GPU
// twin (CudaMlp, commit a17703b). Skipped without a device.
#include "models/Mlp.h"

#include "ParitySupport.h"
#include "core/Error.h"
#include "optim/Optimizer.h"

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

using namespace meprop;
using test::host;
using test::onBackend;
using test::relDiff;

namespace {

// A model with its optimizer on one backend: one training step as tasks/ImageTask takes it.
class Model {
public:
    Model(const MlpSpec& spec, const OptimizerSettings& o, Rng& rng, Backend& be)
        : m_be(&be), m_mlp(spec, rng, be), m_opt(makeOptimizer(o, be))
    {
        m_opt->attach(m_mlp.parameters());
    }
    double trainStep(const Matrix& x, const std::vector<int>& labels, Rng& rng, Timings* t = nullptr)
    {
        const Tensor xt = onBackend(*m_be, x);
        m_mlp.forward(xt, true, rng);
        const double loss = m_mlp.lossAndBackward(labels.data(), static_cast<long>(labels.size()), true, rng, t);
        m_opt->stepAndZeroGrad();
        return loss;
    }
    Mlp& mlp() { return m_mlp; }
    // The value of parameter i (Mlp::parameters order: weight, bias of each layer).
    Matrix value(int i) { return host(*m_be, m_mlp.parameters()[static_cast<std::size_t>(i)]->value); }

private:
    Backend* m_be;
    Mlp m_mlp;
    std::unique_ptr<Optimizer> m_opt;
};

struct MlpCase {
    BackpropMode mode;
    int k;
    std::string optimizer;
    int kOutput;
    bool lazy;
};

MlpSpec smallSpec(int inputs, int hidden, int layers, int classes)
{
    MlpSpec s;
    s.input = inputs;
    s.hidden = hidden;
    s.layers = layers;
    s.classes = classes;
    return s;
}

}  // namespace

TEST(CudaMlpParity, StartsWithTheCpuModelsWeights)
{
    MEPROP_REQUIRE_GPU();
    const auto gpu = test::gpuBackend();
    const MlpSpec spec = smallSpec(30, 20, 2, 4);
    Rng a(31), b(31);
    Mlp cpu(spec, a);
    Mlp dev(spec, b, *gpu);
    ASSERT_EQ(dev.layerCount(), 3);
    const std::vector<Parameter*> pc = cpu.parameters(), pg = dev.parameters();
    ASSERT_EQ(pg.size(), pc.size());
    for (std::size_t i = 0; i < pc.size(); ++i) {
        EXPECT_EQ(pg[i]->name, pc[i]->name);
        EXPECT_EQ(host(*gpu, pg[i]->value), Matrix(pc[i]->value)) << pc[i]->name;
    }
    EXPECT_EQ(a.engine()(), b.engine()());  // both consumed the same draws
}

// Four steps of every mode with each optimizer (and lazy Adam, a sparse output layer): the losses
// per step, the weights and biases after them and the per-row update counts equal the CPU's.
TEST(CudaMlpParity, TrainingStepsMatchCpu)
{
    MEPROP_REQUIRE_GPU();
    const auto gpu = test::gpuBackend();
    const std::vector<MlpCase> cases = {
        {BackpropMode::Dense, 0, "adam", 0, false},      {BackpropMode::TopK, 6, "adam", 0, false},
        {BackpropMode::TopK, 6, "adam", 2, true},        {BackpropMode::Unified, 8, "adam", 0, false},
        {BackpropMode::Unified, 8, "adagrad", 3, false}, {BackpropMode::Random, 5, "sgd", 2, false},
        {BackpropMode::Random, 5, "adam", 0, true},      {BackpropMode::Dense, 0, "sgd", 0, false},
    };
    const int batch = 24, inputs = 40, classes = 5;
    for (const MlpCase& c : cases) {
        SCOPED_TRACE(std::string(toString(c.mode)) + " " + c.optimizer + " k_output=" + std::to_string(c.kOutput) + (c.lazy ? " lazy" : ""));
        MlpSpec spec = smallSpec(inputs, 32, 2, classes);
        spec.mode = c.mode;
        spec.k = c.k;
        spec.kOutput = c.kOutput;
        OptimizerSettings o;
        o.kind = c.optimizer;
        o.lr = c.optimizer == "adam" ? 1e-3f : 0.05f;
        o.touchedRowsOnly = c.lazy;
        Rng cpuRng(41), gpuRng(41), dataRng(42);
        Model cpu(spec, o, cpuRng, cpuBackend());
        Model dev(spec, o, gpuRng, *gpu);
        for (int step = 0; step < 4; ++step) {
            const Matrix x = test::randomMatrix(batch, inputs, dataRng, 0.0f, 1.0f);
            std::vector<int> y(batch);
            for (int& v : y) v = static_cast<int>(dataRng.below(classes));
            const double cpuLoss = cpu.trainStep(x, y, cpuRng);
            Timings t;
            const double gpuLoss = dev.trainStep(x, y, gpuRng, &t);
            EXPECT_NEAR(gpuLoss, cpuLoss, 1e-5 * (1.0 + std::fabs(cpuLoss))) << "step " << step;
            EXPECT_GT(t.bpOverall, 0.0);
            EXPECT_GE(t.bpOverall, t.bpLinear * 0.99);
        }
        for (int i = 0; i < 3; ++i) {
            EXPECT_LT(relDiff(dev.value(2 * i), cpu.value(2 * i)), 1e-4) << "weight of layer " << i;
            EXPECT_LT(relDiff(dev.value(2 * i + 1), cpu.value(2 * i + 1)), 1e-4) << "bias of layer " << i;
            EXPECT_EQ(dev.mlp().layer(i).updateCounts(), cpu.mlp().layer(i).updateCounts()) << "layer " << i;
        }
        EXPECT_EQ(dev.mlp().backpropRatio(), cpu.mlp().backpropRatio());
        const std::vector<LayerSelection> sc = cpu.mlp().selection(), sg = dev.mlp().selection();
        ASSERT_EQ(sg.size(), sc.size());
        for (std::size_t i = 0; i < sc.size(); ++i) {
            EXPECT_EQ(sg[i].name, sc[i].name);
            EXPECT_EQ(sg[i].rows, sc[i].rows) << sc[i].name;
            EXPECT_EQ(sg[i].counts, sc[i].counts) << sc[i].name;
        }
        EXPECT_EQ(cpuRng.engine()(), gpuRng.engine()());  // random: the same draws on both
    }
}

// With GPU dropout (its own masks) and unified meProp the model still learns an easy problem.
TEST(CudaMlpParity, LearnsASeparableProblemWithDropout)
{
    MEPROP_REQUIRE_GPU();
    const auto gpu = test::gpuBackend();
    MlpSpec spec = smallSpec(20, 64, 1, 2);
    spec.dropout = 0.1f;
    spec.mode = BackpropMode::Unified;
    spec.k = 16;
    OptimizerSettings o;
    o.lr = 1e-2f;
    Rng rng(51);
    Model model(spec, o, rng, *gpu);
    // Label: is the sum of the first half larger than the sum of the second.
    const int n = 256;
    const Matrix x = test::randomMatrix(n, 20, rng, 0.0f, 1.0f);
    std::vector<int> y(n);
    for (int b = 0; b < n; ++b) y[static_cast<std::size_t>(b)] = x.row(b).head(10).sum() > x.row(b).tail(10).sum() ? 1 : 0;
    double first = 0.0, last = 0.0;
    for (int step = 0; step < 300; ++step) {
        last = model.trainStep(x, y, rng);
        if (step == 0) first = last;
        ASSERT_TRUE(std::isfinite(last));
    }
    EXPECT_LT(last, 0.5 * first);
    const Tensor xt = onBackend(*gpu, x);
    const IndexTensor labels = test::labelsOn(*gpu, y);
    EXPECT_GT(gpu->countCorrect(model.mlp().forward(xt, false, rng), labels, 0), static_cast<long>(0.9 * n));
}

// The same ConfigErrors on both devices: k or k_output outside the layer widths, no hidden layer,
// an unknown optimizer or a bad learning rate or clip, and a dropout rate of 1 (at the first
// training forward, where the rate is used).
TEST(CudaMlpParity, BadSettingsThrowConfigErrorOnBothDevices)
{
    MEPROP_REQUIRE_GPU();
    const auto gpu = test::gpuBackend();
    for (Backend* be : {&cpuBackend(), gpu.get()}) {
        SCOPED_TRACE(be->name());
        Rng rng(61);
        MlpSpec spec = smallSpec(10, 8, 1, 10);
        spec.mode = BackpropMode::TopK;
        spec.k = 9;
        EXPECT_THROW(Mlp(spec, rng, *be), ConfigError);
        spec.k = 0;
        EXPECT_THROW(Mlp(spec, rng, *be), ConfigError);
        spec.k = 4;
        spec.kOutput = 11;  // > classes
        EXPECT_THROW(Mlp(spec, rng, *be), ConfigError);
        spec.kOutput = -1;
        EXPECT_THROW(Mlp(spec, rng, *be), ConfigError);
        spec.kOutput = 0;
        spec.layers = 0;
        EXPECT_THROW(Mlp(spec, rng, *be), ConfigError);
        spec.layers = 1;
        OptimizerSettings o;
        o.kind = "rmsprop";
        EXPECT_THROW(makeOptimizer(o, *be), ConfigError);
        o.kind = "adam";
        o.lr = 0.0f;
        EXPECT_THROW(makeOptimizer(o, *be), ConfigError);
        o.lr = 0.01f;
        o.clip = -1.0f;
        EXPECT_THROW(makeOptimizer(o, *be), ConfigError);

        spec.dropout = 1.0f;
        Mlp mlp(spec, rng, *be);
        const Tensor x = onBackend(*be, test::randomMatrix(3, 10, rng));
        EXPECT_NO_THROW(mlp.forward(x, false, rng));  // evaluation does not drop
        EXPECT_THROW(mlp.forward(x, true, rng), ConfigError);
    }
}

// A NaN in the data reaches the logits, the loss and the output gradient: the step throws
// NonFiniteGradient naming the output layer, in every mode, on both devices (the GPU at the
// loss's readScalar, which ends lossAndBackward).
TEST(CudaMlpParity, NonFiniteGradientStopsTheStepInEveryMode)
{
    MEPROP_REQUIRE_GPU();
    const auto gpu = test::gpuBackend();
    const int batch = 6, inputs = 12;
    for (Backend* be : {&cpuBackend(), gpu.get()})
        for (BackpropMode mode : {BackpropMode::Dense, BackpropMode::TopK, BackpropMode::Unified, BackpropMode::Random}) {
            SCOPED_TRACE(be->name() + " " + toString(mode));
            MlpSpec spec = smallSpec(inputs, 16, 2, 4);
            spec.mode = mode;
            spec.k = 3;
            spec.kOutput = 2;
            OptimizerSettings o;
            Rng rng(71);
            Model model(spec, o, rng, *be);
            Matrix x = test::randomMatrix(batch, inputs, rng, 0.0f, 1.0f);
            const std::vector<int> y{0, 1, 2, 3, 0, 1};
            EXPECT_NO_THROW(model.trainStep(x, y, rng));
            x(2, 5) = std::numeric_limits<float>::quiet_NaN();
            try {
                model.trainStep(x, y, rng);
                ADD_FAILURE() << "no error";
            } catch (const NonFiniteGradient& e) {
                EXPECT_EQ(e.layer(), "output");
            }
            EXPECT_NO_THROW(be->synchronize());  // reported once
        }
}
