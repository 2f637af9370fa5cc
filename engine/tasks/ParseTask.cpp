#include "tasks/ParseTask.h"

#include "core/Error.h"

#include <algorithm>
#include <filesystem>
#include <numeric>

namespace meprop {

namespace {

std::string where(const std::string& path, const ConlluSentence& s)
{
    return path + ": sentence " + escaped(s.sentId) + " (line " + std::to_string(s.firstLine) + ")";
}

std::vector<int> heads(const ConlluSentence& s)
{
    std::vector<int> h;
    h.reserve(s.tokens.size());
    for (const auto& t : s.tokens) h.push_back(t.head);
    return h;
}

}  // namespace

void validateParseSentences(const std::vector<ConlluSentence>& sentences, const std::string& path)
{
    for (const auto& s : sentences) {
        validateTree(heads(s), where(path, s));
        for (const auto& t : s.tokens)
            if (t.deprel.empty() || t.deprel == "_")
                throw DatasetError(where(path, s) + ": token " + std::to_string(t.id) + " has DEPREL \"_\", expected a relation");
    }
}

std::vector<ConlluSentence> readParseFile(const std::string& path, long maxSentences)
{
    std::vector<ConlluSentence> sentences = readConllu(path, maxSentences);
    validateParseSentences(sentences, path);
    return sentences;
}

ParseTask::ParseTask(const ParseSettings& settings, Rng& rng) : m_s(settings), m_rng(rng.engine()())
{
    const std::vector<ConlluSentence> train = readParseFile(m_s.trainFile, m_s.limit);
    m_dev = readParseFile(m_s.devFile);
    m_test = readParseFile(m_s.testFile);
    m_trainSentences = static_cast<long>(train.size());
    m_vocab = ParserVocabularies::build(train, m_s.minWordCount);
    const int labels = m_vocab.numLabels();

    for (const auto& s : train) {
        GoldTree gold;
        gold.head = heads(s);
        for (const auto& t : s.tokens) gold.label.push_back(m_vocab.labelId(t.deprel));
        const std::vector<int> seq = oracleSequence(gold, labels);
        if (seq.empty() && !s.tokens.empty()) {
            ++m_skippedNonProjective;
            continue;
        }
        const ParserSentence enc = encodeSentence(s, m_vocab);
        ArcStandardState state(static_cast<int>(s.tokens.size()));
        for (int t : seq) {
            m_feats.emplace_back();
            extractFeatures(state, enc, m_feats.back());
            m_gold.push_back(t);
            state.apply(t, labels);
        }
    }
    if (m_gold.empty()) throw DatasetError(m_s.trainFile + ": no projective training tree, expected at least one");
    m_order.resize(m_gold.size());
    std::iota(m_order.begin(), m_order.end(), 0L);

    ParserModelSettings ms = m_s.model;
    ms.wordVocab = m_vocab.words.size();
    ms.tagVocab = m_vocab.tags.size();
    ms.labelVocab = labels + 1;
    ms.transitions = numTransitions(labels);
    m_backend = makeBackend(m_s.device);
    m_model = std::make_unique<ParserModel>(ms, rng, *m_backend);
    m_optimizer = makeOptimizer(m_s.optimizer, *m_backend);
    m_losses = std::make_unique<LossLog>(*m_backend);
    m_optimizer->attach(m_model->parameters());

    const long n = static_cast<long>(m_gold.size());
    m_featsT.resize(n, kParserFeatures);
    m_goldT.resize(n, 1);
    for (long e = 0; e < n; ++e) {
        std::copy(m_feats[static_cast<std::size_t>(e)].begin(), m_feats[static_cast<std::size_t>(e)].end(), m_featsT.row(e).data());
        m_goldT(e, 0) = m_gold[static_cast<std::size_t>(e)];
    }
    m_model->checkFeatures(m_featsT.data(), m_goldT.data(), n);
    m_backend->upload(m_featsT);
    m_backend->upload(m_goldT);
    m_orderT.resize(1, n);
    uploadOrder();
}

void ParseTask::uploadOrder()
{
    std::copy(m_order.begin(), m_order.end(), m_orderT.data());
    m_backend->upload(m_orderT);
}

void ParseTask::beginEpoch(Rng& rng)
{
    rng.shuffle(m_order);
    uploadOrder();
}

std::vector<int> ParseTask::lastBatchFeatures() const
{
    m_backend->download(m_batchIds);
    return {m_batchIds.data(), m_batchIds.data() + m_batchIds.size()};
}

std::vector<int> ParseTask::lastBatchGold() const
{
    m_backend->download(m_batchGold);
    return {m_batchGold.data(), m_batchGold.data() + m_batchGold.size()};
}

void ParseTask::save(CheckpointWriter& w) const
{
    w.section("parse-task");
    w.rng(m_rng);
    w.i64s(m_order);
    m_model->save(w);
    m_optimizer->save(w);
}

void ParseTask::load(CheckpointReader& r)
{
    r.section("parse-task");
    r.rngInto(m_rng);
    m_order = r.permutation(m_order.size(), "the training order");
    uploadOrder();
    m_model->load(r);
    m_optimizer->load(r);
    m_devPred.clear();  // predictions of the old model
    m_testPred.clear();
}

void ParseTask::trainBatch(const BatchSpec& batch, Timings& t)
{
    const long begin = batch.begin, end = batch.end;
    if (begin < 0 || end > trainSize() || begin >= end)
        throw ShapeError("parse: batch [" + std::to_string(begin) + ", " + std::to_string(end) + ") outside 0.." +
                         std::to_string(trainSize()));
    m_losses->begin(batch.step);
    // The batch is gathered on the backend from the training set uploaded once.
    m_backend->gatherIndexRows(m_featsT, m_orderT, begin, end - begin, m_batchIds);
    m_backend->gatherIndexRows(m_goldT, m_orderT, begin, end - begin, m_batchGold);
    m_model->forwardBackward(m_batchIds, m_batchGold, m_rng, t, m_losses->slot());
    m_losses->end(static_cast<double>(end - begin));
    ScopedTimer timer(&t.update);
    m_optimizer->stepAndZeroGrad();
}

std::vector<ParsePrediction> ParseTask::parse(const std::vector<ConlluSentence>& sentences)
{
    const int labels = m_vocab.numLabels();
    const int T = numTransitions(labels);
    std::vector<ParserSentence> enc;
    std::vector<ArcStandardState> states;
    enc.reserve(sentences.size());
    states.reserve(sentences.size());
    std::vector<int> active;
    for (std::size_t i = 0; i < sentences.size(); ++i) {
        enc.push_back(encodeSentence(sentences[i], m_vocab));
        states.emplace_back(static_cast<int>(sentences[i].tokens.size()));
        if (!states.back().terminal()) active.push_back(static_cast<int>(i));
    }
    std::vector<int> feats;
    Tensor scores;
    ParserFeatureVector fv;
    while (!active.empty()) {
        feats.resize(active.size() * kParserFeatures);
        for (std::size_t a = 0; a < active.size(); ++a) {
            extractFeatures(states[static_cast<std::size_t>(active[a])], enc[static_cast<std::size_t>(active[a])], fv);
            std::copy(fv.begin(), fv.end(), feats.begin() + static_cast<std::ptrdiff_t>(a * kParserFeatures));
        }
        m_model->scores(feats.data(), static_cast<int>(active.size()), scores);
        std::size_t kept = 0;
        for (std::size_t a = 0; a < active.size(); ++a) {
            ArcStandardState& st = states[static_cast<std::size_t>(active[a])];
            int best = -1;
            float bestScore = 0.0f;
            for (int t = 0; t < T; ++t) {
                const float sc = scores(static_cast<Eigen::Index>(a), t);
                if ((best < 0 || sc > bestScore) && st.canApply(t, labels)) {
                    best = t;
                    bestScore = sc;
                }
            }
            st.apply(best, labels);  // a non-terminal state always has an applicable transition
            if (!st.terminal()) active[kept++] = active[a];
        }
        active.resize(kept);
    }
    std::vector<ParsePrediction> out(sentences.size());
    for (std::size_t i = 0; i < sentences.size(); ++i) {
        const int n = states[i].size();
        for (int t = 1; t <= n; ++t) {
            out[i].head.push_back(states[i].head(t));
            out[i].label.push_back(states[i].label(t));
        }
    }
    return out;
}

bool ParseTask::isPunctuation(const ConlluToken& t)
{
    if (t.upos != "_" && !t.upos.empty()) return t.upos == "PUNCT";
    // No UPOS: the Penn Treebank punctuation tags (the convention of Chen and Manning).
    static const char* const kPtb[] = {"``", "''", ",", ".", ":", "-LRB-", "-RRB-", "HYPH", "NFP"};
    return std::find(std::begin(kPtb), std::end(kPtb), t.xpos) != std::end(kPtb);
}

std::pair<double, double> ParseTask::score(const std::vector<ConlluSentence>& gold, const std::vector<ParsePrediction>& pred,
                                           const ParserVocabularies& vocab, long* scored)
{
    if (gold.size() != pred.size()) throw ShapeError("parse: score of " + std::to_string(pred.size()) + " predictions for " +
                                                     std::to_string(gold.size()) + " sentences");
    long total = 0, uas = 0, las = 0;
    for (std::size_t i = 0; i < gold.size(); ++i) {
        const auto& toks = gold[i].tokens;
        if (pred[i].head.size() != toks.size()) throw ShapeError("parse: prediction length differs from sentence " + gold[i].sentId);
        for (std::size_t j = 0; j < toks.size(); ++j) {
            if (isPunctuation(toks[j])) continue;
            ++total;
            if (pred[i].head[j] != toks[j].head) continue;
            ++uas;
            const int l = pred[i].label[j];
            if (l >= 0 && vocab.labels[static_cast<std::size_t>(l)] == universalRelation(toks[j].deprel)) ++las;
        }
    }
    if (scored) *scored = total;
    if (total == 0) return {0.0, 0.0};
    return {100.0 * static_cast<double>(uas) / static_cast<double>(total), 100.0 * static_cast<double>(las) / static_cast<double>(total)};
}

const std::vector<ConlluSentence>& ParseTask::sentences(Split split) const
{
    if (split == Split::Test) return m_test;
    return m_dev;
}

Evaluation ParseTask::evaluate(Split split)
{
    if (split == Split::Train) throw ConfigError("parse: evaluation on the training split is not supported");
    std::vector<ParsePrediction> pred = parse(sentences(split));
    const auto [uas, las] = score(sentences(split), pred, m_vocab);
    (split == Split::Dev ? m_devPred : m_testPred) = std::move(pred);
    Evaluation e;
    e.metric = uas;
    e.extra = {{"las", las}};
    return e;
}

void ParseTask::onNewBest(const std::string& dir)
{
    for (Split split : {Split::Dev, Split::Test}) {
        std::vector<ParsePrediction>& pred = split == Split::Dev ? m_devPred : m_testPred;
        if (pred.size() != sentences(split).size()) pred = parse(sentences(split));
        std::vector<ConlluSentence> out = sentences(split);
        for (std::size_t i = 0; i < out.size(); ++i) {
            for (std::size_t j = 0; j < out[i].tokens.size(); ++j) {
                out[i].tokens[j].head = pred[i].head[j];
                const int l = pred[i].label[j];
                out[i].tokens[j].deprel = l >= 0 ? m_vocab.labels[static_cast<std::size_t>(l)] : "dep";
            }
        }
        const std::string name = split == Split::Dev ? "dev.pred.conllu" : "test.pred.conllu";
        writeConllu((std::filesystem::path(dir) / name).string(), out);
    }
}

std::vector<LayerInfo> ParseTask::layers() const
{
    std::vector<LayerInfo> out;
    const auto names = m_model->linearNames();
    const auto ks = m_model->linearKs();
    const auto lin = static_cast<const ParserModel&>(*m_model).linears();
    for (std::size_t i = 0; i < lin.size(); ++i) out.push_back({names[i], lin[i]->out(), ks[i]});
    return out;
}

std::vector<double> ParseTask::backpropRatio() const
{
    std::vector<double> out;
    for (const Linear* l : static_cast<const ParserModel&>(*m_model).linears()) out.push_back(l->keptFraction());  // no download
    return out;
}

std::vector<LayerSelection> ParseTask::selection() const
{
    std::vector<LayerSelection> out;
    const auto names = m_model->linearNames();
    const auto lin = static_cast<const ParserModel&>(*m_model).linears();
    for (std::size_t i = 0; i < lin.size(); ++i) {
        LayerSelection ls;
        ls.name = names[i];
        ls.width = lin[i]->out();
        const Selection& s = lin[i]->lastSelection();
        if (s.mode == BackpropMode::Dense) {
            ls.rows.resize(static_cast<std::size_t>(ls.width));
            std::iota(ls.rows.begin(), ls.rows.end(), 0);
        } else {
            std::vector<char> seen(static_cast<std::size_t>(ls.width), 0);
            for (int idx : s.indices) seen[static_cast<std::size_t>(idx)] = 1;
            for (int r = 0; r < ls.width; ++r)
                if (seen[static_cast<std::size_t>(r)]) ls.rows.push_back(r);
        }
        ls.counts = lin[i]->updateCounts();
        out.push_back(std::move(ls));
    }
    return out;
}

}  // namespace meprop
