#pragma once
// Wall-clock accounting of the phases of training, in seconds, as the paper reports them:
// forward, the linear layers' backward ("Backprop time": the matrix work meProp reduces, the
// top-k selection included), the whole backward ("Overall backprop time") and the update.
#include <chrono>

namespace meprop {

struct Timings {
    double forward = 0.0;
    double bpLinear = 0.0;
    double bpOverall = 0.0;
    double update = 0.0;

    Timings& operator+=(const Timings& o)
    {
        forward += o.forward;
        bpLinear += o.bpLinear;
        bpOverall += o.bpOverall;
        update += o.update;
        return *this;
    }
};

// Adds the time between construction and destruction to `sink` (nullptr: measures nothing).
class ScopedTimer {
public:
    explicit ScopedTimer(double* sink) : m_sink(sink)
    {
        if (m_sink) m_start = std::chrono::steady_clock::now();
    }
    ~ScopedTimer()
    {
        if (m_sink) *m_sink += std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    }
    ScopedTimer(const ScopedTimer&) = delete;
    ScopedTimer& operator=(const ScopedTimer&) = delete;

private:
    double* m_sink;
    std::chrono::steady_clock::time_point m_start;
};

}  // namespace meprop
