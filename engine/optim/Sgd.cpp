#include "optim/Sgd.h"

namespace meprop {

void Sgd::step()
{
    // A zero gradient row leaves a plain SGD weight unchanged, so skipping untouched rows is exact.
    for (Parameter* p : m_params) {
        if (p->rowSparse) {
            for (int r : p->rows) p->value.row(r) -= m_s.lr * p->grad.row(r);
        } else {
            p->value -= m_s.lr * p->grad;
        }
    }
}

}  // namespace meprop
