#pragma once
// The image classification task: an MLP on an MNIST-format data set (MNIST, Fashion-MNIST, KMNIST).
#include "data/Mnist.h"
#include "models/Mlp.h"
#include "optim/Optimizer.h"
#include "tasks/LossLog.h"
#include "train/Task.h"

#include <memory>

namespace meprop {

// One implementation for both devices: the model, the optimizer and the three splits live on the
// backend of the config's `device` (backend/Backend.h). The splits are uploaded once; each epoch
// uploads the shuffled order (train-size ints); each batch is gathered on the backend.
class ImageTask : public Task {
public:
    // Loads the data named by config "data" (empty: the installed Fashion-MNIST) and builds the model.
    ImageTask(const Config& config, Rng& rng);
    // For tests: a task over data already in memory.
    ImageTask(const Config& config, MnistData data, Rng& rng);

    std::string metricName() const override { return "accuracy"; }
    long trainSize() const override { return m_train.size; }
    void beginEpoch(Rng& rng) override;
    void trainBatch(const BatchSpec& batch, Timings& t) override;
    std::vector<double> takeLosses() override { return m_losses->take(); }
    bool lossesDeferred() const override { return m_losses->deferred(); }
    Evaluation evaluate(Split split) override;
    std::vector<LayerInfo> layers() const override { return m_model->layerInfo(); }
    std::vector<double> backpropRatio() const override { return m_model->backpropRatio(); }
    std::vector<LayerSelection> selection() const override { return m_model->selection(); }
    void save(CheckpointWriter& w) const override;
    void load(CheckpointReader& r) override;

    Mlp& model() { return *m_model; }

    Backend& backend() { return *m_backend; }

private:
    struct DataSplit {
        Tensor images;       // size x features
        IndexTensor labels;  // size x 1
        long size = 0;
    };
    void build(const Config& config, MnistData data);
    void place(ImageSet&& set, DataSplit& out);
    void uploadOrder();

    Rng& m_rng;
    std::shared_ptr<Backend> m_backend;
    DataSplit m_train, m_dev, m_test;
    std::unique_ptr<Mlp> m_model;
    std::unique_ptr<Optimizer> m_optimizer;
    std::unique_ptr<LossLog> m_losses;
    std::vector<long> m_order;
    IndexTensor m_orderT;  // 1 x train size, on the backend
    Tensor m_batchX, m_evalX;
    IndexTensor m_batchY;
};

}  // namespace meprop
