#pragma once
// Device memory owned by a tensor (core/Tensor.h), allocated and released by the backend that made
// it (backend/Backend.h). The engine's headers stay free of CUDA: the owner only knows a pointer, a
// size and the function that releases it. Move-only; empty on the CPU.
#include <cstddef>
#include <utility>

namespace meprop {

class DeviceMemory {
public:
    using Release = void (*)(void*) noexcept;

    DeviceMemory() = default;
    DeviceMemory(void* ptr, std::size_t bytes, Release release) : m_ptr(ptr), m_bytes(bytes), m_release(release) {}
    ~DeviceMemory() { reset(); }
    DeviceMemory(const DeviceMemory&) = delete;
    DeviceMemory& operator=(const DeviceMemory&) = delete;
    DeviceMemory(DeviceMemory&& o) noexcept
        : m_ptr(std::exchange(o.m_ptr, nullptr)), m_bytes(std::exchange(o.m_bytes, 0)), m_release(std::exchange(o.m_release, nullptr))
    {
    }
    DeviceMemory& operator=(DeviceMemory&& o) noexcept
    {
        if (this != &o) {
            reset();
            m_ptr = std::exchange(o.m_ptr, nullptr);
            m_bytes = std::exchange(o.m_bytes, 0);
            m_release = std::exchange(o.m_release, nullptr);
        }
        return *this;
    }

    void* get() const { return m_ptr; }
    std::size_t bytes() const { return m_bytes; }
    explicit operator bool() const { return m_ptr != nullptr; }
    void reset() noexcept
    {
        if (m_ptr && m_release) m_release(m_ptr);
        m_ptr = nullptr;
        m_bytes = 0;
        m_release = nullptr;
    }

private:
    void* m_ptr = nullptr;
    std::size_t m_bytes = 0;
    Release m_release = nullptr;
};

}  // namespace meprop
