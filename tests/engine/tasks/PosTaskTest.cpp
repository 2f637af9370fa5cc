#include "tasks/PosTask.h"
#include "data/DataFolders.h"

#include "core/Error.h"
#include "train/Config.h"
#include "train/Trainer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace meprop;
namespace fs = std::filesystem;

namespace {

// A toy treebank: the tag is a function of the word, except "fly", which is a noun after a
// determiner or an adjective and a verb after a noun (the tagger has to use the context).
struct ToyWriter {
    Rng rng{42};
    const std::vector<std::string> det{"the", "a", "this"}, noun{"dog", "cat", "car", "tree", "idea"},
        verb{"sees", "eats", "likes", "finds"}, adj{"big", "red", "old"};

    const std::string& pick(const std::vector<std::string>& v) { return v[rng.below(v.size())]; }

    std::string sentence(int n, bool withRange)
    {
        std::vector<std::pair<std::string, std::string>> toks;
        auto np = [&] {
            toks.push_back({pick(det), "DT"});
            if (rng.bernoulli(0.5f)) toks.push_back({pick(adj), "JJ"});
            toks.push_back({rng.bernoulli(0.2f) ? "fly" : pick(noun), "NN"});
        };
        np();
        toks.push_back({rng.bernoulli(0.2f) ? "fly" : pick(verb), "VBZ"});
        np();
        if (rng.bernoulli(0.3f)) toks.push_back({".", "."});
        std::string out = "# sent_id = toy-" + std::to_string(n) + "\n# text = ...\n";
        for (std::size_t i = 0; i < toks.size(); ++i) {
            if (withRange && i == 0) out += "1-2\t" + toks[0].first + toks[1].first + "\t_\t_\t_\t_\t_\t_\t_\t_\n";
            out += std::to_string(i + 1) + "\t" + toks[i].first + "\t" + toks[i].first + "\tX\t" + toks[i].second + "\t_\t" +
                   (i == 0 ? "0" : "1") + "\tdep\t_\t_\n";
        }
        return out + "\n";
    }

    void write(const fs::path& path, int sentences)
    {
        std::ofstream out(path, std::ios::binary);
        for (int n = 0; n < sentences; ++n) out << sentence(n, n % 7 == 3);
    }
};

struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& name)
        : path(fs::temp_directory_path() / ("meprop_pos_" + std::to_string(::getpid()) + "_" + name))
    {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
};

void writeToyTreebank(const fs::path& dir, int train = 300)
{
    ToyWriter w;
    w.write(dir / "toy-train.conllu", train);
    w.write(dir / "toy-dev.conllu", 40);
    w.write(dir / "toy-test.conllu", 40);
}

PosSettings toySettings(const fs::path& dir, BackpropMode mode, int k)
{
    PosSettings s;
    s.data = dir.string();
    s.hidden = 16;
    s.wordDim = 8;
    s.featureDim = 4;
    s.mode = mode;
    s.k = k;
    s.optimizer.lr = 1e-2f;
    return s;
}

double trainEpochs(PosTask& task, int epochs, Rng& rng)
{
    Timings t;
    for (int e = 0; e < epochs; ++e) {
        task.beginEpoch(rng);
        for (long i = 0; i < task.trainSize(); ++i) trainBatchNow(task, i, i + 1, t);
    }
    return task.evaluate(Split::Test).metric;
}

std::string errorOf(const PosSettings& s)
{
    try {
        Rng rng(1);
        PosTask task(s, rng);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

struct LearnCase {
    BackpropMode mode;
    int k;
    double minAccuracy;
};

class PosTaskLearns : public ::testing::TestWithParam<LearnCase> {};

TEST_P(PosTaskLearns, ToyTaggingTaskIncludingContext)
{
    const LearnCase c = GetParam();
    TempDir dir(std::string("learn_") + toString(c.mode));
    writeToyTreebank(dir.path);
    Rng rng(3);
    PosTask task(toySettings(dir.path, c.mode, c.k), rng);
    EXPECT_EQ(task.vocab().tags(), 5);  // DT JJ NN VBZ .
    const double before = task.evaluate(Split::Test).metric;
    EXPECT_LT(before, 70.0);  // an untrained model does not already solve it
    const double after = trainEpochs(task, 3, rng);
    EXPECT_GE(after, c.minAccuracy) << "before training: " << before;
    // "fly" is tagged by its context: check those tokens alone.
    const auto& pred = task.predictions(Split::Test);
    const auto sentences = readConllu((dir.path / "toy-test.conllu").string());
    int fly = 0, flyRight = 0;
    for (std::size_t i = 0; i < sentences.size(); ++i) {
        for (std::size_t t = 0; t < sentences[i].tokens.size(); ++t) {
            if (sentences[i].tokens[t].form != "fly") continue;
            ++fly;
            flyRight += task.vocab().tagName(pred[i][t]) == sentences[i].tokens[t].xpos;
        }
    }
    ASSERT_GT(fly, 5);
    EXPECT_GE(flyRight, fly - 1) << flyRight << " of " << fly;
}

INSTANTIATE_TEST_SUITE_P(Modes, PosTaskLearns,
                         ::testing::Values(LearnCase{BackpropMode::Dense, 0, 99.0}, LearnCase{BackpropMode::TopK, 4, 99.0},
                                           LearnCase{BackpropMode::Unified, 4, 98.0}, LearnCase{BackpropMode::Random, 4, 95.0}),
                         [](const auto& info) { return std::string(toString(info.param.mode)); });

TEST(PosTask, WritesPredictedTagsAndCopiesEverythingElse)
{
    TempDir dir("pred");
    writeToyTreebank(dir.path, 60);
    Rng rng(5);
    PosTask task(toySettings(dir.path, BackpropMode::TopK, 3), rng);
    trainEpochs(task, 1, rng);
    const fs::path out = dir.path / "run";
    fs::create_directories(out);
    task.onNewBest(out.string());
    for (const char* split : {"dev", "test"}) {
        const auto in = readConllu((dir.path / (std::string("toy-") + split + ".conllu")).string());
        const auto back = readConllu((out / (std::string(split) + ".pred.conllu")).string());
        const auto& pred = task.predictions(std::string(split) == "dev" ? Split::Dev : Split::Test);
        ASSERT_EQ(back.size(), in.size());
        for (std::size_t i = 0; i < in.size(); ++i) {
            ASSERT_EQ(back[i].lines.size(), in[i].lines.size());
            EXPECT_EQ(back[i].sentId, in[i].sentId);
            for (std::size_t l = 0; l < in[i].lines.size(); ++l) {
                if (in[i].lines[l][0] == '#' || in[i].lines[l].find('-') < in[i].lines[l].find('\t')) {
                    EXPECT_EQ(back[i].lines[l], in[i].lines[l]);  // comments and ranges verbatim
                }
            }
            for (std::size_t t = 0; t < in[i].tokens.size(); ++t) {
                const ConlluToken &a = in[i].tokens[t], &b = back[i].tokens[t];
                EXPECT_EQ(b.xpos, task.vocab().tagName(pred[i][t]));
                EXPECT_EQ(std::tie(a.id, a.form, a.lemma, a.upos, a.feats, a.head, a.deprel, a.deps, a.misc),
                          std::tie(b.id, b.form, b.lemma, b.upos, b.feats, b.head, b.deprel, b.deps, b.misc));
            }
        }
    }
    // The predictions written are those of the current model even without an evaluate() first.
    Timings t;
    trainBatchNow(task, 0, 1, t);
    task.onNewBest(out.string());
    EXPECT_TRUE(fs::exists(out / "test.pred.conllu"));
}

TEST(PosTask, UnknownGoldTagsCountAsErrors)
{
    TempDir dir("unknown_tag");
    writeToyTreebank(dir.path, 30);
    {
        std::ofstream dev(dir.path / "toy-dev.conllu", std::ios::binary);
        dev << "1\tthe\tthe\tX\tDT\t_\t0\troot\t_\t_\n2\tdog\tdog\tX\tZZZ\t_\t1\tdep\t_\t_\n";
    }
    Rng rng(1);
    PosTask task(toySettings(dir.path, BackpropMode::Dense, 0), rng);
    const double acc = task.evaluate(Split::Dev).metric;
    const auto& pred = task.predictions(Split::Dev);
    EXPECT_EQ(acc, task.vocab().tagName(pred[0][0]) == "DT" ? 50.0 : 0.0);
}

TEST(PosTask, FindsFilesInAFolderAndHonoursOverrides)
{
    TempDir dir("files");
    writeToyTreebank(dir.path, 20);
    PosSettings s = toySettings(dir.path, BackpropMode::Dense, 0);
    PosFiles f = resolvePosFiles(s);
    EXPECT_EQ(fs::path(f.train).filename(), "toy-train.conllu");
    EXPECT_EQ(fs::path(f.test).filename(), "toy-test.conllu");

    // en_ewt-ud-* wins over other names; explicit files win over the folder.
    fs::copy_file(dir.path / "toy-dev.conllu", dir.path / "en_ewt-ud-dev.conllu");
    s.testFile = (dir.path / "toy-dev.conllu").string();
    f = resolvePosFiles(s);
    EXPECT_EQ(fs::path(f.dev).filename(), "en_ewt-ud-dev.conllu");
    EXPECT_EQ(fs::path(f.test).filename(), "toy-dev.conllu");

    fs::copy_file(dir.path / "toy-train.conllu", dir.path / "other-train.conllu");
    try {
        resolvePosFiles(s);
        ADD_FAILURE() << "two *-train.conllu files accepted";
    } catch (const DatasetError& e) {
        EXPECT_NE(std::string(e.what()).find("several *-train.conllu files (other-train.conllu, toy-train.conllu)"), std::string::npos)
            << e.what();
    }
    s.trainFile = (dir.path / "other-train.conllu").string();
    EXPECT_NO_THROW(resolvePosFiles(s));

    fs::remove(dir.path / "en_ewt-ud-dev.conllu");
    fs::remove(dir.path / "toy-dev.conllu");
    EXPECT_NE(errorOf(s).find("no *-dev.conllu file"), std::string::npos) << errorOf(s);
    s.data = (dir.path / "missing").string();
    EXPECT_NE(errorOf(s).find("not a folder"), std::string::npos) << errorOf(s);
    s.data.clear();
    s.devFile.clear();
    EXPECT_THROW(resolvePosFiles(s), ConfigError);
    // A malformed file reports its own file and line through the task.
    s.devFile = (dir.path / "broken.conllu").string();
    {
        std::ofstream b(s.devFile);
        b << "1\tonly\tthree\n";
    }
    EXPECT_NE(errorOf(s).find("broken.conllu:1: expected 10"), std::string::npos) << errorOf(s);
}

TEST(PosTask, ValidatesSettings)
{
    TempDir dir("validate");
    writeToyTreebank(dir.path, 20);
    PosSettings s = toySettings(dir.path, BackpropMode::TopK, 17);
    EXPECT_NE(errorOf(s).find("k: expected 1 <= k <= hidden (16)"), std::string::npos) << errorOf(s);
    s.k = 0;
    EXPECT_NE(errorOf(s).find("k: expected"), std::string::npos);
    s.k = 4;
    s.kOutput = 6;  // 5 tags
    EXPECT_NE(errorOf(s).find("k_output: expected 0 (dense) .. 5"), std::string::npos) << errorOf(s);
    s.kOutput = 0;
    s.dropout = 1.0f;
    EXPECT_NE(errorOf(s).find("dropout"), std::string::npos);
    s.dropout = 0.0f;
    s.mode = BackpropMode::Dense;
    s.k = 1000;  // ignored by dense
    EXPECT_EQ(errorOf(s), "");
}

TEST(PosTask, ReportsLayersSelectionTimingsAndLimit)
{
    TempDir dir("layers");
    writeToyTreebank(dir.path, 50);
    PosSettings s = toySettings(dir.path, BackpropMode::TopK, 3);
    s.limit = 20;
    s.kOutput = 2;
    Rng rng(2);
    PosTask task(s, rng);
    EXPECT_EQ(task.trainSize(), 20);
    const auto layers = task.layers();
    ASSERT_EQ(layers.size(), 3u);
    EXPECT_EQ(layers[0].name, "lstm.fwd");
    EXPECT_EQ(layers[0].width, 64);
    EXPECT_EQ(layers[0].k, 12);
    EXPECT_EQ(layers[2].name, "output");
    EXPECT_EQ(layers[2].width, 5);
    EXPECT_EQ(layers[2].k, 2);
    const auto ratio = task.backpropRatio();
    EXPECT_DOUBLE_EQ(ratio[0], 3.0 / 16.0);
    EXPECT_DOUBLE_EQ(ratio[2], 2.0 / 5.0);

    Timings t;
    task.beginEpoch(rng);
    EXPECT_GT(trainBatchNow(task, 0, 2, t), 0.0);
    EXPECT_GT(t.forward, 0.0);
    EXPECT_GT(t.bpLinear, 0.0);
    EXPECT_GE(t.bpOverall, t.bpLinear);
    EXPECT_GT(t.update, 0.0);
    const auto sel = task.selection();
    ASSERT_EQ(sel.size(), 3u);
    // The last sentence's rows: at most 12 per step, at least the 12 of one step.
    EXPECT_EQ(task.model().lstmForward().keptPerStep(), 12);
    EXPECT_GE(sel[0].rows.size(), 12u);
    EXPECT_TRUE(std::is_sorted(sel[0].rows.begin(), sel[0].rows.end()));
    std::uint64_t total = 0;
    for (auto c : sel[0].counts) total += c;
    EXPECT_EQ(total % 12u, 0u);  // 12 per step over the two sentences' steps
    EXPECT_GE(total, 12u * 2u);
    EXPECT_LE(sel[2].rows.size(), 5u);
    // A two-sentence batch reports the union: it includes the last sentence's rows.
    for (int r : task.model().lstmForward().lastRows())
        EXPECT_TRUE(std::binary_search(sel[0].rows.begin(), sel[0].rows.end(), r)) << "row " << r;
    // Single-sentence batches report that sentence's rows.
    trainBatchNow(task, 2, 3, t);
    EXPECT_EQ(task.selection()[1].rows, task.model().lstmBackward().lastRows());
    EXPECT_THROW(trainBatchNow(task, 19, 21, t), Error);
    EXPECT_THROW(trainBatchNow(task, 3, 3, t), Error);
}

TEST(PosTask, UsesUposWhenTheTreebankHasNoXpos)
{
    TempDir dir("upos");
    for (const char* split : {"train", "dev", "test"}) {
        std::ofstream f(dir.path / (std::string("x-") + split + ".conllu"), std::ios::binary);
        for (int i = 0; i < 5; ++i) f << "1\tdogs\tdog\tNOUN\t_\t_\t2\tnsubj\t_\t_\n2\tbark\tbark\tVERB\t_\t_\t0\troot\t_\t_\n\n";
    }
    Rng rng(1);
    PosTask task(toySettings(dir.path, BackpropMode::Dense, 0), rng);
    EXPECT_EQ(task.vocab().tagColumn(), TaggerVocab::TagColumn::Upos);
    EXPECT_EQ(task.vocab().tags(), 2);
    trainEpochs(task, 5, rng);
    task.onNewBest(dir.path.string());
    const auto back = readConllu((dir.path / "test.pred.conllu").string());
    EXPECT_EQ(back[0].tokens[0].xpos, "_");
    EXPECT_TRUE(back[0].tokens[0].upos == "NOUN" || back[0].tokens[0].upos == "VERB");
}

TEST(PosTask, ReadsEwtWhenPresent)
{
    const std::string ewt = std::string(MEPROP_SOURCE_DIR) + "/../shared/datasets/ud-english-ewt";
    if (!fs::exists(ewt)) GTEST_SKIP() << "no EWT at " << ewt;
    PosSettings s;
    s.data = ewt;
    s.limit = 50;
    s.hidden = 8;
    Rng rng(1);
    PosTask task(s, rng);
    EXPECT_EQ(task.trainSize(), 50);
    EXPECT_EQ(fs::path(task.files().dev).filename(), "en_ewt-ud-dev.conllu");
    EXPECT_GT(task.vocab().tags(), 20);
}

TEST(PosTask, FindsTheDefaultDataFolderFromTheEnvironment)
{
    TempDir dir("env");
    ::setenv("MEPROP_TEXT_DATA", dir.path.string().c_str(), 1);
    EXPECT_EQ(defaultTextDataDir(), dir.path.string());
    ::unsetenv("MEPROP_TEXT_DATA");
}

// Sum reduction: the summed token loss of the batch is back-propagated (the authors' C# softmax):
// every gradient is `tokens` times the mean's (the gradients stay in the parameters after the
// step), and the reported loss is the mean per token either way.
TEST(PosTask, SumLossGradientIsTokensTimesTheMean)
{
    TempDir dir("sumloss");
    writeToyTreebank(dir.path, 20);
    PosSettings s = toySettings(dir.path, BackpropMode::TopK, 3);
    s.rareUnk = 0.0f;
    s.denseBias = true;
    s.init = Init::AuthorsNormal;
    Rng r1(1), r2(1);
    PosTask mean(s, r1);
    s.sumLoss = true;
    PosTask sum(s, r2);
    Timings t;
    const double lm = trainBatchNow(mean, 0, 3, t);
    const double ls = trainBatchNow(sum, 0, 3, t);
    EXPECT_DOUBLE_EQ(lm, ls);
    long tokens = 0;
    for (const ConlluSentence& c : readConllu((dir.path / "toy-train.conllu").string(), 3)) tokens += static_cast<long>(c.tokens.size());
    ASSERT_GT(tokens, 3);
    const auto pm = mean.model().parameters(), ps = sum.model().parameters();
    for (std::size_t i = 0; i < pm.size(); ++i)
        EXPECT_TRUE(ps[i]->grad.isApprox(static_cast<float>(tokens) * pm[i]->grad, 1e-5f)) << pm[i]->name;
}

TEST(PosTask, RunsThroughTheConfigAndTheTrainer)
{
    TempDir dir("trainer");
    writeToyTreebank(dir.path, 80);
    Config c;
    c.set("task", "pos");
    c.set("train_file", (dir.path / "toy-train.conllu").string());
    c.set("dev_file", (dir.path / "toy-dev.conllu").string());
    c.set("test_file", (dir.path / "toy-test.conllu").string());
    c.set("hidden", 12);
    c.set("word_dim", 6);
    c.set("feature_dim", 3);
    c.set("k", 3);
    c.set("batch", 1);
    c.set("epochs", 2);
    c.set("lr", 0.01);
    Rng rng(1);
    auto task = makeTask(c, rng);
    EXPECT_EQ(task->trainSize(), 80);
    EXPECT_EQ(task->metricName(), "accuracy");

    const fs::path out = dir.path / "run";
    const RunResult r = Trainer(c).run(out.string());
    EXPECT_EQ(r.epochs.size(), 2u);
    EXPECT_GT(r.summary.at("test_metric").get<double>(), 50.0);
    EXPECT_TRUE(fs::exists(out / "dev.pred.conllu"));
    EXPECT_TRUE(fs::exists(out / "test.pred.conllu"));
    EXPECT_EQ(readConllu((out / "test.pred.conllu").string()).size(), 40u);

    c.set("k_output", 9);  // more than the 5 tags
    EXPECT_THROW(makeTask(c, rng), ConfigError);
}
