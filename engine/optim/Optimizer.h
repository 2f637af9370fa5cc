#pragma once
// Optimizers. As in the paper they are unmodified: every step updates every element of every
// parameter, including rows whose gradient meProp left at zero (their moment estimates decay).
// With `touchedRowsOnly` an optimizer updates only the rows that received a gradient (a "lazy"
// variant, offered for studying how optimizer state interacts with sparse gradients).
#include "core/Parameter.h"
#include "io/CheckpointStream.h"

#include <memory>
#include <string>
#include <vector>

namespace meprop {

struct OptimizerSettings {
    std::string kind = "adam";  // sgd | adagrad | adam
    float lr = 1e-3f;
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    float eps = 1e-8f;  // Adam; AdaGrad uses 1e-6 as the paper unless set
    bool touchedRowsOnly = false;
    // > 0: every gradient element is clipped to [-clip, clip] before the update (the authors' C#
    // optimizers, ClipBound 5). 0: no clipping. The gradients themselves are clipped in place.
    float clip = 0.0f;
    // AdaGrad: false: w -= lr g / (sqrt(h) + eps); true: w -= lr g / sqrt(h + eps) (the authors' C#).
    bool adagradEpsInside = false;
};

class Optimizer {
public:
    virtual ~Optimizer() = default;
    // Register the parameters once, before the first step.
    virtual void attach(const std::vector<Parameter*>& params) = 0;
    // Apply one update from the current gradients. Does not clear them.
    virtual void step() = 0;
    virtual std::string name() const = 0;

    // Checkpoint state (moments, accumulators, step counts; the parameters themselves belong to
    // the model). load is called after attach() with the same parameters; it throws
    // CheckpointError for another optimizer kind or other parameter shapes.
    virtual void save(CheckpointWriter& w) const = 0;
    virtual void load(CheckpointReader& r) = 0;
};

// Helpers for the optimizers' save/load: one matrix of state per parameter, shapes checked.
void saveStateMatrices(CheckpointWriter& w, const std::vector<Matrix>& state);
void loadStateMatrices(CheckpointReader& r, std::vector<Matrix>& state, const std::vector<Parameter*>& params, const std::string& what);

// Throws ConfigError for an unknown kind, a non-positive learning rate or a negative clip. With
// clip > 0 the optimizer clips the gradients (optim/GradientClip.h) before each update.
std::unique_ptr<Optimizer> makeOptimizer(const OptimizerSettings& settings);

}  // namespace meprop
