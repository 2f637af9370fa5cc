#pragma once
// The serialization interface of checkpoints. Models, layers, optimizers, tasks and the trainer
// implement
//     void save(CheckpointWriter& w) const;
//     void load(CheckpointReader& r);
// writing their state as a sequence of typed values and reading it back in the same order into an
// object built from the same configuration (same shapes). A value read back is bit-identical:
// integers are fixed-width little-endian, floats and doubles their IEEE bits.
//
// Each part starts with a section(name) marker that load checks, so a mismatch names the part
// ("checkpoint: expected section \"adam\", found \"sgd\"") instead of reading garbage.
// The reader is safe on hostile bytes (it is fuzzed): every read is bounds-checked, and every
// length is checked against the bytes left before anything is allocated, so a corrupt stream
// throws CheckpointError and never allocates more than the stream's own size. Names read from the
// stream are quoted escaped (core/Error.h quote), so a message stays one line.
#include "core/Parameter.h"
#include "core/Rng.h"
#include "core/Tensor.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meprop {

class CheckpointWriter {
public:
    void section(std::string_view name);
    void u64(std::uint64_t v);
    void i64(std::int64_t v);
    void f64(double v);
    void boolean(bool v) { u64(v ? 1 : 0); }
    void string(std::string_view s);
    void matrix(const Matrix& m);              // rows, cols, values
    void parameter(const Parameter& p);        // name and value (the gradient is not state)
    void rng(const Rng& rng);                  // the generator's whole state
    void u64s(const std::vector<std::uint64_t>& v);
    void i64s(const std::vector<long>& v);
    void ints(const std::vector<int>& v);
    void f64s(const std::vector<double>& v);

    const std::string& bytes() const { return m_out; }
    std::string take() { return std::move(m_out); }

private:
    void raw(const void* p, std::size_t n)
    {
        if (n > 0) m_out.append(static_cast<const char*>(p), n);  // p may be an empty vector's null data()
    }
    std::string m_out;
};

class CheckpointReader {
public:
    // Reads from `data` (not copied: it must outlive the reader). `source` prefixes messages.
    CheckpointReader(std::string_view data, std::string source);

    // Throws CheckpointError unless the next value is the marker of section `name`.
    void section(std::string_view name);
    std::uint64_t u64();
    std::int64_t i64();
    double f64();
    bool boolean();
    std::string string();
    // Into an existing matrix: the stored shape must equal m's (`what` names it in the error).
    void matrixInto(Matrix& m, const std::string& what);
    // The stored name and shape must equal p's; the gradient is left alone.
    void parameterInto(Parameter& p);
    void rngInto(Rng& rng);
    std::vector<std::uint64_t> u64s();
    std::vector<long> i64s();
    std::vector<int> ints();
    std::vector<double> f64s();
    // A vector whose length must be `expected` (`what` names it in the error).
    std::vector<std::uint64_t> u64s(std::size_t expected, const std::string& what);
    std::vector<long> i64s(std::size_t expected, const std::string& what);
    // A permutation of 0..n-1 (checked: each value once), e.g. a task's shuffled order.
    std::vector<long> permutation(std::size_t n, const std::string& what);

    std::size_t remaining() const { return m_data.size() - m_pos; }
    bool atEnd() const { return m_pos == m_data.size(); }
    // Throws CheckpointError unless every byte was read.
    void expectEnd();
    // A CheckpointError whose message starts with the source.
    [[noreturn]] void fail(const std::string& message) const;

private:
    void raw(void* p, std::size_t n);
    // Reads a length prefix and checks that `elementSize` bytes per element are left.
    std::size_t length(std::size_t elementSize, const char* what);

    std::string_view m_data;
    std::size_t m_pos = 0;
    std::string m_source;
};

}  // namespace meprop
