#pragma once
// Inverted dropout: in training each element is zeroed with probability p and the survivors are
// scaled by 1/(1-p), so evaluation needs no rescaling. Backward multiplies by the same mask.
#include "backend/Backend.h"
#include "core/Rng.h"
#include "core/Tensor.h"

namespace meprop {

// The one inverted-dropout mask of the engine (the MLP's Dropout below, the tagger, the parser):
// mask resized to rows x cols, each element in row-major order 0 with probability p (one
// rng.bernoulli(p) draw each) and 1/(1-p) otherwise. Requires 0 <= p < 1.
void dropoutMask(Matrix& mask, Eigen::Index rows, Eigen::Index cols, float p, Rng& rng);

// The layer, on a backend (backend/Backend.h: the CPU draws the mask above, the GPU hashes).
class Dropout {
public:
    explicit Dropout(float p = 0.0f, Backend& backend = cpuBackend()) : m_be(&backend), m_p(p) {}
    float rate() const { return m_p; }
    // In place. train=false (or p=0) is the identity.
    void forward(Tensor& x, bool train, Rng& rng);
    // dy -> dx in place, with the mask of the last training forward.
    void backward(Tensor& dy) const;

private:
    Backend* m_be;
    float m_p;
    bool m_active = false;
    Tensor m_mask;
};

}  // namespace meprop
