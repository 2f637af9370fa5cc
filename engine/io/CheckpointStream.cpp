#include "io/CheckpointStream.h"

#include "core/Error.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <type_traits>

namespace meprop {

// The format is the memory layout of a little-endian machine; a big-endian port would swap here.
static_assert(std::endian::native == std::endian::little, "checkpoints are written little-endian");

namespace {

// A section marker is the string "§" + name, so a marker is never mistaken for a plain string of
// the same text and a misplaced read fails at the next marker at the latest.
std::string marker(std::string_view name) { return std::string("\xC2\xA7").append(name); }

template <typename T>
void appendVector(std::string& out, const std::vector<T>& v)
{
    const std::uint64_t n = v.size();
    out.append(reinterpret_cast<const char*>(&n), sizeof n);
    for (const T& x : v) {
        const auto w = static_cast<std::conditional_t<std::is_floating_point_v<T>, double, std::int64_t>>(x);
        out.append(reinterpret_cast<const char*>(&w), sizeof w);
    }
}

}  // namespace

void CheckpointWriter::section(std::string_view name) { string(marker(name)); }

void CheckpointWriter::u64(std::uint64_t v) { raw(&v, sizeof v); }

void CheckpointWriter::i64(std::int64_t v) { raw(&v, sizeof v); }

void CheckpointWriter::f64(double v) { raw(&v, sizeof v); }

void CheckpointWriter::string(std::string_view s)
{
    u64(s.size());
    raw(s.data(), s.size());
}

void CheckpointWriter::matrix(const Matrix& m)
{
    u64(static_cast<std::uint64_t>(m.rows()));
    u64(static_cast<std::uint64_t>(m.cols()));
    raw(m.data(), static_cast<std::size_t>(m.size()) * sizeof(float));
}

void CheckpointWriter::parameter(const Parameter& p)
{
    string(p.name);
    matrix(p.value);
}

void CheckpointWriter::rng(const Rng& rng) { string(rng.state()); }

void CheckpointWriter::u64s(const std::vector<std::uint64_t>& v)
{
    u64(v.size());
    raw(v.data(), v.size() * sizeof(std::uint64_t));
}

void CheckpointWriter::i64s(const std::vector<long>& v) { appendVector(m_out, v); }

void CheckpointWriter::ints(const std::vector<int>& v) { appendVector(m_out, v); }

void CheckpointWriter::f64s(const std::vector<double>& v) { appendVector(m_out, v); }

CheckpointReader::CheckpointReader(std::string_view data, std::string source) : m_data(data), m_source(std::move(source)) {}

void CheckpointReader::fail(const std::string& message) const { throw CheckpointError(m_source + ": " + message); }

void CheckpointReader::raw(void* p, std::size_t n)
{
    if (n > remaining())
        fail("truncated: " + std::to_string(n) + " bytes wanted at offset " + std::to_string(m_pos) + ", " + std::to_string(remaining()) +
             " left");
    if (n == 0) return;  // p may be the null data() of an empty vector: no memcpy (found by the fuzzer)
    std::memcpy(p, m_data.data() + m_pos, n);
    m_pos += n;
}

std::size_t CheckpointReader::length(std::size_t elementSize, const char* what)
{
    const std::uint64_t n = u64();
    if (n > remaining() / elementSize)
        fail(std::string("corrupt: ") + what + " of " + std::to_string(n) + " elements at offset " + std::to_string(m_pos - 8) +
             ", only " + std::to_string(remaining()) + " bytes left");
    return static_cast<std::size_t>(n);
}

void CheckpointReader::section(std::string_view name)
{
    const std::size_t at = m_pos;
    const std::string found = string();
    if (found != marker(name)) {
        const bool isMarker = found.rfind("\xC2\xA7", 0) == 0;
        fail("expected section \"" + std::string(name) + "\" at offset " + std::to_string(at) + ", found " +
             (isMarker ? "section " + quote(std::string_view(found).substr(2)) : std::string("other data")) +
             " (corrupt, or written by another build?)");
    }
}

std::uint64_t CheckpointReader::u64()
{
    std::uint64_t v;
    raw(&v, sizeof v);
    return v;
}

std::int64_t CheckpointReader::i64()
{
    std::int64_t v;
    raw(&v, sizeof v);
    return v;
}

double CheckpointReader::f64()
{
    double v;
    raw(&v, sizeof v);
    return v;
}

bool CheckpointReader::boolean()
{
    const std::uint64_t v = u64();
    if (v > 1) fail("corrupt: a flag of value " + std::to_string(v) + " at offset " + std::to_string(m_pos - 8));
    return v == 1;
}

std::string CheckpointReader::string()
{
    const std::size_t n = length(1, "a string");
    std::string s(m_data.substr(m_pos, n));
    m_pos += n;
    return s;
}

void CheckpointReader::matrixInto(Matrix& m, const std::string& what)
{
    const std::uint64_t rows = u64(), cols = u64();
    if (rows != static_cast<std::uint64_t>(m.rows()) || cols != static_cast<std::uint64_t>(m.cols()))
        fail(what + " is " + std::to_string(rows) + "x" + std::to_string(cols) + " in the checkpoint, " + std::to_string(m.rows()) + "x" +
             std::to_string(m.cols()) + " in this run (different data or configuration?)");
    raw(m.data(), static_cast<std::size_t>(m.size()) * sizeof(float));
}

void CheckpointReader::parameterInto(Parameter& p)
{
    const std::string name = string();
    if (name != p.name) fail("expected parameter \"" + p.name + "\", found " + quote(name));
    matrixInto(p.value, "parameter " + p.name);
}

void CheckpointReader::rngInto(Rng& rng)
{
    const std::string state = string();
    try {
        rng.setState(state);
    } catch (const std::invalid_argument& e) {
        fail(std::string("corrupt: ") + e.what());
    }
}

std::vector<std::uint64_t> CheckpointReader::u64s()
{
    std::vector<std::uint64_t> v(length(sizeof(std::uint64_t), "a list"));
    raw(v.data(), v.size() * sizeof(std::uint64_t));
    return v;
}

std::vector<long> CheckpointReader::i64s()
{
    std::vector<long> v(length(sizeof(std::int64_t), "a list"));
    for (long& x : v) x = static_cast<long>(i64());
    return v;
}

std::vector<int> CheckpointReader::ints()
{
    std::vector<int> v(length(sizeof(std::int64_t), "a list"));
    for (int& x : v) {
        const std::int64_t w = i64();
        if (w < INT32_MIN || w > INT32_MAX) fail("corrupt: an int of value " + std::to_string(w) + " at offset " + std::to_string(m_pos - 8));
        x = static_cast<int>(w);
    }
    return v;
}

std::vector<double> CheckpointReader::f64s()
{
    std::vector<double> v(length(sizeof(double), "a list"));
    for (double& x : v) x = f64();
    return v;
}

std::vector<std::uint64_t> CheckpointReader::u64s(std::size_t expected, const std::string& what)
{
    std::vector<std::uint64_t> v = u64s();
    if (v.size() != expected)
        fail(what + " has " + std::to_string(v.size()) + " entries in the checkpoint, " + std::to_string(expected) + " in this run");
    return v;
}

std::vector<long> CheckpointReader::i64s(std::size_t expected, const std::string& what)
{
    std::vector<long> v = i64s();
    if (v.size() != expected)
        fail(what + " has " + std::to_string(v.size()) + " entries in the checkpoint, " + std::to_string(expected) + " in this run");
    return v;
}

std::vector<long> CheckpointReader::permutation(std::size_t n, const std::string& what)
{
    std::vector<long> v = i64s(n, what);
    std::vector<char> seen(n, 0);
    for (long x : v) {
        if (x < 0 || static_cast<std::size_t>(x) >= n || seen[static_cast<std::size_t>(x)])
            fail("corrupt: " + what + " is not a permutation of 0.." + std::to_string(n) + " - 1");
        seen[static_cast<std::size_t>(x)] = 1;
    }
    return v;
}

void CheckpointReader::expectEnd()
{
    if (!atEnd()) fail("corrupt: " + std::to_string(remaining()) + " bytes left over after the last section");
}

}  // namespace meprop
