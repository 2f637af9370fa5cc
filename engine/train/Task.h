#pragma once
// A task bundles a data set and a model: the trainer drives any task through this interface.
// Tasks: "image" (MLP on MNIST-format images), "pos" (BiLSTM tagger), "parse" (Chen-Manning parser).
#include "core/Rng.h"
#include "core/Timings.h"
#include "io/CheckpointStream.h"
#include "train/Config.h"
#include "train/ProgressSink.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace meprop {

enum class Split { Train, Dev, Test };

// One training step's batch.
struct BatchSpec {
    long begin = 0, end = 0;       // training examples [begin, end) of the current order
    long step = 0;                 // the run's step, 1-based: names a non-finite gradient found later
    bool recordSelection = true;   // selection() may be asked for after this batch
};

struct Evaluation {
    double metric = 0.0;  // percent: accuracy, UAS
    std::vector<std::pair<std::string, double>> extra;  // e.g. {"las", 85.0}
};

class Task {
public:
    virtual ~Task() = default;

    virtual std::string metricName() const = 0;
    // Number of training examples (sentences for pos, transitions for parse, images for image).
    virtual long trainSize() const = 0;
    // Called before each epoch, e.g. to shuffle with the run's rng.
    virtual void beginEpoch(Rng& rng) = 0;
    // Forward, backward and update on a batch. Adds phase times to `t`. The batch's mean loss is
    // kept for takeLosses: on the GPU it stays on the device, so a step does not wait for the
    // previous one (tasks/LossLog.h).
    virtual void trainBatch(const BatchSpec& batch, Timings& t) = 0;
    // The mean losses of the batches trained since the last call, oldest first. Waits for the
    // device; NonFiniteGradient (naming the step) for a gradient the device found non-finite.
    virtual std::vector<double> takeLosses() = 0;
    // Whether takeLosses waits for a device (the trainer then reads every few steps).
    virtual bool lossesDeferred() const = 0;
    virtual Evaluation evaluate(Split split) = 0;

    // The linear layers meProp acts on, for the progress views.
    virtual std::vector<LayerInfo> layers() const = 0;
    // Kept fraction per layer in the last training step.
    virtual std::vector<double> backpropRatio() const = 0;
    // Rows that got a gradient in the last step and cumulative counts (only called on request).
    virtual std::vector<LayerSelection> selection() const = 0;

    // Called when dev reached a new best: a task may write predictions (e.g. CoNLL-U) to `dir`.
    virtual void onNewBest(const std::string& /*dir*/) {}

    // Checkpoint state between epochs (io/CheckpointStream.h): the model, the optimizer, the
    // task's own random generator and shuffled order, and whatever else the next epoch depends on,
    // so that a task built from the same config and data, then loaded, trains on exactly as the
    // saved one would have. Called only between epochs. The run's Rng is the trainer's to save.
    // load throws CheckpointError when the checkpoint does not fit this task.
    virtual void save(CheckpointWriter& w) const = 0;
    virtual void load(CheckpointReader& r) = 0;
};

// trainBatch of examples [begin, end) as step `step`, then its loss: one step and a read (tests,
// benchmarks; the trainer reads every few steps).
double trainBatchNow(Task& task, long begin, long end, Timings& t, long step = 0);

// Builds the task named by config.task() on the device config "device" names. Loads its data.
// Throws ConfigError / DatasetError.
std::unique_ptr<Task> makeTask(const Config& config, Rng& rng);

}  // namespace meprop
