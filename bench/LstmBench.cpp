// LSTM back propagation through time at the paper's POS size (in 190, H 500, a 25-token sentence):
// dense vs meProp top-k / random / unified with k per gate block. Reports the backward time; the
// "bpLinear" counter is the matrix-product share (selection included) the paper calls backprop time.
#include "layers/Lstm.h"

#include <benchmark/benchmark.h>

using namespace meprop;

namespace {

void lstmBackward(benchmark::State& state, BackpropMode mode)
{
    const int T = 25, in = 190, H = static_cast<int>(state.range(1));
    const int k = static_cast<int>(state.range(0));
    Rng rng(1);
    Lstm l(in, H, rng);
    Tensor x(T, in), h, dx, dh(T, H);
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-1.0f, 1.0f);
    for (Eigen::Index i = 0; i < dh.size(); ++i) dh.data()[i] = rng.uniform(-1.0f, 1.0f);
    l.forward(x, h);
    double linear = 0.0;
    for (auto _ : state) {
        l.inputWeight().zeroGrad();
        l.recurrentWeight().zeroGrad();
        l.bias().zeroGrad();
        l.backward(dh, dx, {mode, k, true}, rng, &linear);
        benchmark::DoNotOptimize(dx.data());
    }
    state.counters["bpLinear_us"] = benchmark::Counter(linear * 1e6 / static_cast<double>(state.iterations()));
}

void lstmForward(benchmark::State& state)
{
    const int T = 25, in = 190, H = static_cast<int>(state.range(0));
    Rng rng(1);
    Lstm l(in, H, rng);
    Tensor x(T, in), h;
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = rng.uniform(-1.0f, 1.0f);
    for (auto _ : state) {
        l.forward(x, h);
        benchmark::DoNotOptimize(h.data());
    }
}

}  // namespace

BENCHMARK_CAPTURE(lstmBackward, dense, BackpropMode::Dense)->Args({500, 500})->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(lstmBackward, topk, BackpropMode::TopK)->Args({5, 500})->Args({20, 500})->Args({50, 500})->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(lstmBackward, random, BackpropMode::Random)->Args({5, 500})->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(lstmBackward, unified, BackpropMode::Unified)->Args({5, 500})->Args({20, 500})->Unit(benchmark::kMicrosecond);
BENCHMARK(lstmForward)->Arg(500)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
