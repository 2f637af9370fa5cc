#pragma once
// Typed errors of the engine. Every message names the file, line or field at fault and what was
// expected, so the CLI can print it as one line and the GUI can show it in a dialog.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace meprop {

// `text` (a value, key or field from the input) made safe for a one-line error message whatever it
// holds: \n, \r, \t, other control characters (\xHH), quotes and backslashes are escaped, and text
// beyond `max` bytes is cut with "...".
inline std::string escaped(std::string_view text, std::size_t max = 80)
{
    bool cut = false;
    if (text.size() > max) {
        std::size_t n = max;
        while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;  // not inside a UTF-8 character
        text = text.substr(0, n);
        cut = true;
    }
    static const char* const kHex = "0123456789abcdef";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20 || u == 0x7f) {
            out += "\\x";
            out += kHex[u >> 4];
            out += kHex[u & 15];
        } else {
            out += c;
        }
    }
    if (cut) out += "...";
    return out;
}

// escaped(text) in double quotes.
inline std::string quote(std::string_view text, std::size_t max = 80)
{
    return "\"" + escaped(text, max) + "\"";
}

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
