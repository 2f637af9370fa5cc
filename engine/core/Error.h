#pragma once
// Typed errors of the engine. Every message names the file, line or field at fault and what was
// expected, so the CLI can print it as one line and the GUI can show it in a dialog.
#include <stdexcept>
#include <string>
#include <utility>

namespace meprop {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// A configuration key is unknown, of the wrong type or out of range.
class ConfigError : public Error {
public:
    using Error::Error;
};

// A data file is missing, truncated, corrupt or inconsistent.
class DatasetError : public Error {
public:
    using Error::Error;
};

// Tensor shapes do not agree.
class ShapeError : public Error {
public:
    using Error::Error;
};

// A CUDA or cuBLAS call failed (only thrown by builds with CUDA support).
class CudaError : public Error {
public:
    using Error::Error;
};

// An I/O failure writing results.
class IoError : public Error {
public:
    using Error::Error;
};

// A gradient held NaN or an infinity: the run diverged and cannot go on. layer() names the layer
// whose output gradient it was (the first one found in back propagation), step() the training step
// (1-based; 0 where the thrower does not know it: the trainer adds it).
class NonFiniteGradient : public Error {
public:
    explicit NonFiniteGradient(std::string layer, long step = 0)
        : Error("non-finite gradient in layer " + layer + (step > 0 ? " at step " + std::to_string(step) : std::string()) +
                " (NaN or infinity in the gradient of its output: the run diverged; try a smaller lr)"),
          m_layer(std::move(layer)),
          m_step(step)
    {
    }
    const std::string& layer() const { return m_layer; }
    long step() const { return m_step; }

private:
    std::string m_layer;
    long m_step;
};

// A checkpoint file is truncated or corrupt, of another format version, or was written by another
// configuration or data set than the run that reads it.
class CheckpointError : public Error {
public:
    using Error::Error;
};

// Thrown by the trainer when the run was cancelled through the progress sink.
class Cancelled : public Error {
public:
    Cancelled() : Error("run cancelled") {}
};

}  // namespace meprop
