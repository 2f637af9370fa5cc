#include "cuda/CudaOptimizer.h"

#include "cuda/Optim.cuh"

#include <cmath>
#include <vector>

namespace meprop::cuda {

CudaOptimizer::CudaOptimizer(Context& ctx, const OptimizerSettings& settings) : m_ctx(ctx), m_s(settings)
{
    makeOptimizer(settings);  // the CPU factory's validation and messages
}

void CudaOptimizer::attach(const std::vector<DeviceParam>& params)
{
    m_params = params;
    m_first.clear();
    m_second.clear();
    m_rowSteps.clear();
    m_rowScalars.clear();
    const bool lazyAdam = m_s.kind == "adam" && m_s.touchedRowsOnly;
    for (const DeviceParam& p : params) {
        const std::size_t n = static_cast<std::size_t>(p.rows) * p.cols;
        m_first.emplace_back(m_s.kind == "sgd" ? 0 : n);
        m_second.emplace_back(m_s.kind == "adam" ? n : 0);
        m_rowSteps.emplace_back(lazyAdam ? static_cast<std::size_t>(p.rows) : 0);
        m_rowScalars.emplace_back(lazyAdam ? 2 * static_cast<std::size_t>(p.rows) : 0);
        m_first.back().zero(m_ctx.stream());
        m_second.back().zero(m_ctx.stream());
        m_rowSteps.back().zero(m_ctx.stream());
    }
    m_t = 0;
}

void CudaOptimizer::save(CheckpointWriter& w) const
{
    w.section(m_s.kind);
    if (m_s.kind == "adam") w.i64(m_t);
    for (const auto* state : {&m_first, &m_second}) {
        if (state->empty() || state->front().size() == 0) continue;  // not used by this kind
        w.u64(state->size());
        for (std::size_t i = 0; i < state->size(); ++i) {
            Matrix m(m_params[i].rows, m_params[i].cols);
            (*state)[i].download(m.data(), static_cast<std::size_t>(m.size()), m_ctx.stream());
            w.matrix(m);
        }
    }
    if (m_s.kind == "adam") {  // lazy Adam's per-row step counts, as optim/Adam.cpp writes them
        w.u64(m_rowSteps.size());
        for (const DeviceBuffer<long long>& steps : m_rowSteps) {
            const std::vector<long long> host = steps.download(m_ctx.stream());
            w.i64s(std::vector<long>(host.begin(), host.end()));
        }
    }
}

void CudaOptimizer::load(CheckpointReader& r)
{
    r.section(m_s.kind);
    if (m_s.kind == "adam") {
        const std::int64_t t = r.i64();
        if (t < 0) r.fail("corrupt: Adam step count " + std::to_string(t));
        m_t = static_cast<long>(t);
    }
    for (auto* state : {&m_first, &m_second}) {
        if (state->empty() || state->front().size() == 0) continue;
        const std::uint64_t n = r.u64();
        if (n != state->size())
            r.fail("optimizer state of " + std::to_string(n) + " parameters in the checkpoint, " + std::to_string(state->size()) +
                   " in this run");
        for (std::size_t i = 0; i < state->size(); ++i) {
            Matrix m(m_params[i].rows, m_params[i].cols);
            r.matrixInto(m, m_s.kind + " state of parameter " + std::to_string(i));
            (*state)[i].upload(m.data(), static_cast<std::size_t>(m.size()), m_ctx.stream());
            MEPROP_CUDA_CHECK(cudaStreamSynchronize(m_ctx.stream()));  // before m goes out of scope
        }
    }
    if (m_s.kind == "adam") {
        const std::uint64_t n = r.u64();
        if (n != m_rowSteps.size())
            r.fail("Adam row step counts of " + std::to_string(n) + " parameters in the checkpoint, " + std::to_string(m_rowSteps.size()) +
                   " in this run");
        for (std::size_t i = 0; i < m_rowSteps.size(); ++i) {
            const std::vector<long> steps = r.i64s(m_rowSteps[i].size(), "Adam row step counts of parameter " + std::to_string(i));
            for (long t : steps)
                if (t < 0 || t > m_t) r.fail("corrupt: Adam row step count " + std::to_string(t));
            const std::vector<long long> host(steps.begin(), steps.end());
            m_rowSteps[i].upload(host, m_ctx.stream());
            MEPROP_CUDA_CHECK(cudaStreamSynchronize(m_ctx.stream()));
        }
    }
}

void CudaOptimizer::step()
{
    ++m_t;
    const cudaStream_t s = m_ctx.stream();
    // Step-dependent scalars computed exactly as optim/Adam.cpp does.
    const float b1 = m_s.beta1, b2 = m_s.beta2;
    const float c1 = 1.0f - static_cast<float>(std::pow(b1, m_t));
    const float c2 = 1.0f - static_cast<float>(std::pow(b2, m_t));
    const float stepSize = m_s.lr / c1;
    const float invSqrtC2 = 1.0f / std::sqrt(c2);
    for (std::size_t i = 0; i < m_params.size(); ++i) {
        const DeviceParam& p = m_params[i];
        if (m_s.kind == "sgd") {
            sgdUpdate(p.value, p.grad, p.rows, p.cols, p.touched, m_s.lr, s);
        } else if (m_s.kind == "adagrad") {
            adagradUpdate(p.value, p.grad, m_first[i].data(), p.rows, p.cols, p.touched, m_s.lr, epsilon(m_s), s);
        } else if (m_s.touchedRowsOnly) {
            adamLazyUpdate(p.value, p.grad, m_first[i].data(), m_second[i].data(), p.rows, p.cols, p.touched, m_rowSteps[i].data(),
                           m_rowScalars[i].data(), b1, b2, m_s.lr, epsilon(m_s), s);
        } else {
            adamUpdate(p.value, p.grad, m_first[i].data(), m_second[i].data(), p.rows, p.cols, nullptr, b1, b2, stepSize, invSqrtC2,
                       epsilon(m_s), s);
        }
    }
}

}  // namespace meprop::cuda
