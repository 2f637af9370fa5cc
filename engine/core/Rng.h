#pragma once
// The one random source of a run: a seeded 64-bit Mersenne twister, so a seed fixes a run.
#include <cstdint>
#include <random>

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

private:
    std::mt19937_64 m_engine;
};

}  // namespace meprop
