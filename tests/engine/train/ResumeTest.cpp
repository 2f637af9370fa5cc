// Checkpoint and resume through the Trainer: a run stopped (once or twice) and resumed ends with
// exactly the results of an uninterrupted run, for the three tasks; what does not fit the
// checkpoint is refused with a clear error; an overwrite changes nothing until it has finished.
#include "train/Trainer.h"

#include "../TinyMnist.h"
#include "core/Error.h"
#include "io/CheckpointFile.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace meprop;
namespace fs = std::filesystem;

namespace {

std::string readFile(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::vector<std::string> namesIn(const fs::path& dir)
{
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

// metrics.csv without the measured-time columns (header names ending in "_s").
std::string nonTimingCsv(const std::string& csv)
{
    std::istringstream in(csv);
    std::string line, out;
    std::vector<bool> keep;
    while (std::getline(in, line)) {
        std::vector<std::string> cells;
        std::stringstream ls(line);
        for (std::string c; std::getline(ls, c, ',');) cells.push_back(c);
        if (keep.empty())
            for (const std::string& c : cells) keep.push_back(!(c.size() > 2 && c.ends_with("_s")));
        for (std::size_t i = 0; i < cells.size(); ++i)
            if (i < keep.size() && keep[i]) out += cells[i] + ",";
        out += "\n";
    }
    return out;
}

// summary.json without measured times and clock stamps.
nlohmann::json nonTimingSummary(nlohmann::json s)
{
    for (auto it = s.begin(); it != s.end();) {
        const std::string k = it.key();
        it = (k.ends_with("_s") || k == "started_at" || k == "finished_at") ? s.erase(it) : std::next(it);
    }
    return s;
}

struct StopAfter : ProgressSink {
    long at;
    long batches = 0;
    RunInfo info;
    int epochsSeen = 0;
    explicit StopAfter(long n) : at(n) {}
    void onStart(const RunInfo& i) override { info = i; }
    void onBatch(const BatchProgress&) override { ++batches; }
    void onEpoch(const EpochResult&) override { ++epochsSeen; }
    bool shouldStop() override { return batches >= at; }
};

Config imageConfig(const std::string& data)
{
    Config c;
    c.set("data", data);
    c.set("dev_size", 60);
    c.set("hidden", 24);
    c.set("k", 4);
    c.set("batch", 10);
    c.set("epochs", 4);
    c.set("lr", 0.01);
    return c;
}

std::string parseData(const std::string& name) { return std::string(MEPROP_TEST_DATA_DIR) + "/parse/" + name; }

Config textConfig(const std::string& task)
{
    Config c;
    c.set("task", task);
    c.set("train_file", parseData("train.conllu"));
    c.set("dev_file", parseData("dev.conllu"));
    c.set("test_file", parseData("test.conllu"));
    c.set("hidden", 12);
    c.set("k", 3);
    c.set("epochs", 3);
    c.set("dropout", 0.2);
    if (task == "pos") {
        c.set("word_dim", 4);
        c.set("feature_dim", 2);
        c.set("batch", 2);
    } else {
        c.set("embed_dim", 4);
        c.set("batch", 8);
        c.set("mode", "random");
        c.set("k_output", 3);
    }
    return c;
}

long batchesPerEpoch(const Config& c)
{
    StopAfter probe(0);
    EXPECT_THROW(Trainer(c, &probe).run(""), Cancelled);
    return probe.info.batchesPerEpoch;
}

// Runs `c` uninterrupted into root/ref, then into root/resumed stopped after each of `stops`
// batches (counted per launch) and resumed, and compares everything but the measured times.
void expectResumeEqualsUninterrupted(const Config& c, const std::vector<long>& stops, const std::string& name)
{
    const fs::path root = test::tempDir("resume-" + name);
    const RunResult ref = Trainer(c).run((root / "ref").string());
    const std::string out = (root / "resumed").string();
    int launch = 0;
    int lastResumed = -1;
    for (long stop : stops) {
        StopAfter s(stop);
        if (launch++ == 0) {
            EXPECT_THROW(Trainer(c, &s).run(out), Cancelled) << name;
        } else {
            EXPECT_THROW(Trainer(c, &s).resume(out), Cancelled) << name;
            EXPECT_GE(s.info.resumedEpochs, lastResumed) << name;
            lastResumed = s.info.resumedEpochs;
        }
        EXPECT_FALSE(fs::exists(fs::path(out) / "summary.json")) << name;
        EXPECT_TRUE(fs::exists(fs::path(out) / "checkpoint.bin")) << name << " after stop " << stop;
    }
    StopAfter last(1L << 40);
    const RunResult res = Trainer(Trainer::checkpointConfig(out), &last).resume(out);
    EXPECT_GT(last.info.resumedEpochs, 0) << name;
    EXPECT_EQ(last.epochsSeen, static_cast<int>(ref.epochs.size())) << name << ": restored epochs are replayed to the sink";

    ASSERT_EQ(res.epochs.size(), ref.epochs.size()) << name;
    for (std::size_t i = 0; i < ref.epochs.size(); ++i) {
        const EpochResult &a = ref.epochs[i], &b = res.epochs[i];
        EXPECT_EQ(a.trainLoss, b.trainLoss) << name << " epoch " << i + 1;  // bit-identical (threads=1)
        EXPECT_EQ(a.devMetric, b.devMetric) << name << " epoch " << i + 1;
        EXPECT_EQ(a.testMetric, b.testMetric) << name << " epoch " << i + 1;
        EXPECT_EQ(a.extra, b.extra) << name;
        EXPECT_EQ(a.backpropRatio, b.backpropRatio) << name;
        EXPECT_EQ(a.bestSoFar, b.bestSoFar) << name;
    }
    EXPECT_EQ(nonTimingCsv(readFile(fs::path(out) / "metrics.csv")), nonTimingCsv(readFile(root / "ref" / "metrics.csv"))) << name;
    const auto sRef = nlohmann::json::parse(readFile(root / "ref" / "summary.json"));
    const auto sRes = nlohmann::json::parse(readFile(fs::path(out) / "summary.json"));
    EXPECT_EQ(nonTimingSummary(sRes), nonTimingSummary(sRef)) << name;
    EXPECT_EQ(nonTimingSummary(res.summary), nonTimingSummary(ref.summary)) << name;
    EXPECT_EQ(readFile(fs::path(out) / "config.json"), readFile(root / "ref" / "config.json")) << name;
    for (const char* pred : {"dev.pred.conllu", "test.pred.conllu"})
        if (fs::exists(root / "ref" / pred)) {
            EXPECT_EQ(readFile(fs::path(out) / pred), readFile(root / "ref" / pred)) << name << " " << pred;
        }
    // A finished run keeps no checkpoint and nothing hidden.
    EXPECT_EQ(namesIn(out), namesIn(root / "ref")) << name;
    EXPECT_FALSE(fs::exists(fs::path(out) / "checkpoint.bin"));
}

}  // namespace

TEST(Resume, ImageRunsResumedTwiceEqualUninterrupted)
{
    const std::string data = test::writeTinyMnistDir(test::tempDir("resume-image-data"), 300, 60);
    Config c = imageConfig(data);
    c.set("mode", "random");  // draws from the run's Rng in every backward
    c.set("dropout", 0.3);    // and in every forward
    c.set("k_output", 2);
    c.set("update", "touched");
    const long B = batchesPerEpoch(c);
    ASSERT_EQ(B, 24);
    // Stopped mid epoch 2 (checkpoint of epoch 1), then after redoing epoch 2 mid epoch 3.
    expectResumeEqualsUninterrupted(c, {B + 3, B + B / 2}, "image-random-adam-touched");

    c.set("mode", "unified");
    c.set("optimizer", "sgd");
    c.set("update", "all");
    c.set("dropout", 0.0);
    expectResumeEqualsUninterrupted(c, {B, 2 * B}, "image-unified-sgd-at-epoch-ends");

    c.set("mode", "topk");
    c.set("optimizer", "adagrad");
    expectResumeEqualsUninterrupted(c, {3 * B + 1}, "image-topk-adagrad-last-epoch");

    // Several evaluations per epoch: a stop between two of them goes back to the epoch's start.
    c.set("evals_per_epoch", 3);
    c.set("optimizer", "adam");
    const long B3 = batchesPerEpoch(c);
    expectResumeEqualsUninterrupted(c, {B3 + B3 / 2, B3 - 1}, "image-three-evaluations-per-epoch");
}

TEST(Resume, PosRunResumedEqualsUninterrupted)
{
    const Config c = textConfig("pos");
    const long B = batchesPerEpoch(c);
    expectResumeEqualsUninterrupted(c, {B + 1, B + 1}, "pos");
}

TEST(Resume, ParseRunResumedEqualsUninterrupted)
{
    const Config c = textConfig("parse");
    const long B = batchesPerEpoch(c);
    expectResumeEqualsUninterrupted(c, {B + B / 2, 1}, "parse");
}

TEST(Resume, RefusesWhatDoesNotFitTheCheckpoint)
{
    const fs::path root = test::tempDir("resume-refuse");
    const std::string data = test::writeTinyMnistDir((root / "data").string(), 300, 60);
    Config c = imageConfig(data);
    const std::string out = (root / "run").string();
    const long B = batchesPerEpoch(c);
    StopAfter s(B + 2);
    EXPECT_THROW(Trainer(c, &s).run(out), Cancelled);
    auto errorOf = [&](const Config& config) {
        try {
            Trainer(config).resume(out);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    Config other = c;
    other.set("lr", 0.1);
    other.set("hidden", 32);
    const std::string configError = errorOf(other);
    EXPECT_NE(configError.find("checkpoint.bin: written by another configuration (hidden: 24 in the checkpoint, 32 here; lr: 0.01 in the checkpoint, 0.1 here)"),
              std::string::npos)
        << configError;

    // Different data behind the same configuration.
    test::writeTinyMnistDir((root / "data").string(), 310, 60);
    EXPECT_NE(errorOf(c).find("written for a training set of 240 examples in 24 batches, this one has 250 in 25"), std::string::npos) << errorOf(c);
    test::writeTinyMnistDir((root / "data").string(), 300, 60);

    // A checkpoint of another format version, a corrupt one, a truncated one.
    const fs::path ck = fs::path(out) / "checkpoint.bin";
    const std::string good = readFile(ck);
    std::string patched = good;
    const std::uint32_t v = kCheckpointVersion + 1;
    std::memcpy(patched.data() + 8, &v, sizeof v);
    std::ofstream(ck, std::ios::binary) << patched;
    EXPECT_NE(errorOf(c).find("checkpoint format version " + std::to_string(v) + ", this build reads version"), std::string::npos) << errorOf(c);
    patched = good;
    patched[patched.size() / 2] ^= 0x20;
    std::ofstream(ck, std::ios::binary) << patched;
    EXPECT_NE(errorOf(c).find("checksum mismatch"), std::string::npos) << errorOf(c);
    std::ofstream(ck, std::ios::binary) << good.substr(0, good.size() - 100);
    EXPECT_NE(errorOf(c).find("truncated"), std::string::npos) << errorOf(c);
    EXPECT_THROW(Trainer::checkpointConfig(out), CheckpointError);

    // With the good checkpoint back, a fresh run may not clobber it, and the resume works.
    std::ofstream(ck, std::ios::binary) << good;
    try {
        Trainer(c).run(out);
        FAIL();
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("holds an unfinished run (checkpoint.bin, no summary.json); resume it or overwrite it"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_EQ(Trainer::checkpointConfig(out).json(), c.json());
    EXPECT_NO_THROW(Trainer(c).resume(out));
    EXPECT_NE(errorOf(c).find("the run has finished (summary.json); there is nothing to resume"), std::string::npos) << errorOf(c);
    EXPECT_THROW(Trainer::checkpointConfig(out), IoError);
    fs::create_directories(root / "empty");
    EXPECT_THROW(Trainer(c).resume((root / "empty").string()), IoError);
    EXPECT_THROW(Trainer(c).resume((root / "missing").string()), IoError);
}

TEST(Resume, OverwriteKeepsTheEarlierResultUntilTheNewRunHasFinished)
{
    const fs::path root = test::tempDir("resume-overwrite");
    const std::string data = test::writeTinyMnistDir((root / "data").string(), 300, 60);
    Config a = imageConfig(data);
    a.set("epochs", 2);
    Config b = imageConfig(data);
    b.set("seed", 7);
    b.set("epochs", 3);
    const std::string out = (root / "run").string();
    Trainer(a).run(out);
    const std::vector<std::string> namesA = namesIn(out);
    const std::string summaryA = readFile(fs::path(out) / "summary.json"), metricsA = readFile(fs::path(out) / "metrics.csv"),
                      configA = readFile(fs::path(out) / "config.json");
    auto expectA = [&](const std::string& when) {
        EXPECT_EQ(namesIn(out), namesA) << when;
        EXPECT_EQ(readFile(fs::path(out) / "summary.json"), summaryA) << when;
        EXPECT_EQ(readFile(fs::path(out) / "metrics.csv"), metricsA) << when;
        EXPECT_EQ(readFile(fs::path(out) / "config.json"), configA) << when;
    };

    // Without --overwrite: refused, nothing touched.
    EXPECT_THROW(Trainer(b).run(out), IoError);
    expectA("refused");

    // A cancelled overwrite (mid epoch 2).
    const long B = batchesPerEpoch(b);
    StopAfter s(B + 5);
    EXPECT_THROW(Trainer(b, &s).run(out, /*overwrite=*/true), Cancelled);
    expectA("cancelled overwrite");

    // A failed one (the sink throws at the end of epoch 2, as a crash would end it).
    struct Failing : ProgressSink {
        void onEpoch(const EpochResult& e) override
        {
            if (e.epoch == 2) throw std::runtime_error("disk on fire");
        }
    } failing;
    EXPECT_THROW(Trainer(b, &failing).run(out, true), std::runtime_error);
    expectA("failed overwrite");

    // The staged run of the failed overwrite can be resumed; only then does it replace the old one.
    const fs::path ref = root / "ref";
    Trainer(b).run(ref.string());
    EXPECT_EQ(Trainer::checkpointConfig(out).json(), b.json());
    Trainer(b).resume(out);
    EXPECT_EQ(readFile(fs::path(out) / "config.json"), readFile(ref / "config.json"));
    EXPECT_EQ(nonTimingCsv(readFile(fs::path(out) / "metrics.csv")), nonTimingCsv(readFile(ref / "metrics.csv")));
    EXPECT_EQ(nonTimingSummary(nlohmann::json::parse(readFile(fs::path(out) / "summary.json"))),
              nonTimingSummary(nlohmann::json::parse(readFile(ref / "summary.json"))));
    EXPECT_EQ(namesIn(out), namesIn(ref));
    EXPECT_EQ(namesIn(root), (std::vector<std::string>{"data", "ref", "run"}));  // no staging folder left

    // A plain successful overwrite back to `a`.
    Trainer(a).run(out, true);
    EXPECT_EQ(readFile(fs::path(out) / "config.json"), configA);
    EXPECT_EQ(nonTimingCsv(readFile(fs::path(out) / "metrics.csv")), nonTimingCsv(metricsA));
    EXPECT_EQ(namesIn(root), (std::vector<std::string>{"data", "ref", "run"}));
}
