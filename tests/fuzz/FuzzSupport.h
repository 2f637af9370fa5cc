#pragma once
// Shared by the fuzz targets of tests/fuzz (one file per target; see "Fuzzing" in README.md).
// A target defines LLVMFuzzerTestOneInput: bad input must end in the reader's typed error (caught
// by the target and checked to be one line naming the input), anything else (a crash, a sanitizer
// report, an uncaught exception, a broken property) is a finding.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace meprop::fuzz {

// Takes pieces off the front of a fuzz input.
class Input {
public:
    Input(const std::uint8_t* data, std::size_t size) : m_rest(reinterpret_cast<const char*>(data), size) {}

    // One byte (0 when the input is used up).
    std::uint8_t byte()
    {
        if (m_rest.empty()) return 0;
        const auto b = static_cast<std::uint8_t>(m_rest.front());
        m_rest.remove_prefix(1);
        return b;
    }
    // A part of the input: a 2-byte little-endian length, then that many bytes (fewer at the end).
    std::string_view part()
    {
        const std::size_t lo = byte(), hi = byte();
        const std::size_t n = std::min(lo | (hi << 8), m_rest.size());
        const std::string_view p = m_rest.substr(0, n);
        m_rest.remove_prefix(n);
        return p;
    }
    std::string_view rest()
    {
        const std::string_view r = m_rest;
        m_rest = {};
        return r;
    }

private:
    std::string_view m_rest;
};

// A property of the code under test broke: report it and abort (libFuzzer saves the input; the
// replay test fails).
[[noreturn]] inline void violated(const char* what, const std::string& detail = {})
{
    std::fprintf(stderr, "fuzz: property violated: %s%s%s\n", what, detail.empty() ? "" : ": ", detail.c_str());
    std::abort();
}

inline void require(bool ok, const char* what, const std::string& detail = {})
{
    if (!ok) violated(what, detail);
}

// The message of a typed error for bad input: not empty, one line, and naming `name` (the file or
// source the reader was given) when `name` is not empty.
inline void requireClearMessage(std::string_view message, std::string_view name = {})
{
    const std::string m(message);
    require(!m.empty(), "error message is empty");
    require(m.find_first_of("\n\r") == std::string::npos, "error message spans several lines", m);
    if (!name.empty()) require(m.find(name) != std::string::npos, "error message does not name the input", m);
}

}  // namespace meprop::fuzz
