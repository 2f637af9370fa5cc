#pragma once
// Inverted dropout: in training each element is zeroed with probability p and the survivors are
// scaled by 1/(1-p), so evaluation needs no rescaling. Backward multiplies by the same mask.
#include "core/Rng.h"
#include "core/Tensor.h"

namespace meprop {

// The one inverted-dropout mask of the engine (the MLP's Dropout below, the tagger, the parser):
// mask resized to rows x cols, each element in row-major order 0 with probability p (one
// rng.bernoulli(p) draw each) and 1/(1-p) otherwise. Requires 0 <= p < 1.
void dropoutMask(Matrix& mask, Eigen::Index rows, Eigen::Index cols, float p, Rng& rng);

class Dropout {
public:
    explicit Dropout(float p = 0.0f) : m_p(p) {}
    float rate() const { return m_p; }

    // In place. train=false (or p=0) is the identity.
    void forward(Matrix& x, bool train, Rng& rng);
    // dy -> dx in place, with the mask of the last training forward.
    void backward(Matrix& dy) const;

private:
    float m_p;
    bool m_active = false;
    Matrix m_mask;
};

}  // namespace meprop
