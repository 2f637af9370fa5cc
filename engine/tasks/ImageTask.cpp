#include "tasks/ImageTask.h"

#include "core/Error.h"
#include "backend/Device.h"
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
    build(config, loadMnist(dir, config.getInt("limit"), config.getInt("dev_size")));
}

ImageTask::ImageTask(const Config& config, MnistData data, Rng& rng) : m_rng(rng) { build(config, std::move(data)); }

void ImageTask::place(ImageSet&& set, DataSplit& out)
{
    out.size = set.size();
    out.images = Tensor(std::move(set.images));
    out.labels = IndexTensor(out.size, 1);
    std::copy(set.labels.begin(), set.labels.end(), out.labels.data());
    m_backend->upload(out.images);
    m_backend->upload(out.labels);
}

void ImageTask::build(const Config& config, MnistData data)
{
    MlpSpec spec;
    spec.input = static_cast<int>(data.train.images.cols());
    spec.hidden = static_cast<int>(config.getInt("hidden"));
    spec.layers = static_cast<int>(config.getInt("layers"));
    spec.classes = data.train.classes;
    spec.dropout = static_cast<float>(config.getFloat("dropout"));
    spec.mode = config.mode();
    spec.k = static_cast<int>(config.getInt("k"));
    spec.kOutput = static_cast<int>(config.getInt("k_output"));
    spec.init = weightInit(config).value_or(Init::XavierUniform);
    spec.sumLoss = sumLoss(config);
    spec.denseBias = denseBias(config, /*taskDefault=*/false);
    if (data.train.size() == 0) throw DatasetError("image: the training set is empty");
    for (const ImageSet* set : {&data.dev, &data.test})
        if (set->size() > 0 && set->images.cols() != spec.input)
            throw DatasetError("image: a split has " + std::to_string(set->images.cols()) + " features per image, expected " +
                               std::to_string(spec.input));
    m_backend = makeBackend(parseDevice(config.getString("device"), "key \"device\""));
    m_model = std::make_unique<Mlp>(spec, m_rng, *m_backend);
    m_losses = std::make_unique<LossLog>(*m_backend);
    m_optimizer = makeOptimizer(optimizerSettings(config), *m_backend);
    m_optimizer->attach(m_model->parameters());
    place(std::move(data.train), m_train);
    place(std::move(data.dev), m_dev);
    place(std::move(data.test), m_test);
    m_order.resize(static_cast<std::size_t>(m_train.size));
    std::iota(m_order.begin(), m_order.end(), 0L);
    m_orderT.resize(1, m_train.size);
    uploadOrder();
}

void ImageTask::uploadOrder()
{
    // The epoch's order goes to the backend once (beginEpoch shuffles it, a checkpoint restores it).
    std::copy(m_order.begin(), m_order.end(), m_orderT.data());
    m_backend->upload(m_orderT);
}

void ImageTask::beginEpoch(Rng& rng)
{
    rng.shuffle(m_order);
    uploadOrder();
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
    uploadOrder();
}

void ImageTask::trainBatch(const BatchSpec& batch, Timings& t)
{
    const long begin = batch.begin, end = batch.end;
    if (begin < 0 || end > m_train.size || end <= begin)
        throw ShapeError("image: batch [" + std::to_string(begin) + ", " + std::to_string(end) + ") outside the training set of " +
                         std::to_string(m_train.size));
    const long b = end - begin;
    m_losses->begin(batch.step);
    m_backend->gatherExamples(m_train.images, m_train.labels, m_orderT, begin, b, m_batchX, m_batchY);
    {
        ScopedTimer fp(&t.forward);
        m_model->forward(m_batchX, true, m_rng);
    }
    m_model->lossAndBackward(m_batchY, true, m_rng, &t, m_losses->slot());
    m_losses->end(static_cast<double>(b));
    {
        ScopedTimer up(&t.update);
        m_optimizer->stepAndZeroGrad();  // every parameter of the model is the optimizer's
    }
}

Evaluation ImageTask::evaluate(Split split)
{
    const DataSplit& set = split == Split::Dev ? m_dev : split == Split::Test ? m_test : m_train;
    long correct = 0;
    constexpr long chunk = 1000;
    for (long start = 0; start < set.size; start += chunk) {
        const long n = std::min(chunk, set.size - start);
        m_backend->copyRows(set.images, start, n, m_evalX);
        correct += m_backend->countCorrect(m_model->forward(m_evalX, false, m_rng), set.labels, start);
    }
    Evaluation e;
    e.metric = set.size > 0 ? 100.0 * static_cast<double>(correct) / static_cast<double>(set.size) : 0.0;
    return e;
}

}  // namespace meprop
