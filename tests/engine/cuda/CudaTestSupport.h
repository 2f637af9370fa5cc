#pragma once
// Shared by the GPU parity tests: skip visibly when no device can be used, random host data.
#include "backend/Device.h"
#include "core/Rng.h"
#include "core/Tensor.h"
#include "cuda/Context.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

// Skips the current test (reported as SKIPPED by gtest and ctest) with the reason from the runtime.
// With MEPROP_EXPECT_GPU=1 in the environment (bench/gpu-check.sh sets it) a missing GPU fails the
// test instead, so a run on a GPU machine cannot pass by skipping everything.
#define MEPROP_REQUIRE_GPU()                                                                        \
    do {                                                                                            \
        const ::meprop::DeviceInfo meprop_info_ = ::meprop::cudaDeviceInfo();                      \
        if (!meprop_info_.available) {                                                              \
            if (::meprop::test::gpuExpected()) FAIL() << "MEPROP_EXPECT_GPU is set but: " << meprop_info_.reason; \
            GTEST_SKIP() << "no CUDA device: " << meprop_info_.reason;                              \
        }                                                                                           \
    } while (0)

namespace meprop::test {

inline bool gpuExpected()
{
    const char* v = std::getenv("MEPROP_EXPECT_GPU");
    return v && *v && std::string(v) != "0";
}

inline Matrix randomMatrix(int r, int c, Rng& rng, float lo = -1.0f, float hi = 1.0f)
{
    Matrix m(r, c);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(lo, hi);
    return m;
}

// Values j/64 with |j| <= 64: sums of up to 2^17 of them are exact in float whatever the order, so
// CPU and GPU column sums agree bit for bit (unified selection parity including ties).
inline Matrix dyadicMatrix(int r, int c, Rng& rng)
{
    Matrix m(r, c);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<float>(static_cast<int>(rng.below(129)) - 64) / 64.0f;
    return m;
}

inline cuda::DeviceBuffer<float> toDevice(const Matrix& m, const cuda::Context& ctx)
{
    cuda::DeviceBuffer<float> d;
    d.upload(m.data(), static_cast<std::size_t>(m.size()), ctx.stream());
    return d;
}

inline Matrix toHost(const cuda::DeviceBuffer<float>& d, int rows, int cols, const cuda::Context& ctx)
{
    Matrix m(rows, cols);
    d.download(m.data(), static_cast<std::size_t>(m.size()), ctx.stream());
    return m;
}

// max |a - b| / (1 + max |b|): a scale-aware distance for comparing GPU with CPU results.
inline double relDiff(const Matrix& a, const Matrix& b)
{
    if (a.rows() != b.rows() || a.cols() != b.cols()) return 1e30;
    if (a.size() == 0) return 0.0;
    return static_cast<double>((a - b).cwiseAbs().maxCoeff()) / (1.0 + static_cast<double>(b.cwiseAbs().maxCoeff()));
}

}  // namespace meprop::test
