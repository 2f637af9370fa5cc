#include "cuda/Context.h"

#include <cublas_v2.h>

namespace meprop::cuda {

namespace {
constexpr std::size_t kWorkspaceBytes = 32u << 20;  // cuBLAS recommends >= 32 MiB on Hopper
}

Context::Context()
{
    MEPROP_CUDA_CHECK(cudaSetDevice(0));
    MEPROP_CUDA_CHECK(cudaStreamCreateWithFlags(&m_stream, cudaStreamNonBlocking));
    try {
        MEPROP_CUBLAS_CHECK(cublasCreate(&m_blas));
        MEPROP_CUBLAS_CHECK(cublasSetStream(m_blas, m_stream));
        m_workspace.resize(kWorkspaceBytes);
        MEPROP_CUBLAS_CHECK(cublasSetWorkspace(m_blas, m_workspace.data(), m_workspace.size()));
        // Scalars alpha/beta come from host memory (graph capture keeps their values).
        MEPROP_CUBLAS_CHECK(cublasSetPointerMode(m_blas, CUBLAS_POINTER_MODE_HOST));
    } catch (...) {
        if (m_blas) cublasDestroy(m_blas);
        cudaStreamDestroy(m_stream);
        throw;
    }
}

Context::~Context()
{
    if (m_blas) cublasDestroy(m_blas);
    if (m_stream) cudaStreamDestroy(m_stream);
}

void Context::synchronize() const
{
    MEPROP_CUDA_CHECK(cudaStreamSynchronize(m_stream));
}

void Context::gemm(bool transA, bool transB, int m, int n, int kk, float alpha, const float* A, const float* B, float beta,
                   float* C, GemmPrecision precision) const
{
    // Row-major X viewed column-major is X^T, so C^T (n x m) = op(B)^T (n x kk) * op(A)^T (kk x m).
    const int lda = transA ? m : kk;
    const int ldb = transB ? kk : n;
    const cublasComputeType_t compute = precision == GemmPrecision::Tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
    MEPROP_CUBLAS_CHECK(cublasGemmEx(m_blas, transB ? CUBLAS_OP_T : CUBLAS_OP_N, transA ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, kk,
                                     &alpha, B, CUDA_R_32F, ldb, A, CUDA_R_32F, lda, &beta, C, CUDA_R_32F, n, compute,
                                     CUBLAS_GEMM_DEFAULT));
}

EventTimer::EventTimer()
{
    MEPROP_CUDA_CHECK(cudaEventCreate(&m_start));
    MEPROP_CUDA_CHECK(cudaEventCreate(&m_stop));
}

EventTimer::~EventTimer()
{
    cudaEventDestroy(m_start);
    cudaEventDestroy(m_stop);
}

void EventTimer::start(cudaStream_t stream)
{
    MEPROP_CUDA_CHECK(cudaEventRecord(m_start, stream));
}

void EventTimer::stop(cudaStream_t stream)
{
    MEPROP_CUDA_CHECK(cudaEventRecord(m_stop, stream));
}

float EventTimer::milliseconds() const
{
    MEPROP_CUDA_CHECK(cudaEventSynchronize(m_stop));
    float ms = 0.0f;
    MEPROP_CUDA_CHECK(cudaEventElapsedTime(&ms, m_start, m_stop));
    return ms;
}

}  // namespace meprop::cuda
