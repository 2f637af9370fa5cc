#pragma once
// The "image" task on the GPU: an MLP on MNIST-format images (MNIST, Fashion-MNIST, KMNIST). The
// three splits are uploaded once when the task is built; each epoch uploads only the shuffled order
// (train-size ints); each batch is gathered on the device. Owns its Context, so the thread that
// trains it owns its cuBLAS handle. Built by makeCudaImageTask (backend/Device.h).
#include "cuda/CudaMlp.h"
#include "data/Mnist.h"
#include "train/Task.h"

#include <memory>

namespace meprop::cuda {

struct ImageTaskSpec {
    MlpSpec mlp;        // inputs and classes are taken from the data
    int batchSize = 10;
    int evalBatch = 1000;
};

class CudaImageTask : public Task {
public:
    // `rng` initialises the model and is kept for the training draws (random mode, dropout), so it
    // must outlive the task. Throws ConfigError on bad settings, DatasetError on an empty training set.
    CudaImageTask(const ImageTaskSpec& spec, const MnistData& data, Rng& rng);
    // The same from a run's config (the keys of tasks/ImageTask: hidden, layers, dropout, mode, k,
    // k_output, optimizer, lr, update, batch), as the CPU task reads them.
    CudaImageTask(const Config& config, const MnistData& data, Rng& rng);

    static ImageTaskSpec specFromConfig(const Config& config);

    std::string metricName() const override { return "accuracy"; }
    long trainSize() const override { return m_train.size; }
    void beginEpoch(Rng& rng) override;
    double trainBatch(long begin, long end, Timings& t) override;
    Evaluation evaluate(Split split) override;
    std::vector<LayerInfo> layers() const override;
    std::vector<double> backpropRatio() const override;
    std::vector<LayerSelection> selection() const override;
    // The model and optimizer through host copies (the order is re-drawn every epoch on the GPU,
    // and the run's Rng is the trainer's). Not yet run on a GPU in CI: CudaImageTaskTest checks it.
    void save(CheckpointWriter& w) const override;
    void load(CheckpointReader& r) override;

    CudaMlp& model() { return *m_mlp; }

private:
    struct DeviceSet {
        DeviceBuffer<float> images;
        DeviceBuffer<int> labels;
        long size = 0;
    };
    void upload(const ImageSet& set, DeviceSet& out);

    ImageTaskSpec m_spec;
    Rng& m_rng;
    std::unique_ptr<Context> m_ctx;
    std::unique_ptr<CudaMlp> m_mlp;
    int m_features = 0;
    DeviceSet m_train, m_dev, m_test;
    std::vector<int> m_order;
    DeviceBuffer<int> m_orderDevice;
    DeviceBuffer<float> m_x;
    DeviceBuffer<int> m_y;
};

}  // namespace meprop::cuda
