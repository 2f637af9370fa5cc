#pragma once
// The image classification task: an MLP on an MNIST-format data set (MNIST, Fashion-MNIST, KMNIST).
#include "data/Mnist.h"
#include "models/Mlp.h"
#include "optim/Optimizer.h"
#include "train/Task.h"

#include <memory>

namespace meprop {

class ImageTask : public Task {
public:
    // Loads the data named by config "data" (empty: the installed Fashion-MNIST) and builds the model.
    ImageTask(const Config& config, Rng& rng);
    // For tests: a task over data already in memory.
    ImageTask(const Config& config, MnistData data, Rng& rng);

    std::string metricName() const override { return "accuracy"; }
    long trainSize() const override { return m_data.train.size(); }
    void beginEpoch(Rng& rng) override;
    double trainBatch(long begin, long end, Timings& t) override;
    Evaluation evaluate(Split split) override;
    std::vector<LayerInfo> layers() const override { return m_model->layerInfo(); }
    std::vector<double> backpropRatio() const override { return m_model->backpropRatio(); }
    std::vector<LayerSelection> selection() const override { return m_model->selection(); }
    void save(CheckpointWriter& w) const override;
    void load(CheckpointReader& r) override;

    Mlp& model() { return *m_model; }

private:
    void build(const Config& config);

    MnistData m_data;
    Rng& m_rng;
    std::unique_ptr<Mlp> m_model;
    std::unique_ptr<Optimizer> m_optimizer;
    std::vector<long> m_order;
    Matrix m_batchX;
    std::vector<int> m_batchY;
};

}  // namespace meprop
