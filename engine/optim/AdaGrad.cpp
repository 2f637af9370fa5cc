#include "optim/AdaGrad.h"

namespace meprop {

void AdaGrad::attach(const std::vector<Parameter*>& params)
{
    m_params = params;
    m_h.clear();
    for (Parameter* p : params) m_h.push_back(Matrix::Zero(p->value.rows(), p->value.cols()));
}

void AdaGrad::save(CheckpointWriter& w) const
{
    w.section("adagrad");
    saveStateMatrices(w, m_h);
}

void AdaGrad::load(CheckpointReader& r)
{
    r.section("adagrad");
    loadStateMatrices(r, m_h, m_params, "AdaGrad accumulator");
}

void AdaGrad::step()
{
    const float lr = m_s.lr, eps = epsilon(m_s);
    for (std::size_t i = 0; i < m_params.size(); ++i) {
        Parameter& p = *m_params[i];
        Matrix& h = m_h[i];
        auto update = [&](auto w, auto g, auto hh) {
            hh.array() += g.array().square();
            if (m_s.adagradEpsInside)
                w.array() -= lr * g.array() / (hh.array() + eps).sqrt();
            else
                w.array() -= lr * g.array() / (hh.array().sqrt() + eps);
        };
        // A zero gradient leaves AdaGrad's state and the weight unchanged, so skipping untouched
        // rows is exact here, not an approximation.
        if (p.rowSparse) {
            for (int r : p.rows) update(p.value.row(r), p.grad.row(r), h.row(r));
        } else {
            update(p.value.array().matrix(), p.grad.array().matrix(), h.array().matrix());
        }
    }
}

}  // namespace meprop
