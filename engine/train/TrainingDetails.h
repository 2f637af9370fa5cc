#pragma once
// The training details every task reads the same way from a configuration: the optimizer (kind,
// lr, eps, update, grad_clip, adagrad_eps), the loss reduction, the bias gradient of meProp layers
// and the weight initialisation. "auto" values resolve to each task's own default.
#include "layers/Init.h"
#include "optim/Optimizer.h"
#include "train/Config.h"

#include <optional>

namespace meprop {

// optimizer, lr, update, grad_clip, adagrad_eps; eps left unset: the optimizer's default
// (kAdaGradEpsilon 1e-6, kAdamEpsilon 1e-8, the paper's; optim/Optimizer.h).
OptimizerSettings optimizerSettings(const Config& config);
// loss_reduction == "sum".
bool sumLoss(const Config& config);
// bias_grad: "dense" -> true, "sparse" -> false, "auto" -> taskDefault.
bool denseBias(const Config& config, bool taskDefault);
// init: empty for "auto" (the task's own choice), else the named scheme.
std::optional<Init> weightInit(const Config& config);

}  // namespace meprop
