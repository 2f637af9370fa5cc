#include "train/TrainingDetails.h"

namespace meprop {

OptimizerSettings optimizerSettings(const Config& c)
{
    OptimizerSettings s;
    s.kind = c.getString("optimizer");
    s.lr = static_cast<float>(c.getFloat("lr"));
    s.touchedRowsOnly = c.getString("update") == "touched";
    s.clip = static_cast<float>(c.getFloat("grad_clip"));
    s.adagradEpsInside = c.getString("adagrad_eps") == "inside";
    return s;
}

bool sumLoss(const Config& c) { return c.getString("loss_reduction") == "sum"; }

bool denseBias(const Config& c, bool taskDefault)
{
    const std::string v = c.getString("bias_grad");
    return v == "auto" ? taskDefault : v == "dense";
}

std::optional<Init> weightInit(const Config& c)
{
    const std::string v = c.getString("init");
    if (v == "auto") return std::nullopt;
    return parseInit(v, "key \"init\"");
}

}  // namespace meprop
