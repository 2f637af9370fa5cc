#pragma once
// Element-wise gradient clipping, as the authors' C# optimizers do before every update (their
// ClipBound, 5 by default): g <- min(max(g, -bound), bound) for every element of every gradient.
// Row-sparse gradients are clipped on their touched rows only (the others are zero).
#include "optim/Optimizer.h"

#include <memory>
#include <vector>

namespace meprop {

// bound > 0.
void clipGradients(const std::vector<Parameter*>& params, float bound);

// Clips the gradients, then lets `inner` update. makeOptimizer builds it for settings.clip > 0.
class ClippedOptimizer : public Optimizer {
public:
    ClippedOptimizer(std::unique_ptr<Optimizer> inner, float bound) : m_inner(std::move(inner)), m_bound(bound) {}
    void attach(const std::vector<Parameter*>& params) override
    {
        m_params = params;
        m_inner->attach(params);
    }
    void step() override
    {
        clipGradients(m_params, m_bound);
        m_inner->step();
    }
    std::string name() const override { return m_inner->name(); }
    void save(CheckpointWriter& w) const override { m_inner->save(w); }  // the bound is configuration, not state
    void load(CheckpointReader& r) override { m_inner->load(r); }

private:
    std::unique_ptr<Optimizer> m_inner;
    float m_bound;
    std::vector<Parameter*> m_params;
};

}  // namespace meprop
