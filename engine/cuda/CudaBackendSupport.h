#pragma once
// The GPU backend's shared helpers (private to engine/cuda): device memory for a tensor, the
// checked device pointer of an operand, shape checks. Used by the CudaBackend*.cpp files, which
// hold the one CudaBackend class split by family of operations (memory, element-wise and loss;
// meProp and optimizers; LSTM), as the CPU side is (CpuBackend, CpuSparseLinear, CpuLstm).
#include "core/Error.h"
#include "core/Parameter.h"
#include "core/Tensor.h"
#include "cuda/Check.cuh"

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <string>

namespace meprop::cuda::detail {


inline void releaseDevice(void* p) noexcept
{
    cudaFree(p);  // no throw from a destructor; a failure here leaks at worst
}

inline std::string dims(Eigen::Index rows, Eigen::Index cols)
{
    return std::to_string(rows) + "x" + std::to_string(cols);
}

template <typename T>
inline std::size_t bytesOf(const BasicTensor<T>& t)
{
    return static_cast<std::size_t>(t.size()) * sizeof(T);
}

// Device memory for rows x cols (at least one element, so a resized tensor is always on the
// device), grown only; the host mirror gets the shape.
template <typename T>
inline void resizeDevice(BasicTensor<T>& t, Eigen::Index rows, Eigen::Index cols)
{
    if (rows < 0 || cols < 0) throw ShapeError("cuda backend: cannot shape a tensor " + dims(rows, cols));
    const std::size_t bytes = std::max<std::size_t>(1, static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols)) * sizeof(T);
    DeviceMemory& mem = t.deviceMemory();
    if (!mem || mem.bytes() < bytes) {
        mem.reset();
        void* p = nullptr;
        MEPROP_CUDA_CHECK(cudaMalloc(&p, bytes));
        mem = DeviceMemory(p, bytes, &releaseDevice);
    }
    if (t.rows() != rows || t.cols() != cols) t.resize(rows, cols);
}

// The device values of an operation's operand: they must cover the host mirror's shape.
template <typename T>
inline const T* dev(const BasicTensor<T>& t, const char* what)
{
    if (t.size() == 0) return t.deviceData();  // may be null: no kernel reads an empty tensor
    if (!t.onDevice() || t.deviceMemory().bytes() < bytesOf(t))
        throw std::logic_error(std::string("cuda backend: ") + what + " (" + dims(t.rows(), t.cols()) +
                               ") is not in device memory; shape it with Backend::resize or upload it");
    return t.deviceData();
}

template <typename T>
inline T* dev(BasicTensor<T>& t, const char* what)
{
    return const_cast<T*>(dev(static_cast<const BasicTensor<T>&>(t), what));
}

inline int toInt(Eigen::Index v, const char* what)
{
    if (v < 0 || v > INT_MAX) throw ShapeError(std::string("cuda backend: ") + what + " = " + std::to_string(v) + " exceeds the kernels' int range");
    return static_cast<int>(v);
}

template <typename T>
inline void uploadTensor(BasicTensor<T>& t, cudaStream_t s)
{
    resizeDevice(t, t.rows(), t.cols());  // same shape: the host values stay
    // From pageable memory the copy has left the host buffer when the call returns (CUDA's API
    // synchronisation rules), so the caller may change the matrix at once.
    if (t.size() > 0) MEPROP_CUDA_CHECK(cudaMemcpyAsync(t.deviceData(), t.data(), bytesOf(t), cudaMemcpyHostToDevice, s));
}

template <typename T>
inline void downloadTensor(BasicTensor<T>& t, cudaStream_t s)
{
    if (!t.onDevice()) return;  // a host tensor: its matrix is its value
    dev(t, "a downloaded tensor");
    if (t.size() > 0) MEPROP_CUDA_CHECK(cudaMemcpyAsync(t.data(), t.deviceData(), bytesOf(t), cudaMemcpyDeviceToHost, s));
    MEPROP_CUDA_CHECK(cudaStreamSynchronize(s));
}

template <typename T>
inline void zeroTensor(BasicTensor<T>& t, cudaStream_t s)
{
    resizeDevice(t, t.rows(), t.cols());  // allocates a host-only tensor
    if (t.size() > 0) MEPROP_CUDA_CHECK(cudaMemsetAsync(dev(t, "a zeroed tensor"), 0, bytesOf(t), s));
}

inline void requireSameShape(const Tensor& a, const Tensor& b, const char* what)
{
    if (a.rows() != b.rows() || a.cols() != b.cols())
        throw ShapeError(std::string("cuda backend: ") + what + ": " + dims(a.rows(), a.cols()) + " and " + dims(b.rows(), b.cols()));
}

inline void requireParameter(const Parameter& p)
{
    if (p.grad.rows() != p.value.rows() || p.grad.cols() != p.value.cols())
        throw ShapeError("cuda backend: parameter " + p.name + " has a value of " + dims(p.value.rows(), p.value.cols()) +
                         " and a gradient of " + dims(p.grad.rows(), p.grad.cols()));
}

inline void requireState(const Parameter& p, const Tensor& state, const char* what)
{
    if (state.rows() != p.value.rows() || state.cols() != p.value.cols())
        throw ShapeError("cuda backend: " + std::string(what) + " of parameter " + p.name + " is " + dims(state.rows(), state.cols()) +
                         ", expected " + dims(p.value.rows(), p.value.cols()));
}


}  // namespace meprop::cuda::detail
