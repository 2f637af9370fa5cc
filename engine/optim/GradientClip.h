#pragma once
// Element-wise gradient clipping, as the authors' C# optimizers do before every update (their
// ClipBound, 5 by default): g <- min(max(g, -bound), bound) for every element of every gradient.
// Row-sparse gradients are clipped on their touched rows only (the others are zero). The
// optimizers built with settings.clip > 0 clip inside their fused update pass
// (optim/UpdateKernels.h), with the same result; this is the stand-alone form.
#include "core/Parameter.h"

#include <vector>

namespace meprop {

// bound > 0.
void clipGradients(const std::vector<Parameter*>& params, float bound);

}  // namespace meprop
