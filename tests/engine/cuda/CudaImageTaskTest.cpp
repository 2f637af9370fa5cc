#include "cuda/CudaImageTask.h"

#include "CudaTestSupport.h"
#include "core/Error.h"
#include "tasks/ImageTask.h"
#include "train/Config.h"

using namespace meprop;

namespace {

ImageSet randomSet(long count, int features, Rng& rng)
{
    ImageSet s;
    s.rows = 4;
    s.cols = features / 4;
    s.images = test::randomMatrix(static_cast<int>(count), features, rng, 0.0f, 1.0f);
    s.labels.resize(static_cast<std::size_t>(count));
    // Learnable labels: the brightest of the first 4 pixels.
    for (long i = 0; i < count; ++i) {
        Eigen::Index best;
        s.images.row(i).head(4).maxCoeff(&best);
        s.labels[static_cast<std::size_t>(i)] = static_cast<int>(best);
    }
    return s;
}

MnistData randomData()
{
    Rng rng(71);
    MnistData d;
    d.train = randomSet(240, 32, rng);
    d.dev = randomSet(60, 32, rng);
    d.test = randomSet(60, 32, rng);
    return d;
}

Config smallConfig(const std::string& mode)
{
    Config c;
    c.set("hidden", 40);
    c.set("layers", 2);
    c.set("mode", mode);
    c.set("k", 8);
    c.set("batch", 20);
    c.set("device", "cuda");
    return c;
}

}  // namespace

// The GPU task against the CPU task on the same config, data and seed: same shuffles, losses per
// batch up to rounding, same accuracies, same layer reports and selection bookkeeping.
TEST(CudaImageTask, EpochMatchesTheCpuTask)
{
    MEPROP_REQUIRE_GPU();
    const MnistData data = randomData();
    for (const std::string mode : {"dense", "topk", "unified", "random"}) {
        SCOPED_TRACE(mode);
        const Config config = smallConfig(mode);
        Rng cpuRng(3), gpuRng(3);
        ImageTask cpu(config, data, cpuRng);
        cuda::CudaImageTask gpu(config, data, gpuRng);
        ASSERT_EQ(gpu.trainSize(), cpu.trainSize());
        for (int epoch = 0; epoch < 2; ++epoch) {
            cpu.beginEpoch(cpuRng);
            gpu.beginEpoch(gpuRng);
            for (long b = 0; b < cpu.trainSize(); b += 20) {
                Timings tc, tg;
                const double lc = cpu.trainBatch(b, b + 20, tc);
                const double lg = gpu.trainBatch(b, b + 20, tg);
                ASSERT_NEAR(lg, lc, 1e-4 * (1.0 + std::fabs(lc))) << "epoch " << epoch << " batch " << b;
                EXPECT_GT(tg.bpOverall, 0.0);
            }
        }
        for (Split s : {Split::Train, Split::Dev, Split::Test}) EXPECT_NEAR(gpu.evaluate(s).metric, cpu.evaluate(s).metric, 100.0 / 60);
        const auto lc = cpu.layers(), lg = gpu.layers();
        ASSERT_EQ(lg.size(), lc.size());
        for (std::size_t i = 0; i < lc.size(); ++i) {
            EXPECT_EQ(lg[i].name, lc[i].name);
            EXPECT_EQ(lg[i].width, lc[i].width);
            EXPECT_EQ(lg[i].k, lc[i].k);
        }
        EXPECT_EQ(gpu.backpropRatio(), cpu.backpropRatio());
        const auto sc = cpu.selection(), sg = gpu.selection();
        ASSERT_EQ(sg.size(), sc.size());
        for (std::size_t i = 0; i < sc.size(); ++i) {
            EXPECT_EQ(sg[i].rows, sc[i].rows) << sc[i].name;
            EXPECT_EQ(sg[i].counts, sc[i].counts) << sc[i].name;
        }
    }
}

TEST(CudaImageTask, LearnsTheTinyProblem)
{
    MEPROP_REQUIRE_GPU();
    const MnistData data = randomData();
    Rng rng(4);
    Config config = smallConfig("unified");
    config.set("lr", 0.01);
    // The CPU task on this data and config goes from 10.8% to 98.3% training accuracy.
    cuda::CudaImageTask task(config, data, rng);
    const double before = task.evaluate(Split::Train).metric;
    for (int epoch = 0; epoch < 30; ++epoch) {
        task.beginEpoch(rng);
        Timings t;
        for (long b = 0; b < task.trainSize(); b += 20) task.trainBatch(b, b + 20, t);
    }
    EXPECT_GT(task.evaluate(Split::Train).metric, std::max(60.0, before + 20.0));
}

TEST(CudaImageTask, RejectsBadBatchesAndData)
{
    MEPROP_REQUIRE_GPU();
    MnistData data = randomData();
    Rng rng(5);
    cuda::CudaImageTask task(smallConfig("topk"), data, rng);
    Timings t;
    EXPECT_THROW(task.trainBatch(-1, 5, t), ShapeError);
    EXPECT_THROW(task.trainBatch(230, 250, t), ShapeError);
    EXPECT_THROW(task.trainBatch(5, 5, t), ShapeError);
    data.train = ImageSet{};
    EXPECT_THROW(cuda::CudaImageTask(smallConfig("topk"), data, rng), DatasetError);
}

// The GPU kernels implement the default training details only: every other value is a
// ConfigError naming the key (checked before any device is touched, so this runs without a GPU).
TEST(CudaImageTask, RejectsTrainingDetailsItDoesNotImplement)
{
    const std::pair<const char*, nlohmann::json> unsupported[] = {
        {"loss_reduction", "sum"}, {"grad_clip", 5.0}, {"bias_grad", "dense"}, {"bias_grad", "sparse"}, {"adagrad_eps", "inside"}};
    for (const auto& [key, value] : unsupported) {
        Config c = smallConfig("topk");
        c.set(key, value);
        try {
            cuda::CudaImageTask::specFromConfig(c);
            ADD_FAILURE() << key << " accepted";
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find(std::string("key \"") + key + "\": device cuda supports only"), std::string::npos)
                << e.what();
        }
    }
    Config c = smallConfig("topk");
    c.set("init", "authors-normal");  // done on the host: supported
    c.set("evals_per_epoch", 8);      // the trainer's: supported
    EXPECT_EQ(cuda::CudaImageTask::specFromConfig(c).mlp.init, Init::AuthorsNormal);
}

// Checkpoint save/load through host copies (the trainer's resume on the GPU): the weights come back
// exactly, and a task loaded from a checkpoint trains on as the saved one does (up to the float
// atomics of the sparse kernels, hence a tolerance on the losses).
TEST(CudaImageTask, CheckpointRoundTripContinuesTheRun)
{
    MEPROP_REQUIRE_GPU();
    const MnistData data = randomData();
    for (const std::string mode : {"dense", "topk", "random"}) {
        SCOPED_TRACE(mode);
        Config config = smallConfig(mode);
        config.set("optimizer", "adam");
        config.set("dropout", 0.2);
        Rng rngA(3), rngB(4);
        cuda::CudaImageTask a(config, data, rngA);
        cuda::CudaImageTask b(config, data, rngB);
        a.beginEpoch(rngA);
        Timings t;
        for (long i = 0; i < a.trainSize(); i += 20) a.trainBatch(i, i + 20, t);
        CheckpointWriter w;
        a.save(w);
        const std::string bytes = w.take();
        CheckpointReader r(bytes, "gpu checkpoint");
        b.load(r);
        EXPECT_TRUE(r.atEnd());
        rngB.setState(rngA.state());  // the trainer saves and restores the run's Rng
        for (std::size_t l = 0; l < a.model().layerCount(); ++l) {
            EXPECT_TRUE(a.model().layer(l).downloadWeight() == b.model().layer(l).downloadWeight()) << "layer " << l;
            EXPECT_EQ(a.model().layer(l).updateCounts(), b.model().layer(l).updateCounts()) << "layer " << l;
        }
        a.beginEpoch(rngA);
        b.beginEpoch(rngB);
        for (long i = 0; i < a.trainSize(); i += 20) {
            Timings ta, tb;
            const double la = a.trainBatch(i, i + 20, ta), lb = b.trainBatch(i, i + 20, tb);
            ASSERT_NEAR(lb, la, 1e-5 * (1.0 + std::fabs(la))) << "batch " << i;
        }
        // A CPU task's checkpoint has the same layout behind its own section name: refused clearly.
        Config cpuConfig = config;
        cpuConfig.set("device", "cpu");
        Rng rngC(3);
        ImageTask cpu(cpuConfig, data, rngC);
        CheckpointWriter wc;
        cpu.save(wc);
        const std::string cpuBytes = wc.take();
        CheckpointReader rc(cpuBytes, "cpu checkpoint");
        EXPECT_THROW(b.load(rc), CheckpointError);
    }
}
