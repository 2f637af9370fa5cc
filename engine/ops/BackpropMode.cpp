#include "ops/BackpropMode.h"

#include "core/Error.h"

namespace meprop {

BackpropMode parseBackpropMode(const std::string& text, const std::string& field)
{
    if (text == "dense") return BackpropMode::Dense;
    if (text == "topk") return BackpropMode::TopK;
    if (text == "unified") return BackpropMode::Unified;
    if (text == "random") return BackpropMode::Random;
    throw ConfigError(field + ": expected one of dense, topk, unified, random, got " + quote(text));
}

const char* toString(BackpropMode mode)
{
    switch (mode) {
    case BackpropMode::Dense: return "dense";
    case BackpropMode::TopK: return "topk";
    case BackpropMode::Unified: return "unified";
    case BackpropMode::Random: return "random";
    }
    return "?";
}

}  // namespace meprop
