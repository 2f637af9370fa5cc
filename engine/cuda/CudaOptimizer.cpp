#include "cuda/CudaOptimizer.h"

#include "cuda/Optim.cuh"

#include <cmath>

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
    for (const DeviceParam& p : params) {
        const std::size_t n = static_cast<std::size_t>(p.rows) * p.cols;
        m_first.emplace_back(m_s.kind == "sgd" ? 0 : n);
        m_second.emplace_back(m_s.kind == "adam" ? n : 0);
        m_first.back().zero(m_ctx.stream());
        m_second.back().zero(m_ctx.stream());
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
            adagradUpdate(p.value, p.grad, m_first[i].data(), p.rows, p.cols, p.touched, m_s.lr, m_s.eps, s);
        } else {
            adamUpdate(p.value, p.grad, m_first[i].data(), m_second[i].data(), p.rows, p.cols,
                       m_s.touchedRowsOnly ? p.touched : nullptr, b1, b2, stepSize, invSqrtC2, m_s.eps, s);
        }
    }
}

}  // namespace meprop::cuda
