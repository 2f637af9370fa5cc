#pragma once
// Optimizers. As in the paper they are unmodified: every step updates every element of every
// parameter, including rows whose gradient meProp left at zero (their moment estimates decay).
// With `touchedRowsOnly` an optimizer updates only the rows that received a gradient (a "lazy"
// variant, offered for studying how optimizer state interacts with sparse gradients).
#include "core/Parameter.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meprop {

// The default epsilons, the published ones the paper uses: Adam (Kingma & Ba 2014) 1e-8, AdaGrad
// 1e-6. The only place they are written: the optimizers (CPU and CUDA), the `optimizer` key's help
// (`meprop keys`) and the tests read them from here; README.md states them (checked by a test).
inline constexpr float kAdamEpsilon = 1e-8f;
inline constexpr float kAdaGradEpsilon = 1e-6f;

struct OptimizerSettings {
    std::string kind = "adam";  // sgd | adagrad | adam
    float lr = 1e-3f;
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    std::optional<float> eps = std::nullopt;  // unset: the kind's default (kAdamEpsilon, kAdaGradEpsilon)
    // Lazy variant: update only the rows that got a gradient. Adam then keeps a step count per row
    // and bias-corrects each row with its own count (optim/Adam.h).
    bool touchedRowsOnly = false;
};

// The epsilon `s` uses: s.eps when set, else the default of s.kind (0 for sgd, which has none).
float epsilon(const OptimizerSettings& s);

class Optimizer {
public:
    virtual ~Optimizer() = default;
    // Register the parameters once, before the first step.
    virtual void attach(const std::vector<Parameter*>& params) = 0;
    // Apply one update from the current gradients. Does not clear them.
    virtual void step() = 0;
    virtual std::string name() const = 0;
};

// Throws ConfigError for an unknown kind or a non-positive learning rate.
std::unique_ptr<Optimizer> makeOptimizer(const OptimizerSettings& settings);

}  // namespace meprop
