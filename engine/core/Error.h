#pragma once
// Typed errors of the engine. Every message names the file, line or field at fault and what was
// expected, so the CLI can print it as one line and the GUI can show it in a dialog.
#include <stdexcept>
#include <string>

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
