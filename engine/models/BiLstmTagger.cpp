#include "models/BiLstmTagger.h"

#include "core/Error.h"
#include "layers/SoftmaxCrossEntropy.h"

#include <cmath>

namespace meprop {

BiLstmTagger::BiLstmTagger(const TaggerShape& shape, Rng& rng, Backend& backend) : m_be(&backend), m_shape(shape)
{
    if (shape.words < 1 || shape.tags < 1 || shape.wordDim < 1 || shape.featureDim < 1 || shape.hidden < 1)
        throw ShapeError("tagger: vocabulary, tag, embedding and hidden sizes must be positive");
    if (!(shape.dropout >= 0.0f && shape.dropout < 1.0f))
        throw ConfigError("dropout: expected 0 <= dropout < 1, got " + std::to_string(shape.dropout));
    m_word = std::make_unique<Embedding>(shape.words, shape.wordDim, rng, "embed.word", 0.1f, backend);
    for (int f = 0; f < kTaggerFeatures; ++f)
        m_feat[static_cast<std::size_t>(f)] = std::make_unique<Embedding>(
            shape.features[static_cast<std::size_t>(f)], shape.featureDim, rng, "embed.feature" + std::to_string(f + 1), 0.1f, backend);
    m_fwd = std::make_unique<Lstm>(inputDim(), shape.hidden, rng, false, "lstm.fwd", shape.init, backend);
    m_bwd = std::make_unique<Lstm>(inputDim(), shape.hidden, rng, true, "lstm.bwd", shape.init, backend);
    m_out = std::make_unique<Linear>(2 * shape.hidden, shape.tags, rng, shape.init.value_or(Init::XavierUniform), "output", backend);
}

void BiLstmTagger::embed(const TaggerSentence& s, Tensor& x)
{
    m_be->resize(x, s.size(), inputDim());
    m_word->forward(s.words, x, 0);
    for (int f = 0; f < kTaggerFeatures; ++f)
        m_feat[static_cast<std::size_t>(f)]->forward(s.features[static_cast<std::size_t>(f)], x,
                                                     m_shape.wordDim + f * m_shape.featureDim);
}

void BiLstmTagger::embedHost(const TaggerSentence& s, Matrix& x) const
{
    x.resize(s.size(), inputDim());
    m_word->lookup(s.words, x, 0);
    for (int f = 0; f < kTaggerFeatures; ++f)
        m_feat[static_cast<std::size_t>(f)]->lookup(s.features[static_cast<std::size_t>(f)], x,
                                                    m_shape.wordDim + f * m_shape.featureDim);
}

void BiLstmTagger::forward(const TaggerSentence& s, Tensor& scores, bool train, Rng& rng)
{
    const int T = s.size();
    if (T < 1) throw ShapeError("tagger: empty sentence");
    for (const auto& f : s.features)
        if (f.size() != s.words.size()) throw ShapeError("tagger: a feature column does not have one id per word");
    const int H = m_shape.hidden;
    embed(s, m_x);
    m_dropped = train && m_shape.dropout > 0.0f;
    if (m_dropped) m_be->dropoutForward(m_x, m_shape.dropout, rng, m_inMask);
    m_fwd->forward(m_x, m_hf);
    m_bwd->forward(m_x, m_hb);
    m_be->resize(m_hcat, T, 2 * H);
    m_be->copyIntoColumns(m_hf, m_hcat, 0);
    m_be->copyIntoColumns(m_hb, m_hcat, H);
    if (m_dropped) m_be->dropoutForward(m_hcat, m_shape.dropout, rng, m_hMask);
    m_out->forward(m_hcat, scores);
}

void BiLstmTagger::backward(const TaggerSentence& s, const Tensor& dscores, const TaggerBackprop& spec, Rng& rng,
                            double* bpLinear)
{
    const int H = m_shape.hidden;
    BackwardSpec out = spec.output;
    out.needInputGrad = true;
    m_out->backward(dscores, m_dh, out, rng, bpLinear);
    if (m_dropped) m_be->multiply(m_dh, m_hMask);
    m_be->copyColumns(m_dh, 0, H, m_dhf);
    m_be->copyColumns(m_dh, H, H, m_dhb);
    BackwardSpec lstm = spec.lstm;
    lstm.needInputGrad = true;
    m_fwd->backward(m_dhf, m_dxf, lstm, rng, bpLinear);
    m_bwd->backward(m_dhb, m_dxb, lstm, rng, bpLinear);
    m_be->accumulate(m_dxb, m_dxf);
    if (m_dropped) m_be->multiply(m_dxf, m_inMask);
    m_word->backward(s.words, m_dxf, 0);
    for (int f = 0; f < kTaggerFeatures; ++f)
        m_feat[static_cast<std::size_t>(f)]->backward(s.features[static_cast<std::size_t>(f)], m_dxf,
                                                      m_shape.wordDim + f * m_shape.featureDim);
}

std::vector<int> BiLstmTagger::predict(const TaggerSentence& s)
{
    Rng unused(0);
    Tensor scores;
    forward(s, scores, false, unused);
    m_be->download(scores);
    std::vector<int> tags(static_cast<std::size_t>(s.size()));
    for (int t = 0; t < s.size(); ++t) {
        Eigen::Index best = 0;
        scores.row(t).maxCoeff(&best);
        tags[static_cast<std::size_t>(t)] = static_cast<int>(best);
    }
    return tags;
}

std::vector<std::vector<int>> BiLstmTagger::predictMany(const std::vector<const TaggerSentence*>& sentences) const
{
    const std::size_t B = sentences.size();
    if (m_be->device() != Device::Cpu) {
        m_word->downloadValues();
        for (const auto& f : m_feat) f->downloadValues();
        m_fwd->downloadValues();
        m_bwd->downloadValues();
        m_be->download(m_out->weight().value);
        m_be->download(m_out->bias().value);
    }
    std::vector<Matrix> xs(B);
    std::vector<const Matrix*> xp(B);
    for (std::size_t b = 0; b < B; ++b) {
        const TaggerSentence& s = *sentences[b];
        if (s.size() < 1) throw ShapeError("tagger: empty sentence");
        for (const auto& f : s.features)
            if (f.size() != s.words.size()) throw ShapeError("tagger: a feature column does not have one id per word");
        embedHost(s, xs[b]);
        xp[b] = &xs[b];
    }
    std::vector<Matrix> hf, hb;
    m_fwd->forwardMany(xp, hf);
    m_bwd->forwardMany(xp, hb);
    const int H = m_shape.hidden;
    const Matrix& W = m_out->weight().value;
    std::vector<std::vector<int>> tags(B);
    Matrix scores;
    for (std::size_t b = 0; b < B; ++b) {
        scores.noalias() = hf[b] * W.leftCols(H).transpose();
        scores.noalias() += hb[b] * W.rightCols(H).transpose();
        scores.rowwise() += m_out->bias().value.row(0);
        tags[b].resize(static_cast<std::size_t>(scores.rows()));
        for (Eigen::Index t = 0; t < scores.rows(); ++t) {
            Eigen::Index best = 0;
            scores.row(t).maxCoeff(&best);
            tags[b][static_cast<std::size_t>(t)] = static_cast<int>(best);
        }
    }
    return tags;
}

double BiLstmTagger::crossEntropy(const Matrix& scores, const std::vector<int>& tags, float scale, Matrix& dscores)
{
    if (static_cast<Eigen::Index>(tags.size()) != scores.rows())
        throw ShapeError("tagger: " + std::to_string(tags.size()) + " gold tags for " + std::to_string(scores.rows()) + " tokens");
    CrossEntropyOptions o;
    o.scale = scale;
    o.skipNegative = true;  // a token without a gold tag
    o.what = "tagger";
    return softmaxCrossEntropySum(scores, tags.data(), static_cast<long>(tags.size()), &dscores, o);
}

void BiLstmTagger::loss(const TaggerSentence& s, const Tensor& scores, float scale, const LossSlot& out, Tensor& dscores)
{
    if (static_cast<Eigen::Index>(s.tags.size()) != scores.rows())
        throw ShapeError("tagger: " + std::to_string(s.tags.size()) + " gold tags for " + std::to_string(scores.rows()) + " tokens");
    m_tags.resize(scores.rows(), 1);
    std::copy(s.tags.begin(), s.tags.end(), m_tags.data());
    m_be->upload(m_tags);
    m_be->softmaxCrossEntropy(scores, m_tags, scale, out, &dscores);
}

std::vector<Parameter*> BiLstmTagger::parameters()
{
    std::vector<Parameter*> p{&m_word->table()};
    for (auto& f : m_feat) p.push_back(&f->table());
    for (Lstm* l : {m_fwd.get(), m_bwd.get()}) {
        p.push_back(&l->inputWeight());
        p.push_back(&l->recurrentWeight());
        p.push_back(&l->bias());
    }
    p.push_back(&m_out->weight());
    p.push_back(&m_out->bias());
    return p;
}

void BiLstmTagger::save(CheckpointWriter& w) const
{
    w.section("bilstm-tagger");
    m_word->save(w);
    for (const auto& f : m_feat) f->save(w);
    m_fwd->save(w);
    m_bwd->save(w);
    m_out->save(w);
}

void BiLstmTagger::load(CheckpointReader& r)
{
    r.section("bilstm-tagger");
    m_word->load(r);
    for (auto& f : m_feat) f->load(r);
    m_fwd->load(r);
    m_bwd->load(r);
    m_out->load(r);
}

void BiLstmTagger::zeroGrad()
{
    for (Parameter* p : parameters()) m_be->zeroGrad(*p);
}

}  // namespace meprop
