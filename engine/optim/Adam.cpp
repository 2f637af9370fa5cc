#include "optim/Adam.h"

#include <cmath>

namespace meprop {

void Adam::attach(const std::vector<Parameter*>& params)
{
    m_params = params;
    m_m.clear();
    m_v.clear();
    for (Parameter* p : params) {
        m_m.push_back(Matrix::Zero(p->value.rows(), p->value.cols()));
        m_v.push_back(Matrix::Zero(p->value.rows(), p->value.cols()));
    }
    m_t = 0;
}

void Adam::save(CheckpointWriter& w) const
{
    w.section("adam");
    w.i64(m_t);
    saveStateMatrices(w, m_m);
    saveStateMatrices(w, m_v);
}

void Adam::load(CheckpointReader& r)
{
    r.section("adam");
    const std::int64_t t = r.i64();
    if (t < 0) r.fail("corrupt: Adam step count " + std::to_string(t));
    m_t = static_cast<long>(t);
    loadStateMatrices(r, m_m, m_params, "Adam first moment");
    loadStateMatrices(r, m_v, m_params, "Adam second moment");
}

void Adam::step()
{
    ++m_t;
    const float b1 = m_s.beta1, b2 = m_s.beta2, eps = m_s.eps;
    const float c1 = 1.0f - static_cast<float>(std::pow(b1, m_t));
    const float c2 = 1.0f - static_cast<float>(std::pow(b2, m_t));
    const float stepSize = m_s.lr / c1;
    const float invSqrtC2 = 1.0f / std::sqrt(c2);
    for (std::size_t i = 0; i < m_params.size(); ++i) {
        Parameter& p = *m_params[i];
        auto update = [&](auto w, auto g, auto m, auto v) {
            m.array() = b1 * m.array() + (1.0f - b1) * g.array();
            v.array() = b2 * v.array() + (1.0f - b2) * g.array().square();
            w.array() -= stepSize * m.array() / (v.array().sqrt() * invSqrtC2 + eps);
        };
        if (m_s.touchedRowsOnly && p.rowSparse) {
            for (int r : p.rows) update(p.value.row(r), p.grad.row(r), m_m[i].row(r), m_v[i].row(r));
        } else {
            update(p.value.array().matrix(), p.grad.array().matrix(), m_m[i].array().matrix(), m_v[i].array().matrix());
        }
    }
}

}  // namespace meprop
