#include "optim/Adam.h"

#include "optim/UpdateKernels.h"

namespace meprop {

void Adam::attach(const std::vector<Parameter*>& params)
{
    m_params = params;
    m_m.clear();
    m_v.clear();
    m_rowSteps.clear();
    for (Parameter* p : params) {
        m_m.push_back(zeroState(*p));
        m_v.push_back(zeroState(*p));
        StepTensor steps(StepTensor::Base::Zero(1, m_s.touchedRowsOnly ? p->value.rows() : 0));
        m_be->upload(steps);
        m_rowSteps.push_back(std::move(steps));
    }
    m_t = 0;
}

long Adam::rowSteps(std::size_t i, int r) const
{
    if (i >= m_rowSteps.size() || r < 0 || r >= m_rowSteps[i].cols()) return 0;
    m_be->download(m_rowSteps[i]);
    return static_cast<long>(m_rowSteps[i](0, r));
}

void Adam::save(CheckpointWriter& w) const
{
    w.section("adam");
    w.i64(m_t);
    saveStateMatrices(w, m_m, *m_be);
    saveStateMatrices(w, m_v, *m_be);
    w.u64(m_rowSteps.size());
    for (StepTensor& steps : m_rowSteps) {
        m_be->download(steps);
        w.i64s(std::vector<long>(steps.data(), steps.data() + steps.size()));
    }
}

void Adam::load(CheckpointReader& r)
{
    r.section("adam");
    const std::int64_t t = r.i64();
    if (t < 0) r.fail("corrupt: Adam step count " + std::to_string(t));
    m_t = static_cast<long>(t);
    loadStateMatrices(r, m_m, m_params, "Adam first moment", *m_be);
    loadStateMatrices(r, m_v, m_params, "Adam second moment", *m_be);
    // Lazy mode's per-row step counts (empty lists otherwise).
    const std::uint64_t n = r.u64();
    if (n != m_rowSteps.size())
        r.fail("Adam row step counts of " + std::to_string(n) + " parameters in the checkpoint, " + std::to_string(m_rowSteps.size()) +
               " in this run");
    for (std::size_t i = 0; i < m_rowSteps.size(); ++i) {
        const std::vector<long> steps = r.i64s(static_cast<std::size_t>(m_rowSteps[i].size()), "Adam row step counts of " + m_params[i]->name);
        for (long s : steps)
            if (s < 0 || s > m_t) r.fail("corrupt: Adam row step count " + std::to_string(s));
        std::copy(steps.begin(), steps.end(), m_rowSteps[i].data());
        m_be->upload(m_rowSteps[i]);
    }
}

void Adam::update(bool zeroGrad)
{
    ++m_t;
    const float lr = m_s.lr, b1 = m_s.beta1, b2 = m_s.beta2, eps = epsilon(m_s);
    const GradHandling gh{m_s.clip, zeroGrad};
    if (!m_s.touchedRowsOnly) {
        const AdamStep c = adamStep(lr, b1, b2, eps, m_t);
        for (std::size_t i = 0; i < m_params.size(); ++i) m_be->adamUpdate(*m_params[i], m_m[i], m_v[i], c, gh);
        return;
    }
    for (std::size_t i = 0; i < m_params.size(); ++i) m_be->adamLazyUpdate(*m_params[i], m_m[i], m_v[i], m_rowSteps[i], lr, b1, b2, eps, gh);
}

}  // namespace meprop
