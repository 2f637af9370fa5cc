// benchLinearCuda (backend/Device.h): one linear layer's backward, dense cuBLAS vs meProp.
#include "backend/Device.h"

#include "core/Error.h"
#include "cuda/Activation.cuh"
#include "cuda/CudaBackend.h"
#include "layers/Linear.h"
#include "cuda/RandomK.cuh"
#include "cuda/TopK.cuh"

#include <algorithm>
#include <functional>

namespace meprop {

namespace {

using cuda::Context;
using cuda::DeviceBuffer;
using cuda::EventTimer;
using cuda::CudaBackend;

// Mean milliseconds of `body` over spec.reps runs after spec.warmup untimed ones. With `graph`, the
// body is captured once into a CUDA graph and the graph is replayed (no launch overhead per kernel).
double timeMs(CudaBackend& be, const CudaBenchSpec& spec, bool graph, const std::function<void()>& body)
{
    const cudaStream_t s = be.context().stream();
    // Also allocates every scratch buffer: at least once before a capture, where a cudaMalloc
    // (not captured, prohibited in cudaStreamCaptureModeThreadLocal) would invalidate it.
    const int warmup = graph ? std::max(spec.warmup, 1) : spec.warmup;
    for (int i = 0; i < warmup; ++i) body();
    cudaGraphExec_t exec = nullptr;
    if (graph) {
        // The pending status slots read and released: the captured selection reuses an allocated
        // one (a new chunk, after 1024 pending slots, would be a cudaMalloc inside the capture).
        be.synchronize();
        cudaGraph_t g = nullptr;
        MEPROP_CUDA_CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
        try {
            body();
        } catch (...) {
            cudaStreamEndCapture(s, &g);
            if (g) cudaGraphDestroy(g);
            throw;
        }
        MEPROP_CUDA_CHECK(cudaStreamEndCapture(s, &g));
        const cudaError_t st = cudaGraphInstantiate(&exec, g, 0);
        cudaGraphDestroy(g);
        MEPROP_CUDA_CHECK(st);
        MEPROP_CUDA_CHECK(cudaGraphLaunch(exec, s));  // warm the graph itself
    }
    EventTimer timer;
    timer.start(s);
    for (int i = 0; i < spec.reps; ++i) {
        if (exec)
            MEPROP_CUDA_CHECK(cudaGraphLaunch(exec, s));
        else
            body();
    }
    timer.stop(s);
    const double ms = static_cast<double>(timer.milliseconds()) / spec.reps;
    if (exec) cudaGraphExecDestroy(exec);
    return ms;
}

}  // namespace

CudaBenchResult benchLinearCuda(const CudaBenchSpec& spec)
{
    if (spec.batch < 1 || spec.in < 1 || spec.out < 1)
        throw ConfigError("bench-linear: expected positive batch, in and out");
    if (spec.mode != BackpropMode::Dense && (spec.k < 1 || spec.k > spec.out))
        throw ConfigError("k: expected 1 <= k <= " + std::to_string(spec.out) + " (out), got " + std::to_string(spec.k));
    if (spec.reps < 1 || spec.warmup < 0) throw ConfigError("reps: expected reps >= 1 and warmup >= 0");
    const DeviceInfo info = cudaDeviceInfo();
    if (!info.available) throw ConfigError("key \"device\": cuda requested but no GPU can be used: " + info.reason);

    // The engine's one Linear on the GPU backend: what training runs.
    CudaBackend be;
    Context& ctx = be.context();
    const cudaStream_t s = ctx.stream();
    Rng rng(spec.seed);
    Linear layer(spec.in, spec.out, rng, Init::XavierUniform, "bench", be);
    cuda::fillUniform(layer.weight().value.deviceData(), static_cast<std::size_t>(spec.out) * spec.in, -0.01f, 0.01f, spec.seed + 2, s);
    Tensor x, dy, dx, y;
    be.resize(x, spec.batch, spec.in);
    be.resize(dy, spec.batch, spec.out);
    cuda::fillUniform(x.deviceData(), static_cast<std::size_t>(x.size()), -1.0f, 1.0f, spec.seed, s);
    cuda::fillUniform(dy.deviceData(), static_cast<std::size_t>(dy.size()), -1.0f, 1.0f, spec.seed + 1, s);
    layer.forward(x, y);

    CudaBenchResult r;
    r.device = info.name;
    // Each backward includes the selection's non-finite check, as in training; the flags are read
    // once after the timing (synchronize).
    // Like with like: the dense and the meProp backward are both replayed as CUDA graphs, or
    // neither is (spec.graph). Random-k draws on the device now: a replay reuses the key drawn at
    // the capture, the same work as a fresh one.
    const bool graph = spec.graph;
    BackwardSpec dense{BackpropMode::Dense, spec.out, spec.needInputGrad};
    r.denseMs = timeMs(be, spec, graph, [&] { layer.backward(dy, dx, dense, rng); });
    dense.precision = Precision::Tf32;
    r.denseTf32Ms = timeMs(be, spec, graph, [&] { layer.backward(dy, dx, dense, rng); });
    const BackwardSpec sparse{spec.mode, spec.k, spec.needInputGrad};
    r.mepropMs = timeMs(be, spec, graph, [&] { layer.backward(dy, dx, sparse, rng); });
    DeviceBuffer<float> score(static_cast<std::size_t>(spec.out));
    DeviceBuffer<int> idx(static_cast<std::size_t>(spec.batch) * spec.k);
    if (spec.mode == BackpropMode::Unified)
        r.selectMs = timeMs(be, spec, graph, [&] { cuda::unifiedTopK(dy.deviceData(), spec.batch, spec.out, spec.k, score.data(), idx.data(), s); });
    else if (spec.mode == BackpropMode::TopK)
        r.selectMs = timeMs(be, spec, graph, [&] { cuda::topKRows(dy.deviceData(), spec.batch, spec.out, spec.out, spec.k, idx.data(), s); });
    else if (spec.mode == BackpropMode::Random) {
        DeviceBuffer<unsigned> bits(cuda::randomKScratchWords(spec.batch, spec.out));
        r.selectMs = timeMs(be, spec, graph, [&] { cuda::randomKRows(rng.bits(), spec.batch, spec.out, spec.k, idx.data(), bits.data(), s); });
    }
    r.ratio = r.mepropMs > 0.0 ? r.denseMs / r.mepropMs : 0.0;
    r.ratioTf32 = r.mepropMs > 0.0 ? r.denseTf32Ms / r.mepropMs : 0.0;
    be.synchronize();
    return r;
}

}  // namespace meprop
