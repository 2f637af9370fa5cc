#pragma once
// Adam (Kingma & Ba 2014) with bias correction:
//   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  w -= lr * mhat / (sqrt(vhat) + eps).
// Unmodified, as in the paper: rows with a zero gradient still move by their decaying momentum.
#include "optim/Optimizer.h"

namespace meprop {

class Adam : public Optimizer {
public:
    explicit Adam(const OptimizerSettings& s) : m_s(s) {}
    void attach(const std::vector<Parameter*>& params) override;
    void step() override;
    std::string name() const override { return "adam"; }
    void save(CheckpointWriter& w) const override;
    void load(CheckpointReader& r) override;

private:
    OptimizerSettings m_s;
    std::vector<Parameter*> m_params;
    std::vector<Matrix> m_m, m_v;
    long m_t = 0;
};

}  // namespace meprop
