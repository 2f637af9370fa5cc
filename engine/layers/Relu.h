#pragma once
// ReLU: y = max(x, 0); dx = dy where x > 0, else 0. Element-wise, any shape.
#include "core/Tensor.h"

namespace meprop {

inline void reluForward(Matrix& x) { x = x.cwiseMax(0.0f); }

// `y` is the forward output; dy is modified in place into dx.
inline void reluBackward(const Matrix& y, Matrix& dy) { dy = (y.array() > 0.0f).select(dy, 0.0f); }

}  // namespace meprop
