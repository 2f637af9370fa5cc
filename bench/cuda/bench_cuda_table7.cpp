// Table 7 of Sun et al. (2017): backprop time of one linear layer on synthetic data on the GPU,
// batch 1024, hidden 8192, dense cuBLAS against meProp (unified top-k) for k = 8 .. 512. The paper
// (GTX 1080, PyTorch): 308 ms dense; k=8 8.37 ms (36.8x) ... k=512 69.95 ms (4.4x).
// One JSON object per line; exit status 77 (skipped) when no GPU can be used.
#include "backend/Device.h"
#include "core/Error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <map>
#include <vector>

int main(int argc, char** argv)
{
    using namespace meprop;
    CLI::App app{"meProp Table 7 on the GPU: dense cuBLAS backward vs meProp, one linear layer"};
    CudaBenchSpec spec;
    std::vector<int> ks = {8, 16, 32, 64, 128, 256, 512};
    std::string mode = "unified";
    bool noGraph = false;
    app.add_option("--batch", spec.batch, "minibatch size")->check(CLI::PositiveNumber);
    int hidden = 8192;
    app.add_option("--hidden", hidden, "layer width (in = out = hidden)")->check(CLI::PositiveNumber);
    app.add_option("--k", ks, "k values")->delimiter(',');
    app.add_option("--mode", mode, "unified | topk | random")->check(CLI::IsMember({"unified", "topk", "random"}));
    app.add_option("--reps", spec.reps, "timed repetitions")->check(CLI::PositiveNumber);
    app.add_option("--warmup", spec.warmup, "untimed repetitions first")->check(CLI::NonNegativeNumber);
    app.add_flag("--no-graph", noGraph, "launch kernels one by one instead of replaying a CUDA graph");
    CLI11_PARSE(app, argc, argv);
    spec.in = spec.out = hidden;
    spec.mode = parseBackpropMode(mode);
    spec.graph = !noGraph;

    const DeviceInfo info = cudaDeviceInfo();
    if (!info.available) {
        std::fprintf(stderr, "bench_cuda_table7: skipped: no GPU: %s\n", info.reason.c_str());
        return 77;
    }
    const std::map<int, double> paper = {{8, 36.8}, {16, 33.6}, {32, 27.5}, {64, 21.4}, {128, 14.5}, {256, 8.0}, {512, 4.4}};
    try {
        for (int k : ks) {
            spec.k = k;
            const CudaBenchResult r = benchLinearCuda(spec);
            nlohmann::json j = {{"table", 7},          {"device", r.device},      {"batch", spec.batch},
                                {"hidden", hidden},    {"mode", mode},            {"k", k},
                                {"graph", spec.graph}, {"reps", spec.reps},       {"dense_ms", r.denseMs},
                                {"dense_tf32_ms", r.denseTf32Ms}, {"meprop_ms", r.mepropMs}, {"select_ms", r.selectMs},
                                {"speedup", r.ratio},  {"speedup_vs_tf32", r.ratioTf32}};
            if (auto it = paper.find(k); it != paper.end() && spec.batch == 1024 && hidden == 8192) j["paper_speedup"] = it->second;
            std::cout << j.dump() << std::endl;
        }
    } catch (const Error& e) {
        std::fprintf(stderr, "bench_cuda_table7: %s\n", e.what());
        return 1;
    }
    return 0;
}
