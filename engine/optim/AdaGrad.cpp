#include "optim/AdaGrad.h"

#include "optim/UpdateKernels.h"

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

void AdaGrad::update(bool zeroGrad)
{
    const float lr = m_s.lr, eps = epsilon(m_s);
    const bool inside = m_s.adagradEpsInside;
    const GradHandling gh{m_s.clip, zeroGrad};
    for (std::size_t i = 0; i < m_params.size(); ++i) {
        Parameter& p = *m_params[i];
        float* w = p.value.data();
        float* g = p.grad.data();
        float* h = m_h[i].data();
        const long cols = static_cast<long>(p.value.cols());
        // A zero gradient leaves AdaGrad's state and the weight unchanged, so skipping untouched
        // rows is exact here, not an approximation.
        if (p.rowSparse) {
            const std::vector<int>& rows = p.rows;
            forEachRowRange(static_cast<long>(rows.size()), cols, [&](long lo, long hi) {
                for (long j = lo; j < hi; ++j) {
                    const long off = rows[static_cast<std::size_t>(j)] * cols;
                    adagradUpdate(w + off, g + off, h + off, cols, lr, eps, inside, gh);
                }
            });
        } else {
            forEachChunk(static_cast<long>(p.size()), [&](long off, long n) { adagradUpdate(w + off, g + off, h + off, n, lr, eps, inside, gh); });
        }
        if (zeroGrad) p.markGradZeroed();
    }
}

}  // namespace meprop
