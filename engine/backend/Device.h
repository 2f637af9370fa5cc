#pragma once
// The device of a run and what a build knows about the GPU. Front ends (CLI, workbench) and the
// tasks call these functions; they are implemented by engine/cuda when the build found a CUDA
// compiler and by a CPU-side stub (backend/NoCuda.cpp) otherwise, so no caller ever needs an
// #ifdef. The computation itself is dispatched per operation by backend/Backend.h.
#include "core/Rng.h"
#include "ops/BackpropMode.h"

#include <cstddef>
#include <memory>
#include <string>

namespace meprop {

class Backend;
class Config;
class Task;

enum class Device { Cpu, Cuda };

// "cpu" | "cuda"; throws ConfigError naming `field` otherwise.
Device parseDevice(const std::string& text, const std::string& field = "device");
const char* toString(Device device);

// True when this build contains the CUDA backend (a device may still be missing at run time).
bool cudaBuilt();

struct DeviceInfo {
    bool available = false;   // a usable CUDA device is present
    std::string name;         // e.g. "NVIDIA H100 80GB HBM3"
    std::size_t memoryBytes = 0;  // total global memory
    int computeMajor = 0, computeMinor = 0;
    int deviceCount = 0;
    std::string reason;       // why not available (empty when available)
};

// Describes device 0. Never throws: without CUDA support or without a device, available is false
// and `reason` says why ("this build has no GPU support ...", or the cudaGetDeviceCount error).
DeviceInfo cudaDeviceInfo();

// One line for a device menu: "NVIDIA H100 80GB HBM3, 79.1 GiB, sm_90" or "no GPU: <reason>".
std::string describe(const DeviceInfo& info);

// A GPU backend (backend/Backend.h) on device 0 with its own stream and cuBLAS handle, for one
// thread. Throws ConfigError when this build has no GPU support, CudaError when no device can be
// used. makeBackend(Device::Cuda) calls it.
std::shared_ptr<Backend> makeCudaBackend();

// Timing of one linear layer's backward pass on the GPU (`meprop bench-linear --device cuda`,
// Table 7 of the paper). Synthetic data: x (batch x in), W (out x in), dy (batch x out).
struct CudaBenchSpec {
    int batch = 1024;
    int in = 8192;
    int out = 8192;
    int k = 8;
    BackpropMode mode = BackpropMode::Unified;
    int reps = 50;         // timed repetitions (after `warmup` untimed ones)
    int warmup = 5;
    bool graph = true;     // replay both backwards (dense and meProp) as captured CUDA graphs
    bool needInputGrad = true;
    std::uint64_t seed = 1;
};

struct CudaBenchResult {
    std::string device;       // GPU name
    double denseMs = 0.0;     // dense backward, two FP32 SGEMMs (dx = dy W, dW += dy^T x) + db
    double denseTf32Ms = 0.0; // the same with TF32 tensor cores
    double mepropMs = 0.0;    // meProp backward in `mode` (selection included)
    double selectMs = 0.0;    // of which: the selection alone (top-k, unified or random-k)
    double ratio = 0.0;       // denseMs / mepropMs
    double ratioTf32 = 0.0;   // denseTf32Ms / mepropMs
};

// Mean milliseconds per backward measured with CUDA events after a warm-up. Throws ConfigError on
// bad sizes (k outside [1, out], ...) or without GPU support, CudaError on a failed CUDA call.
CudaBenchResult benchLinearCuda(const CudaBenchSpec& spec);

}  // namespace meprop
