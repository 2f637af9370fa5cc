#include "backend/Device.h"

#include "core/Error.h"
#include "train/Config.h"
#include "train/Task.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

using namespace meprop;

TEST(Device, ParsesDeviceNames)
{
    EXPECT_EQ(parseDevice("cpu"), Device::Cpu);
    EXPECT_EQ(parseDevice("cuda"), Device::Cuda);
    EXPECT_STREQ(toString(Device::Cuda), "cuda");
    try {
        parseDevice("gpu", "device");
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("device: expected one of cpu, cuda, got \"gpu\""), std::string::npos) << e.what();
    }
}

TEST(Device, BuildFlagMatchesTheCompileDefinition)
{
#ifdef MEPROP_HAS_CUDA
    EXPECT_TRUE(cudaBuilt());
#else
    EXPECT_FALSE(cudaBuilt());
#endif
}

// Runs in every build: with a usable GPU the info is filled in, otherwise it says why not, and
// asking for GPU work is one ConfigError, never a crash.
TEST(Device, InfoNeverThrowsAndExplainsAMissingGpu)
{
    const DeviceInfo info = cudaDeviceInfo();
    if (info.available) {
        EXPECT_FALSE(info.name.empty());
        EXPECT_GT(info.memoryBytes, 0u);
        EXPECT_GE(info.computeMajor, 5);
        EXPECT_EQ(describe(info).find(info.name), 0u);
        return;
    }
    const char* expect = std::getenv("MEPROP_EXPECT_GPU");  // set by bench/gpu-check.sh
    if (expect && *expect && std::string(expect) != "0") FAIL() << "MEPROP_EXPECT_GPU is set but: " << info.reason;
    EXPECT_FALSE(info.reason.empty());
    EXPECT_EQ(describe(info), "no GPU: " + info.reason);
    if (!cudaBuilt()) {
        EXPECT_NE(info.reason.find("this build has no GPU support"), std::string::npos);
    }
    CudaBenchSpec spec;
    spec.batch = 4;
    spec.in = spec.out = 16;
    try {
        benchLinearCuda(spec);
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("key \"device\": cuda requested but"), std::string::npos) << e.what();
    }
}

TEST(Device, BenchLinearRejectsBadSizes)
{
    CudaBenchSpec spec;
    spec.batch = 8;
    spec.in = spec.out = 32;
    spec.k = 33;
    EXPECT_THROW(benchLinearCuda(spec), ConfigError);
}

TEST(Device, BenchLinearTimesASmallLayerOnAGpu)
{
    if (!cudaDeviceInfo().available) GTEST_SKIP() << "no CUDA device: " << cudaDeviceInfo().reason;
    CudaBenchSpec spec;
    spec.batch = 64;
    spec.in = spec.out = 256;
    spec.k = 8;
    spec.reps = 3;
    // warmup 0: the graph's capture must not be the call that allocates the scratch buffers.
    for (int warmup : {1, 0})
        for (BackpropMode mode : {BackpropMode::Unified, BackpropMode::TopK, BackpropMode::Random}) {
            spec.warmup = warmup;
            spec.mode = mode;
            const CudaBenchResult r = benchLinearCuda(spec);
            EXPECT_GT(r.denseMs, 0.0);
            EXPECT_GT(r.denseTf32Ms, 0.0);
            EXPECT_GT(r.mepropMs, 0.0);
            EXPECT_NEAR(r.ratio, r.denseMs / r.mepropMs, 1e-9);
            EXPECT_FALSE(r.device.empty());
        }
}

// makeTask is the one dispatch point: device=cuda without a usable GPU is one ConfigError saying why.
TEST(Device, MakeTaskOnCudaWithoutAGpuIsAConfigError)
{
    const DeviceInfo info = cudaDeviceInfo();
    if (info.available) GTEST_SKIP() << "a GPU is present (tests/engine/cuda cover the GPU task)";
    Config c;
    c.set("device", "cuda");
    Rng rng(1);
    try {
        makeTask(c, rng);
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("key \"device\": cuda requested but"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(info.reason), std::string::npos) << e.what();
    }
    c.set("task", "pos");
    EXPECT_THROW(makeTask(c, rng), ConfigError);
}
