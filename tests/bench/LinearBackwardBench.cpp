// Dense against meProp backward of one 500x500 linear layer (the paper's hidden layer), with dx.
// Each iteration runs one dense and one meProp backward, alternating which goes first, zeroing
// the gradients outside the timed region; the reported time is meProp's, and the counters give
// both medians and their ratio from the same run. Single-threaded (Eigen::setNbThreads(1)).
//   build/bench/meprop_bench_linear --benchmark_filter='topk/batch:1/'
#include "train/LinearBench.h"

#include <Eigen/Core>
#include <benchmark/benchmark.h>

#include <algorithm>
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
    LinearBackwardWorkload work(batch, kIn, kOut);
    const BackwardSpec dense{BackpropMode::Dense, 0, true};
    const BackwardSpec sparse{mode, k, true};
    auto timeOnce = [&](const BackwardSpec& spec) {
        const double seconds = work.timeBackward(spec);
        benchmark::DoNotOptimize(work.inputGradient().data());
        benchmark::ClobberMemory();
        return seconds;
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
