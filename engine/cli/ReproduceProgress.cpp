#include "cli/ReproduceProgress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace meprop::cli {

namespace {

std::string eta(double s)
{
    if (!(s >= 0.0) || s > 1e7) return "--";
    const long t = std::lround(s);
    char buf[32];
    if (t >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    else std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
    return buf;
}

std::size_t terminalWidth()
{
    winsize w {};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 20) return w.ws_col;
    return 100;
}

}  // namespace

ReproduceProgress::ReproduceProgress(bool enabled, bool terminal, std::string prefix)
    : m_enabled(enabled), m_terminal(terminal), m_prefix(std::move(prefix))
{
}

void ReproduceProgress::update(const reproduce::RunnerProgress& p)
{
    if (!m_enabled) return;
    const int finished = p.finishedBefore + p.done + p.failed;
    char count[96];
    std::snprintf(count, sizeof count, "%s[%d/%d]", m_prefix.c_str(), finished, p.total);
    if (!m_terminal) {
        if (p.lastFinished.empty()) return;
        std::fprintf(stderr, "%s %s %s (ETA %s)\n", count, p.lastFinished.c_str(), p.lastMessage.c_str(), eta(p.etaSeconds).c_str());
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!p.lastFinished.empty() && p.lastMessage.rfind("failed", 0) == 0) {
        std::fprintf(stderr, "\r\033[K%s %s %s\n", count, p.lastFinished.c_str(), p.lastMessage.c_str());
    } else if (p.lastFinished.empty() && m_drawn && now - m_lastDraw < std::chrono::milliseconds(250)) {
        return;
    }
    m_lastDraw = now;
    std::string line = count;
    if (p.failed) line.append(" ").append(std::to_string(p.failed)).append(" failed");
    line.append(" ETA ").append(eta(p.etaSeconds)).append(" |");
    for (const auto& [id, f] : p.running) {
        char part[32];
        std::snprintf(part, sizeof part, " %.0f%%", 100.0 * f);
        line.append(" ").append(id).append(part);
    }
    const std::size_t width = terminalWidth() - 1;
    if (line.size() > width) line.resize(width);
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    std::fflush(stderr);
    m_drawn = true;
}

void ReproduceProgress::finish()
{
    if (m_enabled && m_terminal && m_drawn) std::fprintf(stderr, "\r\033[K");
    m_drawn = false;
}

}  // namespace meprop::cli
