#pragma once
// Dense tensors of the engine: row-major matrices that know where they live. A minibatch is a
// tensor of shape (batch x features), one example per row; a weight matrix W of a layer
// y = W x + b has shape (out x in), so the rows of W are the output neurons meProp selects.
//
// BasicTensor<T> is an Eigen row-major matrix (every Eigen expression works on it) that may also
// own device memory of the same shape (core/DeviceMemory.h):
//   - on the CPU (no device memory) the matrix is the storage;
//   - on the GPU the device memory holds the values and the matrix, always of the same shape, is
//     the host mirror: it holds the values only after Backend::download, and Backend::upload
//     makes the mirror's values the tensor's (backend/Backend.h).
// The backend that runs a model allocates its tensors (Backend::resize), so a model's code is the
// same for both devices and never asks where a tensor lives except through its backend.
// Copying a tensor copies the host matrix; copying one that owns device memory throws LogicError
// (a device copy is Backend::copy, which knows the stream).
#include "core/DeviceMemory.h"

#include <Eigen/Core>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace meprop {

template <typename T>
class BasicTensor : public Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> {
public:
    using Base = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

    BasicTensor() = default;
    BasicTensor(Eigen::Index rows, Eigen::Index cols) : Base(rows, cols) {}
    // Explicit, so that passing a plain Matrix where a layer takes a Tensor does not copy it
    // silently.
    template <typename Derived>
    explicit BasicTensor(const Eigen::MatrixBase<Derived>& other) : Base(other)
    {
    }
    template <typename Derived>
    BasicTensor& operator=(const Eigen::MatrixBase<Derived>& other)
    {
        Base::operator=(other);
        return *this;
    }
    explicit BasicTensor(Base&& m) noexcept : Base(std::move(m)) {}  // takes over a host matrix
    BasicTensor(const BasicTensor& o) : Base(o) { o.requireHost("copy"); }
    BasicTensor& operator=(const BasicTensor& o)
    {
        o.requireHost("copy");
        requireHost("assign to");
        Base::operator=(o);
        return *this;
    }
    BasicTensor(BasicTensor&&) noexcept = default;
    BasicTensor& operator=(BasicTensor&&) noexcept = default;

    // True when the values live in device memory (the matrix is then the host mirror).
    bool onDevice() const { return static_cast<bool>(m_device); }
    T* deviceData() { return static_cast<T*>(m_device.get()); }
    const T* deviceData() const { return static_cast<const T*>(m_device.get()); }
    // The backend's: attaches (or, given an empty one, drops) the device storage.
    DeviceMemory& deviceMemory() { return m_device; }
    const DeviceMemory& deviceMemory() const { return m_device; }

private:
    void requireHost(const char* what) const
    {
        if (onDevice()) {
            std::string message = "cannot ";
            message.append(what).append(" a device tensor on the host; use Backend::copy");
            throw std::logic_error(message);
        }
    }
    DeviceMemory m_device;
};

using Tensor = BasicTensor<float>;
using IndexTensor = BasicTensor<int>;
using CountTensor = BasicTensor<std::uint64_t>;
using MaskTensor = BasicTensor<std::uint8_t>;
using StepTensor = BasicTensor<std::int64_t>;
using ScalarTensor = BasicTensor<double>;  // 1 x 1: a loss, read once per step

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXf;
using RowVector = Eigen::RowVectorXf;
using IndexList = std::vector<int>;

}  // namespace meprop
