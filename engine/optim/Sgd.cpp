#include "optim/Sgd.h"

#include "optim/UpdateKernels.h"

namespace meprop {

void Sgd::update(bool zeroGrad)
{
    const GradHandling gh{m_s.clip, zeroGrad};
    for (Parameter* p : m_params) m_be->sgdUpdate(*p, m_s.lr, gh);
}

}  // namespace meprop
