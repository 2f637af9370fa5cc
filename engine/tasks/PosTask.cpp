#include "tasks/PosTask.h"

#include "core/Error.h"
#include "data/DataFolders.h"

#include <algorithm>
#include <filesystem>
#include <numeric>

namespace meprop {

namespace {

namespace fs = std::filesystem;

}  // namespace

PosFiles resolvePosFiles(const PosSettings& s)
{
    auto pick = [&](const std::string& file, const std::string& split) {
        if (!file.empty()) return file;
        if (s.data.empty())
            throw ConfigError(split + "_file: no file given and no data folder to find *-" + split + ".conllu in");
        return conlluSplitFile(s.data, split);
    };
    return {pick(s.trainFile, "train"), pick(s.devFile, "dev"), pick(s.testFile, "test")};
}

PosTask::PosTask(const PosSettings& settings, Rng& rng) : m_s(settings), m_rng(rng.engine()())
{
    if (m_s.hidden < 1 || m_s.wordDim < 1 || m_s.featureDim < 1)
        throw ConfigError("hidden, word_dim, feature_dim: expected positive sizes");
    if (m_s.mode != BackpropMode::Dense && (m_s.k < 1 || m_s.k > m_s.hidden))
        throw ConfigError("k: expected 1 <= k <= hidden (" + std::to_string(m_s.hidden) + ") for mode " +
                          toString(m_s.mode) + ", got " + std::to_string(m_s.k));
    if (!(m_s.dropout >= 0.0f && m_s.dropout < 1.0f))
        throw ConfigError("dropout: expected 0 <= dropout < 1, got " + std::to_string(m_s.dropout));
    if (!(m_s.rareUnk >= 0.0f && m_s.rareUnk <= 1.0f)) throw ConfigError("rare-word UNK probability outside [0, 1]");
    if (m_s.limit < 0) throw ConfigError("limit: expected >= 0, got " + std::to_string(m_s.limit));
    m_backend = makeBackend(m_s.device);  // first: a missing GPU is named before the data is read

    m_files = resolvePosFiles(m_s);
    m_trainPart.sentences = readConllu(m_files.train, m_s.limit);
    m_dev.sentences = readConllu(m_files.dev);
    m_test.sentences = readConllu(m_files.test);
    m_vocab = TaggerVocab::build(m_trainPart.sentences);
    for (Part* p : {&m_trainPart, &m_dev, &m_test}) {
        p->encoded.reserve(p->sentences.size());
        for (const auto& s : p->sentences) p->encoded.push_back(m_vocab.encode(s));
    }
    if (m_s.kOutput < 0 || m_s.kOutput > m_vocab.tags())
        throw ConfigError("k_output: expected 0 (dense) .. " + std::to_string(m_vocab.tags()) + " (the " +
                          std::to_string(m_vocab.tags()) + " tags of " + m_files.train + "), got " + std::to_string(m_s.kOutput));

    TaggerShape shape;
    shape.words = m_vocab.words();
    shape.features = m_vocab.featureSizes();
    shape.tags = m_vocab.tags();
    shape.wordDim = m_s.wordDim;
    shape.featureDim = m_s.featureDim;
    shape.hidden = m_s.hidden;
    shape.init = m_s.init;
    shape.dropout = m_s.dropout;
    m_model = std::make_unique<BiLstmTagger>(shape, m_rng, *m_backend);
    m_optimizer = makeOptimizer(m_s.optimizer, *m_backend);
    m_losses = std::make_unique<LossLog>(*m_backend);
    m_optimizer->attach(m_model->parameters());
    m_model->zeroGrad();

    m_spec.lstm = {m_s.mode, m_s.mode == BackpropMode::Dense ? 0 : m_s.k, true, m_s.denseBias};
    const bool outSparse = m_s.kOutput > 0 && m_s.mode != BackpropMode::Dense;
    m_spec.output = {outSparse ? m_s.mode : BackpropMode::Dense, outSparse ? m_s.kOutput : 0, true, m_s.denseBias};

    m_order.resize(m_trainPart.encoded.size());
    std::iota(m_order.begin(), m_order.end(), 0L);
}

void PosTask::beginEpoch(Rng& rng)
{
    rng.shuffle(m_order);
}

void PosTask::save(CheckpointWriter& w) const
{
    w.section("pos-task");
    w.rng(m_rng);
    w.i64(m_updates);
    w.i64s(m_order);
    m_model->save(w);
    m_optimizer->save(w);
}

void PosTask::load(CheckpointReader& r)
{
    r.section("pos-task");
    r.rngInto(m_rng);
    m_updates = static_cast<long>(r.i64());
    m_order = r.permutation(m_order.size(), "the training order");
    m_model->load(r);
    m_optimizer->load(r);
    for (Part* p : {&m_trainPart, &m_dev, &m_test}) p->predictedAt = -1;  // predictions are of the old model
}

void PosTask::trainBatch(const BatchSpec& batch, Timings& t)
{
    const long begin = batch.begin, end = batch.end;
    if (begin < 0 || end > trainSize() || begin >= end)
        throw Error("pos: batch [" + std::to_string(begin) + ", " + std::to_string(end) + ") outside the " +
                    std::to_string(trainSize()) + " training sentences");
    m_losses->begin(batch.step);
    {
        // Nothing left to clear after a step (stepAndZeroGrad); this covers a freshly loaded model.
        ScopedTimer timer(&t.update);
        m_model->zeroGrad();
    }
    const std::array<int, 3> widths{4 * m_s.hidden, 4 * m_s.hidden, m_vocab.tags()};
    m_lastBatchSize = end - begin;
    // The union of the sentences' rows, only when the trainer may ask for it (on the GPU each
    // sentence's rows would be a download).
    const bool mark = m_lastBatchSize > 1 && batch.recordSelection;
    m_marked = mark;
    if (mark)
        for (std::size_t l = 0; l < 3; ++l) m_rowMark[l].assign(static_cast<std::size_t>(widths[l]), 0);
    long tokens = 0;
    for (long i = begin; i < end; ++i) tokens += m_trainPart.encoded[static_cast<std::size_t>(m_order[static_cast<std::size_t>(i)])].size();
    const float scale = m_s.sumLoss ? 1.0f : 1.0f / static_cast<float>(std::max(tokens, 1L));
    for (long i = begin; i < end; ++i) {
        TaggerSentence s = m_trainPart.encoded[static_cast<std::size_t>(m_order[static_cast<std::size_t>(i)])];
        if (m_s.rareUnk > 0.0f)
            for (int& w : s.words)
                if (w > 0 && m_vocab.singleton(w) && m_rng.bernoulli(m_s.rareUnk)) w = 0;
        {
            ScopedTimer timer(&t.forward);
            m_model->forward(s, m_scores, true, m_rng);
            // The sentences' summed token losses accumulate in the batch's slot, on the device.
            m_model->loss(s, m_scores, scale, i == begin ? m_losses->slot() : m_losses->accumulating(), m_dscores);
        }
        {
            ScopedTimer timer(&t.bpOverall);
            m_model->backward(s, m_dscores, m_spec, m_rng, &t.bpLinear);
        }
        if (mark) markSelection();  // one sentence: selection() reads the layers directly
    }
    m_losses->end(static_cast<double>(std::max(tokens, 1L)));
    {
        ScopedTimer timer(&t.update);
        // A non-finite gradient stops training at once on the CPU, and at the next read of the
        // losses on the GPU (naming this step): a run that fails there is not saved.
        m_optimizer->stepAndZeroGrad();
    }
    ++m_updates;
}

PosTask::Part& PosTask::part(Split split)
{
    switch (split) {
    case Split::Train: return m_trainPart;
    case Split::Dev: return m_dev;
    case Split::Test: return m_test;
    }
    return m_test;
}

const std::vector<std::vector<int>>& PosTask::predictions(Split split) const
{
    return const_cast<PosTask*>(this)->part(split).predicted;
}

Evaluation PosTask::evaluate(Split split)
{
    Part& p = part(split);
    p.predicted.resize(p.encoded.size());
    long correct = 0, total = 0;
    // Sentences of similar length together, so that the batched products waste little.
    std::vector<std::size_t> byLength(p.encoded.size());
    std::iota(byLength.begin(), byLength.end(), std::size_t{0});
    std::stable_sort(byLength.begin(), byLength.end(),
                     [&](std::size_t a, std::size_t b) { return p.encoded[a].size() < p.encoded[b].size(); });
    constexpr std::size_t kChunk = 128;
    std::vector<const TaggerSentence*> chunk;
    for (std::size_t c = 0; c < byLength.size(); c += kChunk) {
        chunk.clear();
        const std::size_t end = std::min(byLength.size(), c + kChunk);
        for (std::size_t i = c; i < end; ++i) chunk.push_back(&p.encoded[byLength[i]]);
        auto tags = m_model->predictMany(chunk);
        for (std::size_t i = c; i < end; ++i) p.predicted[byLength[i]] = std::move(tags[i - c]);
    }
    for (std::size_t i = 0; i < p.encoded.size(); ++i) {
        const TaggerSentence& s = p.encoded[i];
        for (int t = 0; t < s.size(); ++t) correct += p.predicted[i][static_cast<std::size_t>(t)] == s.tags[static_cast<std::size_t>(t)];
        total += s.size();
    }
    p.predictedAt = m_updates;
    Evaluation e;
    e.metric = total > 0 ? 100.0 * static_cast<double>(correct) / static_cast<double>(total) : 0.0;
    return e;
}

void PosTask::writePredictions(Split split, const std::string& path)
{
    Part& p = part(split);
    if (p.predictedAt != m_updates) evaluate(split);
    std::vector<ConlluSentence> out = p.sentences;
    const bool xpos = m_vocab.tagColumn() == TaggerVocab::TagColumn::Xpos;
    for (std::size_t i = 0; i < out.size(); ++i) {
        for (std::size_t t = 0; t < out[i].tokens.size(); ++t) {
            const std::string& tag = m_vocab.tagName(p.predicted[i][t]);
            (xpos ? out[i].tokens[t].xpos : out[i].tokens[t].upos) = tag;
        }
    }
    writeConllu(path, out);
}

void PosTask::onNewBest(const std::string& dir)
{
    if (dir.empty()) return;
    writePredictions(Split::Dev, (fs::path(dir) / "dev.pred.conllu").string());
    writePredictions(Split::Test, (fs::path(dir) / "test.pred.conllu").string());
}

std::vector<LayerInfo> PosTask::layers() const
{
    const int G = 4 * m_s.hidden;
    const int keptGates = m_spec.lstm.mode == BackpropMode::Dense ? G : 4 * m_spec.lstm.k;
    const int tags = m_vocab.tags();
    const int keptOut = m_spec.output.mode == BackpropMode::Dense ? tags : m_spec.output.k;
    return {{"lstm.fwd", G, keptGates, 4}, {"lstm.bwd", G, keptGates, 4}, {"output", tags, keptOut, 1}};
}

std::vector<double> PosTask::backpropRatio() const
{
    std::vector<double> r;
    for (const LayerInfo& l : layers()) r.push_back(static_cast<double>(l.k) / static_cast<double>(l.width));
    return r;
}

void PosTask::markSelection()
{
    const Lstm* lstms[2] = {&m_model->lstmForward(), &m_model->lstmBackward()};
    for (std::size_t l = 0; l < 2; ++l)
        for (int r : lstms[l]->lastRows()) m_rowMark[l][static_cast<std::size_t>(r)] = 1;
    const Selection& sel = m_model->output().lastSelection();
    if (sel.mode == BackpropMode::Dense) {
        std::fill(m_rowMark[2].begin(), m_rowMark[2].end(), 1);
    } else {
        for (int r : sel.indices) m_rowMark[2][static_cast<std::size_t>(r)] = 1;
    }
}

std::vector<LayerSelection> PosTask::selection() const
{
    if (m_lastBatchSize > 1) {
        // (Rows of a batch trained without recordSelection are not known: none are given.)
        // The union over the batch's sentences, gathered during trainBatch.
        const std::array<int, 3> widths{4 * m_s.hidden, 4 * m_s.hidden, m_vocab.tags()};
        const char* names[3] = {"lstm.fwd", "lstm.bwd", "output"};
        const std::vector<std::uint64_t> counts[3] = {m_model->lstmForward().updateCounts(), m_model->lstmBackward().updateCounts(),
                                                      m_model->output().updateCounts()};
        std::vector<LayerSelection> out;
        for (std::size_t l = 0; l < 3; ++l) {
            LayerSelection ls{names[l], widths[l], {}, counts[l]};
            if (m_marked)
                for (std::size_t r = 0; r < m_rowMark[l].size(); ++r)
                    if (m_rowMark[l][r]) ls.rows.push_back(static_cast<int>(r));
            out.push_back(std::move(ls));
        }
        return out;
    }
    std::vector<LayerSelection> out;
    for (const Lstm* l : {&m_model->lstmForward(), &m_model->lstmBackward()})
        out.push_back({l->name(), 4 * l->hidden(), l->lastRows(), l->updateCounts()});
    const Linear& o = m_model->output();
    const Selection& sel = o.lastSelection();
    LayerSelection ls{"output", o.out(), {}, o.updateCounts()};
    if (sel.mode == BackpropMode::Dense) {
        if (sel.batch > 0) {
            ls.rows.resize(static_cast<std::size_t>(o.out()));
            std::iota(ls.rows.begin(), ls.rows.end(), 0);
        }
    } else {
        ls.rows = sel.indices;
        std::sort(ls.rows.begin(), ls.rows.end());
        ls.rows.erase(std::unique(ls.rows.begin(), ls.rows.end()), ls.rows.end());
    }
    out.push_back(std::move(ls));
    return out;
}

}  // namespace meprop
