#pragma once
// Adam (Kingma & Ba 2014) with bias correction:
//   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  w -= lr * mhat / (sqrt(vhat) + eps),
//   mhat = m / (1 - b1^t), vhat = v / (1 - b2^t); eps by default kAdamEpsilon (1e-8).
// Unmodified, as in the paper: every element moves each step, rows with a zero gradient by their
// decaying momentum, and t is the global step.
// Lazy (settings.touchedRowsOnly): only the rows that got a gradient are updated, and each row r
// keeps its own step count t_r (the number of updates it has received), used in its bias
// correction. With the global t a row first updated at step 1000 would move about 2.5 lr (mhat =
// 0.1 g, vhat = 0.0016 g^2) instead of lr; with t_r = 1 its first step is lr * sign(g), as
// Adam's first step is. A row updated at every step has t_r = t: the same update as the global
// count.
#include "optim/Optimizer.h"

namespace meprop {

class Adam : public Optimizer {
public:
    explicit Adam(const OptimizerSettings& s, Backend& backend = cpuBackend()) : Optimizer(backend), m_s(s) {}
    void attach(const std::vector<Parameter*>& params) override;
    std::string name() const override { return "adam"; }
    void save(CheckpointWriter& w) const override;
    void load(CheckpointReader& r) override;

    // Lazy mode: how many updates row r of parameter i has received (0 otherwise).
    long rowSteps(std::size_t i, int r) const;

protected:
    void update(bool zeroGrad) override;

private:
    OptimizerSettings m_s;
    std::vector<Parameter*> m_params;
    mutable std::vector<Tensor> m_m, m_v;  // mutable: save() refreshes the host mirrors
    mutable std::vector<StepTensor> m_rowSteps;  // lazy mode: per parameter, 1 x rows (empty otherwise)
    long m_t = 0;
};

}  // namespace meprop
