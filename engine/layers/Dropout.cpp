#include "layers/Dropout.h"

namespace meprop {

void dropoutMask(Matrix& mask, Eigen::Index rows, Eigen::Index cols, float p, Rng& rng)
{
    const float scale = 1.0f / (1.0f - p);
    mask.resize(rows, cols);
    for (Eigen::Index i = 0; i < mask.size(); ++i) mask.data()[i] = rng.bernoulli(p) ? 0.0f : scale;
}

void Dropout::forward(Tensor& x, bool train, Rng& rng)
{
    m_active = train && m_p > 0.0f;
    if (m_active) m_be->dropoutForward(x, m_p, rng, m_mask);
}

void Dropout::backward(Tensor& dy) const
{
    if (m_active) m_be->multiply(dy, m_mask);
}

}  // namespace meprop
