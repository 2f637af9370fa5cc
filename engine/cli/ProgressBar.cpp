#include "cli/ProgressBar.h"

#include <csignal>
#include <cstdio>

namespace meprop::cli {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void onSigint(int) { g_interrupted = 1; }

std::string duration(double s)
{
    if (!(s >= 0.0) || s > 1e7) return "--";
    const long t = static_cast<long>(s + 0.5);
    char buf[32];
    if (t >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    else
        std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
    return buf;
}

}  // namespace

ProgressBar::ProgressBar(bool enabled) : m_enabled(enabled) {}

void ProgressBar::installInterruptHandler() { std::signal(SIGINT, onSigint); }
bool ProgressBar::interrupted() { return g_interrupted != 0; }

void ProgressBar::onStart(const RunInfo& info)
{
    m_info = info;
    m_start = m_lastDraw = std::chrono::steady_clock::now();
    if (info.resumedEpochs > 0)
        std::fprintf(stderr, "meprop: resuming after epoch %d of %d (from the checkpoint)\n", info.resumedEpochs, info.epochs);
}

void ProgressBar::onBatch(const BatchProgress& p)
{
    m_last = p;
    draw(false);
}

void ProgressBar::onEpoch(const EpochResult& e)
{
    m_lastDev = e.devMetric;
    if (!m_enabled || e.epoch <= m_info.resumedEpochs) return;  // restored epochs were shown by the first run
    draw(true);
    std::fprintf(stderr, "\n");
}

void ProgressBar::onWarning(const std::string& message)
{
    if (m_enabled) std::fprintf(stderr, "\n");
    std::fprintf(stderr, "meprop: warning: %s\n", message.c_str());
}

bool ProgressBar::shouldStop() { return interrupted(); }

void ProgressBar::draw(bool force)
{
    if (!m_enabled) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - m_lastDraw < std::chrono::milliseconds(100)) return;
    m_lastDraw = now;
    const long perEpoch = std::max(1L, m_last.batchesPerEpoch);
    const double done = (m_last.epoch - 1) + static_cast<double>(m_last.batch + 1) / static_cast<double>(perEpoch);
    const double frac = done / std::max(1, m_info.epochs);
    const double elapsed = std::chrono::duration<double>(now - m_start).count();
    const double eta = frac > 0 ? elapsed * (1.0 - frac) / frac : -1.0;
    constexpr int width = 24;
    const int filled = static_cast<int>(frac * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    char dev[32] = "";
    if (m_lastDev >= 0.0) std::snprintf(dev, sizeof dev, " dev %.2f%%", m_lastDev);
    std::fprintf(stderr, "\r\033[Kepoch %d/%d [%s] %3.0f%% %8.0f ex/s loss %.4f ETA %s%s", m_last.epoch, m_info.epochs, bar.c_str(),
                 100.0 * frac, m_last.examplesPerSecond, m_last.loss, duration(eta).c_str(), dev);
    std::fflush(stderr);
}

}  // namespace meprop::cli
