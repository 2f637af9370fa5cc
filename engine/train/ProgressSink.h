#pragma once
// How the trainer reports to a front end (CLI progress bar, GUI worker). Plain structs only; every
// callback runs on the training thread, so a GUI implementation must copy and post.
#include "core/Timings.h"

#include <cstdint>
#include <string>
#include <vector>

namespace meprop {

struct LayerInfo {
    std::string name;  // e.g. "hidden1", "output", "lstm.fwd.gates"
    int width = 0;     // number of output rows meProp selects among
    int k = 0;         // rows kept per example (== width when dense), over all blocks
    int blocks = 1;    // equal blocks meProp selects in separately (an LSTM's 4 gate blocks; k/blocks each)
};

struct RunInfo {
    std::string task;
    std::string metric;  // "accuracy", "UAS", ...
    int epochs = 0;
    long trainExamples = 0;
    long batchesPerEpoch = 0;
    std::vector<LayerInfo> layers;
    // A resumed run: the epochs restored from the checkpoint (onEpoch follows for each of them
    // before training goes on). 0 for a fresh run.
    int resumedEpochs = 0;
};

struct BatchProgress {
    int epoch = 0;          // 1-based
    long batch = 0;         // 0-based within the epoch
    long batchesPerEpoch = 0;
    long step = 0;          // global step, 1-based
    double loss = 0.0;      // mean loss of this batch
    double examplesPerSecond = 0.0;
    std::vector<double> backpropRatio;  // per layer: kept / width in this step
};

// One evaluation: after each epoch, or evals_per_epoch times per epoch.
struct EpochResult {
    int epoch = 0;            // 1-based epoch the evaluation falls in
    double at = 0.0;          // epochs of training done, e.g. 1.25 (== epoch with one evaluation per epoch)
    double trainLoss = 0.0;   // mean loss per example over the batches since the previous evaluation
    double devMetric = 0.0;   // percent
    double testMetric = 0.0;  // percent
    std::vector<std::pair<std::string, double>> extra;  // e.g. {"dev_las", 85.1}
    Timings timings;          // training phases since the previous evaluation, seconds
    double trainSeconds = 0.0;
    double evalSeconds = 0.0;
    std::vector<double> backpropRatio;  // per layer, mean over the batches since the previous evaluation
    bool bestSoFar = false;
};

// Which rows of each layer got a gradient in the latest step, and cumulative counts per row.
struct LayerSelection {
    std::string name;
    int width = 0;
    std::vector<int> rows;                 // sorted, the union over the minibatch
    std::vector<std::uint64_t> counts;     // per row, since the start of the run
};

class ProgressSink {
public:
    virtual ~ProgressSink() = default;
    virtual void onStart(const RunInfo&) {}
    virtual void onBatch(const BatchProgress&) {}
    virtual void onEpoch(const EpochResult&) {}
    // Polled after each batch; when true the trainer builds the selection and calls onSelection.
    // Nobody asking costs nothing.
    virtual bool wantsSelection() { return false; }
    virtual void onSelection(long /*step*/, const std::vector<LayerSelection>&) {}
    // A warning the user should see (e.g. the loss is diverging).
    virtual void onWarning(const std::string&) {}
    // Called between batches: return true to cancel the run. A GUI may block here to pause.
    virtual bool shouldStop() { return false; }
};

}  // namespace meprop
