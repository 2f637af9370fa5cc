#pragma once
// Quoting for the commands the reports and the Slurm scripts print.
#include <string>

namespace meprop::reproduce {

// `s` as one bash word: unchanged when it holds only [A-Za-z0-9-_./=:,+@%], else single-quoted.
std::string shellQuote(const std::string& s);

}  // namespace meprop::reproduce
