#include "cuda/Check.cuh"

#include "core/Error.h"

#include <cublas_v2.h>

#include <string>

namespace meprop::cuda {

namespace {

std::string where(const char* call, const char* file, int line)
{
    std::string f(file);
    // Repository-relative (tests/... or engine/...): short and stable across build machines.
    if (auto pos = f.rfind("/tests/"); pos != std::string::npos)
        f = f.substr(pos + 1);
    else if (pos = f.rfind("/engine/"); pos != std::string::npos)
        f = f.substr(pos + 1);
    return std::string(call) + " failed at " + f + ":" + std::to_string(line);
}

}  // namespace

void throwCudaError(cudaError_t status, const char* call, const char* file, int line)
{
    cudaGetLastError();  // clear a sticky launch error so the next call starts clean
    throw CudaError(where(call, file, line) + ": " + cudaGetErrorName(status) + ": " + cudaGetErrorString(status));
}

void throwCublasError(int status, const char* call, const char* file, int line)
{
    const auto s = static_cast<cublasStatus_t>(status);
    throw CudaError(where(call, file, line) + ": " + cublasGetStatusName(s) + ": " + cublasGetStatusString(s));
}

}  // namespace meprop::cuda
