#pragma once
// Which build of the engine library this process runs. On x86-64 the engine is built twice with one
// SONAME (the x86-64 baseline and x86-64-v3) and the dynamic loader picks the copy the CPU can run
// (glibc-hwcaps; see engine/CMakeLists.txt). These say which one it picked.
#include <string>

namespace meprop {

// The instruction-set level the loaded engine was compiled for: "x86-64" (baseline) or
// "x86-64-v3" (AVX2, FMA, BMI2, ...).
const char* engineIsa();

// The file the engine was loaded from, e.g. ".../lib/glibc-hwcaps/x86-64-v3/libmeprop_engine.so.0";
// empty when the loader does not say (a static build).
std::string engineLibraryPath();

// True when this CPU (as the loader sees it) has every feature glibc requires for x86-64-v3, so
// a glibc-hwcaps/x86-64-v3 library is eligible. False on other architectures.
bool cpuSupportsX86_64V3();

}  // namespace meprop
