#include "backend/Backend.h"

#include "backend/CpuBackend.h"

namespace meprop {

Backend& cpuBackend()
{
    static CpuBackend backend;
    return backend;
}

std::shared_ptr<Backend> makeBackend(Device device)
{
    if (device == Device::Cuda) return makeCudaBackend();
    return std::shared_ptr<Backend>(&cpuBackend(), [](Backend*) {});
}

}  // namespace meprop
