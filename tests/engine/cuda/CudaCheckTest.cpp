// The checking macros and the context's failure path: these run on every machine (no GPU needed,
// a failing CUDA call is easy to make anywhere).
#include "cuda/Check.cuh"

#include "backend/Device.h"
#include "core/Error.h"
#include "cuda/Context.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

using namespace meprop;

namespace {

std::string messageOf(const std::function<void()>& f)
{
    try {
        f();
    } catch (const CudaError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(CudaCheck, AFailedRuntimeCallThrowsCudaErrorWithCallAndPlace)
{
    // No device has this ordinal: fails with or without a GPU (cudaErrorInvalidDevice, or the
    // driver/no-device error on a machine without one).
    int line = 0;
    const std::string msg = messageOf([&] {
        line = __LINE__ + 1;
        MEPROP_CUDA_CHECK(cudaSetDevice(1 << 20));
    });
    ASSERT_FALSE(msg.empty()) << "expected CudaError";
    EXPECT_NE(msg.find("cudaSetDevice(1 << 20) failed at "), std::string::npos) << msg;
    EXPECT_NE(msg.find("CudaCheckTest.cpp:" + std::to_string(line)), std::string::npos) << msg;
    EXPECT_NE(msg.find(": cudaError"), std::string::npos) << msg;  // the error's name follows
    EXPECT_NE(msg.find("tests/engine/cuda/CudaCheckTest.cpp:"), std::string::npos) << msg;  // repository-relative
    // Cleared, so the next check starts clean (without a driver the runtime's init error stays).
    if (cudaDeviceInfo().available) {
        EXPECT_EQ(cudaGetLastError(), cudaSuccess);
    }
}

TEST(CudaCheck, AFailedCublasStatusThrowsCudaErrorWithItsName)
{
    const std::string msg = messageOf([] { MEPROP_CUBLAS_CHECK(1); });  // CUBLAS_STATUS_NOT_INITIALIZED
    EXPECT_NE(msg.find("1 failed at "), std::string::npos) << msg;
    EXPECT_NE(msg.find("CUBLAS_STATUS_NOT_INITIALIZED"), std::string::npos) << msg;
    EXPECT_TRUE(messageOf([] { MEPROP_CUBLAS_CHECK(0); }).empty());
}

TEST(CudaCheck, ContextWithoutAGpuIsACudaErrorNotACrash)
{
    if (cudaDeviceInfo().available) {
        cuda::Context ctx;  // with a GPU it simply works
        ctx.synchronize();
        return;
    }
    EXPECT_THROW(cuda::Context(), CudaError);
}
