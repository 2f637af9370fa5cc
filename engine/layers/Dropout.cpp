#include "layers/Dropout.h"

namespace meprop {

void dropoutMask(Matrix& mask, Eigen::Index rows, Eigen::Index cols, float p, Rng& rng)
{
    const float scale = 1.0f / (1.0f - p);
    mask.resize(rows, cols);
    for (Eigen::Index i = 0; i < mask.size(); ++i) mask.data()[i] = rng.bernoulli(p) ? 0.0f : scale;
}

void Dropout::forward(Matrix& x, bool train, Rng& rng)
{
    m_active = train && m_p > 0.0f;
    if (!m_active) return;
    dropoutMask(m_mask, x.rows(), x.cols(), m_p, rng);
    x.array() *= m_mask.array();
}

void Dropout::backward(Matrix& dy) const
{
    if (m_active) dy.array() *= m_mask.array();
}

}  // namespace meprop
