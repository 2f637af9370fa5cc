#include "tasks/ImageTask.h"

#include "core/Error.h"
#include "data/DataFolders.h"
#include "layers/SoftmaxCrossEntropy.h"
#include "train/TrainingDetails.h"

#include <cstdlib>
#include <numeric>

namespace meprop {


ImageTask::ImageTask(const Config& config, Rng& rng) : m_rng(rng)
{
    std::string dir = config.getString("data");
    if (dir.empty()) dir = defaultImageDataDir();
    m_data = loadMnist(dir, config.getInt("limit"), config.getInt("dev_size"));
    build(config);
}

ImageTask::ImageTask(const Config& config, MnistData data, Rng& rng) : m_data(std::move(data)), m_rng(rng) { build(config); }

void ImageTask::build(const Config& config)
{
    MlpSpec spec;
    spec.input = static_cast<int>(m_data.train.images.cols());
    spec.hidden = static_cast<int>(config.getInt("hidden"));
    spec.layers = static_cast<int>(config.getInt("layers"));
    spec.classes = m_data.train.classes;
    spec.dropout = static_cast<float>(config.getFloat("dropout"));
    spec.mode = config.mode();
    spec.k = static_cast<int>(config.getInt("k"));
    spec.kOutput = static_cast<int>(config.getInt("k_output"));
    spec.init = weightInit(config).value_or(Init::XavierUniform);
    spec.sumLoss = sumLoss(config);
    spec.denseBias = denseBias(config, /*taskDefault=*/false);
    m_model = std::make_unique<Mlp>(spec, m_rng);
    m_optimizer = makeOptimizer(optimizerSettings(config));
    m_optimizer->attach(m_model->parameters());
    m_order.resize(static_cast<std::size_t>(m_data.train.size()));
    std::iota(m_order.begin(), m_order.end(), 0L);
}

void ImageTask::beginEpoch(Rng& rng)
{
    rng.shuffle(m_order);
}

void ImageTask::save(CheckpointWriter& w) const
{
    w.section("image-task");
    m_model->save(w);
    m_optimizer->save(w);
    w.i64s(m_order);
}

void ImageTask::load(CheckpointReader& r)
{
    r.section("image-task");
    m_model->load(r);
    m_optimizer->load(r);
    m_order = r.permutation(m_order.size(), "the training order");
}

double ImageTask::trainBatch(long begin, long end, Timings& t)
{
    const long b = end - begin;
    m_batchX.resize(b, m_data.train.images.cols());
    m_batchY.resize(static_cast<std::size_t>(b));
    for (long i = 0; i < b; ++i) {
        const long idx = m_order[static_cast<std::size_t>(begin + i)];
        m_batchX.row(i) = m_data.train.images.row(idx);
        m_batchY[static_cast<std::size_t>(i)] = m_data.train.labels[static_cast<std::size_t>(idx)];
    }
    {
        ScopedTimer fp(&t.forward);
        m_model->forward(m_batchX, true, m_rng);
    }
    const double loss = m_model->lossAndBackward(m_batchY.data(), b, true, m_rng, &t);
    {
        ScopedTimer up(&t.update);
        m_optimizer->stepAndZeroGrad();  // every parameter of the model is the optimizer's
    }
    return loss;
}

Evaluation ImageTask::evaluate(Split split)
{
    const ImageSet& set = split == Split::Dev ? m_data.dev : split == Split::Test ? m_data.test : m_data.train;
    long correct = 0;
    constexpr long chunk = 1000;
    for (long start = 0; start < set.size(); start += chunk) {
        const long n = std::min(chunk, set.size() - start);
        const Matrix x = set.images.middleRows(start, n);
        const std::vector<int> pred = argmaxRows(m_model->forward(x, false, m_rng));
        for (long i = 0; i < n; ++i) correct += pred[static_cast<std::size_t>(i)] == set.labels[static_cast<std::size_t>(start + i)];
    }
    Evaluation e;
    e.metric = set.size() > 0 ? 100.0 * static_cast<double>(correct) / static_cast<double>(set.size()) : 0.0;
    return e;
}

}  // namespace meprop
