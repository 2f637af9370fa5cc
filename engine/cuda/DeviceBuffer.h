#pragma once
// RAII owner of a device array of T (cudaMalloc / cudaFree). Move-only. Copies to and from the host
// are asynchronous on the given stream; download() synchronises the stream before returning.
#include "cuda/Check.cuh"

#include <cstddef>
#include <utility>
#include <vector>

namespace meprop::cuda {

template <typename T>
class DeviceBuffer {
public:
    DeviceBuffer() = default;
    explicit DeviceBuffer(std::size_t count) { resize(count); }
    ~DeviceBuffer() { release(); }
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;
    DeviceBuffer(DeviceBuffer&& o) noexcept : m_ptr(std::exchange(o.m_ptr, nullptr)), m_size(std::exchange(o.m_size, 0)) {}
    DeviceBuffer& operator=(DeviceBuffer&& o) noexcept
    {
        if (this != &o) {
            release();
            m_ptr = std::exchange(o.m_ptr, nullptr);
            m_size = std::exchange(o.m_size, 0);
        }
        return *this;
    }

    // Reallocates (contents lost) when `count` differs from the current size.
    void resize(std::size_t count)
    {
        if (count == m_size) return;
        release();
        if (count > 0) MEPROP_CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&m_ptr), count * sizeof(T)));
        m_size = count;
    }
    // Grows only: keeps the allocation when it is already large enough (for scratch space).
    void reserve(std::size_t count)
    {
        if (count > m_size) resize(count);
    }

    T* data() { return m_ptr; }
    const T* data() const { return m_ptr; }
    std::size_t size() const { return m_size; }
    std::size_t bytes() const { return m_size * sizeof(T); }

    void zero(cudaStream_t stream)
    {
        if (m_size) MEPROP_CUDA_CHECK(cudaMemsetAsync(m_ptr, 0, bytes(), stream));
    }
    // Resizes to `count` and copies host[0..count).
    void upload(const T* host, std::size_t count, cudaStream_t stream)
    {
        resize(count);
        if (count) MEPROP_CUDA_CHECK(cudaMemcpyAsync(m_ptr, host, count * sizeof(T), cudaMemcpyHostToDevice, stream));
    }
    void upload(const std::vector<T>& host, cudaStream_t stream) { upload(host.data(), host.size(), stream); }
    // Copies the first `count` elements to host and waits for them.
    void download(T* host, std::size_t count, cudaStream_t stream) const
    {
        if (count) MEPROP_CUDA_CHECK(cudaMemcpyAsync(host, m_ptr, count * sizeof(T), cudaMemcpyDeviceToHost, stream));
        MEPROP_CUDA_CHECK(cudaStreamSynchronize(stream));
    }
    std::vector<T> download(cudaStream_t stream) const
    {
        std::vector<T> host(m_size);
        download(host.data(), m_size, stream);
        return host;
    }

private:
    void release() noexcept
    {
        if (m_ptr) cudaFree(m_ptr);  // no throw from a destructor; a failure here leaks at worst
        m_ptr = nullptr;
        m_size = 0;
    }

    T* m_ptr = nullptr;
    std::size_t m_size = 0;
};

}  // namespace meprop::cuda
