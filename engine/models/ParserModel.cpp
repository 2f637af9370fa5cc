#include "models/ParserModel.h"

#include "core/Error.h"
#include "layers/Dropout.h"
#include "layers/SoftmaxCrossEntropy.h"

#include <cmath>

namespace meprop {

Activation parseActivation(const std::string& text, const std::string& field)
{
    if (text == "relu") return Activation::Relu;
    if (text == "cube") return Activation::Cube;
    throw ConfigError(field + ": expected relu or cube, got " + quote(text));
}

namespace {

void initUniform(Parameter& p, float a, Rng& rng)
{
    for (Eigen::Index i = 0; i < p.value.size(); ++i) p.value.data()[i] = rng.uniform(-a, a);
    p.zeroGrad();
}

}  // namespace

ParserModel::ParserModel(const ParserModelSettings& s, Rng& rng)
    : m_s(s), m_word("embed.word", s.wordVocab, s.embedDim), m_tag("embed.tag", s.tagVocab, s.embedDim),
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
    initUniform(m_word, s.embedInit, rng);
    initUniform(m_tag, s.embedInit, rng);
    initUniform(m_label, s.embedInit, rng);
    const Init init = s.init.value_or(s.activation == Activation::Relu ? Init::HeNormal : Init::XavierUniform);
    int in = kParserFeatures * s.embedDim;
    for (int l = 0; l < s.hiddenLayers; ++l) {
        m_hidden.push_back(std::make_unique<Linear>(in, s.hidden, rng, init, "hidden" + std::to_string(l + 1)));
        in = s.hidden;
    }
    m_output = std::make_unique<Linear>(in, s.transitions, rng, s.init.value_or(Init::XavierUniform), "output");
    m_z.resize(static_cast<std::size_t>(s.hiddenLayers));
    m_h.resize(static_cast<std::size_t>(s.hiddenLayers));
    m_mask.resize(static_cast<std::size_t>(s.hiddenLayers));
}

void ParserModel::save(CheckpointWriter& w) const
{
    w.section("parser-model");
    w.parameter(m_word);
    w.parameter(m_tag);
    w.parameter(m_label);
    w.u64(m_hidden.size());
    for (const auto& l : m_hidden) l->save(w);
    m_output->save(w);
}

void ParserModel::load(CheckpointReader& r)
{
    r.section("parser-model");
    for (Parameter* p : {&m_word, &m_tag, &m_label}) {
        r.parameterInto(*p);
        p->zeroGrad();
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

void ParserModel::gather(const int* feats, int batch, Matrix& x) const
{
    const int d = m_s.embedDim;
    x.resize(batch, kParserFeatures * d);
    for (int b = 0; b < batch; ++b) {
        const int* f = feats + static_cast<std::size_t>(b) * kParserFeatures;
        for (int j = 0; j < kParserFeatures; ++j) {
            const Parameter& table = j < kParserWordFeatures ? m_word : (j < kParserWordFeatures + kParserPosFeatures ? m_tag : m_label);
            const int id = f[j];
            if (id < 0 || id >= table.value.rows())
                throw ShapeError("parser: feature " + std::to_string(j) + " has id " + std::to_string(id) + ", expected 0.." +
                                 std::to_string(table.value.rows() - 1) + " (" + table.name + ")");
            x.block(b, j * d, 1, d) = table.value.row(id);
        }
    }
}

void ParserModel::biasGradient(std::size_t i, Linear& layer, const Matrix& dz)
{
    if (m_keptSums.size() != m_hidden.size() + 1) {
        m_keptSums.resize(m_hidden.size() + 1);
        m_fullSums.resize(m_hidden.size() + 1);
    }
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
    if (m_s.sparseBias) return;
    Parameter& bias = layer.bias();
    bias.grad.row(0) = m_fullSums[i];
    bias.touchAll();
}

void ParserModel::activate(const Matrix& z, Matrix& h) const
{
    if (m_s.activation == Activation::Relu)
        h = z.cwiseMax(0.0f);
    else
        h = z.array().cube().matrix();
}

double ParserModel::forwardBackward(const int* feats, const int* gold, int batch, Rng& rng, Timings& t)
{
    for (Parameter* p : parameters()) p->zeroGrad();
    double loss = 0.0;
    {
        ScopedTimer timer(&t.forward);
        gather(feats, batch, m_x);
        const Tensor* in = &m_x;
        for (std::size_t l = 0; l < m_hidden.size(); ++l) {
            m_hidden[l]->forward(*in, m_z[l]);
            activate(m_z[l], m_h[l]);
            if (m_s.dropout > 0.0f) {
                dropoutMask(m_mask[l], m_h[l].rows(), m_h[l].cols(), m_s.dropout, rng);
                m_h[l].array() *= m_mask[l].array();
            }
            in = &m_h[l];
        }
        m_output->forward(*in, m_scores);
        // Softmax cross-entropy; dy = (p - onehot), / B for the mean loss.
        CrossEntropyOptions ce;
        ce.scale = m_s.sumLoss ? 1.0f : 1.0f / static_cast<float>(batch);
        ce.what = "parser: gold transition";
        loss = softmaxCrossEntropySum(m_scores, gold, batch, &m_dy, ce);
    }
    ScopedTimer overall(&t.bpOverall);
    const BackpropMode outMode = m_s.kOutput == 0 || m_s.mode == BackpropMode::Dense ? BackpropMode::Dense : m_s.mode;
    const bool needInput = !m_s.freezeEmbeddings;
    Tensor* dy = &m_dy;
    m_output->backward(*dy, m_dh, {outMode, m_s.kOutput, true}, rng, &t.bpLinear);
    biasGradient(m_hidden.size(), *m_output, *dy);
    for (std::size_t li = m_hidden.size(); li-- > 0;) {
        // m_dh is dLoss/dh_l; turn it into dLoss/dz_l.
        if (m_s.dropout > 0.0f) m_dh.array() *= m_mask[li].array();
        if (m_s.activation == Activation::Relu)
            m_dh.array() *= (m_z[li].array() > 0.0f).cast<float>();
        else
            m_dh.array() *= 3.0f * m_z[li].array().square();
        std::swap(m_dy, m_dh);
        const bool first = li == 0;
        m_hidden[li]->backward(m_dy, first ? m_dx : m_dh, {m_s.mode, m_s.k, first ? needInput : true}, rng, &t.bpLinear);
        biasGradient(li, *m_hidden[li], m_dy);
    }
    if (needInput) {
        const int d = m_s.embedDim;
        for (int b = 0; b < batch; ++b) {
            const int* f = feats + static_cast<std::size_t>(b) * kParserFeatures;
            for (int j = 0; j < kParserFeatures; ++j) {
                Parameter& table = j < kParserWordFeatures ? m_word : (j < kParserWordFeatures + kParserPosFeatures ? m_tag : m_label);
                table.grad.row(f[j]) += m_dx.block(b, j * d, 1, d);
                table.touchRow(f[j]);
            }
        }
    }
    return loss / batch;
}

void ParserModel::scores(const int* feats, int batch, Matrix& out)
{
    Matrix x, z, h;
    gather(feats, batch, x);
    const Matrix* in = &x;
    for (auto& layer : m_hidden) {
        z.resize(in->rows(), layer->out());
        z.noalias() = *in * layer->weight().value.transpose();
        z.rowwise() += layer->bias().value.row(0);
        activate(z, h);
        in = &h;
    }
    out.resize(batch, m_s.transitions);
    out.noalias() = *in * m_output->weight().value.transpose();
    out.rowwise() += m_output->bias().value.row(0);
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
