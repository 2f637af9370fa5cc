#include "layers/Init.h"

#include "core/Error.h"

#include <cmath>

namespace meprop {

void initWeights(Eigen::Ref<Matrix> w, Init init, int fanIn, int fanOut, Rng& rng)
{
    const float fans = static_cast<float>(fanIn + fanOut);
    switch (init) {
    case Init::XavierUniform: {
        const float a = std::sqrt(6.0f / fans);
        for (Eigen::Index r = 0; r < w.rows(); ++r)
            for (Eigen::Index c = 0; c < w.cols(); ++c) w(r, c) = rng.uniform(-a, a);
        return;
    }
    case Init::HeNormal:
    case Init::AuthorsNormal: {
        const float s = init == Init::HeNormal ? std::sqrt(2.0f / static_cast<float>(fanIn)) : std::sqrt(6.0f / fans);
        for (Eigen::Index r = 0; r < w.rows(); ++r)
            for (Eigen::Index c = 0; c < w.cols(); ++c) w(r, c) = rng.normal(0.0f, s);
        return;
    }
    }
}

Init parseInit(const std::string& text, const std::string& field)
{
    if (text == "xavier-uniform") return Init::XavierUniform;
    if (text == "he-normal") return Init::HeNormal;
    if (text == "authors-normal") return Init::AuthorsNormal;
    throw ConfigError(field + ": expected xavier-uniform, he-normal or authors-normal, got \"" + text + "\"");
}

std::string toString(Init init)
{
    switch (init) {
    case Init::XavierUniform: return "xavier-uniform";
    case Init::HeNormal: return "he-normal";
    case Init::AuthorsNormal: return "authors-normal";
    }
    return "?";
}

}  // namespace meprop
