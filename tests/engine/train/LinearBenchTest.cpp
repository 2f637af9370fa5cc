#include "train/LinearBench.h"

#include "core/Error.h"

#include <Eigen/Core>
#include <gtest/gtest.h>

using namespace meprop;

TEST(LinearBench, MeasuresBothVariantsAndReportsTheInputs)
{
    const LinearBenchResult r = benchLinearBackward(3, 40, 30, 4, BackpropMode::TopK, 1, 5);
    EXPECT_GT(r.denseMs, 0.0);
    EXPECT_GT(r.mepropMs, 0.0);
    EXPECT_DOUBLE_EQ(r.ratio, r.denseMs / r.mepropMs);
    EXPECT_LE(r.denseMinMs, r.denseMs);
    EXPECT_LE(r.mepropMinMs, r.mepropMs);
    EXPECT_EQ(r.batch, 3);
    EXPECT_EQ(r.in, 40);
    EXPECT_EQ(r.out, 30);
    EXPECT_EQ(r.k, 4);
    EXPECT_EQ(r.mode, "topk");
    EXPECT_EQ(r.threads, 1);
    EXPECT_EQ(r.reps, 5);

    const nlohmann::json j = toJson(r);
    EXPECT_EQ(j.at("mode"), "topk");
    EXPECT_EQ(j.at("batch"), 3);
    EXPECT_EQ(j.at("in"), 40);
    EXPECT_EQ(j.at("out"), 30);
    EXPECT_EQ(j.at("k"), 4);
    EXPECT_EQ(j.at("threads"), 1);
    EXPECT_EQ(j.at("reps"), 5);
    EXPECT_DOUBLE_EQ(j.at("dense_ms").get<double>(), r.denseMs);
    EXPECT_DOUBLE_EQ(j.at("meprop_ms").get<double>(), r.mepropMs);
    EXPECT_DOUBLE_EQ(j.at("ratio").get<double>(), r.ratio);
    EXPECT_TRUE(j.contains("dense_min_ms"));
    EXPECT_TRUE(j.contains("meprop_min_ms"));
    EXPECT_TRUE(j.contains("min_ratio"));
}

TEST(LinearBench, RunsEverySparseMode)
{
    for (BackpropMode mode : {BackpropMode::TopK, BackpropMode::Unified, BackpropMode::Random}) {
        const LinearBenchResult r = benchLinearBackward(2, 16, 16, 16, mode, 1, 3);
        EXPECT_EQ(r.mode, toString(mode));
        EXPECT_GT(r.mepropMs, 0.0);
    }
}

TEST(LinearBench, RejectsBadInputs)
{
    EXPECT_THROW(benchLinearBackward(0, 10, 10, 2, BackpropMode::TopK, 1, 3), ConfigError);
    EXPECT_THROW(benchLinearBackward(1, 0, 10, 2, BackpropMode::TopK, 1, 3), ConfigError);
    EXPECT_THROW(benchLinearBackward(1, 10, 0, 2, BackpropMode::TopK, 1, 3), ConfigError);
    EXPECT_THROW(benchLinearBackward(1, 10, 10, 0, BackpropMode::TopK, 1, 3), ConfigError);
    EXPECT_THROW(benchLinearBackward(1, 10, 10, 11, BackpropMode::TopK, 1, 3), ConfigError);
    EXPECT_THROW(benchLinearBackward(1, 10, 10, 2, BackpropMode::Dense, 1, 3), ConfigError);
    EXPECT_THROW(benchLinearBackward(1, 10, 10, 2, BackpropMode::TopK, 0, 3), ConfigError);
    EXPECT_THROW(benchLinearBackward(1, 10, 10, 2, BackpropMode::TopK, 1, 0), ConfigError);
}

TEST(LinearBench, RestoresEigenThreadCount)
{
    const int before = Eigen::nbThreads();
    benchLinearBackward(1, 8, 8, 2, BackpropMode::TopK, 2, 2);
    EXPECT_EQ(Eigen::nbThreads(), before);
    EXPECT_THROW(benchLinearBackward(1, 8, 8, 9, BackpropMode::TopK, 2, 2), ConfigError);
    EXPECT_EQ(Eigen::nbThreads(), before);
}
