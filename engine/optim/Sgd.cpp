#include "optim/Sgd.h"

#include "optim/UpdateKernels.h"

namespace meprop {

void Sgd::update(bool zeroGrad)
{
    const GradHandling gh{m_s.clip, zeroGrad};
    for (Parameter* p : m_params) {
        float* w = p->value.data();
        float* g = p->grad.data();
        const long cols = static_cast<long>(p->value.cols());
        // A zero gradient row leaves a plain SGD weight unchanged, so skipping untouched rows is exact.
        if (p->rowSparse) {
            const std::vector<int>& rows = p->rows;
            forEachRowRange(static_cast<long>(rows.size()), cols, [&](long lo, long hi) {
                for (long j = lo; j < hi; ++j) {
                    const long off = rows[static_cast<std::size_t>(j)] * cols;
                    sgdUpdate(w + off, g + off, cols, m_s.lr, gh);
                }
            });
        } else {
            forEachChunk(static_cast<long>(p->size()), [&](long off, long n) { sgdUpdate(w + off, g + off, n, m_s.lr, gh); });
        }
        if (zeroGrad) p->markGradZeroed();
    }
}

}  // namespace meprop
