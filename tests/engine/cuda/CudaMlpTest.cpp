#include "cuda/CudaMlp.h"

#include "CudaTestSupport.h"
#include "core/Error.h"
#include "cuda/Activation.cuh"
#include "layers/Linear.h"
#include "models/Mlp.h"
#include "optim/Optimizer.h"

#include <cmath>
#include <limits>

using namespace meprop;
using test::relDiff;

namespace {

// The CPU model of the image task (models/Mlp) with a CPU optimizer: one step as tasks/ImageTask.
class CpuModel {
public:
    CpuModel(const cuda::MlpSpec& g, Rng& rng) : m_mlp(cpuSpec(g), rng), m_opt(makeOptimizer(g.optimizer))
    {
        m_opt->attach(m_mlp.parameters());
    }
    static MlpSpec cpuSpec(const cuda::MlpSpec& g)
    {
        MlpSpec s;
        s.input = g.inputs;
        s.hidden = g.hidden.front();
        s.layers = static_cast<int>(g.hidden.size());
        s.classes = g.classes;
        s.dropout = g.dropout;
        s.mode = g.mode;
        s.k = g.k;
        s.kOutput = g.kOutput;
        return s;
    }
    double trainStep(const Matrix& x, const std::vector<int>& labels, Rng& rng)
    {
        m_mlp.forward(x, true, rng);
        const double loss = m_mlp.lossAndBackward(labels.data(), static_cast<long>(labels.size()), true, rng, nullptr);
        m_opt->step();
        m_mlp.zeroGrad();
        return loss;
    }
    const Linear& layer(int i) const { return m_mlp.layer(i); }

private:
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

}  // namespace

TEST(CudaMlp, StartsWithTheCpuModelsWeights)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    cuda::MlpSpec spec;
    spec.inputs = 30;
    spec.hidden = {20, 20};
    spec.classes = 4;
    Rng a(31), b(31);
    CpuModel cpu(spec, a);
    cuda::CudaMlp gpu(ctx, spec, b);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(gpu.layer(static_cast<std::size_t>(i)).downloadWeight(), cpu.layer(i).weight().value) << i;
    EXPECT_EQ(a.engine()(), b.engine()());  // both consumed the same draws
}

TEST(CudaMlp, TrainingStepsMatchCpu)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    const std::vector<MlpCase> cases = {
        {BackpropMode::Dense, 0, "adam", 0, false},    {BackpropMode::TopK, 6, "adam", 0, false},
        {BackpropMode::TopK, 6, "adam", 2, true},       {BackpropMode::Unified, 8, "adam", 0, false},
        {BackpropMode::Unified, 8, "adagrad", 3, false}, {BackpropMode::Random, 5, "sgd", 2, false},
        {BackpropMode::Random, 5, "adam", 0, true},
    };
    const int batch = 24, inputs = 40, classes = 5;
    for (const MlpCase& c : cases) {
        SCOPED_TRACE(std::string(toString(c.mode)) + " " + c.optimizer + " k_output=" + std::to_string(c.kOutput) +
                     (c.lazy ? " lazy" : ""));
        cuda::MlpSpec spec;
        spec.inputs = inputs;
        spec.hidden = {32, 32};
        spec.classes = classes;
        spec.mode = c.mode;
        spec.k = c.k;
        spec.kOutput = c.kOutput;
        spec.optimizer.kind = c.optimizer;
        spec.optimizer.lr = c.optimizer == "adam" ? 1e-3f : 0.05f;
        spec.optimizer.touchedRowsOnly = c.lazy;
        Rng cpuRng(41), gpuRng(41), dataRng(42);
        CpuModel cpu(spec, cpuRng);
        cuda::CudaMlp gpu(ctx, spec, gpuRng);
        cuda::DeviceBuffer<int> yd;
        for (int step = 0; step < 4; ++step) {
            const Matrix x = test::randomMatrix(batch, inputs, dataRng, 0.0f, 1.0f);
            std::vector<int> y(batch);
            for (int& v : y) v = static_cast<int>(dataRng.below(classes));
            const double cpuLoss = cpu.trainStep(x, y, cpuRng);
            auto xd = test::toDevice(x, ctx);
            yd.upload(y, ctx.stream());
            Timings t;
            const double gpuLoss = gpu.trainStep(xd.data(), yd.data(), batch, gpuRng, &t);
            EXPECT_NEAR(gpuLoss, cpuLoss, 1e-5 * (1.0 + std::fabs(cpuLoss))) << "step " << step;
            EXPECT_GT(t.bpOverall, 0.0);
            EXPECT_GE(t.bpOverall, t.bpLinear * 0.99);
        }
        for (int i = 0; i < 3; ++i) {
            const cuda::CudaLinear& g = gpu.layer(static_cast<std::size_t>(i));
            EXPECT_LT(relDiff(g.downloadWeight(), cpu.layer(i).weight().value), 1e-4) << "layer " << i;
            EXPECT_LT(relDiff(g.downloadBias(), cpu.layer(i).bias().value), 1e-4) << "layer " << i;
            EXPECT_EQ(g.updateCounts(), cpu.layer(i).updateCounts()) << "layer " << i;
        }
    }
}

TEST(CudaMlp, LearnsASeparableProblemWithDropout)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    cuda::MlpSpec spec;
    spec.inputs = 20;
    spec.hidden = {64};
    spec.classes = 2;
    spec.dropout = 0.1f;
    spec.mode = BackpropMode::Unified;
    spec.k = 16;
    spec.optimizer.lr = 1e-2f;
    Rng rng(51);
    cuda::CudaMlp mlp(ctx, spec, rng);
    // Label: is the sum of the first half larger than the sum of the second.
    const int n = 256;
    Matrix x = test::randomMatrix(n, 20, rng, 0.0f, 1.0f);
    std::vector<int> y(n);
    for (int b = 0; b < n; ++b) y[static_cast<std::size_t>(b)] = x.row(b).head(10).sum() > x.row(b).tail(10).sum() ? 1 : 0;
    auto xd = test::toDevice(x, ctx);
    cuda::DeviceBuffer<int> yd;
    yd.upload(y, ctx.stream());
    double first = 0.0, last = 0.0;
    for (int step = 0; step < 300; ++step) {
        last = mlp.trainStep(xd.data(), yd.data(), n, rng);
        if (step == 0) first = last;
        ASSERT_TRUE(std::isfinite(last));
    }
    EXPECT_LT(last, 0.5 * first);
    EXPECT_GT(mlp.countCorrect(xd.data(), yd.data(), n), static_cast<long>(0.9 * n));
}

TEST(CudaActivation, DropoutDropsAboutPAndScalesTheRest)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    const int batch = 100, n = 1000;
    const Matrix ones = Matrix::Ones(batch, n);
    auto h = test::toDevice(ones, ctx);
    cuda::DeviceBuffer<float> bias(n);
    bias.zero(ctx.stream());
    cuda::biasReluDropout(h.data(), batch, n, bias.data(), 0.25f, 7, ctx.stream());
    const Matrix out = test::toHost(h, batch, n, ctx);
    long zeros = 0;
    for (Eigen::Index i = 0; i < out.size(); ++i) {
        const float v = out.data()[i];
        if (v == 0.0f)
            ++zeros;
        else
            EXPECT_FLOAT_EQ(v, 1.0f / 0.75f);
    }
    EXPECT_NEAR(static_cast<double>(zeros) / out.size(), 0.25, 0.01);
    // Backward passes the gradient exactly where the output is positive, scaled the same way.
    auto g = test::toDevice(Matrix::Ones(batch, n), ctx);
    cuda::reluDropoutBackward(h.data(), g.data(), static_cast<std::size_t>(batch) * n, 0.25f, ctx.stream());
    const Matrix dg = test::toHost(g, batch, n, ctx);
    for (Eigen::Index i = 0; i < out.size(); ++i) {
        EXPECT_EQ(dg.data()[i], out.data()[i] > 0.0f ? 1.0f / 0.75f : 0.0f);
    }
}

TEST(CudaMlp, BadSettingsThrowConfigError)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    Rng rng(61);
    cuda::MlpSpec spec;
    spec.inputs = 10;
    spec.hidden = {8};
    spec.mode = BackpropMode::TopK;
    spec.k = 9;
    EXPECT_THROW(cuda::CudaMlp(ctx, spec, rng), ConfigError);
    spec.k = 4;
    spec.kOutput = 11;  // > classes
    EXPECT_THROW(cuda::CudaMlp(ctx, spec, rng), ConfigError);
    spec.kOutput = 0;
    spec.dropout = 1.0f;
    EXPECT_THROW(cuda::CudaMlp(ctx, spec, rng), ConfigError);
    spec.dropout = 0.0f;
    spec.optimizer.kind = "rmsprop";
    EXPECT_THROW(cuda::CudaMlp(ctx, spec, rng), ConfigError);
}

// A NaN in the data reaches the logits, the loss and the output gradient: the step throws
// NonFiniteGradient naming the output layer, in every mode, as the CPU model does (issue 10).
TEST(CudaMlp, NonFiniteGradientStopsTheStepInEveryMode)
{
    MEPROP_REQUIRE_GPU();
    cuda::Context ctx;
    const int batch = 6, inputs = 12;
    for (BackpropMode mode : {BackpropMode::Dense, BackpropMode::TopK, BackpropMode::Unified, BackpropMode::Random}) {
        cuda::MlpSpec spec;
        spec.inputs = inputs;
        spec.hidden = {16, 16};
        spec.classes = 4;
        spec.mode = mode;
        spec.k = 3;
        spec.kOutput = 2;
        Rng rng(71);
        cuda::CudaMlp gpu(ctx, spec, rng);
        Matrix x = test::randomMatrix(batch, inputs, rng, 0.0f, 1.0f);
        const std::vector<int> y{0, 1, 2, 3, 0, 1};
        cuda::DeviceBuffer<int> yd;
        yd.upload(y, ctx.stream());
        auto clean = test::toDevice(x, ctx);
        EXPECT_NO_THROW(gpu.trainStep(clean.data(), yd.data(), batch, rng)) << toString(mode);
        x(2, 5) = std::numeric_limits<float>::quiet_NaN();
        auto bad = test::toDevice(x, ctx);
        try {
            gpu.trainStep(bad.data(), yd.data(), batch, rng);
            ADD_FAILURE() << toString(mode) << ": no error";
        } catch (const NonFiniteGradient& e) {
            EXPECT_EQ(e.layer(), "output") << toString(mode);
        }
    }
}
