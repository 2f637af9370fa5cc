#pragma once
// The one random source of a run: a seeded 64-bit Mersenne twister, so a seed fixes a run.
#include <cstdint>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace meprop {

class Rng {
public:
    explicit Rng(std::uint64_t seed = 1) : m_engine(seed) {}

    std::mt19937_64& engine() { return m_engine; }
    float uniform(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(m_engine); }
    float normal(float mean, float stddev) { return std::normal_distribution<float>(mean, stddev)(m_engine); }
    // Uniform integer in [0, n).
    std::uint64_t below(std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(m_engine); }
    bool bernoulli(float p) { return uniform(0.0f, 1.0f) < p; }
    // The engine's one shuffle (the tasks' epoch orders): Fisher-Yates from the back, one
    // below(i) draw for i = n .. 2. Written out rather than std::shuffle, whose draws differ
    // between standard libraries.
    template <class T>
    void shuffle(std::vector<T>& v)
    {
        for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[static_cast<std::size_t>(below(i))]);
    }

    // The engine's whole state as the standard's text form (312 numbers), and back, for
    // checkpoints: a restored Rng continues with exactly the draws the saved one would have made.
    // setState throws std::invalid_argument on text that is not such a state.
    std::string state() const
    {
        std::ostringstream os;
        os << m_engine;
        return os.str();
    }
    void setState(const std::string& text)
    {
        std::istringstream is(text);
        std::mt19937_64 e;
        is >> e;
        if (is.fail()) throw std::invalid_argument("not a random generator state");
        is >> std::ws;
        if (!is.eof()) throw std::invalid_argument("not a random generator state (trailing text)");
        m_engine = e;
    }

private:
    std::mt19937_64 m_engine;
};

}  // namespace meprop
