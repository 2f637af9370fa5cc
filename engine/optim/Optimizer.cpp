#include "optim/Optimizer.h"

#include "core/Error.h"
#include "optim/AdaGrad.h"
#include "optim/Adam.h"
#include "optim/Sgd.h"

namespace meprop {

float epsilon(const OptimizerSettings& s)
{
    if (s.eps) return *s.eps;
    if (s.kind == "adagrad") return kAdaGradEpsilon;
    if (s.kind == "adam") return kAdamEpsilon;
    return 0.0f;
}

Tensor Optimizer::zeroState(const Parameter& p) const
{
    Tensor t(Matrix::Zero(p.value.rows(), p.value.cols()));
    m_be->upload(t);
    return t;
}

void saveStateMatrices(CheckpointWriter& w, std::vector<Tensor>& state, Backend& backend)
{
    w.u64(state.size());
    for (Tensor& m : state) {
        backend.download(m);
        w.matrix(m);
    }
}

void loadStateMatrices(CheckpointReader& r, std::vector<Tensor>& state, const std::vector<Parameter*>& params, const std::string& what,
                       Backend& backend)
{
    const std::uint64_t n = r.u64();
    if (n != state.size())
        r.fail(what + " of " + std::to_string(n) + " parameters in the checkpoint, " + std::to_string(state.size()) + " in this run");
    for (std::size_t i = 0; i < state.size(); ++i) {
        r.matrixInto(state[i], what + " of " + params[i]->name);
        backend.upload(state[i]);
    }
}

std::unique_ptr<Optimizer> makeOptimizer(const OptimizerSettings& settings, Backend& backend)
{
    if (!(settings.lr > 0.0f))
        throw ConfigError("lr: expected a positive learning rate, got " + std::to_string(settings.lr));
    if (!(settings.clip >= 0.0f)) throw ConfigError("grad_clip: expected >= 0 (0 = off), got " + std::to_string(settings.clip));
    if (settings.kind == "sgd") return std::make_unique<Sgd>(settings, backend);
    if (settings.kind == "adagrad") return std::make_unique<AdaGrad>(settings, backend);
    if (settings.kind == "adam") return std::make_unique<Adam>(settings, backend);
    throw ConfigError("optimizer: expected one of sgd, adagrad, adam, got " + quote(settings.kind));
}

}  // namespace meprop
