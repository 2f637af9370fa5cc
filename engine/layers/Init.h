#pragma once
// How a weight matrix starts. fanIn / fanOut are the layer's input and output sizes (for a gate
// block of an LSTM: the block's input size and its H rows). Biases always start at zero (the LSTM's
// forget-gate bias at one).
//   XavierUniform  U(-a, a), a = sqrt(6 / (fanIn + fanOut))          (Glorot & Bengio 2010)
//   HeNormal       N(0, s^2), s = sqrt(2 / fanIn)                     (He et al. 2015)
//   AuthorsNormal  N(0, s^2), s = sqrt(6 / (fanIn + fanOut))          (the authors' C# code, its
//                  GlorotNormalInit: the uniform bound used as a standard deviation, so sqrt(3)
//                  times the standard deviation of XavierUniform, not Glorot's normal sqrt(2/(in+out)))
#include "core/Rng.h"
#include "core/Tensor.h"

#include <string>

namespace meprop {

enum class Init { XavierUniform, HeNormal, AuthorsNormal };

// Fills `w` (any shape) element by element from rng.
void initWeights(Eigen::Ref<Matrix> w, Init init, int fanIn, int fanOut, Rng& rng);

// "xavier-uniform" | "he-normal" | "authors-normal"; throws ConfigError naming `field` otherwise.
Init parseInit(const std::string& text, const std::string& field = "init");
std::string toString(Init init);

}  // namespace meprop
