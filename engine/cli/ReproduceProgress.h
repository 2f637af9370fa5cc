#pragma once
// The progress display of `meprop reproduce` on stderr: on a terminal one line, redrawn (runs done
// / total, the running runs with their share done, failures, ETA); otherwise one line per finished
// run; nothing with --quiet.
#include "reproduce/Runner.h"

#include <chrono>
#include <string>

namespace meprop::cli {

class ReproduceProgress {
public:
    ReproduceProgress(bool enabled, bool terminal, std::string prefix = "");
    void update(const reproduce::RunnerProgress& p);
    void finish();  // ends the redrawn line

private:
    bool m_enabled, m_terminal;
    std::string m_prefix;
    bool m_drawn = false;
    std::chrono::steady_clock::time_point m_lastDraw;
};

}  // namespace meprop::cli
