#include "reproduce/Shell.h"

#include <algorithm>
#include <cctype>

namespace meprop::reproduce {

std::string shellQuote(const std::string& s)
{
    const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || std::string("-_./=:,+@%").find(ch) != std::string::npos;
    });
    if (plain) return s;
    std::string q = "'";
    for (char ch : s) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    return q + "'";
}

}  // namespace meprop::reproduce
