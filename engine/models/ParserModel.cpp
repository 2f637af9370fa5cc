#include "models/ParserModel.h"

#include "core/Error.h"
#include "layers/Dropout.h"
#include "layers/SoftmaxCrossEntropy.h"

#include <algorithm>
#include <cmath>

namespace meprop {

Activation parseActivation(const std::string& text, const std::string& field)
{
    if (text == "relu") return Activation::Relu;
    if (text == "cube") return Activation::Cube;
    throw ConfigError(field + ": expected relu or cube, got " + quote(text));
}

namespace {

void initUniform(Parameter& p, float a, Rng& rng, Backend& be)
{
    for (Eigen::Index i = 0; i < p.value.size(); ++i) p.value.data()[i] = rng.uniform(-a, a);
    be.upload(p.value);
    be.upload(p.grad);
    be.zeroGrad(p);
}

// The three tables' features: [0, 18) words, [18, 36) tags, [36, 48) labels.
constexpr int kTagFeature0 = kParserWordFeatures, kLabelFeature0 = kParserWordFeatures + kParserPosFeatures;

}  // namespace

ParserModel::ParserModel(const ParserModelSettings& s, Rng& rng, Backend& backend)
    : m_be(&backend), m_s(s), m_word("embed.word", s.wordVocab, s.embedDim), m_tag("embed.tag", s.tagVocab, s.embedDim),
      m_label("embed.label", s.labelVocab, s.embedDim)
{
    if (s.wordVocab < 1 || s.tagVocab < 1 || s.labelVocab < 1 || s.transitions < 1)
        throw ConfigError("parser: vocabularies and transitions must be non-empty");
    if (s.embedDim < 1) throw ConfigError("embed_dim: expected >= 1, got " + std::to_string(s.embedDim));
    if (s.hidden < 1) throw ConfigError("hidden: expected >= 1, got " + std::to_string(s.hidden));
    if (s.hiddenLayers < 1) throw ConfigError("hidden_layers: expected >= 1, got " + std::to_string(s.hiddenLayers));
    if (!(s.dropout >= 0.0f && s.dropout < 1.0f)) throw ConfigError("dropout: expected 0 <= p < 1, got " + std::to_string(s.dropout));
    if (s.mode != BackpropMode::Dense && (s.k < 1 || s.k > s.hidden))
        throw ConfigError("k: expected 1 <= k <= hidden (" + std::to_string(s.hidden) + "), got " + std::to_string(s.k));
    if (s.kOutput < 0 || s.kOutput > s.transitions)
        throw ConfigError("k_output: expected 0 (dense) .. " + std::to_string(s.transitions) + " (transitions), got " +
                          std::to_string(s.kOutput));
    initUniform(m_word, s.embedInit, rng, backend);
    initUniform(m_tag, s.embedInit, rng, backend);
    initUniform(m_label, s.embedInit, rng, backend);
    const Init init = s.init.value_or(s.activation == Activation::Relu ? Init::HeNormal : Init::XavierUniform);
    int in = kParserFeatures * s.embedDim;
    for (int l = 0; l < s.hiddenLayers; ++l) {
        m_hidden.push_back(std::make_unique<Linear>(in, s.hidden, rng, init, "hidden" + std::to_string(l + 1), backend));
        in = s.hidden;
    }
    m_output = std::make_unique<Linear>(in, s.transitions, rng, s.init.value_or(Init::XavierUniform), "output", backend);
    m_z.resize(static_cast<std::size_t>(s.hiddenLayers));
    m_h.resize(static_cast<std::size_t>(s.hiddenLayers));
    m_mask.resize(static_cast<std::size_t>(s.hiddenLayers));
}

void ParserModel::save(CheckpointWriter& w) const
{
    w.section("parser-model");
    for (Parameter* p : {&m_word, &m_tag, &m_label}) {
        m_be->download(p->value);
        w.parameter(*p);
    }
    w.u64(m_hidden.size());
    for (const auto& l : m_hidden) l->save(w);
    m_output->save(w);
}

void ParserModel::load(CheckpointReader& r)
{
    r.section("parser-model");
    for (Parameter* p : {&m_word, &m_tag, &m_label}) {
        r.parameterInto(*p);
        m_be->upload(p->value);
        m_be->zeroGrad(*p);
    }
    const std::uint64_t n = r.u64();
    if (n != m_hidden.size())
        r.fail("the checkpoint's parser has " + std::to_string(n) + " hidden layers, this run's " + std::to_string(m_hidden.size()));
    for (auto& l : m_hidden) l->load(r);
    m_output->load(r);
}

void ParserModel::setBackward(BackpropMode mode, int k, int kOutput)
{
    if (mode != BackpropMode::Dense && (k < 1 || k > m_s.hidden))
        throw ConfigError("k: expected 1 <= k <= hidden (" + std::to_string(m_s.hidden) + "), got " + std::to_string(k));
    if (kOutput < 0 || kOutput > m_s.transitions)
        throw ConfigError("k_output: expected 0 (dense) .. " + std::to_string(m_s.transitions) + " (transitions), got " +
                          std::to_string(kOutput));
    m_s.mode = mode;
    m_s.k = k;
    m_s.kOutput = kOutput;
}

void ParserModel::checkFeatures(const int* feats, const int* gold, long count) const
{
    for (long b = 0; b < count; ++b) {
        const int* f = feats + static_cast<std::size_t>(b) * kParserFeatures;
        for (int j = 0; j < kParserFeatures; ++j) {
            const Parameter& table = j < kTagFeature0 ? m_word : (j < kLabelFeature0 ? m_tag : m_label);
            const int id = f[j];
            if (id < 0 || id >= table.value.rows())
                throw ShapeError("parser: feature " + std::to_string(j) + " has id " + std::to_string(id) + ", expected 0.." +
                                 std::to_string(table.value.rows() - 1) + " (" + table.name + ")");
        }
        if (gold && (gold[b] < 0 || gold[b] >= m_s.transitions))
            throw ShapeError("parser: gold transition: label " + std::to_string(gold[b]) + " outside [0, " +
                             std::to_string(m_s.transitions) + ")");
    }
}

void ParserModel::uploadFeatures(const int* feats, int batch, IndexTensor& ids) const
{
    checkFeatures(feats, nullptr, batch);
    ids.resize(batch, kParserFeatures);
    std::copy(feats, feats + static_cast<std::size_t>(batch) * kParserFeatures, ids.data());
    m_be->upload(ids);
}

void ParserModel::gather(const IndexTensor& ids, Tensor& x)
{
    const int d = m_s.embedDim;
    m_be->resize(x, ids.rows(), kParserFeatures * d);
    m_be->embeddingForward(m_word.value, ids, 0, kParserWordFeatures, x, 0);
    m_be->embeddingForward(m_tag.value, ids, kTagFeature0, kParserPosFeatures, x, kTagFeature0 * d);
    m_be->embeddingForward(m_label.value, ids, kLabelFeature0, kParserLabelFeatures, x, kLabelFeature0 * d);
}

void ParserModel::recordSums(std::size_t i, const Linear& layer, Tensor& dz)
{
    if (m_keptSums.size() != m_hidden.size() + 1) {
        m_keptSums.resize(m_hidden.size() + 1);
        m_fullSums.resize(m_hidden.size() + 1);
    }
    m_be->download(dz);
    m_fullSums[i] = dz.colwise().sum();
    const Selection& sel = layer.lastSelection();
    if (sel.mode == BackpropMode::Dense) {
        m_keptSums[i] = m_fullSums[i];
    } else {
        m_keptSums[i] = RowVector::Zero(dz.cols());
        for (int b = 0; b < sel.batch; ++b) {
            const int* idx = sel.row(b);
            for (int j = 0; j < sel.k; ++j) m_keptSums[i](idx[j]) += dz(b, idx[j]);
        }
    }
}

void ParserModel::activate(const Tensor& z, Tensor& h)
{
    if (m_s.activation == Activation::Relu) {
        m_be->copy(z, h);
        m_be->reluForward(h);
    } else {
        m_be->cubeForward(z, h);
    }
}

const Matrix& ParserModel::lastInput() const
{
    m_be->download(m_x);
    return m_x;
}

const Matrix& ParserModel::lastInputGrad() const
{
    m_be->download(m_dx);
    return m_dx;
}

double ParserModel::forwardBackward(const int* feats, const int* gold, int batch, Rng& rng, Timings& t)
{
    checkFeatures(feats, gold, batch);
    m_hostIds.resize(batch, kParserFeatures);
    std::copy(feats, feats + static_cast<std::size_t>(batch) * kParserFeatures, m_hostIds.data());
    m_be->upload(m_hostIds);
    m_hostGold.resize(batch, 1);
    std::copy(gold, gold + batch, m_hostGold.data());
    m_be->upload(m_hostGold);
    return forwardBackward(m_hostIds, m_hostGold, rng, t);
}

double ParserModel::forwardBackward(const IndexTensor& ids, const IndexTensor& gold, Rng& rng, Timings& t)
{
    m_be->resize(m_loss, 1, 1);
    forwardBackward(ids, gold, rng, t, LossSlot{&m_loss, 0, false});
    return m_be->readScalar(m_loss) / static_cast<double>(std::max<Eigen::Index>(ids.rows(), 1));
}

void ParserModel::forwardBackward(const IndexTensor& ids, const IndexTensor& gold, Rng& rng, Timings& t, const LossSlot& lossOut)
{
    if (ids.cols() != kParserFeatures || gold.rows() != ids.rows())
        throw ShapeError("parser: " + std::to_string(ids.rows()) + "x" + std::to_string(ids.cols()) + " feature ids and " +
                         std::to_string(gold.rows()) + " gold transitions, expected batch x " + std::to_string(kParserFeatures) +
                         " and batch");
    const int batch = static_cast<int>(ids.rows());
    for (Parameter* p : parameters()) m_be->zeroGrad(*p);
    {
        ScopedTimer timer(&t.forward);
        gather(ids, m_x);
        const Tensor* in = &m_x;
        for (std::size_t l = 0; l < m_hidden.size(); ++l) {
            m_hidden[l]->forward(*in, m_z[l]);
            activate(m_z[l], m_h[l]);
            if (m_s.dropout > 0.0f) m_be->dropoutForward(m_h[l], m_s.dropout, rng, m_mask[l]);
            in = &m_h[l];
        }
        m_output->forward(*in, m_scores);
        // Softmax cross-entropy; dy = (p - onehot), / B for the mean loss.
        m_be->softmaxCrossEntropy(m_scores, gold, m_s.sumLoss || batch == 0 ? 1.0f : 1.0f / static_cast<float>(batch), lossOut, &m_dy);
    }
    ScopedTimer overall(&t.bpOverall);
    const BackpropMode outMode = m_s.kOutput == 0 || m_s.mode == BackpropMode::Dense ? BackpropMode::Dense : m_s.mode;
    const bool needInput = !m_s.freezeEmbeddings;
    // Unless sparseBias, each bias gets the full column sums of its layer's output gradient (the
    // gradients were cleared above, so Linear's denseBias is exactly that).
    BackwardSpec out{outMode, m_s.kOutput, true};
    out.denseBias = !m_s.sparseBias;
    m_output->backward(m_dy, m_dh, out, rng, &t.bpLinear);
    if (m_recordSums) recordSums(m_hidden.size(), *m_output, m_dy);
    for (std::size_t li = m_hidden.size(); li-- > 0;) {
        // m_dh is dLoss/dh_l; turn it into dLoss/dz_l.
        if (m_s.dropout > 0.0f) m_be->multiply(m_dh, m_mask[li]);
        if (m_s.activation == Activation::Relu)
            m_be->reluBackward(m_z[li], m_dh);
        else
            m_be->cubeBackward(m_z[li], m_dh);
        std::swap(m_dy, m_dh);
        const bool first = li == 0;
        BackwardSpec hs{m_s.mode, m_s.k, first ? needInput : true};
        hs.denseBias = !m_s.sparseBias;
        m_hidden[li]->backward(m_dy, first ? m_dx : m_dh, hs, rng, &t.bpLinear);
        if (m_recordSums) recordSums(li, *m_hidden[li], m_dy);
    }
    if (needInput) {
        const int d = m_s.embedDim;
        m_be->embeddingBackward(m_dx, ids, 0, kParserWordFeatures, 0, m_word);
        m_be->embeddingBackward(m_dx, ids, kTagFeature0, kParserPosFeatures, kTagFeature0 * d, m_tag);
        m_be->embeddingBackward(m_dx, ids, kLabelFeature0, kParserLabelFeatures, kLabelFeature0 * d, m_label);
    }
}

void ParserModel::scores(const int* feats, int batch, Tensor& out)
{
    uploadFeatures(feats, batch, m_inferIds);
    gather(m_inferIds, m_inferX);
    const Tensor* in = &m_inferX;
    for (auto& layer : m_hidden) {
        m_be->gemm(false, true, 1.0f, *in, layer->weight().value, 0.0f, m_inferZ);
        m_be->addBias(m_inferZ, layer->bias().value);
        activate(m_inferZ, m_inferH);
        in = &m_inferH;
    }
    m_be->gemm(false, true, 1.0f, *in, m_output->weight().value, 0.0f, out);
    m_be->addBias(out, m_output->bias().value);
    m_be->download(out);
}
std::vector<Parameter*> ParserModel::parameters()
{
    std::vector<Parameter*> p;
    if (!m_s.freezeEmbeddings) p = {&m_word, &m_tag, &m_label};
    for (auto& l : m_hidden) {
        p.push_back(&l->weight());
        p.push_back(&l->bias());
    }
    p.push_back(&m_output->weight());
    p.push_back(&m_output->bias());
    return p;
}

std::vector<Linear*> ParserModel::linears()
{
    std::vector<Linear*> v;
    for (auto& l : m_hidden) v.push_back(l.get());
    v.push_back(m_output.get());
    return v;
}

std::vector<const Linear*> ParserModel::linears() const
{
    std::vector<const Linear*> v;
    for (auto& l : m_hidden) v.push_back(l.get());
    v.push_back(m_output.get());
    return v;
}

std::vector<std::string> ParserModel::linearNames() const
{
    std::vector<std::string> names;
    for (std::size_t l = 0; l < m_hidden.size(); ++l) names.push_back("hidden" + std::to_string(l + 1));
    names.push_back("output");
    return names;
}

std::vector<int> ParserModel::linearKs() const
{
    std::vector<int> ks;
    const bool dense = m_s.mode == BackpropMode::Dense;
    for (std::size_t l = 0; l < m_hidden.size(); ++l) ks.push_back(dense ? m_s.hidden : m_s.k);
    ks.push_back(dense || m_s.kOutput == 0 ? m_s.transitions : m_s.kOutput);
    return ks;
}

}  // namespace meprop
