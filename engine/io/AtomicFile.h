#pragma once
// Atomic file output: the content goes to "<path>.tmp-<pid>" which is flushed and then renamed over
// `path`, so a reader never sees a half-written file and a failure leaves any earlier file intact.
#include <string>

namespace meprop {

// Throws IoError naming the path on any failure (the temporary file is removed).
void writeFileAtomic(const std::string& path, const std::string& content);

}  // namespace meprop
