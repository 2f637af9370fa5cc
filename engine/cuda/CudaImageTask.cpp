#include "cuda/CudaImageTask.h"

#include "core/Error.h"
#include "cuda/Activation.cuh"
#include "train/TrainingDetails.h"

#include <algorithm>
#include <numeric>

namespace meprop::cuda {

CudaImageTask::CudaImageTask(const ImageTaskSpec& spec, const MnistData& data, Rng& rng) : m_spec(spec), m_rng(rng)
{
    if (data.train.size() == 0) throw DatasetError("image: the training set is empty");
    if (spec.batchSize < 1) throw ConfigError("batch: expected a positive batch size, got " + std::to_string(spec.batchSize));
    if (spec.evalBatch < 1) throw ConfigError("eval batch: expected a positive size, got " + std::to_string(spec.evalBatch));
    m_features = static_cast<int>(data.train.images.cols());
    m_spec.mlp.inputs = m_features;
    m_spec.mlp.classes = data.train.classes;
    m_ctx = std::make_unique<Context>();
    m_mlp = std::make_unique<CudaMlp>(*m_ctx, m_spec.mlp, rng);
    upload(data.train, m_train);
    upload(data.dev, m_dev);
    upload(data.test, m_test);
    m_order.resize(static_cast<std::size_t>(m_train.size));
    std::iota(m_order.begin(), m_order.end(), 0);
    m_orderDevice.upload(m_order, m_ctx->stream());
    m_x.resize(static_cast<std::size_t>(spec.batchSize) * m_features);
    m_y.resize(static_cast<std::size_t>(spec.batchSize));
    m_ctx->synchronize();  // the host data may be released after the constructor
}

CudaImageTask::CudaImageTask(const Config& config, const MnistData& data, Rng& rng)
    : CudaImageTask(specFromConfig(config), data, rng)
{
}

ImageTaskSpec CudaImageTask::specFromConfig(const Config& c)
{
    // The GPU kernels implement the default training details only; the initialisation is done on
    // the host (layers/Linear), so every init works.
    auto requireDefault = [&c](const char* key, const std::string& def) {
        const std::string value = c.getString(key);
        if (value != def)
            throw ConfigError(std::string("key \"") + key + "\": device cuda supports only " + def + " (got " + value +
                              "); use device cpu for this setting");
    };
    requireDefault("loss_reduction", "mean");
    requireDefault("bias_grad", "auto");
    requireDefault("adagrad_eps", "outside");
    if (c.getFloat("grad_clip") != 0.0)
        throw ConfigError("key \"grad_clip\": device cuda supports only 0 (no clipping); use device cpu for clipping");
    ImageTaskSpec spec;
    spec.mlp.hidden.assign(static_cast<std::size_t>(c.getInt("layers")), static_cast<int>(c.getInt("hidden")));
    spec.mlp.dropout = static_cast<float>(c.getFloat("dropout"));
    spec.mlp.mode = c.mode();
    spec.mlp.k = static_cast<int>(c.getInt("k"));
    spec.mlp.kOutput = static_cast<int>(c.getInt("k_output"));
    spec.mlp.init = weightInit(c).value_or(Init::XavierUniform);
    spec.mlp.optimizer.kind = c.getString("optimizer");
    spec.mlp.optimizer.lr = static_cast<float>(c.getFloat("lr"));
    spec.mlp.optimizer.touchedRowsOnly = c.getString("update") == "touched";
    spec.batchSize = static_cast<int>(c.getInt("batch"));
    return spec;
}

void CudaImageTask::upload(const ImageSet& set, DeviceSet& out)
{
    if (set.size() > 0 && set.images.cols() != m_features)
        throw DatasetError("image: a split has " + std::to_string(set.images.cols()) + " features per image, expected " +
                           std::to_string(m_features));
    out.images.upload(set.images.data(), static_cast<std::size_t>(set.images.size()), m_ctx->stream());
    out.labels.upload(set.labels, m_ctx->stream());
    out.size = set.size();
}

void CudaImageTask::save(CheckpointWriter& w) const
{
    w.section("cuda-image-task");
    m_mlp->save(w);
}

void CudaImageTask::load(CheckpointReader& r)
{
    r.section("cuda-image-task");
    m_mlp->load(r);
}

void CudaImageTask::beginEpoch(Rng& rng)
{
    std::iota(m_order.begin(), m_order.end(), 0);
    rng.shuffle(m_order);  // the engine's one shuffle (core/Rng.h)
    m_orderDevice.upload(m_order, m_ctx->stream());
}

double CudaImageTask::trainBatch(long begin, long end, Timings& t)
{
    if (begin < 0 || end > m_train.size || end <= begin)
        throw ShapeError("image: batch [" + std::to_string(begin) + ", " + std::to_string(end) + ") outside the training set of " +
                         std::to_string(m_train.size));
    const int count = static_cast<int>(end - begin);
    m_x.reserve(static_cast<std::size_t>(count) * m_features);
    m_y.reserve(static_cast<std::size_t>(count));
    gatherExamples(m_train.images.data(), m_train.labels.data(), m_features, m_orderDevice.data() + begin, count, m_x.data(),
                   m_y.data(), m_ctx->stream());
    return m_mlp->trainStep(m_x.data(), m_y.data(), count, m_rng, &t);
}

Evaluation CudaImageTask::evaluate(Split split)
{
    const DeviceSet& set = split == Split::Train ? m_train : split == Split::Dev ? m_dev : m_test;
    Evaluation e;
    if (set.size == 0) return e;
    long correct = 0;
    for (long start = 0; start < set.size; start += m_spec.evalBatch) {
        const int count = static_cast<int>(std::min<long>(m_spec.evalBatch, set.size - start));
        correct += m_mlp->countCorrect(set.images.data() + static_cast<std::size_t>(start) * m_features, set.labels.data() + start,
                                       count);
    }
    e.metric = 100.0 * static_cast<double>(correct) / static_cast<double>(set.size);
    return e;
}

std::vector<LayerInfo> CudaImageTask::layers() const
{
    std::vector<LayerInfo> out;
    for (std::size_t i = 0; i < m_mlp->layerCount(); ++i)
        out.push_back({m_mlp->layer(i).name(), m_mlp->layer(i).out(), m_mlp->backwardSpec(i).k});
    return out;
}

std::vector<double> CudaImageTask::backpropRatio() const
{
    std::vector<double> out;
    for (std::size_t i = 0; i < m_mlp->layerCount(); ++i)
        out.push_back(static_cast<double>(m_mlp->backwardSpec(i).k) / static_cast<double>(m_mlp->layer(i).out()));
    return out;
}

std::vector<LayerSelection> CudaImageTask::selection() const
{
    std::vector<LayerSelection> out;
    for (std::size_t i = 0; i < m_mlp->layerCount(); ++i) {
        const CudaLinear& l = m_mlp->layer(i);
        out.push_back({l.name(), l.out(), l.touchedRows(), l.updateCounts()});
    }
    return out;
}

}  // namespace meprop::cuda
