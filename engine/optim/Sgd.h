#pragma once
// Plain SGD: w -= lr * g.
#include "optim/Optimizer.h"

namespace meprop {

class Sgd : public Optimizer {
public:
    explicit Sgd(const OptimizerSettings& s, Backend& backend = cpuBackend()) : Optimizer(backend), m_s(s) {}
    void attach(const std::vector<Parameter*>& params) override { m_params = params; }
    std::string name() const override { return "sgd"; }
    void save(CheckpointWriter& w) const override { w.section("sgd"); }  // stateless
    void load(CheckpointReader& r) override { r.section("sgd"); }

protected:
    void update(bool zeroGrad) override;

private:
    OptimizerSettings m_s;
    std::vector<Parameter*> m_params;
};

}  // namespace meprop
