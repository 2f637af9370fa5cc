#pragma once
// The POS tagging task: a BiLSTM tagger (models/BiLstmTagger.h) trained on CoNLL-U files, one
// sentence (or `batch` sentences) per update, metric = token accuracy in percent.
//
// Data: `data` names a folder holding <name>-train.conllu, <name>-dev.conllu and <name>-test.conllu
// (en_ewt-ud-*.conllu preferred when present); train_file / dev_file / test_file override single
// files. `limit` > 0 keeps the first N training sentences. Vocabularies come from the (limited)
// training data (data/TaggerVocab.h); a singleton word is replaced by UNK with probability 0.5 at
// each training occurrence.
// meProp: mode and k act on every gate block of both LSTM directions per time step; the output
// layer uses k_output (0 = dense, the paper's choice for POS) with the same mode.
// Predictions are written by onNewBest(dir) as dir/dev.pred.conllu and dir/test.pred.conllu: the
// input files with the tag column (XPOS, or UPOS for treebanks without XPOS) replaced.
#include "backend/Backend.h"
#include "data/Conllu.h"
#include "data/TaggerVocab.h"
#include "models/BiLstmTagger.h"
#include "optim/Optimizer.h"
#include "tasks/LossLog.h"
#include "train/Task.h"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meprop {

struct PosSettings {
    std::string data;  // folder with *-train/dev/test.conllu
    std::string trainFile, devFile, testFile;  // each overrides its file of `data` when not empty
    long limit = 0;
    int wordDim = 50;
    int featureDim = 20;
    int hidden = 500;
    BackpropMode mode = BackpropMode::TopK;
    int k = 5;
    int kOutput = 0;
    float dropout = 0.0f;
    float rareUnk = 0.5f;
    std::optional<Init> init;  // empty: the model's own (see TaggerShape)
    bool sumLoss = false;      // back-propagate the summed token loss of the batch instead of the mean
    bool denseBias = false;    // sparse modes: the LSTM and output biases get the full gradient
    OptimizerSettings optimizer;
    Device device = Device::Cpu;  // where the tagger trains (evaluation runs on the host values)
};

// The three files `settings` names. Throws DatasetError naming the folder and the files expected
// when one cannot be found (or is ambiguous).
struct PosFiles {
    std::string train, dev, test;
};
PosFiles resolvePosFiles(const PosSettings& settings);

class PosTask : public Task {
public:
    // Loads the data and builds the model. Throws ConfigError (k, k_output, sizes, dropout out of
    // range), DatasetError (files).
    PosTask(const PosSettings& settings, Rng& rng);

    std::string metricName() const override { return "accuracy"; }
    long trainSize() const override { return static_cast<long>(m_trainPart.encoded.size()); }
    void beginEpoch(Rng& rng) override;
    void trainBatch(const BatchSpec& batch, Timings& t) override;
    std::vector<double> takeLosses() override { return m_losses->take(); }
    bool lossesDeferred() const override { return m_losses->deferred(); }
    Evaluation evaluate(Split split) override;
    std::vector<LayerInfo> layers() const override;
    std::vector<double> backpropRatio() const override;
    std::vector<LayerSelection> selection() const override;
    void onNewBest(const std::string& dir) override;
    void save(CheckpointWriter& w) const override;
    void load(CheckpointReader& r) override;

    const TaggerVocab& vocab() const { return m_vocab; }
    BiLstmTagger& model() { return *m_model; }
    const PosFiles& files() const { return m_files; }
    // Predicted tag ids of the last evaluate(split), per sentence.
    const std::vector<std::vector<int>>& predictions(Split split) const;

private:
    struct Part {
        std::vector<ConlluSentence> sentences;
        std::vector<TaggerSentence> encoded;
        std::vector<std::vector<int>> predicted;
        long predictedAt = -1;  // m_updates when `predicted` was computed
    };
    Part& part(Split split);
    void markSelection();
    void writePredictions(Split split, const std::string& path);

    PosSettings m_s;
    PosFiles m_files;
    Rng m_rng;
    TaggerVocab m_vocab;
    Part m_trainPart, m_dev, m_test;  // m_trainPart.encoded: without UNK replacement
    std::vector<long> m_order;
    std::shared_ptr<Backend> m_backend;
    std::unique_ptr<BiLstmTagger> m_model;
    std::unique_ptr<Optimizer> m_optimizer;
    std::unique_ptr<LossLog> m_losses;
    TaggerBackprop m_spec;
    Tensor m_scores, m_dscores;  // of the sentence being trained
    long m_updates = 0;
    // Per layer (lstm.fwd, lstm.bwd, output): rows that got a gradient in the current/last batch.
    std::array<std::vector<char>, 3> m_rowMark;
    long m_lastBatchSize = 0;
    bool m_marked = false;  // m_rowMark holds the last batch's rows
};

// Builds a PosTask from the configuration keys data, train_file, dev_file, test_file, limit,
// word_dim, feature_dim, hidden, mode, k, k_output, dropout, optimizer, lr, update (the trainer
// reads batch, epochs, seed, threads) and device. Empty data: defaultTextDataDir() (data/DataFolders.h).
std::unique_ptr<Task> makePosTask(const Config& config, Rng& rng);

}  // namespace meprop
