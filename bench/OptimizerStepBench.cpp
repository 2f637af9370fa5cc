// The optimizer step of the image preset's MLP (784-500-500-10: 648,010 parameters), as the
// trainer runs it after every batch: Adam over every element, then the gradients cleared.
//   unfused:  the implementation before issue 13, written out here: Eigen passes for m, v and w
//             and a separate grad.setZero() (optim/Adam.cpp and core/Parameter.h of that time)
//   fused:    Optimizer::stepAndZeroGrad (optim/UpdateKernels.h): one pass, at 1 and 2 threads
// Between steps a 32 MiB buffer is written (outside the timed region), as the forward and
// backward passes of a training step push the optimizer state out of the caches; "warm" leaves
// it out. Compare the CPU column at one thread (the machine's other load does not enter it) and
// the Time column between thread counts. The unfused variant is compiled for x86-64-v3 where the
// engine's v3 copy is built (bench/CMakeLists.txt), as the engine's code it stands for; the
// gradients are constants, so neither variant meets subnormals (the fused Adam's flush of them,
// optim/UpdateKernels.h, shows in the trainer's update phase, not here).
//   build/release/bench/meprop_bench_optimizer [--benchmark_repetitions=5]
#include "core/Parallel.h"
#include "core/Parameter.h"
#include "optim/Optimizer.h"

#include <Eigen/Core>
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <vector>

using namespace meprop;

namespace {

struct Mlp {
    std::vector<Parameter> params;
    std::vector<Parameter*> ptrs;
    Mlp()
    {
        const int shapes[][2] = {{500, 784}, {1, 500}, {500, 500}, {1, 500}, {10, 500}, {1, 10}};
        for (const auto& s : shapes) params.emplace_back("p", s[0], s[1]);
        for (Parameter& p : params) {
            p.value.setRandom();
            ptrs.push_back(&p);
        }
    }
    void fillGradients()
    {
        for (Parameter& p : params) {
            p.grad.setConstant(0.01f);
            p.touchAll();
        }
    }
};

std::vector<float>& evictionBuffer()
{
    static std::vector<float> buffer(8u << 20, 1.0f);  // 32 MiB: the size of this machine's L3
    return buffer;
}

void evict(benchmark::State& state, bool cold)
{
    if (!cold) return;
    state.PauseTiming();
    for (float& x : evictionBuffer()) x += 1.0f;
    benchmark::ClobberMemory();
    state.ResumeTiming();
}

void fill(benchmark::State& state, Mlp& mlp)
{
    state.PauseTiming();
    mlp.fillGradients();
    state.ResumeTiming();
}

// Adam as optim/Adam.cpp had it, then Parameter::zeroGrad's dense path.
void BM_AdamUnfused(benchmark::State& state)
{
    const bool cold = state.range(0) != 0;
    Eigen::setNbThreads(1);
    Mlp mlp;
    std::vector<Matrix> m, v;
    for (Parameter& p : mlp.params) {
        m.push_back(Matrix::Zero(p.value.rows(), p.value.cols()));
        v.push_back(Matrix::Zero(p.value.rows(), p.value.cols()));
    }
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, lr = 1e-3f;
    long t = 0;
    for (auto _ : state) {
        fill(state, mlp);
        evict(state, cold);
        ++t;
        const float c1 = 1.0f - static_cast<float>(std::pow(b1, t));
        const float c2 = 1.0f - static_cast<float>(std::pow(b2, t));
        const float stepSize = lr / c1, invSqrtC2 = 1.0f / std::sqrt(c2);
        for (std::size_t i = 0; i < mlp.params.size(); ++i) {
            Parameter& p = mlp.params[i];
            m[i].array() = b1 * m[i].array() + (1.0f - b1) * p.grad.array();
            v[i].array() = b2 * v[i].array() + (1.0f - b2) * p.grad.array().square();
            p.value.array() -= stepSize * m[i].array() / (v[i].array().sqrt() * invSqrtC2 + eps);
        }
        for (Parameter& p : mlp.params) p.zeroGrad();
        benchmark::DoNotOptimize(mlp.params[0].value.data());
    }
}

void BM_AdamFused(benchmark::State& state)
{
    const bool cold = state.range(0) != 0;
    const int saved = Eigen::nbThreads();
    Eigen::setNbThreads(static_cast<int>(state.range(1)));
    Mlp mlp;
    std::unique_ptr<Optimizer> opt = makeOptimizer({"adam", 1e-3f});
    opt->attach(mlp.ptrs);
    for (auto _ : state) {
        fill(state, mlp);
        evict(state, cold);
        opt->stepAndZeroGrad();
        benchmark::DoNotOptimize(mlp.params[0].value.data());
    }
    Eigen::setNbThreads(saved);
}

}  // namespace

MEPROP_PASSIVE_OPENMP_WAIT  // OpenMP's idle threads as in meprop (core/Parallel.h)

BENCHMARK(BM_AdamUnfused)->ArgNames({"cold"})->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AdamFused)->ArgNames({"cold", "threads"})->Args({1, 1})->Args({0, 1})->Args({1, 2})->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
