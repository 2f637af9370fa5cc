#pragma once
// Optimizers. As in the paper they are unmodified: every step updates every element of every
// parameter, including rows whose gradient meProp left at zero (their moment estimates decay).
// With `touchedRowsOnly` an optimizer updates only the rows that received a gradient (a "lazy"
// variant, offered for studying how optimizer state interacts with sparse gradients).
#include "backend/Backend.h"
#include "core/Parameter.h"
#include "io/CheckpointStream.h"

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
    // > 0: every gradient element is clipped to [-clip, clip] before the update (the authors' C#
    // optimizers, ClipBound 5). 0: no clipping. The gradients themselves are clipped in place.
    float clip = 0.0f;
    // AdaGrad: false: w -= lr g / (sqrt(h) + eps); true: w -= lr g / sqrt(h + eps) (the authors' C#).
    bool adagradEpsInside = false;
};

// The epsilon `s` uses: s.eps when set, else the default of s.kind (0 for sgd, which has none).
float epsilon(const OptimizerSettings& s);

// Written once for both devices: the update of each parameter is an operation of the backend the
// optimizer was made for (backend/Backend.h), which also holds the optimizer's state.
class Optimizer {
public:
    explicit Optimizer(Backend& backend) : m_be(&backend) {}
    virtual ~Optimizer() = default;
    // Register the parameters once, before the first step.
    virtual void attach(const std::vector<Parameter*>& params) = 0;
    // Apply one update from the current gradients. Does not clear them (with settings.clip > 0 it
    // leaves them clipped).
    void step() { update(false); }
    // The same update, clearing each gradient in the same pass over memory: afterwards every
    // parameter is as Parameter::zeroGrad leaves it. What a training loop calls.
    void stepAndZeroGrad() { update(true); }
    virtual std::string name() const = 0;

    // Checkpoint state (moments, accumulators, step counts; the parameters themselves belong to
    // the model). load is called after attach() with the same parameters; it throws
    // CheckpointError for another optimizer kind or other parameter shapes.
    virtual void save(CheckpointWriter& w) const = 0;
    virtual void load(CheckpointReader& r) = 0;

protected:
    // One fused pass per parameter (optim/UpdateKernels.h): clip (settings.clip > 0), update,
    // and zero the gradient when zeroGrad. Dense parameters go in fixed chunks and row lists row
    // by row, spread over the run's threads (core/Parallel.h); each element is computed the same
    // way for any thread count.
    virtual void update(bool zeroGrad) = 0;

    // A zeroed state tensor of p's shape on the backend.
    Tensor zeroState(const Parameter& p) const;

    Backend* m_be;
};

// Helpers for the optimizers' save/load: one matrix of state per parameter, shapes checked.
// (On the GPU through host copies: save downloads, load uploads.)
void saveStateMatrices(CheckpointWriter& w, std::vector<Tensor>& state, Backend& backend);
void loadStateMatrices(CheckpointReader& r, std::vector<Tensor>& state, const std::vector<Parameter*>& params, const std::string& what,
                       Backend& backend);

// Throws ConfigError for an unknown kind, a non-positive learning rate or a negative clip. With
// clip > 0 the optimizer clips each gradient element (as optim/GradientClip.h) in its update pass.
std::unique_ptr<Optimizer> makeOptimizer(const OptimizerSettings& settings, Backend& backend = cpuBackend());

}  // namespace meprop
