#pragma once
// Shared by the one-stack parity tests (Cuda*ParityTest.cpp): the same layer, model, optimizer or
// task is built twice from the same seed, once on cpuBackend() and once on a GPU backend, runs
// the same steps, and the downloaded results are compared. Skipped without a device
// (MEPROP_REQUIRE_GPU, CudaTestSupport.h).
//
// Compiled with -DMEPROP_PARITY_ON_CPU the "GPU" backend is a second CpuBackend and nothing
// skips: the tests' own logic (the calls, the order of the draws, the expectations that hold on
// both devices) then runs on a machine without a GPU. The branches on onGpu() hold what only the
// GPU does (a non-finite gradient reported at the next synchronisation, device-only inputs).
// To do so, add to tests/CMakeLists.txt for a file's target, e.g.
//   target_compile_definitions(test_engine_cuda_CudaMlpParityTest PRIVATE MEPROP_PARITY_ON_CPU)
// (or compile the file by hand with -DMEPROP_PARITY_ON_CPU), build and run it.
#include "CudaTestSupport.h"
#include "backend/Backend.h"
#include "core/Parameter.h"

#include <algorithm>
#include <memory>
#include <vector>

#ifdef MEPROP_PARITY_ON_CPU
#include "backend/CpuBackend.h"
#undef MEPROP_REQUIRE_GPU
#define MEPROP_REQUIRE_GPU() \
    do {                     \
    } while (0)
#else
#include "cuda/CudaBackend.h"
#endif

namespace meprop::test {

// A new GPU backend (its own stream and cuBLAS handle).
inline std::shared_ptr<Backend> gpuBackend()
{
#ifdef MEPROP_PARITY_ON_CPU
    return std::make_shared<CpuBackend>();
#else
    return std::make_shared<cuda::CudaBackend>();
#endif
}

inline bool onGpu(const Backend& be) { return be.device() == Device::Cuda; }

// m as a tensor of be (uploaded).
inline Tensor onBackend(Backend& be, const Matrix& m)
{
    Tensor t(m);
    be.upload(t);
    return t;
}

inline IndexTensor labelsOn(Backend& be, const std::vector<int>& labels)
{
    IndexTensor t(static_cast<Eigen::Index>(labels.size()), 1);
    std::copy(labels.begin(), labels.end(), t.data());
    be.upload(t);
    return t;
}

// The values of t (downloaded first).
inline Matrix host(Backend& be, Tensor& t)
{
    be.download(t);
    return static_cast<const Matrix&>(t);
}

// The rows of p's gradient its backend's bookkeeping says may be nonzero, ascending: on the CPU
// Parameter::rows (every row when dense), on the GPU Parameter::touched (every row after touchAll).
inline std::vector<int> markedRows(Backend& be, Parameter& p)
{
    std::vector<int> rows;
    const int n = static_cast<int>(p.grad.rows());
    bool all = false;
#ifndef MEPROP_PARITY_ON_CPU
    if (auto* cuda = dynamic_cast<cuda::CudaBackend*>(&be)) {
        all = p.gradDense;
        if (!all) {
            cuda->download(p.touched);
            for (int r = 0; r < n && r < p.touched.cols(); ++r)
                if (p.touched(0, r) != 0) rows.push_back(r);
        }
    } else
#endif
    {
        (void)be;
        all = !p.rowSparse;
        if (!all) rows = p.rows;
    }
    if (all) {
        rows.clear();
        for (int r = 0; r < n; ++r) rows.push_back(r);
    }
    std::sort(rows.begin(), rows.end());
    return rows;
}

}  // namespace meprop::test
