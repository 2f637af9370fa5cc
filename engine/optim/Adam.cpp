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

void Adam::update(bool zeroGrad)
{
    ++m_t;
    const float lr = m_s.lr, b1 = m_s.beta1, b2 = m_s.beta2, eps = epsilon(m_s);
    const GradHandling gh{m_s.clip, zeroGrad};
    if (!m_s.touchedRowsOnly) {
        // Every element moves, rows without a gradient by their momentum: one pass over all of it.
        const AdamStep c = adamStep(lr, b1, b2, eps, m_t);
        for (std::size_t i = 0; i < m_params.size(); ++i) {
            Parameter& p = *m_params[i];
            float* w = p.value.data();
            float* g = p.grad.data();
            float* m = m_m[i].data();
            float* v = m_v[i].data();
            forEachChunk(static_cast<long>(p.size()), [&](long off, long n) { adamUpdate(w + off, g + off, m + off, v + off, n, c, gh); });
            if (zeroGrad) {
                p.rowSparse = false;  // the pass zeroed every element, whatever the row list said
                p.markGradZeroed();
            }
        }
        return;
    }
    // Lazy: each updated row counts its own steps. Rows updated together mostly share a count, so
    // each thread recomputes the scalars only when the count changes from one row to the next.
    for (std::size_t i = 0; i < m_params.size(); ++i) {
        Parameter& p = *m_params[i];
        std::vector<long>& steps = m_rowSteps[i];
        float* w = p.value.data();
        float* g = p.grad.data();
        float* m = m_m[i].data();
        float* v = m_v[i].data();
        const long cols = static_cast<long>(p.value.cols());
        const bool sparse = p.rowSparse;
        const long count = sparse ? static_cast<long>(p.rows.size()) : static_cast<long>(p.value.rows());
        forEachRowRange(count, cols, [&](long lo, long hi) {
            long cachedT = 0;
            AdamStep cached{};
            for (long j = lo; j < hi; ++j) {
                const long r = sparse ? p.rows[static_cast<std::size_t>(j)] : j;
                const long t = ++steps[static_cast<std::size_t>(r)];
                if (t != cachedT) {
                    cached = adamStep(lr, b1, b2, eps, t);
                    cachedT = t;
                }
                const long off = r * cols;
                adamUpdate(w + off, g + off, m + off, v + off, cols, cached, gh);
            }
        });
        if (zeroGrad) p.markGradZeroed();
    }
}

}  // namespace meprop
