// The LSTM's back propagation through time on the GPU at the paper's POS size (in 190, H 500, a
// 25-token sentence; bench/LstmBench.cpp on the CPU): dense against meProp top-k / random /
// unified with k per gate block. Per configuration: the backward of one sentence followed by the
// clearing of its gradients (what a training step with one sentence per update does besides the
// forward pass and the update), as a host timer around `reps` repetitions ended by a
// synchronisation, after a warm-up. Synthetic data: the time does not depend on the values.
// One JSON object per line; exit status 77 (skipped) when no GPU can be used.
#include "backend/Device.h"
#include "core/Error.h"
#include "cuda/CudaBackend.h"
#include "layers/Lstm.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

int main(int argc, char** argv)
{
    using namespace meprop;
    CLI::App app{"meProp LSTM backward on the GPU: dense vs top-k / random / unified (k per gate block)"};
    int steps = 25, in = 190, hidden = 500, reps = 200, warmup = 10;
    std::vector<int> ks = {5, 20, 50};
    app.add_option("--steps", steps, "time steps of the sentence")->check(CLI::PositiveNumber);
    app.add_option("--in", in, "inputs per step")->check(CLI::PositiveNumber);
    app.add_option("--hidden", hidden, "hidden units")->check(CLI::PositiveNumber);
    app.add_option("--reps", reps, "timed backward passes per configuration")->check(CLI::PositiveNumber);
    app.add_option("--warmup", warmup, "untimed passes first")->check(CLI::NonNegativeNumber);
    app.add_option("--k", ks, "k values (per gate block, each <= hidden)")->delimiter(',');
    CLI11_PARSE(app, argc, argv);
    for (int k : ks)
        if (k < 1 || k > hidden) {
            std::fprintf(stderr, "bench_cuda_lstm: --k: expected 1 <= k <= %d (hidden), got %d\n", hidden, k);
            return 2;
        }

    const DeviceInfo info = cudaDeviceInfo();
    if (!info.available) {
        std::fprintf(stderr, "bench_cuda_lstm: skipped: no GPU: %s\n", info.reason.c_str());
        return 77;
    }
    try {
        cuda::CudaBackend be;
        Rng rng(1);
        Lstm lstm(in, hidden, rng, false, "lstm", std::nullopt, be);
        Tensor x(Matrix::Random(steps, in)), dh(Matrix::Random(steps, hidden)), h, dx;
        be.upload(x);
        be.upload(dh);
        lstm.forward(x, h);
        std::vector<std::pair<BackpropMode, int>> runs = {{BackpropMode::Dense, 0}};
        for (BackpropMode m : {BackpropMode::TopK, BackpropMode::Unified, BackpropMode::Random})
            for (int k : ks) runs.emplace_back(m, k);
        double denseMs = 0.0;
        for (const auto& [mode, k] : runs) {
            const BackwardSpec spec{mode, k, true};
            auto pass = [&] {
                lstm.backward(dh, dx, spec, rng);
                lstm.zeroGrad();
            };
            for (int i = 0; i < warmup; ++i) pass();
            be.synchronize();
            const auto t0 = std::chrono::steady_clock::now();
            for (int i = 0; i < reps; ++i) pass();
            be.synchronize();
            const double ms = 1e3 * std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
            if (mode == BackpropMode::Dense) denseMs = ms;
            const nlohmann::json j = {{"bench", "lstm_backward"},
                                      {"device", info.name},
                                      {"steps", steps},
                                      {"in", in},
                                      {"hidden", hidden},
                                      {"mode", toString(mode)},
                                      {"k", k},
                                      {"kept", mode == BackpropMode::Dense ? 1.0 : static_cast<double>(k) / hidden},
                                      {"reps", reps},
                                      {"backward_ms", ms},
                                      {"speedup", ms > 0.0 ? denseMs / ms : 0.0}};
            std::cout << j.dump() << std::endl;
        }
    } catch (const Error& e) {
        std::fprintf(stderr, "bench_cuda_lstm: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_cuda_lstm: %s\n", e.what());
        return 1;
    }
    return 0;
}
