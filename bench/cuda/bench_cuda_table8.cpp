// Table 8 of Sun et al. (2017): overall backprop time of an MNIST MLP with hidden 8192 on the GPU,
// dense against meProp (unified top-k) for k = 8 .. 512. The paper (GTX 1080): 17,696 ms dense;
// k=8 1,501 ms (11.8x) ... k=512 4,874 ms (3.6x), per epoch.
// Synthetic MNIST-shaped data (784 inputs in [0, 1), 10 classes): the time of a step does not depend
// on the pixel values. Times are per training step (CUDA events), extrapolated to one epoch of
// --train examples. One JSON object per line; exit status 77 (skipped) when no GPU can be used.
#include "backend/Device.h"
#include "core/Error.h"
#include "cuda/Activation.cuh"
#include "cuda/CudaBackend.h"
#include "models/Mlp.h"
#include "optim/Optimizer.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <vector>

int main(int argc, char** argv)
{
    using namespace meprop;
    CLI::App app{"meProp Table 8 on the GPU: MLP (784-h-h-10) overall backprop time, dense vs meProp"};
    int hidden = 8192, layers = 2, batch = 50, steps = 20, warmup = 3;
    long train = 55000;
    std::vector<int> ks = {8, 16, 32, 64, 128, 256, 512};
    std::string mode = "unified", optimizer = "adam";
    app.add_option("--hidden", hidden, "hidden layer width")->check(CLI::PositiveNumber);
    app.add_option("--layers", layers, "hidden layers")->check(CLI::PositiveNumber);
    app.add_option("--batch", batch, "minibatch size")->check(CLI::PositiveNumber);
    app.add_option("--steps", steps, "timed steps per configuration")->check(CLI::PositiveNumber);
    app.add_option("--warmup", warmup, "untimed steps first")->check(CLI::NonNegativeNumber);
    app.add_option("--train", train, "examples per epoch for the extrapolation")->check(CLI::PositiveNumber);
    app.add_option("--k", ks, "k values")->delimiter(',');
    app.add_option("--mode", mode, "unified | topk | random")->check(CLI::IsMember({"unified", "topk", "random"}));
    app.add_option("--optimizer", optimizer, "sgd | adagrad | adam")->check(CLI::IsMember({"sgd", "adagrad", "adam"}));
    CLI11_PARSE(app, argc, argv);

    const DeviceInfo info = cudaDeviceInfo();
    if (!info.available) {
        std::fprintf(stderr, "bench_cuda_table8: skipped: no GPU: %s\n", info.reason.c_str());
        return 77;
    }
    const std::map<int, double> paper = {{0, 17696.2}, {8, 1501.5},   {16, 1542.8},  {32, 1656.9},
                                         {64, 1828.3}, {128, 2200.0}, {256, 3149.6}, {512, 4874.1}};
    try {
        // The engine's one Mlp and optimizer on the GPU backend, as training runs them. Phase times
        // are host timers around each phase, each ended by a synchronisation (the GPU works
        // asynchronously), so they add up to the step.
        cuda::CudaBackend be;
        Tensor x;
        be.resize(x, batch, 784);
        cuda::fillUniform(x.deviceData(), static_cast<std::size_t>(x.size()), 0.0f, 1.0f, 7, be.context().stream());
        IndexTensor y(batch, 1);
        Rng dataRng(8);
        for (Eigen::Index i = 0; i < y.size(); ++i) y.data()[i] = static_cast<int>(dataRng.below(10));
        be.upload(y);
        const double stepsPerEpoch = static_cast<double>((train + batch - 1) / batch);
        double denseBp = 0.0;
        std::vector<int> runs = {0};  // 0: dense
        runs.insert(runs.end(), ks.begin(), ks.end());
        for (int k : runs) {
            MlpSpec spec;
            spec.input = 784;
            spec.hidden = hidden;
            spec.layers = layers;
            spec.classes = 10;
            spec.mode = k == 0 ? BackpropMode::Dense : parseBackpropMode(mode);
            spec.k = k;
            Rng rng(1);
            Mlp mlp(spec, rng, be);
            OptimizerSettings os;
            os.kind = optimizer;
            const std::unique_ptr<Optimizer> opt = makeOptimizer(os, be);
            opt->attach(mlp.parameters());
            auto step = [&](Timings* t) {
                {
                    ScopedTimer fp(t ? &t->forward : nullptr);
                    mlp.forward(x, true, rng);
                    be.synchronize();
                }
                mlp.lossAndBackward(y, true, rng, t);  // reads the loss: synchronises
                ScopedTimer up(t ? &t->update : nullptr);
                opt->stepAndZeroGrad();
                be.synchronize();
            };
            for (int i = 0; i < warmup; ++i) step(nullptr);
            Timings t;
            for (int i = 0; i < steps; ++i) step(&t);
            const double bpMs = 1e3 * t.bpOverall / steps;
            if (k == 0) denseBp = bpMs;
            nlohmann::json j = {{"table", 8},
                                {"device", info.name},
                                {"hidden", hidden},
                                {"layers", layers},
                                {"batch", batch},
                                {"mode", k == 0 ? std::string("dense") : mode},
                                {"k", k},
                                {"steps", steps},
                                {"forward_ms_per_step", 1e3 * t.forward / steps},
                                {"bp_overall_ms_per_step", bpMs},
                                {"update_ms_per_step", 1e3 * t.update / steps},
                                {"bp_overall_ms_per_epoch", bpMs * stepsPerEpoch},
                                {"speedup", bpMs > 0.0 ? denseBp / bpMs : 0.0}};
            if (auto it = paper.find(k); it != paper.end() && hidden == 8192) j["paper_bp_overall_ms_per_epoch"] = it->second;
            std::cout << j.dump() << std::endl;
        }
    } catch (const Error& e) {
        std::fprintf(stderr, "bench_cuda_table8: %s\n", e.what());
        return 1;
    }
    return 0;
}
