#include "train/LinearBench.h"

#include "core/Error.h"
#include "core/Rng.h"
#include "core/Tensor.h"
#include "layers/Linear.h"

#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <vector>

namespace meprop {

namespace {

void requirePositive(int value, const char* field)
{
    if (value < 1) throw ConfigError(std::string(field) + ": expected a positive integer, got " + std::to_string(value));
}

double median(std::vector<double>& v)
{
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    if (v.size() % 2 == 1) return *mid;
    const double upper = *mid;
    return 0.5 * (upper + *std::max_element(v.begin(), mid));
}

// Restores Eigen's thread count when the benchmark leaves, also by an exception.
class EigenThreads {
public:
    explicit EigenThreads(int n) : m_saved(Eigen::nbThreads()) { Eigen::setNbThreads(n); }
    ~EigenThreads() { Eigen::setNbThreads(m_saved); }
    EigenThreads(const EigenThreads&) = delete;
    EigenThreads& operator=(const EigenThreads&) = delete;

private:
    int m_saved;
};

}  // namespace

LinearBackwardWorkload::LinearBackwardWorkload(int batch, int in, int out)
    : m_rng(20170806), m_layer(in, out, m_rng), m_x(batch, in), m_dy(batch, out)
{
    for (Eigen::Index i = 0; i < m_x.size(); ++i) m_x.data()[i] = m_rng.uniform(-1.0f, 1.0f);
    for (Eigen::Index i = 0; i < m_dy.size(); ++i) m_dy.data()[i] = m_rng.normal(0.0f, 1.0f);
    m_layer.forward(m_x, m_y);
}

double LinearBackwardWorkload::timeBackward(const BackwardSpec& spec)
{
    m_layer.weight().zeroGrad();
    m_layer.bias().zeroGrad();
    const auto start = std::chrono::steady_clock::now();
    m_layer.backward(m_dy, m_dx, spec, m_rng);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

LinearBenchResult benchLinearBackward(int batch, int in, int out, int k, BackpropMode mode, int threads, int reps)
{
    requirePositive(batch, "batch");
    requirePositive(in, "in");
    requirePositive(out, "out");
    requirePositive(threads, "threads");
    requirePositive(reps, "reps");
    if (mode == BackpropMode::Dense) throw ConfigError("mode: expected topk, unified or random (dense is the baseline)");
    if (k < 1 || k > out)
        throw ConfigError("k: expected 1 <= k <= " + std::to_string(out) + " (out), got " + std::to_string(k));

    EigenThreads threadGuard(threads);
    LinearBackwardWorkload work(batch, in, out);
    const BackwardSpec dense{BackpropMode::Dense, 0, true};
    const BackwardSpec sparse{mode, k, true};
    auto timeOnce = [&](const BackwardSpec& spec) { return 1e3 * work.timeBackward(spec); };

    // Warm-up: buffers reach their final sizes, caches and the branch predictor settle.
    const int warmup = std::clamp(reps / 5, 3, 50);
    for (int i = 0; i < warmup; ++i) {
        timeOnce(dense);
        timeOnce(sparse);
    }
    std::vector<double> denseMs, mepropMs;
    denseMs.reserve(static_cast<std::size_t>(reps));
    mepropMs.reserve(static_cast<std::size_t>(reps));
    for (int i = 0; i < reps; ++i) {
        // Alternate which variant goes first so neither always inherits the other's cache state.
        if (i % 2 == 0) {
            denseMs.push_back(timeOnce(dense));
            mepropMs.push_back(timeOnce(sparse));
        } else {
            mepropMs.push_back(timeOnce(sparse));
            denseMs.push_back(timeOnce(dense));
        }
    }

    LinearBenchResult r;
    r.denseMs = median(denseMs);
    r.mepropMs = median(mepropMs);
    r.ratio = r.mepropMs > 0.0 ? r.denseMs / r.mepropMs : 0.0;
    r.denseMinMs = *std::min_element(denseMs.begin(), denseMs.end());
    r.mepropMinMs = *std::min_element(mepropMs.begin(), mepropMs.end());
    r.batch = batch;
    r.in = in;
    r.out = out;
    r.k = k;
    r.mode = toString(mode);
    r.threads = threads;
    r.reps = reps;
    return r;
}

nlohmann::json toJson(const LinearBenchResult& r)
{
    return nlohmann::json{{"batch", r.batch},     {"in", r.in},           {"out", r.out},
                          {"k", r.k},             {"mode", r.mode},       {"threads", r.threads},
                          {"reps", r.reps},       {"dense_ms", r.denseMs}, {"meprop_ms", r.mepropMs},
                          {"ratio", r.ratio},
                          {"dense_min_ms", r.denseMinMs}, {"meprop_min_ms", r.mepropMinMs},
                          {"min_ratio", r.mepropMinMs > 0.0 ? r.denseMinMs / r.mepropMinMs : 0.0}};
}

}  // namespace meprop
