// Dense against meProp backward of one 500x500 linear layer (the paper's hidden layer), with dx.
// Each iteration runs one dense and one meProp backward, alternating which goes first, zeroing
// the gradients outside the timed region; the reported time is meProp's, and the counters give
// both medians and their ratio from the same run. Single-threaded (Eigen::setNbThreads(1)).
//   build/bench/meprop_bench_linear --benchmark_filter='topk/batch:1/'
#include "core/Rng.h"
#include "core/Tensor.h"
#include "layers/Linear.h"

#include <Eigen/Core>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <vector>

using namespace meprop;

namespace {

constexpr int kIn = 500;
constexpr int kOut = 500;

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

void linearBackward(benchmark::State& state, BackpropMode mode)
{
    const int batch = static_cast<int>(state.range(0));
    const int k = static_cast<int>(state.range(1));
    Eigen::setNbThreads(1);  // one core for both variants, as in the paper's CPU comparison
    Rng rng(20170806);
    Linear layer(kIn, kOut, rng);
    Matrix x(batch, kIn), dy(batch, kOut), y, dx;
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
        benchmark::DoNotOptimize(dx.data());
        benchmark::ClobberMemory();
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    for (int i = 0; i < 20; ++i) {  // warm-up
        timeOnce(dense);
        timeOnce(sparse);
    }
    std::vector<double> denseS, mepropS;
    bool denseFirst = true;
    for (auto _ : state) {
        double d = 0.0, s = 0.0;
        if (denseFirst) {
            d = timeOnce(dense);
            s = timeOnce(sparse);
        } else {
            s = timeOnce(sparse);
            d = timeOnce(dense);
        }
        denseFirst = !denseFirst;
        denseS.push_back(d);
        mepropS.push_back(s);
        state.SetIterationTime(s);
    }
    const double denseMedian = median(denseS), mepropMedian = median(mepropS);
    state.counters["dense_us"] = denseMedian * 1e6;
    state.counters["meprop_us"] = mepropMedian * 1e6;
    state.counters["ratio"] = mepropMedian > 0.0 ? denseMedian / mepropMedian : 0.0;
}

void sweep(benchmark::internal::Benchmark* b)
{
    b->ArgNames({"batch", "k"});
    for (int batch : {1, 10})
        for (int k : {5, 10, 20, 50, 100, 200, 500}) b->Args({batch, k});
    b->UseManualTime()->Unit(benchmark::kMicrosecond);
}

}  // namespace

BENCHMARK_CAPTURE(linearBackward, topk, BackpropMode::TopK)->Apply(sweep);
BENCHMARK_CAPTURE(linearBackward, unified, BackpropMode::Unified)->Apply(sweep);
BENCHMARK_CAPTURE(linearBackward, random, BackpropMode::Random)->Apply(sweep);

BENCHMARK_MAIN();
