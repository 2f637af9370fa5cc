#include "optim/Adam.h"

#include <cmath>

namespace meprop {

namespace {

// The step-dependent scalars of Adam after t updates (also CudaOptimizer's, on the host).
struct AdamScalars {
    float stepSize;   // lr / (1 - b1^t)
    float invSqrtC2;  // 1 / sqrt(1 - b2^t)
};

AdamScalars adamScalars(const OptimizerSettings& s, long t)
{
    const float c1 = 1.0f - static_cast<float>(std::pow(s.beta1, t));
    const float c2 = 1.0f - static_cast<float>(std::pow(s.beta2, t));
    return {s.lr / c1, 1.0f / std::sqrt(c2)};
}

}  // namespace

void Adam::attach(const std::vector<Parameter*>& params)
{
    m_params = params;
    m_m.clear();
    m_v.clear();
    m_rowSteps.clear();
    for (Parameter* p : params) {
        m_m.push_back(Matrix::Zero(p->value.rows(), p->value.cols()));
        m_v.push_back(Matrix::Zero(p->value.rows(), p->value.cols()));
        m_rowSteps.emplace_back(m_s.touchedRowsOnly ? static_cast<std::size_t>(p->value.rows()) : 0, 0L);
    }
    m_t = 0;
}

long Adam::rowSteps(std::size_t i, int r) const
{
    if (i >= m_rowSteps.size() || r < 0 || static_cast<std::size_t>(r) >= m_rowSteps[i].size()) return 0;
    return m_rowSteps[i][static_cast<std::size_t>(r)];
}

void Adam::save(CheckpointWriter& w) const
{
    w.section("adam");
    w.i64(m_t);
    saveStateMatrices(w, m_m);
    saveStateMatrices(w, m_v);
    w.u64(m_rowSteps.size());
    for (const std::vector<long>& steps : m_rowSteps) w.i64s(steps);
}

void Adam::load(CheckpointReader& r)
{
    r.section("adam");
    const std::int64_t t = r.i64();
    if (t < 0) r.fail("corrupt: Adam step count " + std::to_string(t));
    m_t = static_cast<long>(t);
    loadStateMatrices(r, m_m, m_params, "Adam first moment");
    loadStateMatrices(r, m_v, m_params, "Adam second moment");
    // Lazy mode's per-row step counts (empty lists otherwise).
    const std::uint64_t n = r.u64();
    if (n != m_rowSteps.size())
        r.fail("Adam row step counts of " + std::to_string(n) + " parameters in the checkpoint, " + std::to_string(m_rowSteps.size()) +
               " in this run");
    for (std::size_t i = 0; i < m_rowSteps.size(); ++i) {
        m_rowSteps[i] = r.i64s(m_rowSteps[i].size(), "Adam row step counts of " + m_params[i]->name);
        for (long t : m_rowSteps[i])
            if (t < 0 || t > m_t) r.fail("corrupt: Adam row step count " + std::to_string(t));
    }
}

void Adam::step()
{
    ++m_t;
    const float b1 = m_s.beta1, b2 = m_s.beta2, eps = epsilon(m_s);
    auto update = [&](auto w, auto g, auto m, auto v, const AdamScalars& c) {
        m.array() = b1 * m.array() + (1.0f - b1) * g.array();
        v.array() = b2 * v.array() + (1.0f - b2) * g.array().square();
        w.array() -= c.stepSize * m.array() / (v.array().sqrt() * c.invSqrtC2 + eps);
    };
    if (!m_s.touchedRowsOnly) {
        const AdamScalars c = adamScalars(m_s, m_t);
        for (std::size_t i = 0; i < m_params.size(); ++i) {
            Parameter& p = *m_params[i];
            update(p.value.array().matrix(), p.grad.array().matrix(), m_m[i].array().matrix(), m_v[i].array().matrix(), c);
        }
        return;
    }
    // Lazy: each updated row counts its own steps. Rows updated together mostly share a count, so
    // the scalars are recomputed only when the count changes from one row to the next.
    long cachedT = 0;
    AdamScalars cached{};
    for (std::size_t i = 0; i < m_params.size(); ++i) {
        Parameter& p = *m_params[i];
        std::vector<long>& steps = m_rowSteps[i];
        auto updateRow = [&](int r) {
            const long t = ++steps[static_cast<std::size_t>(r)];
            if (t != cachedT) {
                cached = adamScalars(m_s, t);
                cachedT = t;
            }
            update(p.value.row(r), p.grad.row(r), m_m[i].row(r), m_v[i].row(r), cached);
        };
        if (p.rowSparse) {
            for (int r : p.rows) updateRow(r);
        } else {
            for (int r = 0; r < static_cast<int>(p.value.rows()); ++r) updateRow(r);
        }
    }
}

}  // namespace meprop
