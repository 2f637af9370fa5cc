// The GPU entry points of a build without a CUDA compiler (compiled only when engine/cuda is not).
#include "backend/Device.h"

#include "core/Error.h"

namespace meprop {

namespace {
const char* const kNoGpu = "this build has no GPU support (built without a CUDA compiler)";
}

bool cudaBuilt()
{
    return false;
}

DeviceInfo cudaDeviceInfo()
{
    DeviceInfo info;
    info.reason = kNoGpu;
    return info;
}

std::shared_ptr<Backend> makeCudaBackend()
{
    throw ConfigError("key \"device\": cuda requested but this build has no GPU support (built without a CUDA compiler)");
}

CudaBenchResult benchLinearCuda(const CudaBenchSpec&)
{
    throw ConfigError("key \"device\": cuda requested but this build has no GPU support (built without a CUDA compiler)");
}

}  // namespace meprop
