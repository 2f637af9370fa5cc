#include "backend/Device.h"

#include "core/Error.h"

#include <cstdio>

namespace meprop {

Device parseDevice(const std::string& text, const std::string& field)
{
    if (text == "cpu") return Device::Cpu;
    if (text == "cuda") return Device::Cuda;
    throw ConfigError(field + ": expected one of cpu, cuda, got " + quote(text));
}

const char* toString(Device device)
{
    return device == Device::Cuda ? "cuda" : "cpu";
}

std::string describe(const DeviceInfo& info)
{
    if (!info.available) return "no GPU: " + info.reason;
    char buf[64];
    std::snprintf(buf, sizeof buf, ", %.1f GiB, sm_%d%d", static_cast<double>(info.memoryBytes) / (1024.0 * 1024.0 * 1024.0),
                  info.computeMajor, info.computeMinor);
    return info.name + buf;
}

}  // namespace meprop
