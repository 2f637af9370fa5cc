#pragma once
// AdaGrad (Duchi et al. 2011): h += g^2; w -= lr * g / (sqrt(h) + eps), or with adagradEpsInside
// w -= lr * g / sqrt(h + eps) (the authors' C# AdaGrad); eps by default kAdaGradEpsilon (1e-6,
// optim/Optimizer.h).
#include "optim/Optimizer.h"

namespace meprop {

class AdaGrad : public Optimizer {
public:
    explicit AdaGrad(const OptimizerSettings& s, Backend& backend = cpuBackend()) : Optimizer(backend), m_s(s) {}
    void attach(const std::vector<Parameter*>& params) override;
    std::string name() const override { return "adagrad"; }
    void save(CheckpointWriter& w) const override;
    void load(CheckpointReader& r) override;

protected:
    void update(bool zeroGrad) override;

private:
    OptimizerSettings m_s;
    std::vector<Parameter*> m_params;
    mutable std::vector<Tensor> m_h;  // mutable: save() refreshes the host mirrors
};

}  // namespace meprop
