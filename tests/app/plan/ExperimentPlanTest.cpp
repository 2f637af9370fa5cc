// Experiment planning (app/plan, Qt-free): the configs a compare, a k sweep and a seed group run.
#include "ExperimentPlan.h"

#include "core/Error.h"
#include "train/Config.h"

#include <gtest/gtest.h>

using namespace meprop;

namespace {

nlohmann::json base()
{
    nlohmann::json j = Config().json();
    j["hidden"] = 32;
    j["k"] = 4;
    j["seed"] = 7;
    return j;
}

}  // namespace

TEST(ExperimentPlan, CompareIsTopkRandomDenseOfTheSameConfig)
{
    const auto runs = comparePlan(base());
    ASSERT_EQ(runs.size(), 3u);
    EXPECT_EQ(runs[0].config["mode"], "topk");
    EXPECT_EQ(runs[1].config["mode"], "random");
    EXPECT_EQ(runs[2].config["mode"], "dense");
    EXPECT_EQ(runs[2].label, "dense");
    for (const auto& r : runs) {
        EXPECT_EQ(r.config["seed"], 7);
        EXPECT_EQ(r.config["k"], 4);
        nlohmann::json rest = r.config;
        rest.erase("mode");
        nlohmann::json expected = base();
        expected.erase("mode");
        EXPECT_EQ(rest, expected);
    }
}

TEST(ExperimentPlan, SweepIsDenseThenOneRunPerK)
{
    nlohmann::json b = base();
    b["mode"] = "random";
    const auto runs = sweepPlan(b, {2, 16, 8});
    ASSERT_EQ(runs.size(), 4u);
    EXPECT_EQ(runs[0].config["mode"], "dense");
    EXPECT_EQ(runs[1].config["mode"], "random");
    EXPECT_EQ(runs[1].config["k"], 2);
    EXPECT_EQ(runs[2].config["k"], 16);
    EXPECT_EQ(runs[3].label, "k=8");
    // A dense base sweeps top-k.
    b["mode"] = "dense";
    EXPECT_EQ(sweepPlan(b, {2})[1].config["mode"], "topk");
}

TEST(ExperimentPlan, SweepRefusesAKTheEngineRejects)
{
    try {
        sweepPlan(base(), {2, 999});
        FAIL() << "k = 999 > hidden = 32 was accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("k = 999"), std::string::npos) << e.what();
    }
    EXPECT_THROW(sweepPlan(base(), {}), ConfigError);
}

TEST(ExperimentPlan, SeedsMultiplyEveryRun)
{
    const auto runs = withSeeds(comparePlan(base()), 3);
    ASSERT_EQ(runs.size(), 9u);
    EXPECT_EQ(runs[0].config["seed"], 1);
    EXPECT_EQ(runs[2].config["seed"], 3);
    EXPECT_EQ(runs[3].config["mode"], "random");
    EXPECT_EQ(runs[3].config["seed"], 1);
    EXPECT_EQ(runs[8].label, "dense seed 3");
    const auto one = withSeeds(comparePlan(base()), 1);
    ASSERT_EQ(one.size(), 3u);
    EXPECT_EQ(one[0].config["seed"], 7);  // its own seed
    EXPECT_THROW(withSeeds(one, 0), ConfigError);
}

TEST(ExperimentPlan, KListParsing)
{
    EXPECT_EQ(parseKList("5, 10,20,"), (std::vector<int>{5, 10, 20}));
    EXPECT_TRUE(parseKList("").empty());
    for (const char* bad : {"5,x", "0", "-3", "4.5", "1e3"}) {
        try {
            parseKList(bad);
            FAIL() << bad << " was accepted";
        } catch (const ConfigError& e) {
            EXPECT_NE(std::string(e.what()).find("not a positive integer"), std::string::npos) << e.what();
        }
    }
}
