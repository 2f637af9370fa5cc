#pragma once
// Task "parse": the arc-standard transition parser of Chen and Manning (2014) trained with meProp
// on CoNLL-U treebanks (the paper's second task; here UD English EWT in place of the PTB).
//
// Data: gold XPOS tags are the parser's POS input; labels are the universal part of DEPREL
// ("nmod:poss" -> "nmod"). Every tree is validated (DatasetError naming file, sentence id and line
// for a head out of range, a cycle, no or several roots, a label or head "_"). Non-projective
// training trees are skipped (counted); dev and test trees are parsed all the same.
// Training examples are the transitions of the static oracle on the projective training trees,
// their 48 features precomputed once. Evaluation parses greedily (best applicable transition)
// and scores UAS / LAS in percent over tokens whose gold UPOS is not PUNCT (the UD convention;
// LAS compares universal relations, as the CoNLL 2018 shared task's evaluator does).
#include "backend/Backend.h"
#include "models/ParserModel.h"
#include "optim/Optimizer.h"
#include "tasks/LossLog.h"
#include "train/Task.h"

#include <memory>
#include <string>
#include <vector>

namespace meprop {

struct ParseSettings {
    std::string trainFile, devFile, testFile;
    long limit = 0;          // first N training sentences; 0 = all
    int minWordCount = 2;    // rarer training words map to <UNK> (so <UNK> gets trained)
    ParserModelSettings model;  // vocabulary sizes and transitions are filled in from the data
    OptimizerSettings optimizer;
    Device device = Device::Cpu;  // where the model runs (backend/Backend.h)
};

// Per-sentence predictions of the latest evaluation of a split.
struct ParsePrediction {
    std::vector<int> head;   // head[i] of token i+1
    std::vector<int> label;  // label id
};

class ParseTask : public Task {
public:
    // Reads and validates the three files, builds vocabularies, the oracle examples and the model.
    // Throws DatasetError / ConfigError.
    ParseTask(const ParseSettings& settings, Rng& rng);

    std::string metricName() const override { return "UAS"; }
    long trainSize() const override { return static_cast<long>(m_gold.size()); }
    void beginEpoch(Rng& rng) override;
    void trainBatch(const BatchSpec& batch, Timings& t) override;
    std::vector<double> takeLosses() override { return m_losses->take(); }
    bool lossesDeferred() const override { return m_losses->deferred(); }
    // metric = UAS, extra = {"las", LAS}.
    Evaluation evaluate(Split split) override;
    std::vector<LayerInfo> layers() const override;
    std::vector<double> backpropRatio() const override;
    std::vector<LayerSelection> selection() const override;
    // Writes dev.pred.conllu and test.pred.conllu (the latest evaluation of each split; a split
    // not evaluated yet is parsed first) with HEAD and DEPREL from the parser.
    void onNewBest(const std::string& dir) override;
    void save(CheckpointWriter& w) const override;
    void load(CheckpointReader& r) override;

    // Greedy parse of `sentences` with the current model.
    std::vector<ParsePrediction> parse(const std::vector<ConlluSentence>& sentences);
    // Percentages {UAS, LAS} of `pred` against the gold trees, punctuation excluded; `scored`
    // receives the number of tokens counted.
    static std::pair<double, double> score(const std::vector<ConlluSentence>& gold, const std::vector<ParsePrediction>& pred,
                                           const ParserVocabularies& vocab, long* scored = nullptr);
    static bool isPunctuation(const ConlluToken& t);

    long skippedNonProjective() const { return m_skippedNonProjective; }
    long trainSentences() const { return m_trainSentences; }
    const ParserVocabularies& vocabularies() const { return m_vocab; }
    ParserModel& model() { return *m_model; }
    Optimizer& optimizer() { return *m_optimizer; }
    const std::vector<ParserFeatureVector>& trainFeatures() const { return m_feats; }
    const std::vector<int>& trainGold() const { return m_gold; }
    // Feature ids (batch x 48) and gold transitions of the last trainBatch, for diagnostics.
    std::vector<int> lastBatchFeatures() const;
    std::vector<int> lastBatchGold() const;

private:
    const std::vector<ConlluSentence>& sentences(Split split) const;

    ParseSettings m_s;
    std::vector<ConlluSentence> m_dev, m_test;
    ParserVocabularies m_vocab;
    std::vector<ParserFeatureVector> m_feats;  // one per oracle transition
    std::vector<int> m_gold;
    std::vector<long> m_order;
    std::shared_ptr<Backend> m_backend;
    std::unique_ptr<ParserModel> m_model;
    std::unique_ptr<Optimizer> m_optimizer;
    std::unique_ptr<LossLog> m_losses;
    Rng m_rng;  // dropout and random-k
    long m_skippedNonProjective = 0;
    long m_trainSentences = 0;
    std::vector<ParsePrediction> m_devPred, m_testPred;
    // The training set's feature ids (transitions x 48) and gold transitions (transitions x 1),
    // checked and put on the backend once; the epoch's order; the batch gathered from them.
    IndexTensor m_featsT, m_goldT, m_orderT;
    mutable IndexTensor m_batchIds, m_batchGold;  // mutable: the lastBatch accessors download them
    void uploadOrder();
};

// Reads a CoNLL-U file and validates every tree (see ParseTask). Throws DatasetError.
std::vector<ConlluSentence> readParseFile(const std::string& path, long maxSentences = 0);
// The checks readParseFile makes on sentences read from `path`: every tree valid, every DEPREL set.
void validateParseSentences(const std::vector<ConlluSentence>& sentences, const std::string& path);

// The task from a Config (keys train_file/dev_file/test_file or data, limit, hidden, layers,
// activation, embed_dim, mode, k, k_output, dropout, optimizer, lr, update, ...).
std::unique_ptr<Task> makeParseTask(const Config& config, Rng& rng);

}  // namespace meprop
