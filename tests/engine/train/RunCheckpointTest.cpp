// train/RunCheckpoint: a run checkpoint written after an epoch and read into a fresh task continues
// exactly; its shape and configuration checks. With MEPROP_WRITE_FUZZ_SEEDS=<folder> set, the
// checkpoints made here are also written there in the input framing of the `checkpoint` fuzz
// target (one flags byte, then the file): that is how tests/fuzz/corpus/checkpoint was made:
//   MEPROP_WRITE_FUZZ_SEEDS=tests/fuzz/corpus/checkpoint build/release/tests/test_engine_train_RunCheckpointTest
#include "train/RunCheckpoint.h"

#include "../../fuzz/TinyImageData.h"
#include "../TinyMnist.h"
#include "core/Error.h"
#include "io/CheckpointFile.h"
#include "tasks/ImageTask.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace meprop;
namespace fs = std::filesystem;

namespace {

Config smallConfig(const std::string& optimizer, const std::string& mode, double dropout)
{
    Config c;
    c.set("hidden", 8);
    c.set("k", 3);
    c.set("batch", 7);
    c.set("epochs", 3);
    c.set("optimizer", optimizer);
    c.set("mode", mode);
    c.set("dropout", dropout);
    c.set("lr", 0.05);
    return c;
}

double trainEpoch(ImageTask& task, Rng& rng, long batch)
{
    task.beginEpoch(rng);
    Timings t;
    double loss = 0.0;
    for (long b = 0; b < task.trainSize(); b += batch) loss += trainBatchNow(task, b, std::min(task.trainSize(), b + batch), t);
    return loss;
}

void writeSeed(const std::string& name, const std::string& file, char flags = 0)
{
    const char* dir = std::getenv("MEPROP_WRITE_FUZZ_SEEDS");
    if (!dir) return;
    fs::create_directories(dir);
    std::ofstream(fs::path(dir) / name, std::ios::binary) << flags << file;
}

}  // namespace

TEST(RunCheckpoint, WrittenAfterAnEpochAndReadIntoAFreshTaskContinuesExactly)
{
    const fs::path dir = test::tempDir("run-checkpoint");
    struct Case {
        const char* optimizer;
        const char* mode;
        double dropout;
        int epochs;
        double clip;
    };
    for (const Case& k : {Case{"adam", "topk", 0.3, 1, 0.0}, Case{"adam", "random", 0.0, 2, 0.0}, Case{"sgd", "unified", 0.0, 1, 0.0},
                          Case{"adagrad", "dense", 0.2, 2, 0.0}, Case{"adam", "topk", 0.0, 1, 1.0}}) {
        Config c = smallConfig(k.optimizer, k.mode, k.dropout);
        if (k.clip > 0) c.set("grad_clip", k.clip);
        const std::string name = std::string(k.optimizer) + "-" + k.mode + "-e" + std::to_string(k.epochs) + (k.clip > 0 ? "-clip" : "");
        Rng rngA(c.seed());
        ImageTask a(c, fuzz::tinyImageData(), rngA);
        const long n = a.trainSize(), batch = c.getInt("batch");
        const RunCheckpointShape shape{n, (n + batch - 1) / batch, static_cast<int>(c.getInt("epochs")), 1};
        TrainerState st;
        st.startedAt = "2026-01-01T00:00:00Z";
        for (int e = 1; e <= k.epochs; ++e) {
            EpochResult r;
            r.epoch = e;
            r.at = e;
            r.trainLoss = trainEpoch(a, rngA, batch);
            st.epochs.push_back(r);
            st.epochsDone = e;
            st.step += shape.batchesPerEpoch;
        }
        const std::string path = (dir / (name + ".bin")).string();
        writeRunCheckpoint(path, c, shape, st, rngA, a);
        const std::string file = readFileBytes(path);
        writeSeed(name, file);

        Rng rngB(99);
        ImageTask b(c, fuzz::tinyImageData(), rngB);
        CheckpointReader r(checkpointPayload(file, path), path);
        const Config saved = readRunCheckpointConfig(r);
        EXPECT_NO_THROW(requireSameConfig(r, saved, c));
        TrainerState restored;
        readRunCheckpoint(r, shape, restored, rngB, b);
        EXPECT_EQ(restored.epochsDone, k.epochs);
        EXPECT_EQ(restored.step, st.step);
        EXPECT_EQ(restored.startedAt, st.startedAt);
        ASSERT_EQ(restored.epochs.size(), st.epochs.size());
        EXPECT_EQ(restored.epochs.back().trainLoss, st.epochs.back().trainLoss);
        EXPECT_EQ(trainEpoch(a, rngA, batch), trainEpoch(b, rngB, batch)) << name;
        EXPECT_TRUE(a.evaluate(Split::Dev).metric == b.evaluate(Split::Dev).metric) << name;
    }
    // One seed whose header the harness rewrites (flags bit 0), for the payload parser.
    const std::string any = readFileBytes((dir / "adam-topk-e1.bin").string());
    writeSeed("header-fixed-by-harness", any.substr(0, any.size() - 3), 1);
}

TEST(RunCheckpoint, RefusesAnotherShapeOrConfiguration)
{
    const fs::path dir = test::tempDir("run-checkpoint-refuse");
    Config c = smallConfig("adam", "topk", 0.0);
    Rng rng(1);
    ImageTask task(c, fuzz::tinyImageData(), rng);
    const RunCheckpointShape shape{30, 5, 3, 1};
    TrainerState st;
    const std::string path = (dir / "ck.bin").string();
    writeRunCheckpoint(path, c, shape, st, rng, task);
    const std::string file = readFileBytes(path);
    auto errorOf = [&](const RunCheckpointShape& s, const Config& now) {
        try {
            CheckpointReader r(checkpointPayload(file, path), path);
            requireSameConfig(r, readRunCheckpointConfig(r), now);
            TrainerState out;
            readRunCheckpoint(r, s, out, rng, task);
        } catch (const CheckpointError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(errorOf(shape, c), "no error");
    EXPECT_EQ(errorOf({31, 5, 3, 1}, c), path + ": written for a training set of 30 examples in 5 batches, this one has 31 in 5 (was the data changed?)");
    Config other = c;
    other.set("optimizer", "sgd");
    EXPECT_EQ(errorOf(shape, other), path + ": written by another configuration (optimizer: \"adam\" in the checkpoint, \"sgd\" here)");
    // The configuration of another task's checkpoint with this task: the sections say so.
    Config deeper = c;
    deeper.set("layers", 3);
    Rng rng2(1);
    ImageTask deep(deeper, fuzz::tinyImageData(), rng2);
    CheckpointReader r(checkpointPayload(file, path), path);
    readRunCheckpointConfig(r);
    TrainerState out;
    try {
        readRunCheckpoint(r, shape, out, rng2, deep);
        FAIL();
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("linear layers"), std::string::npos) << e.what();
    }
}
