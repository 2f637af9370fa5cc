// backend/Device.h entry points of a build with CUDA (NoCuda.cpp is compiled instead without it).
#include "backend/Device.h"

#include "cuda/Check.cuh"

namespace meprop {

bool cudaBuilt()
{
    return true;
}

DeviceInfo cudaDeviceInfo()
{
    DeviceInfo info;
    int count = 0;
    const cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess) {
        cudaGetLastError();
        info.reason = std::string("cudaGetDeviceCount: ") + cudaGetErrorName(status) + ": " + cudaGetErrorString(status);
        return info;
    }
    if (count == 0) {
        info.reason = "cudaGetDeviceCount: no CUDA device";
        return info;
    }
    cudaDeviceProp prop{};
    if (const cudaError_t s = cudaGetDeviceProperties(&prop, 0); s != cudaSuccess) {
        cudaGetLastError();
        info.reason = std::string("cudaGetDeviceProperties: ") + cudaGetErrorName(s) + ": " + cudaGetErrorString(s);
        return info;
    }
    info.available = true;
    info.deviceCount = count;
    info.name = prop.name;
    info.memoryBytes = prop.totalGlobalMem;
    info.computeMajor = prop.major;
    info.computeMinor = prop.minor;
    return info;
}

}  // namespace meprop
