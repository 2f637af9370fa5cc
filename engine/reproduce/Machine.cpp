#include "reproduce/Machine.h"

#include "backend/Device.h"
#include "core/BuildInfo.h"

#if __has_include("meprop_build_info.h")
#include "meprop_build_info.h"
#endif
#ifndef MEPROP_BUILD_COMMIT
#define MEPROP_BUILD_COMMIT "unknown"
#define MEPROP_BUILD_TYPE "unknown"
#define MEPROP_BUILD_VERSION "unknown"
#endif

#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace meprop::reproduce {

std::string loadAverage()
{
    std::ifstream in("/proc/loadavg");
    double a = 0, b = 0, c = 0;
    if (!(in >> a >> b >> c)) return "unknown";
    std::ostringstream o;
    o.precision(3);
    o << a << " " << b << " " << c;
    return o.str();
}

MachineInfo machineInfo()
{
    MachineInfo m;
    char host[256] = {};
    m.host = ::gethostname(host, sizeof host - 1) == 0 ? host : "unknown";
    utsname u {};
    m.os = ::uname(&u) == 0 ? std::string(u.sysname) + " " + u.release : "unknown";
    m.cpuModel = "unknown";
    std::ifstream cpu("/proc/cpuinfo");
    for (std::string line; std::getline(cpu, line);)
        if (line.rfind("model name", 0) == 0) {
            const auto colon = line.find(':');
            if (colon != std::string::npos) m.cpuModel = line.substr(line.find_first_not_of(" \t", colon + 1));
            break;
        }
    m.cores = static_cast<int>(std::thread::hardware_concurrency());
    std::ifstream mem("/proc/meminfo");
    for (std::string key; mem >> key;) {
        if (key == "MemTotal:") {
            double kb = 0;
            mem >> kb;
            m.memoryGiB = kb / (1024.0 * 1024.0);
            break;
        }
        mem.ignore(1 << 20, '\n');
    }
    m.load = loadAverage();
    const DeviceInfo gpu = cudaDeviceInfo();
    m.gpuAvailable = gpu.available;
    m.gpu = describe(gpu);
    return m;
}

BuildInfo buildInfo()
{
    BuildInfo b;
    b.version = MEPROP_BUILD_VERSION;
    b.commit = MEPROP_BUILD_COMMIT;
    b.buildType = MEPROP_BUILD_TYPE;
#if defined(__clang__)
    b.compiler = std::string("Clang ") + __clang_version__;
#elif defined(__GNUC__)
    b.compiler = std::string("GCC ") + __VERSION__;
#else
    b.compiler = "unknown";
#endif
    b.cuda = cudaBuilt();
    b.engineIsa = engineIsa();
    return b;
}

}  // namespace meprop::reproduce
