#pragma once
// The training losses a task has not handed to the trainer yet, kept on the task's backend.
//
// Each batch's loss (the sum over its rows or tokens, written by the backend's softmax
// cross-entropy into a slot: backend/Backend.h LossSlot) stays where it was computed until the
// trainer asks for the losses of several batches at once (take). On the GPU a training step then
// queues its work without waiting for the previous one, and one read every few steps replaces a
// read per batch; on the CPU a read costs nothing.
//
//     log.begin(step);                                // once per batch
//     model.forwardBackward(..., log.slot());         // or several sentences, accumulating
//     log.end(examples);                              // the batch's mean = its sum / examples
//     ...
//     std::vector<double> means = log.take();         // the batches since the last take
#include "backend/Backend.h"

#include <vector>

namespace meprop {

class LossLog {
public:
    explicit LossLog(Backend& backend);

    // Starts a batch: its slot, cleared by the first write into it (the slot's accumulate flag
    // is false; accumulating() gives the one for the writes after the first). A batch begun but
    // not ended (it threw) is dropped.
    // `step` is the run's step of the batch: the backend numbers the checks of the batch's work
    // with it (backend/Backend.h beginStep), so a deferred non-finite gradient names it.
    void begin(long step);
    LossSlot slot() const { return {&m_sums, m_next, false}; }
    LossSlot accumulating() const { return {&m_sums, m_next, true}; }
    // Ends the batch: its mean loss is the slot's sum / divisor (divisor > 0).
    void end(double divisor);

    // The mean losses of the batches ended since the last take, oldest first. Waits for the
    // device and reports what it found on the way (backend/Backend.h readScalars: a deferred
    // NonFiniteGradient naming the step).
    std::vector<double> take();
    // The batches ended but not taken.
    long pending() const { return static_cast<long>(m_ready.size()) + static_cast<long>(m_divisors.size()); }
    // Whether take waits for a device (the trainer then takes every few steps).
    bool deferred() const { return s_deferOnCpu || m_be->device() != Device::Cpu; }
    // For tests: the CPU defers as a GPU does (the trainer's deferred path without a GPU).
    static void deferOnCpu(bool on) { s_deferOnCpu = on; }

    // Slots per read of the device: a log that fills reads them itself (one wait per kCapacity
    // batches) before it reuses them.
    static constexpr Eigen::Index kCapacity = 256;

private:
    void drain();
    static inline bool s_deferOnCpu = false;

    Backend* m_be;
    mutable ScalarTensor m_sums;    // 1 x kCapacity on the backend
    Eigen::Index m_next = 0;        // the slot of the batch begun last (or to begin next)
    bool m_open = false;
    std::vector<double> m_divisors; // of the batches in slots [0, m_divisors.size())
    std::vector<double> m_ready;    // means read by drain, not yet taken
    std::vector<double> m_read;     // drain's scratch
};

}  // namespace meprop
