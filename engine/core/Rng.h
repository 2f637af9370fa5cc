#pragma once
// The one random source of a run: a seeded 64-bit Mersenne twister, so a seed fixes a run.
//
// The draws are written out rather than taken from std::uniform_real_distribution,
// std::normal_distribution and std::uniform_int_distribution, whose algorithms the standard leaves
// to each library (a seed would give another run with another library). They are libstdc++ 12's
// algorithms step for step, so every result of the builds that used those distributions stands;
// tests/engine/core/RngTest checks them bit for bit against libstdc++ where it is the library.
#include <cmath>
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
    // One raw draw of the engine: 64 uniform bits (the counter-based draws' key, ops/CounterRng.h).
    std::uint64_t bits() { return m_engine(); }
    // Uniform in [0, 1): one engine draw u, float(u) / 2^64, kept below 1 (the float rounding of u
    // can reach 2^64). libstdc++'s generate_canonical<float, 24> for a 64-bit engine.
    float canonical()
    {
        const float r = static_cast<float>(m_engine()) / 18446744073709551616.0f;
        return r >= 1.0f ? 0x1.fffffep-1f : r;  // nextafter(1, 0)
    }
    // Uniform in [lo, hi): canonical() scaled, as libstdc++'s uniform_real_distribution<float>.
    float uniform(float lo, float hi) { return (canonical() * (hi - lo)) + lo; }
    // Gaussian: Marsaglia's polar method as libstdc++'s normal_distribution<float> computes it for
    // a fresh distribution (the pair's second value is not kept): two canonical() draws per try.
    float normal(float mean, float stddev)
    {
        float x, y, r2;
        do {
            x = static_cast<float>(2.0f * canonical() - 1.0);  // the library's mixed float/double arithmetic
            y = static_cast<float>(2.0f * canonical() - 1.0);
            r2 = x * x + y * y;
        } while (r2 > 1.0 || r2 == 0.0);
        const float mult = std::sqrt(-2 * std::log(r2) / r2);
        const float ret = y * mult;
        return ret * stddev + mean;
    }
    // Uniform integer in [0, n); below(0) is a raw 64-bit draw (the range 2^64). Lemire's nearly
    // divisionless method with a 128-bit product, as libstdc++'s uniform_int_distribution<uint64_t>
    // (0, n - 1) for a 64-bit engine: one draw, more only when the product's low half falls below
    // 2^64 mod n (probability < n / 2^64).
    std::uint64_t below(std::uint64_t n)
    {
        if (n == 0) return m_engine();
        __extension__ using U128 = unsigned __int128;
        U128 product = static_cast<U128>(m_engine()) * n;
        auto low = static_cast<std::uint64_t>(product);
        if (low < n) {
            const std::uint64_t threshold = (0 - n) % n;
            while (low < threshold) {
                product = static_cast<U128>(m_engine()) * n;
                low = static_cast<std::uint64_t>(product);
            }
        }
        return static_cast<std::uint64_t>(product >> 64);
    }
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
