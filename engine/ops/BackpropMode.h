#pragma once
// How a linear layer back-propagates the gradient of its output.
#include <string>

namespace meprop {

enum class BackpropMode {
    Dense,    // ordinary back propagation
    TopK,     // per example: keep the k largest |dy| of each row (the paper's CPU method)
    Unified,  // per minibatch: keep the k columns with the largest sum over the batch of |dy| (GPU method)
    Random,   // per example: keep k uniformly random components (the paper's control)
};

// "dense" | "topk" | "unified" | "random"; throws ConfigError naming `field` otherwise.
BackpropMode parseBackpropMode(const std::string& text, const std::string& field = "mode");
const char* toString(BackpropMode mode);

}  // namespace meprop
