#pragma once
// What a report says about where it ran: the machine (CPU model, cores, memory, load, GPU) and the
// build (version, git commit, build type, compiler, backends). Speed claims need both.
#include <string>

namespace meprop::reproduce {

struct MachineInfo {
    std::string host;
    std::string os;        // "Linux 6.1.0-18-amd64"
    std::string cpuModel;  // /proc/cpuinfo "model name", "unknown" elsewhere
    int cores = 0;         // hardware threads
    double memoryGiB = 0.0;
    std::string load;      // /proc/loadavg's 1, 5 and 15 minute averages, "unknown" elsewhere
    std::string gpu;       // describe(cudaDeviceInfo()): "NVIDIA ..., 79.1 GiB, sm_90" or "no GPU: <reason>"
    bool gpuAvailable = false;
};

struct BuildInfo {
    std::string version;    // project version
    std::string commit;     // `git describe --always --dirty` at build time, "unknown" without git
    std::string buildType;  // CMAKE_BUILD_TYPE
    std::string compiler;   // e.g. "GCC 12.2.0"
    bool cuda = false;      // the CUDA backend is built in
    std::string engineIsa;  // the engine copy the loader picked: "x86-64" or "x86-64-v3" (core/BuildInfo.h)
};

MachineInfo machineInfo();
std::string loadAverage();  // "1.02 0.88 0.61", or "unknown"
BuildInfo buildInfo();

}  // namespace meprop::reproduce
