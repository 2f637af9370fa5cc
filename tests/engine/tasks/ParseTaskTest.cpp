#include "tasks/ParseTask.h"

#include "core/Error.h"
#include "train/Config.h"
#include "train/Trainer.h"

#include "../TinyParse.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace meprop;
namespace fs = std::filesystem;

namespace {

std::string dataFile(const std::string& name) { return test::parseDataFile(name); }

ParseSettings tinySettings(Device device = Device::Cpu) { return test::tinyParseSettings(device); }

fs::path freshDir(const std::string& name)
{
    const fs::path dir = fs::temp_directory_path() / ("meprop-parse-test-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::string errorOf(const std::string& file)
{
    try {
        readParseFile(dataFile(file));
    } catch (const DatasetError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(ParseTask, LoadsOracleExamplesAndSkipsNonProjective)
{
    Rng rng(1);
    ParseTask task(tinySettings(), rng);
    EXPECT_EQ(task.trainSentences(), 4);
    EXPECT_EQ(task.skippedNonProjective(), 1);
    EXPECT_EQ(task.trainSize(), 2 * (7 + 5 + 6));  // 2n transitions per projective sentence
    EXPECT_EQ(task.metricName(), "UAS");
    const auto layers = task.layers();
    ASSERT_EQ(layers.size(), 3u);
    EXPECT_EQ(layers[0].name, "hidden1");
    EXPECT_EQ(layers[0].width, 32);
    EXPECT_EQ(layers[2].width, numTransitions(task.vocabularies().numLabels()));
}

TEST(ParseTask, BadTreesNameFileAndSentence)
{
    const std::string cycle = errorOf("cycle.conllu");
    EXPECT_NE(cycle.find("cycle.conllu"), std::string::npos) << cycle;
    EXPECT_NE(cycle.find("sentence bad-cycle (line 10)"), std::string::npos) << cycle;
    EXPECT_NE(cycle.find("cycle"), std::string::npos) << cycle;
    const std::string range = errorOf("range.conllu");
    // (the reader itself rejects a HEAD beyond the sentence, naming file and line)
    EXPECT_NE(range.find("range.conllu:2"), std::string::npos) << range;
    EXPECT_NE(range.find("HEAD 5"), std::string::npos) << range;
    EXPECT_NE(errorOf("noroot.conllu").find("no token has HEAD 0"), std::string::npos);
    EXPECT_NE(errorOf("tworoots.conllu").find("expected exactly one root"), std::string::npos);
    ParseSettings s = tinySettings();
    s.devFile = dataFile("cycle.conllu");
    Rng rng(1);
    EXPECT_THROW(ParseTask(s, rng), DatasetError);
}

// dev: s1 "The cat sat on the mat ." (heads 2 3 0 6 6 3 3) and s3 "The dog saw the cat ." (2 3 0 5 3 3).
// Punctuation (the two ".") is not scored: 11 tokens.
TEST(ParseTask, ScoreCountsExcludePunctuation)
{
    const auto gold = readParseFile(dataFile("dev.conllu"));
    const ParserVocabularies v = ParserVocabularies::build(readParseFile(dataFile("train.conllu")), 1);
    auto lab = [&](const std::string& l) { return v.labelId(l); };
    std::vector<ParsePrediction> pred(2);
    // s1: token 2 wrong head; token 4 right head wrong label; "." wrong head (not scored).
    pred[0].head = {2, 1, 0, 6, 6, 3, 1};
    pred[0].label = {lab("det"), lab("nsubj"), lab("root"), lab("det"), lab("det"), lab("obl"), lab("punct")};
    // s3: all heads right, token 5 label wrong.
    pred[1].head = {2, 3, 0, 5, 3, 3};
    pred[1].label = {lab("det"), lab("nsubj"), lab("root"), lab("det"), lab("nsubj"), lab("punct")};
    long scored = 0;
    const auto [uas, las] = ParseTask::score(gold, pred, v, &scored);
    EXPECT_EQ(scored, 11);
    EXPECT_NEAR(uas, 100.0 * 10 / 11, 1e-9);
    EXPECT_NEAR(las, 100.0 * 8 / 11, 1e-9);
    pred[1].head.pop_back();
    EXPECT_THROW(ParseTask::score(gold, pred, v), ShapeError);
}

TEST(ParseTask, LearnsTheTinyTreebankAndWritesPredictions)
{
    ParseSettings s = tinySettings();
    Rng rng(3);
    ParseTask task(s, rng);
    Timings t;
    double first = 0.0, last = 0.0;
    for (int step = 0; step < 150; ++step) {
        task.beginEpoch(rng);
        last = trainBatchNow(task, 0, task.trainSize(), t);
        if (step == 0) first = last;
    }
    EXPECT_LT(last, 0.1 * first);
    const Evaluation dev = task.evaluate(Split::Dev);  // dev sentences are training sentences
    EXPECT_EQ(dev.metric, 100.0);
    ASSERT_EQ(dev.extra.size(), 1u);
    EXPECT_EQ(dev.extra[0].first, "las");
    EXPECT_EQ(dev.extra[0].second, 100.0);
    const fs::path dir = freshDir("pred");
    task.onNewBest(dir.string());  // test not evaluated yet: parsed on demand
    const auto devPred = readParseFile((dir / "dev.pred.conllu").string());
    const auto devGold = readParseFile(dataFile("dev.conllu"));
    ASSERT_EQ(devPred.size(), devGold.size());
    for (std::size_t i = 0; i < devGold.size(); ++i) {
        EXPECT_EQ(devPred[i].sentId, devGold[i].sentId);
        for (std::size_t j = 0; j < devGold[i].tokens.size(); ++j) {
            EXPECT_EQ(devPred[i].tokens[j].head, devGold[i].tokens[j].head);
            EXPECT_EQ(devPred[i].tokens[j].deprel, universalRelation(devGold[i].tokens[j].deprel));
            EXPECT_EQ(devPred[i].tokens[j].form, devGold[i].tokens[j].form);
        }
    }
    // The non-projective test tree is parsed all the same into a valid (projective) tree.
    const auto testPred = readParseFile((dir / "test.pred.conllu").string());
    ASSERT_EQ(testPred.size(), 2u);
    EXPECT_EQ(testPred[1].sentId, "np");
    std::vector<int> heads;
    for (const auto& tok : testPred[1].tokens) heads.push_back(tok.head);
    EXPECT_TRUE(isProjective(heads));
    fs::remove_all(dir);
}

TEST(ParseTask, TopKTrainsAndReportsSelection)
{
    ParseSettings s = tinySettings();
    s.model.mode = BackpropMode::TopK;
    s.model.k = 4;
    s.model.kOutput = 5;
    Rng rng(3);
    ParseTask task(s, rng);
    Timings t;
    task.beginEpoch(rng);
    trainBatchNow(task, 0, 10, t);
    const auto ratio = task.backpropRatio();
    ASSERT_EQ(ratio.size(), 3u);
    EXPECT_DOUBLE_EQ(ratio[0], 4.0 / 32.0);
    const auto sel = task.selection();
    ASSERT_EQ(sel.size(), 3u);
    EXPECT_GE(sel[0].rows.size(), 4u);
    EXPECT_LE(sel[0].rows.size(), 32u);
    std::uint64_t counted = 0;
    for (auto c : sel[0].counts) counted += c;
    EXPECT_EQ(counted, 10u * 4u);  // one count per example and kept row
    EXPECT_GT(t.bpLinear, 0.0);
    EXPECT_GE(t.bpOverall, t.bpLinear);
}

TEST(ParseTask, TrainerRunsTheParseTaskFromAConfig)
{
    Config c;
    c.set("task", "parse");
    c.set("train_file", dataFile("train.conllu"));
    c.set("dev_file", dataFile("dev.conllu"));
    c.set("test_file", dataFile("test.conllu"));
    c.set("hidden", 16);
    c.set("embed_dim", 4);
    c.set("mode", "topk");
    c.set("k", 4);
    c.set("k_output", 3);
    c.set("batch", 12);
    c.set("epochs", 2);
    c.set("activation", "cube");
    c.set("grad_clip", 5.0);
    const fs::path dir = freshDir("trainer");
    Trainer trainer(c);
    const RunResult r = trainer.run((dir / "run").string());
    ASSERT_EQ(r.epochs.size(), 2u);
    EXPECT_TRUE(r.summary.contains("dev_las"));
    EXPECT_TRUE(fs::exists(dir / "run" / "dev.pred.conllu"));
    EXPECT_TRUE(fs::exists(dir / "run" / "test.pred.conllu"));
    c.set("activation", "relu");
    c.set("train_file", dataFile("missing.conllu"));
    EXPECT_THROW(Trainer(c).run(""), DatasetError);
    c.set("train_file", "");
    c.set("data", std::string(MEPROP_TEST_DATA_DIR) + "/parse");
    EXPECT_THROW(Trainer(c).run(""), DatasetError);  // no file and no *-train.conllu in data
    fs::remove_all(dir);
}
