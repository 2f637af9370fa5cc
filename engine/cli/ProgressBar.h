#pragma once
// The CLI's progress sink: a one-line progress bar on stderr (only when stderr is a terminal),
// warnings as lines, and cancellation by SIGINT.
#include "train/ProgressSink.h"

#include <atomic>
#include <chrono>
#include <string>

namespace meprop::cli {

class ProgressBar : public ProgressSink {
public:
    explicit ProgressBar(bool enabled);
    void onStart(const RunInfo& info) override;
    void onBatch(const BatchProgress& p) override;
    void onEpoch(const EpochResult& e) override;
    void onWarning(const std::string& message) override;
    bool shouldStop() override;

    // Installs a SIGINT handler that asks the running trainer to stop between batches.
    static void installInterruptHandler();
    static bool interrupted();

private:
    void draw(bool force);

    bool m_enabled;
    RunInfo m_info;
    BatchProgress m_last;
    double m_lastDev = -1.0;
    std::chrono::steady_clock::time_point m_start, m_lastDraw;
};

}  // namespace meprop::cli
