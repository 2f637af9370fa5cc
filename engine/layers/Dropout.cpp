#include "layers/Dropout.h"

namespace meprop {

void Dropout::forward(Matrix& x, bool train, Rng& rng)
{
    m_active = train && m_p > 0.0f;
    if (!m_active) return;
    const float scale = 1.0f / (1.0f - m_p);
    m_mask.resize(x.rows(), x.cols());
    for (Eigen::Index i = 0; i < m_mask.size(); ++i) m_mask.data()[i] = rng.bernoulli(m_p) ? 0.0f : scale;
    x.array() *= m_mask.array();
}

void Dropout::backward(Matrix& dy) const
{
    if (m_active) dy.array() *= m_mask.array();
}

}  // namespace meprop
