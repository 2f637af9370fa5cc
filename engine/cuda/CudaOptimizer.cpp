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
