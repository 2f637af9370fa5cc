#include "optim/AdaGrad.h"

#include "optim/UpdateKernels.h"

namespace meprop {

void AdaGrad::attach(const std::vector<Parameter*>& params)
{
    m_params = params;
    m_h.clear();
    for (Parameter* p : params) m_h.push_back(zeroState(*p));
}

void AdaGrad::save(CheckpointWriter& w) const
{
    w.section("adagrad");
    saveStateMatrices(w, m_h, *m_be);
}

void AdaGrad::load(CheckpointReader& r)
{
    r.section("adagrad");
    loadStateMatrices(r, m_h, m_params, "AdaGrad accumulator", *m_be);
}

void AdaGrad::update(bool zeroGrad)
{
    const float eps = epsilon(m_s);
    const GradHandling gh{m_s.clip, zeroGrad};
    for (std::size_t i = 0; i < m_params.size(); ++i) m_be->adagradUpdate(*m_params[i], m_h[i], m_s.lr, eps, m_s.adagradEpsInside, gh);
}

}  // namespace meprop
