#include "train/Trainer.h"

#include "../TinyMnist.h"
#include "core/Error.h"
#include "tasks/LossLog.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace meprop;
namespace fs = std::filesystem;

namespace {

Config tinyConfig(const std::string& data, const std::string& mode)
{
    Config c;
    c.set("data", data);
    c.set("dev_size", 100);
    c.set("hidden", 32);
    c.set("k", 4);
    c.set("mode", mode);
    c.set("batch", 10);
    c.set("epochs", 3);
    c.set("lr", 0.01);
    return c;
}

struct Recorder : ProgressSink {
    int batches = 0, epochs = 0, selections = 0;
    long stopAfter = -1;
    RunInfo info;
    void onStart(const RunInfo& i) override { info = i; }
    void onBatch(const BatchProgress&) override { ++batches; }
    void onEpoch(const EpochResult&) override { ++epochs; }
    bool wantsSelection() override { return batches % 5 == 0; }
    void onSelection(long, const std::vector<LayerSelection>& s) override
    {
        ++selections;
        EXPECT_EQ(s.size(), 3u);
    }
    bool shouldStop() override { return stopAfter >= 0 && batches >= stopAfter; }
};

std::string readFile(const std::string& p)
{
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

}  // namespace

TEST(Trainer, ShortRunLearnsAndWritesOutputs)
{
    const std::string data = test::writeTinyMnistDir(test::tempDir("trainer-data"), 600, 200);
    const std::string out = test::tempDir("trainer-out") + "/run";
    for (const char* mode : {"dense", "topk", "unified", "random"}) {
        Recorder rec;
        Trainer trainer(tinyConfig(data, mode), &rec);
        const RunResult r = trainer.run(out, /*overwrite=*/true);
        EXPECT_EQ(rec.epochs, 3);
        EXPECT_EQ(rec.batches, 3 * 50);
        EXPECT_GT(rec.selections, 0);
        EXPECT_EQ(rec.info.layers.size(), 3u);
        ASSERT_EQ(r.epochs.size(), 3u);
        EXPECT_LT(r.epochs.back().trainLoss, r.epochs.front().trainLoss) << mode;
        EXPECT_GT(r.summary["test_metric"].get<double>(), 60.0) << mode;  // chance is 25 %
        const auto s = nlohmann::json::parse(readFile(out + "/summary.json"));
        for (const char* key : {"task", "mode", "k", "k_output", "hidden", "layers", "optimizer", "batch", "epochs", "best_epoch", "dev_metric",
                                "test_metric", "fp_s", "bp_linear_s", "bp_overall_s", "update_s", "train_s"})
            EXPECT_TRUE(s.contains(key)) << key;
        EXPECT_EQ(s["mode"], mode);
        const std::string csv = readFile(out + "/metrics.csv");
        EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
        EXPECT_EQ(nlohmann::json::parse(readFile(out + "/config.json"))["mode"], mode);
        if (std::string(mode) != "dense") {
            EXPECT_LT(s["backprop_ratio"].get<double>(), 1.0);
        }
    }
}

TEST(Trainer, SameSeedSameRun)
{
    const std::string data = test::writeTinyMnistDir(test::tempDir("trainer-seed"), 300, 50);
    Config c = tinyConfig(data, "random");
    c.set("epochs", 1);
    const RunResult a = Trainer(c).run("");
    const RunResult b = Trainer(c).run("");
    EXPECT_EQ(a.epochs[0].trainLoss, b.epochs[0].trainLoss);
    c.set("seed", 2);
    const RunResult d = Trainer(c).run("");
    EXPECT_NE(a.epochs[0].trainLoss, d.epochs[0].trainLoss);
}

TEST(Trainer, CancelledRunLeavesNoSummary)
{
    const std::string data = test::writeTinyMnistDir(test::tempDir("trainer-cancel"), 600, 100);
    const std::string out = test::tempDir("trainer-cancel-out") + "/run";
    Recorder rec;
    rec.stopAfter = 70;  // mid second epoch
    Trainer trainer(tinyConfig(data, "topk"), &rec);
    EXPECT_THROW(trainer.run(out), Cancelled);
    EXPECT_FALSE(fs::exists(out + "/summary.json"));
    EXPECT_TRUE(fs::exists(out + "/config.json"));
    const std::string csv = readFile(out + "/metrics.csv");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 2) << csv;  // header + epoch 1 only
}

TEST(Trainer, RefusesToClobberAFinishedRun)
{
    const std::string data = test::writeTinyMnistDir(test::tempDir("trainer-clobber"), 200, 50);
    const std::string out = test::tempDir("trainer-clobber-out");
    Config c = tinyConfig(data, "dense");
    c.set("epochs", 1);
    Trainer(c).run(out);
    const std::string before = readFile(out + "/summary.json");
    EXPECT_THROW(Trainer(c).run(out), IoError);
    EXPECT_EQ(readFile(out + "/summary.json"), before);
}

TEST(Trainer, BadDataAndBadKAreTypedErrors)
{
    Config c = tinyConfig("/nonexistent/folder", "topk");
    EXPECT_THROW(Trainer(c).run(""), DatasetError);
    const std::string data = test::writeTinyMnistDir(test::tempDir("trainer-badk"), 200, 50);
    c = tinyConfig(data, "topk");
    c.set("k", 33);
    EXPECT_THROW(Trainer(c).run(""), ConfigError);
    c.set("k", 4);
    c.set("k_output", 11);
    EXPECT_THROW(Trainer(c).run(""), ConfigError);
}

// A run whose weights blow up stops with NonFiniteGradient naming the layer and the step, the same
// error in every mode (issue 10). Before, the sparse modes selected among NaNs in an undefined
// order and the run went on until the loss check caught a NaN loss, with another message.
TEST(Trainer, DivergenceStopsWithNonFiniteGradientNamingLayerAndStep)
{
    // The parser with the cube activation, large embeddings and SGD at lr 10: the activations
    // overflow within a few steps (ReLU models at a huge lr mostly die instead).
    const std::string dir = MEPROP_TEST_DATA_DIR "/parse/";
    const std::string out = test::tempDir("trainer-nan-out") + "/run";
    for (const char* mode : {"dense", "topk", "unified", "random"}) {
        Config c;
        c.set("task", "parse");
        c.set("train_file", dir + "train.conllu");
        c.set("dev_file", dir + "dev.conllu");
        c.set("test_file", dir + "test.conllu");
        c.set("activation", "cube");
        c.set("embed_init", 3.0);
        c.set("optimizer", "sgd");
        c.set("lr", 10.0);
        c.set("hidden", 32);
        c.set("k", 4);
        c.set("mode", mode);
        c.set("batch", 10);
        c.set("epochs", 30);
        Recorder rec;
        try {
            Trainer(c, &rec).run(out, /*overwrite=*/true);
            ADD_FAILURE() << mode << ": the run did not diverge";
        } catch (const NonFiniteGradient& e) {
            EXPECT_EQ(e.step(), rec.batches + 1) << mode;  // the step after the last one reported
            EXPECT_FALSE(e.layer().empty());
            const std::string what = e.what();
            EXPECT_NE(what.find("non-finite gradient in layer " + e.layer() + " at step " + std::to_string(e.step())), std::string::npos)
                << what;
        }
        EXPECT_FALSE(fs::exists(out + "/summary.json")) << mode;
    }
}

namespace {

std::vector<std::vector<std::string>> csvRows(const std::string& text)
{
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> cells;
        std::istringstream l(line);
        for (std::string cell; std::getline(l, cell, ',');) cells.push_back(cell);
        rows.push_back(cells);
    }
    return rows;
}

}  // namespace

TEST(Trainer, EvaluationsPerEpochGiveOneRowEachAndTheBestDevAmongThem)
{
    // 500 training images (600 - 100 dev) in 3 chunks of 167, 167, 166 (the authors' partition), each
    // cut into minibatches of 10: 17 + 17 + 17 batches per epoch.
    const std::string data = test::writeTinyMnistDir(test::tempDir("trainer-evals"), 600, 200);
    const std::string out = test::tempDir("trainer-evals-out") + "/run";
    Config c = tinyConfig(data, "topk");
    c.set("evals_per_epoch", 3);
    c.set("epochs", 2);
    Recorder rec;
    const RunResult r = Trainer(c, &rec).run(out, true);
    EXPECT_EQ(rec.epochs, 6);
    EXPECT_EQ(rec.batches, 2 * 51);
    ASSERT_EQ(r.epochs.size(), 6u);
    const auto rows = csvRows(readFile(out + "/metrics.csv"));
    ASSERT_EQ(rows.size(), 7u);
    EXPECT_EQ(rows[0][0], "epoch");
    const std::vector<std::string> at = {"0.33333333", "0.66666667", "1", "1.3333333", "1.6666667", "2"};
    for (std::size_t i = 0; i < at.size(); ++i) {
        EXPECT_EQ(rows[i + 1][0], at[i]);
        EXPECT_EQ(r.epochs[i].epoch, static_cast<int>(i / 3 + 1));
        EXPECT_NEAR(r.epochs[i].at, static_cast<double>(i + 1) / 3.0, 1e-12);
        EXPECT_GT(r.epochs[i].trainLoss, 0.0);
    }
    // The best dev evaluation (the first of equals; here dev reaches 100 % mid-run and stays) and the
    // test score there.
    std::size_t best = 0;
    for (std::size_t i = 1; i < r.epochs.size(); ++i)
        if (r.epochs[i].devMetric > r.epochs[best].devMetric) best = i;
    ASSERT_NE(best, r.epochs.size() - 1) << "the test needs a run whose best dev is not the last evaluation";
    const auto s = nlohmann::json::parse(readFile(out + "/summary.json"));
    EXPECT_DOUBLE_EQ(s["dev_metric"].get<double>(), r.epochs[best].devMetric);
    EXPECT_DOUBLE_EQ(s["test_metric"].get<double>(), r.epochs[best].testMetric);
    EXPECT_NEAR(s["best_at"].get<double>(), r.epochs[best].at, 1e-12);
    EXPECT_EQ(s["best_epoch"].get<int>(), r.epochs[best].epoch);
    EXPECT_EQ(s["evals_per_epoch"].get<int>(), 3);
}

TEST(Trainer, MoreEvaluationsThanExamplesIsAConfigError)
{
    const std::string data = test::writeTinyMnistDir(test::tempDir("trainer-evals-many"), 120, 20);
    Config c = tinyConfig(data, "dense");
    c.set("evals_per_epoch", 21);  // 20 training images
    try {
        Trainer(c).run("");
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("evals_per_epoch"), std::string::npos) << e.what();
    }
}

// metrics.csv's train_loss is the mean loss per example whatever the reduction back-propagated:
// with a learning rate too small to move the weights, sum and mean report the same loss.
TEST(Trainer, TrainLossIsTheMeanPerExampleForEitherReduction)
{
    const std::string data = test::writeTinyMnistDir(test::tempDir("trainer-reduction"), 300, 50);
    Config c = tinyConfig(data, "topk");
    c.set("epochs", 1);
    c.set("optimizer", "sgd");
    c.set("lr", 1e-9);
    const RunResult mean = Trainer(c).run("");
    c.set("loss_reduction", "sum");
    c.set("grad_clip", 5.0);
    c.set("bias_grad", "dense");
    c.set("init", "xavier-uniform");  // the image task's auto: the same weights
    const RunResult sum = Trainer(c).run("");
    EXPECT_NEAR(sum.epochs[0].trainLoss, mean.epochs[0].trainLoss, 1e-5);
    EXPECT_GT(mean.epochs[0].trainLoss, 1.0);  // about log 4 at the start
}

namespace {

// The CPU reading its losses every few steps as on the GPU, for one test.
struct DeferredLosses {
    DeferredLosses() { LossLog::deferOnCpu(true); }
    ~DeferredLosses() { LossLog::deferOnCpu(false); }
};

struct LossRecorder : ProgressSink {
    std::vector<long> steps;
    std::vector<double> losses;
    std::vector<long> pollsAtReport;  // batches started (shouldStop polls) when each was reported
    std::vector<long> selectionSteps;
    long polls = 0;
    void onBatch(const BatchProgress& p) override
    {
        steps.push_back(p.step);
        losses.push_back(p.loss);
        pollsAtReport.push_back(polls);
    }
    bool wantsSelection() override { return true; }
    void onSelection(long step, const std::vector<LayerSelection>&) override { selectionSteps.push_back(step); }
    bool shouldStop() override
    {
        ++polls;
        return false;
    }
};

}  // namespace

// On a GPU the losses stay on the device and are read every few steps (tasks/LossLog.h): the run,
// every batch's reported loss and their order are those of reading after every batch; only when
// they are reported differs, and the selection is taken at the reads only.
TEST(Trainer, DeferredLossesGiveTheSameRunAndReportEveryBatch)
{
    const std::string data = test::writeTinyMnistDir(test::tempDir("trainer-deferred"), 300, 50);
    Config c = tinyConfig(data, "topk");
    c.set("evals_per_epoch", 2);
    LossRecorder now, later;
    const RunResult a = Trainer(c, &now).run("");
    RunResult b;
    {
        DeferredLosses deferred;
        b = Trainer(c, &later).run("");
    }
    const long steps = 3 * 20;  // 200 training images (300 - dev_size), batches of 10
    ASSERT_EQ(static_cast<long>(now.steps.size()), steps);
    ASSERT_EQ(later.steps, now.steps);
    for (long s = 0; s < steps; ++s) EXPECT_EQ(now.steps[static_cast<std::size_t>(s)], s + 1);
    EXPECT_EQ(later.losses, now.losses);  // bit for bit
    ASSERT_EQ(a.epochs.size(), b.epochs.size());
    for (std::size_t e = 0; e < a.epochs.size(); ++e) {
        EXPECT_EQ(a.epochs[e].trainLoss, b.epochs[e].trainLoss);
        EXPECT_EQ(a.epochs[e].devMetric, b.epochs[e].devMetric);
        EXPECT_EQ(a.epochs[e].testMetric, b.epochs[e].testMetric);
    }
    EXPECT_EQ(a.summary["dev_metric"], b.summary["dev_metric"]);
    // Read after every batch: each reported before the next began. Deferred: most batches were
    // reported after later ones had run, and a read at the end of every evaluation chunk (10
    // batches) leaves nothing unreported at an evaluation.
    long lateReports = 0;
    for (std::size_t i = 0; i < now.steps.size(); ++i) {
        EXPECT_EQ(now.pollsAtReport[i], now.steps[i]);
        EXPECT_GE(later.pollsAtReport[i], later.steps[i]);
        lateReports += later.pollsAtReport[i] > later.steps[i];
        if (later.steps[i] % 10 == 0) {
            EXPECT_EQ(later.pollsAtReport[i], later.steps[i]) << "chunk end " << later.steps[i];
        }
    }
    EXPECT_GT(lateReports, steps / 2);
    EXPECT_EQ(static_cast<long>(now.selectionSteps.size()), steps);
    EXPECT_LT(later.selectionSteps.size(), now.selectionSteps.size());
    for (long s : later.selectionSteps) EXPECT_EQ(later.pollsAtReport[static_cast<std::size_t>(s - 1)], s) << "a selection off a read";
}

// A run that diverges while its losses wait on the device names the same step as one read after
// every batch, and leaves no summary.
TEST(Trainer, DeferredLossesStillNameTheStepOfANonFiniteGradient)
{
    const std::string dir = MEPROP_TEST_DATA_DIR "/parse/";
    const std::string out = test::tempDir("trainer-nan-deferred") + "/run";
    Config c;
    c.set("task", "parse");
    c.set("train_file", dir + "train.conllu");
    c.set("dev_file", dir + "dev.conllu");
    c.set("test_file", dir + "test.conllu");
    c.set("activation", "cube");
    c.set("embed_init", 3.0);
    c.set("optimizer", "sgd");
    c.set("lr", 10.0);
    c.set("hidden", 32);
    c.set("k", 4);
    c.set("mode", "topk");
    c.set("batch", 10);
    c.set("epochs", 30);
    long stepNow = -1, stepLater = -2;
    try {
        Trainer(c).run(out, true);
    } catch (const NonFiniteGradient& e) {
        stepNow = e.step();
    }
    LossRecorder rec;
    try {
        DeferredLosses deferred;
        Trainer(c, &rec).run(out, true);
    } catch (const NonFiniteGradient& e) {
        stepLater = e.step();
    }
    EXPECT_GT(stepNow, 0);
    EXPECT_EQ(stepLater, stepNow);
    EXPECT_LT(static_cast<long>(rec.steps.size()), stepLater);
    EXPECT_FALSE(fs::exists(out + "/summary.json"));
}
