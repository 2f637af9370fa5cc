#include "optim/GradientClip.h"

namespace meprop {

void clipGradients(const std::vector<Parameter*>& params, float bound)
{
    for (Parameter* p : params) {
        if (p->rowSparse) {
            for (int r : p->rows) p->grad.row(r) = p->grad.row(r).cwiseMax(-bound).cwiseMin(bound);
        } else {
            p->grad = p->grad.cwiseMax(-bound).cwiseMin(bound);
        }
    }
}

}  // namespace meprop
