#include "cuda/CudaMlp.h"

#include "core/Error.h"
#include "cuda/Activation.cuh"

#include <algorithm>
#include <cstring>
#include <vector>

namespace meprop::cuda {

namespace {

// Event slots of one training step.
enum Ev { kStart, kForwardDone, kBackwardDone, kUpdateDone, kLinearBase };

}  // namespace

CudaMlp::CudaMlp(Context& ctx, const MlpSpec& spec, Rng& rng) : m_ctx(ctx), m_spec(spec)
{
    if (spec.inputs < 1 || spec.classes < 2) throw ConfigError("mlp: expected >= 1 input and >= 2 classes");
    if (!(spec.dropout >= 0.0f && spec.dropout < 1.0f))
        throw ConfigError("key \"dropout\": expected 0 <= dropout < 1, got " + std::to_string(spec.dropout));
    if (spec.kOutput < 0 || spec.kOutput > spec.classes)
        throw ConfigError("key \"k_output\": expected 0 (dense) to " + std::to_string(spec.classes) + " (output classes), got " +
                          std::to_string(spec.kOutput));
    int in = spec.inputs;
    std::vector<int> widths = spec.hidden;
    widths.push_back(spec.classes);
    for (std::size_t i = 0; i < widths.size(); ++i) {
        const bool output = i + 1 == widths.size();
        const std::string name = output ? "output" : "hidden" + std::to_string(i + 1);
        if (widths[i] < 1) throw ConfigError("key \"hidden\": expected positive layer widths, got " + std::to_string(widths[i]));
        if (!output && spec.mode != BackpropMode::Dense && (spec.k < 1 || spec.k > widths[i]))
            throw ConfigError("key \"k\": expected 1 <= k <= hidden (" + std::to_string(widths[i]) + "), got " +
                              std::to_string(spec.k));
        // The CPU layer draws the initial weights: same Rng, same order, same values.
        Linear cpu(in, widths[i], rng, spec.init, name);
        m_layers.push_back(std::make_unique<CudaLinear>(ctx, cpu.weight().value, cpu.bias().value, name));
        in = widths[i];
    }
    m_optimizer = std::make_unique<CudaOptimizer>(ctx, spec.optimizer);
    std::vector<DeviceParam> params;
    for (auto& l : m_layers) {
        params.push_back({l->weight(), l->weightGrad(), l->out(), l->in(), l->touched()});
        params.push_back({l->bias(), l->biasGrad(), 1, l->out(), nullptr});
    }
    m_optimizer->attach(params);
    m_act.resize(m_layers.size());
    m_grad.resize(m_layers.size());
    m_status.resize(1 + m_layers.size());
    m_correct.resize(1);
    m_events.assign(kLinearBase + 2 * m_layers.size(), nullptr);
    for (auto& e : m_events) MEPROP_CUDA_CHECK(cudaEventCreate(&e));
}

CudaMlp::~CudaMlp()
{
    for (cudaEvent_t e : m_events)
        if (e) cudaEventDestroy(e);
}

void CudaMlp::save(CheckpointWriter& w) const
{
    w.section("mlp");
    w.u64(m_layers.size());
    for (const auto& l : m_layers) l->save(w);
    m_optimizer->save(w);
}

void CudaMlp::load(CheckpointReader& r)
{
    r.section("mlp");
    const std::uint64_t n = r.u64();
    if (n != m_layers.size())
        r.fail("the checkpoint's MLP has " + std::to_string(n) + " linear layers, this run's " + std::to_string(m_layers.size()));
    for (auto& l : m_layers) l->load(r);
    m_optimizer->load(r);
}

BackwardSpec CudaMlp::backwardSpec(std::size_t i) const
{
    BackwardSpec s;
    s.needInputGrad = i > 0;
    const bool output = i + 1 == m_layers.size();
    if (m_spec.mode == BackpropMode::Dense || (output && m_spec.kOutput == 0)) {
        s.mode = BackpropMode::Dense;
        s.k = m_layers[i]->out();
    } else {
        s.mode = m_spec.mode;
        s.k = output ? m_spec.kOutput : m_spec.k;
    }
    return s;
}

void CudaMlp::ensureBatch(int batch)
{
    if (batch < 1) throw ShapeError("mlp: empty batch");
    if (batch > m_capacity) {
        for (std::size_t i = 0; i < m_layers.size(); ++i) {
            m_act[i].resize(static_cast<std::size_t>(batch) * m_layers[i]->out());
            m_grad[i].resize(static_cast<std::size_t>(batch) * m_layers[i]->out());
        }
        m_capacity = batch;
    }
    m_batch = batch;
}

void CudaMlp::forward(const float* x, int batch, bool train)
{
    ensureBatch(batch);
    const float* in = x;
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        const bool output = i + 1 == m_layers.size();
        CudaLinear& l = *m_layers[i];
        l.forward(in, batch, m_act[i].data(), /*addBias=*/output);
        if (!output) {
            const float drop = train ? m_spec.dropout : 0.0f;
            biasReluDropout(m_act[i].data(), batch, l.out(), l.bias(), drop, m_dropoutSeed + 0x9e3779b97f4a7c15ull * (i + 1),
                            m_ctx.stream());
        }
        in = m_act[i].data();
    }
}

double CudaMlp::trainStep(const float* x, const int* labels, int batch, Rng& rng, Timings* timings)
{
    const cudaStream_t s = m_ctx.stream();
    if (m_spec.dropout > 0.0f) m_dropoutSeed = rng.engine()();
    for (auto& l : m_layers) l->zeroGrad();
    m_status.zero(s);
    float* lossOut = reinterpret_cast<float*>(m_status.data());  // device memory is untyped
    MEPROP_CUDA_CHECK(cudaEventRecord(m_events[kStart], s));
    forward(x, batch, true);
    MEPROP_CUDA_CHECK(cudaEventRecord(m_events[kForwardDone], s));
    const std::size_t last = m_layers.size() - 1;
    softmaxCrossEntropy(m_act[last].data(), labels, batch, m_spec.classes, m_grad[last].data(), lossOut, s);
    for (std::size_t i = m_layers.size(); i-- > 0;) {
        CudaLinear& l = *m_layers[i];
        float* dx = i > 0 ? m_grad[i - 1].data() : nullptr;
        MEPROP_CUDA_CHECK(cudaEventRecord(m_events[kLinearBase + 2 * i], s));
        l.backward(m_grad[i].data(), batch, dx, backwardSpec(i), rng, GemmPrecision::Fp32, m_status.data() + 1 + i);
        MEPROP_CUDA_CHECK(cudaEventRecord(m_events[kLinearBase + 2 * i + 1], s));
        if (i > 0)
            reluDropoutBackward(m_act[i - 1].data(), dx, static_cast<std::size_t>(batch) * m_layers[i - 1]->out(), m_spec.dropout, s);
    }
    MEPROP_CUDA_CHECK(cudaEventRecord(m_events[kBackwardDone], s));
    m_optimizer->step();
    MEPROP_CUDA_CHECK(cudaEventRecord(m_events[kUpdateDone], s));
    m_hostStatus.resize(m_status.size());
    m_status.download(m_hostStatus.data(), m_hostStatus.size(), s);  // synchronises: all events below have completed
    for (std::size_t i = m_layers.size(); i-- > 0;)
        if (m_hostStatus[1 + i] != 0) throw NonFiniteGradient(m_layers[i]->name());
    float loss = 0.0f;
    std::memcpy(&loss, m_hostStatus.data(), sizeof loss);
    if (timings) {
        auto seconds = [&](int a, int b) {
            float ms = 0.0f;
            MEPROP_CUDA_CHECK(cudaEventElapsedTime(&ms, m_events[static_cast<std::size_t>(a)], m_events[static_cast<std::size_t>(b)]));
            return static_cast<double>(ms) * 1e-3;
        };
        timings->forward += seconds(kStart, kForwardDone);
        timings->bpOverall += seconds(kForwardDone, kBackwardDone);
        for (std::size_t i = 0; i < m_layers.size(); ++i)
            timings->bpLinear += seconds(kLinearBase + 2 * static_cast<int>(i), kLinearBase + 2 * static_cast<int>(i) + 1);
        timings->update += seconds(kBackwardDone, kUpdateDone);
    }
    return static_cast<double>(loss);
}

long CudaMlp::countCorrect(const float* x, const int* labels, int batch)
{
    forward(x, batch, false);
    m_correct.zero(m_ctx.stream());
    cuda::countCorrect(m_act.back().data(), labels, batch, m_spec.classes, m_correct.data(), m_ctx.stream());
    int correct = 0;
    m_correct.download(&correct, 1, m_ctx.stream());
    return correct;
}

Matrix CudaMlp::downloadLogits() const
{
    Matrix z(m_batch, m_spec.classes);
    m_act.back().download(z.data(), static_cast<std::size_t>(z.size()), m_ctx.stream());
    return z;
}

}  // namespace meprop::cuda
