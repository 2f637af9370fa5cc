#include "optim/Optimizer.h"

#include "core/Error.h"
#include "optim/AdaGrad.h"
#include "optim/Adam.h"
#include "optim/Sgd.h"

namespace meprop {

float epsilon(const OptimizerSettings& s)
{
    if (s.eps) return *s.eps;
    if (s.kind == "adagrad") return kAdaGradEpsilon;
    if (s.kind == "adam") return kAdamEpsilon;
    return 0.0f;
}

std::unique_ptr<Optimizer> makeOptimizer(const OptimizerSettings& settings)
{
    if (!(settings.lr > 0.0f))
        throw ConfigError("lr: expected a positive learning rate, got " + std::to_string(settings.lr));
    if (settings.kind == "sgd") return std::make_unique<Sgd>(settings);
    if (settings.kind == "adagrad") return std::make_unique<AdaGrad>(settings);
    if (settings.kind == "adam") return std::make_unique<Adam>(settings);
    throw ConfigError("optimizer: expected one of sgd, adagrad, adam, got \"" + settings.kind + "\"");
}

}  // namespace meprop
