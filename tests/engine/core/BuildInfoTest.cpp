// The loader runs the engine build this CPU can run: the x86-64-v3 copy (glibc-hwcaps) on a CPU
// with AVX2/FMA when the build has one, the baseline copy otherwise (e.g. under
// `qemu-x86_64 -cpu Nehalem`, see tests/engine/cli/qemu_cpu_test.sh).
#include "core/BuildInfo.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

using namespace meprop;

TEST(BuildInfo, EngineIsLoadedFromTheLibraryItsIsaNames)
{
    const std::string isa = engineIsa();
    const std::string path = engineLibraryPath();
    ASSERT_FALSE(path.empty());
    EXPECT_NE(path.find("libmeprop_engine.so"), std::string::npos) << path;
    EXPECT_EQ(path.find("glibc-hwcaps/x86-64-v3/") != std::string::npos, isa == "x86-64-v3") << isa << " from " << path;
}

TEST(BuildInfo, PicksTheV3BuildExactlyWhenTheCpuHasIt)
{
    const std::string isa = engineIsa();
#if MEPROP_TEST_ENGINE_V3_BUILT
    EXPECT_EQ(isa, cpuSupportsX86_64V3() ? "x86-64-v3" : "x86-64") << "loaded from " << engineLibraryPath();
#else
    EXPECT_EQ(isa, "x86-64") << "this build has no x86-64-v3 engine; loaded from " << engineLibraryPath();
#endif
    std::printf("engine %s (cpu has x86-64-v3: %s) from %s\n", isa.c_str(), cpuSupportsX86_64V3() ? "yes" : "no",
                engineLibraryPath().c_str());
}
