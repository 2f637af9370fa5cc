#pragma once
// Every CUDA runtime and cuBLAS call of the engine goes through one of these macros: a failure
// throws meprop::CudaError("<call> failed at <file>:<line>: <error name>: <description>").
// Host-only header (no device code), usable from .cpp and .cu files.
#include <cuda_runtime_api.h>

namespace meprop::cuda {

[[noreturn]] void throwCudaError(cudaError_t status, const char* call, const char* file, int line);
[[noreturn]] void throwCublasError(int status, const char* call, const char* file, int line);

}  // namespace meprop::cuda

#define MEPROP_CUDA_CHECK(call)                                                                  \
    do {                                                                                         \
        const cudaError_t meprop_status_ = (call);                                               \
        if (meprop_status_ != cudaSuccess)                                                       \
            ::meprop::cuda::throwCudaError(meprop_status_, #call, __FILE__, __LINE__);           \
    } while (0)

#define MEPROP_CUBLAS_CHECK(call)                                                                \
    do {                                                                                         \
        const int meprop_status_ = static_cast<int>(call);                                       \
        if (meprop_status_ != 0)                                                                 \
            ::meprop::cuda::throwCublasError(meprop_status_, #call, __FILE__, __LINE__);         \
    } while (0)

// After a kernel launch: a launch error (bad configuration, no device) surfaces here.
#define MEPROP_CUDA_CHECK_LAUNCH(name) MEPROP_CUDA_CHECK(cudaPeekAtLastError())
