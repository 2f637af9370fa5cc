#pragma once
// The GPU state one worker thread uses: device 0, a non-blocking stream, a cuBLAS handle bound to
// that stream with its own workspace (so that cuBLAS allocates nothing during CUDA graph capture).
// A context belongs to the thread that uses it: the trainer's worker thread owns its task's
// context, so each thread has its own cuBLAS handle. Move-only.
#include "cuda/DeviceBuffer.h"

#include <string>

struct cublasContext;

namespace meprop::cuda {

using BlasHandle = cublasContext*;  // == cublasHandle_t

enum class GemmPrecision { Fp32, Tf32 };

class Context {
public:
    // Throws CudaError when no device can be used (the message carries the CUDA error).
    Context();
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    cudaStream_t stream() const { return m_stream; }
    BlasHandle blas() const { return m_blas; }
    void synchronize() const;

    // Row-major GEMM, as the engine stores matrices (meprop::Matrix is row-major):
    //   C (m x n) = alpha * op(A) * op(B) + beta * C,
    //   op(A) is (m x kk): A is stored (m x kk), or (kk x m) when transA;
    //   op(B) is (kk x n): B is stored (kk x n), or (n x kk) when transB.
    // Implemented as the column-major product C^T = op(B)^T op(A)^T with cublasGemmEx.
    void gemm(bool transA, bool transB, int m, int n, int kk, float alpha, const float* A, const float* B, float beta, float* C,
              GemmPrecision precision = GemmPrecision::Fp32) const;

private:
    cudaStream_t m_stream = nullptr;
    BlasHandle m_blas = nullptr;
    DeviceBuffer<unsigned char> m_workspace;
};

// A pair of CUDA events timing work on a stream: start(), stop(), then milliseconds() (waits).
class EventTimer {
public:
    EventTimer();
    ~EventTimer();
    EventTimer(const EventTimer&) = delete;
    EventTimer& operator=(const EventTimer&) = delete;
    void start(cudaStream_t stream);
    void stop(cudaStream_t stream);
    float milliseconds() const;

private:
    cudaEvent_t m_start = nullptr, m_stop = nullptr;
};

}  // namespace meprop::cuda
