#include "train/Config.h"

#include "../TinyMnist.h"
#include "core/Error.h"
#include "train/Presets.h"
#include "train/TrainingDetails.h"

#include <gtest/gtest.h>

#include <fstream>

using namespace meprop;

namespace {

std::string configError(const std::function<void()>& f)
{
    try {
        f();
    } catch (const ConfigError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no ConfigError";
    return "";
}

}  // namespace

TEST(Config, DefaultsCoverEveryKey)
{
    Config c;
    for (const KeySpec& k : configKeys()) EXPECT_TRUE(c.json().contains(k.name)) << k.name;
    EXPECT_EQ(c.task(), "image");
    EXPECT_EQ(c.getInt("hidden"), 500);
    EXPECT_EQ(c.mode(), BackpropMode::TopK);
}

TEST(Config, SetFromStringParsesTypes)
{
    Config c;
    c.setFromString("k", "5");
    c.setFromString("lr", "0.01");
    c.setFromString("mode", "unified");
    c.setFromString("data", "/tmp/x");
    EXPECT_EQ(c.getInt("k"), 5);
    EXPECT_DOUBLE_EQ(c.getFloat("lr"), 0.01);
    EXPECT_EQ(c.mode(), BackpropMode::Unified);
    EXPECT_EQ(c.getString("data"), "/tmp/x");
}

TEST(Config, ErrorsNameTheKeyAndWhatWasExpected)
{
    Config c;
    EXPECT_NE(configError([&] { c.setFromString("hiden", "5"); }).find("unknown key \"hiden\""), std::string::npos);
    EXPECT_NE(configError([&] { c.setFromString("k", "abc"); }).find("\"k\": expected an integer, got \"abc\""), std::string::npos);
    EXPECT_NE(configError([&] { c.setFromString("k", "5x"); }).find("expected an integer"), std::string::npos);
    EXPECT_NE(configError([&] { c.setFromString("k", "0"); }).find("[1,"), std::string::npos);
    EXPECT_NE(configError([&] { c.setFromString("hidden", "-3"); }).find("\"hidden\""), std::string::npos);
    EXPECT_NE(configError([&] { c.setFromString("lr", "nan"); }).find("\"lr\""), std::string::npos);
    EXPECT_NE(configError([&] { c.setFromString("optimizer", "rmsprop"); }).find("expected one of adam, adagrad, sgd"), std::string::npos);
    EXPECT_NE(configError([&] { c.setFromString("mode", "sparse"); }).find("\"mode\""), std::string::npos);
    EXPECT_NE(configError([&] { c.set("batch", "10"); }).find("expected an integer, got string"), std::string::npos);
    EXPECT_NE(configError([&] { c.set("dropout", 1.5); }).find("\"dropout\""), std::string::npos);
    EXPECT_NE(configError([&] { c.set("batch", 2.5); }).find("expected an integer"), std::string::npos);
    c.set("batch", 3.0);  // an integral float is an integer
    EXPECT_EQ(c.getInt("batch"), 3);
}

TEST(Config, ValidateChecksKAgainstHidden)
{
    Config c;
    c.setFromString("hidden", "10");
    c.setFromString("k", "11");
    EXPECT_NE(configError([&] { c.validate(); }).find("k <= hidden (10)"), std::string::npos);
    c.setFromString("mode", "dense");
    EXPECT_NO_THROW(c.validate());
}

TEST(Config, FromFileReportsTheFile)
{
    const std::string dir = test::tempDir("config");
    std::ofstream(dir + "/broken.json") << "{\"k\": 5,";
    EXPECT_NE(configError([&] { Config::fromFile(dir + "/broken.json"); }).find(dir + "/broken.json: not valid JSON"), std::string::npos);
    std::ofstream(dir + "/array.json") << "[1, 2]";
    EXPECT_NE(configError([&] { Config::fromFile(dir + "/array.json"); }).find("expected a JSON object"), std::string::npos);
    std::ofstream(dir + "/unknown.json") << "{\"kk\": 5}";
    EXPECT_NE(configError([&] { Config::fromFile(dir + "/unknown.json"); }).find(dir + "/unknown.json: unknown key \"kk\""),
              std::string::npos);
    std::ofstream(dir + "/good.json") << "{\"k\": 7, \"mode\": \"random\"}";
    const Config c = Config::fromFile(dir + "/good.json");
    EXPECT_EQ(c.getInt("k"), 7);
    EXPECT_NE(configError([&] { Config::fromFile(dir + "/none.json"); }).find("cannot open"), std::string::npos);
}

TEST(Config, ANumberBeyondADoubleIsBadJsonNotAnInternalError)
{
    // Found by the config fuzz target: nlohmann-json throws out_of_range (not parse_error) for 1e400.
    EXPECT_NE(configError([&] { Config::fromJsonText("{\"lr\": 1e400}", "big.json"); }).find("big.json: not valid JSON"),
              std::string::npos);
}

TEST(Config, SetAssignmentSplitsAtTheFirstEquals)
{
    Config c;
    c.setAssignment("data=/tmp/a=b");
    EXPECT_EQ(c.getString("data"), "/tmp/a=b");
    EXPECT_NE(configError([&] { c.setAssignment("=5"); }).find("--set \"=5\": expected key=value"), std::string::npos);
    EXPECT_NE(configError([&] { c.setAssignment("k"); }).find("expected key=value"), std::string::npos);
}

TEST(Config, InputTextInMessagesStaysOnOneLine)
{
    Config c;
    const std::string m = configError([&] { c.setFromString("mode", "top\nk"); });
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    EXPECT_NE(m.find("got \"top\\nk\""), std::string::npos) << m;
    EXPECT_EQ(configError([&] { findPreset("a\nb"); }).find('\n'), std::string::npos);
    EXPECT_EQ(configError([&] { c.setAssignment("k\n"); }).find('\n'), std::string::npos);
}

TEST(Config, StringsMustBeUtf8BecauseConfigJsonIs)
{
    // Found by the config fuzz target: --set data=<invalid UTF-8> was accepted, and writing
    // config.json then threw nlohmann's type_error (an internal error, exit 1).
    Config c;
    EXPECT_NE(configError([&] { c.setAssignment("data=/tmp/\xff\xfe"); }).find("expected UTF-8 text"), std::string::npos);
    c.setAssignment("data=/tmp/d\xc3\xa9j\xc3\xa0");  // valid UTF-8 is fine
    EXPECT_NO_THROW((void)c.json().dump());
}

TEST(Config, RoundTripsThroughJson)
{
    Config c;
    c.setFromString("k", "33");
    c.setFromString("optimizer", "adagrad");
    const Config d = Config::fromJson(nlohmann::json::parse(c.json().dump()));
    EXPECT_EQ(c.json(), d.json());
}

TEST(Presets, AllPresetsAreValidConfigs)
{
    ASSERT_FALSE(presets().empty());
    for (const Preset& p : presets()) {
        EXPECT_NO_THROW(Config::fromJson(p.values, p.name).validate()) << p.name;
        EXPECT_FALSE(p.description.empty()) << p.name;
    }
    const Config image = Config::fromJson(findPreset("image").values);
    EXPECT_EQ(image.getInt("k"), 20);
    EXPECT_EQ(image.getInt("batch"), 10);
    EXPECT_EQ(image.getInt("epochs"), 20);
    EXPECT_EQ(image.getString("optimizer"), "adam");
    EXPECT_NE(configError([&] { findPreset("nope"); }).find("unknown preset \"nope\""), std::string::npos);
}

TEST(Config, TrainingDetailDefaultsKeepEachTasksBehaviour)
{
    const Config c;
    EXPECT_EQ(c.getString("loss_reduction"), "mean");
    EXPECT_EQ(c.getFloat("grad_clip"), 0.0);
    EXPECT_EQ(c.getString("bias_grad"), "auto");
    EXPECT_EQ(c.getString("init"), "auto");
    EXPECT_EQ(c.getString("adagrad_eps"), "outside");
    EXPECT_EQ(c.getInt("evals_per_epoch"), 1);
    EXPECT_FALSE(sumLoss(c));
    EXPECT_FALSE(denseBias(c, false));  // image, pos: sparse
    EXPECT_TRUE(denseBias(c, true));    // parse: dense
    EXPECT_FALSE(weightInit(c).has_value());
    const OptimizerSettings o = optimizerSettings(c);
    EXPECT_EQ(o.clip, 0.0f);
    EXPECT_FALSE(o.adagradEpsInside);
}

TEST(Config, TrainingDetailKeysReachTheSettings)
{
    Config c;
    c.setFromString("loss_reduction", "sum");
    c.setFromString("grad_clip", "5");
    c.setFromString("bias_grad", "sparse");
    c.setFromString("init", "authors-normal");
    c.setFromString("adagrad_eps", "inside");
    c.setFromString("optimizer", "adagrad");
    EXPECT_TRUE(sumLoss(c));
    EXPECT_FALSE(denseBias(c, true));
    EXPECT_EQ(weightInit(c), Init::AuthorsNormal);
    const OptimizerSettings o = optimizerSettings(c);
    EXPECT_EQ(o.clip, 5.0f);
    EXPECT_TRUE(o.adagradEpsInside);
    EXPECT_FALSE(o.eps.has_value());  // the optimizer's default, kAdaGradEpsilon
    EXPECT_EQ(epsilon(o), 1e-6f);
    c.setFromString("bias_grad", "dense");
    EXPECT_TRUE(denseBias(c, false));
    EXPECT_NE(configError([&] { c.setFromString("init", "glorot"); }).find("key \"init\": expected one of auto, xavier-uniform"),
              std::string::npos);
    EXPECT_NE(configError([&] { c.setFromString("evals_per_epoch", "0"); }).find("evals_per_epoch"), std::string::npos);
}

// The parser's old names keep working: true sets the general key, false its default (the old
// default, which "auto" / "mean" reproduce for every task); the general key wins in one object.
TEST(Config, OldParserKeysMapOntoTheGeneralKeys)
{
    Config c;
    c.setFromString("sparse_bias", "true");
    EXPECT_EQ(c.getString("bias_grad"), "sparse");
    c.setFromString("sparse_bias", "false");
    EXPECT_EQ(c.getString("bias_grad"), "auto");
    c.set("sum_loss", true);
    EXPECT_EQ(c.getString("loss_reduction"), "sum");
    c.set("sum_loss", false);
    EXPECT_EQ(c.getString("loss_reduction"), "mean");
    EXPECT_FALSE(c.json().contains("sparse_bias"));
    EXPECT_FALSE(c.json().contains("sum_loss"));

    // An old run's config.json (parser keys written for every task) reads as it ran.
    const Config old = Config::fromJson({{"task", "image"}, {"sparse_bias", false}, {"sum_loss", false}, {"grad_clip", 0.0}});
    EXPECT_EQ(old.json(), Config().json());
    const Config both = Config::fromJson({{"bias_grad", "dense"}, {"sparse_bias", true}, {"loss_reduction", "mean"}, {"sum_loss", true}});
    EXPECT_EQ(both.getString("bias_grad"), "dense");
    EXPECT_EQ(both.getString("loss_reduction"), "mean");

    EXPECT_NE(configError([&] { Config::fromJson({{"sparse_bias", "yes"}}, "run.json"); })
                  .find("run.json: key \"sparse_bias\": expected true or false (an old name of \"bias_grad\")"),
              std::string::npos);
    EXPECT_NE(configError([&] { c.setFromString("sum_loss", "maybe"); }).find("key \"sum_loss\": expected true or false"),
              std::string::npos);
}

TEST(Presets, AuthorsPresetsCarryEveryDetailOfTheirCode)
{
    for (const char* name : {"authors-mnist-adam-k20", "authors-mnist-adam-dense", "authors-mnist-adagrad-k10", "authors-mnist-adagrad-dense",
                             "authors-default", "authors-default-dense"}) {
        const Config c = Config::fromJson(findPreset(name).values, name);
        EXPECT_EQ(c.getString("loss_reduction"), "sum") << name;
        EXPECT_EQ(c.getFloat("grad_clip"), 5.0) << name;
        EXPECT_EQ(c.getString("bias_grad"), "dense") << name;
        EXPECT_EQ(c.getString("init"), "authors-normal") << name;
        EXPECT_EQ(c.getString("adagrad_eps"), "inside") << name;
        EXPECT_EQ(c.getInt("evals_per_epoch"), 8) << name;
        EXPECT_EQ(c.getInt("k_output"), 0) << name;
        EXPECT_EQ(c.getInt("hidden"), 500) << name;
        EXPECT_EQ(c.getInt("layers"), 2) << name;
        EXPECT_EQ(c.getInt("dev_size"), 5000) << name;
    }
    const Config adam = Config::fromJson(findPreset("authors-mnist-adam-k20").values);
    EXPECT_EQ(adam.getString("mode"), "topk");
    EXPECT_EQ(adam.getInt("k"), 20);
    EXPECT_EQ(adam.getInt("batch"), 10);
    EXPECT_EQ(adam.getString("optimizer"), "adam");
    EXPECT_DOUBLE_EQ(adam.getFloat("lr"), 1e-3);
    const Config adagrad = Config::fromJson(findPreset("authors-mnist-adagrad-k10").values);
    EXPECT_EQ(adagrad.getInt("k"), 10);
    EXPECT_EQ(adagrad.getString("optimizer"), "adagrad");
    EXPECT_DOUBLE_EQ(adagrad.getFloat("lr"), 0.1);
    EXPECT_EQ(Config::fromJson(findPreset("authors-mnist-adagrad-dense").values).getString("mode"), "dense");
    const Config def = Config::fromJson(findPreset("authors-default").values);
    EXPECT_EQ(def.getInt("batch"), 100);
    EXPECT_EQ(def.getInt("k"), 160);
    EXPECT_EQ(def.getInt("epochs"), 20);
    EXPECT_EQ(Config::fromJson(findPreset("authors-default-dense").values).getString("mode"), "dense");
}

// Values from the input are quoted JSON-escaped: a message stays one line whatever the value
// (found by the checkpoint fuzzer through a stored configuration).
TEST(Config, MessagesQuoteValuesOnOneLine)
{
    for (const nlohmann::json& j : {nlohmann::json{{"mode", "top\nk"}}, nlohmann::json{{"bad\nkey", 1}}}) {
        try {
            Config::fromJson(j, "c.json");
            FAIL() << j.dump();
        } catch (const ConfigError& e) {
            EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
        }
    }
    Config c;
    try {
        c.setFromString("k", "1\n2");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("got \"1\\n2\""), std::string::npos) << e.what();
    }
}
