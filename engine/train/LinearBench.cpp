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
    Rng rng(20170806);
    Linear layer(in, out, rng);
    Matrix x(batch, in), dy(batch, out), y, dx;
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-1.0f, 1.0f);
    for (Eigen::Index i = 0; i < dy.size(); ++i) dy.data()[i] = rng.normal(0.0f, 1.0f);
    layer.forward(x, y);

    const BackwardSpec dense{BackpropMode::Dense, 0, true};
    const BackwardSpec sparse{mode, k, true};
    auto timeOnce = [&](const BackwardSpec& spec) {
        layer.weight().zeroGrad();
        layer.bias().zeroGrad();
        const auto start = std::chrono::steady_clock::now();
        layer.backward(dy, dx, spec, rng);
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    };

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
