#pragma once
// The feed-forward network of Chen and Manning (2014) over the 48 parser features.
//
//   x  = [E_word[f_0..17] ; E_tag[f_18..35] ; E_label[f_36..47]]        (B x 48*d), d = embedDim
//   h1 = act(x W1^T + b1), ..., hL = act(h(L-1) WL^T + bL)              (B x hidden), L = hiddenLayers
//   s  = hL Wo^T + bo,  p = softmax(s)                                   (B x transitions)
//   loss = -(1/B) sum_b log p[b, gold_b]
// act is ReLU or cube (C&M's x^3). Training may add inverted dropout on every hidden output.
// Backward is meProp: each hidden layer back-propagates its output gradient with (mode, k), the
// output layer with (mode, kOutput) (kOutput == 0: dense). Embedding rows receive row-sparse
// gradients (only the rows looked up in the batch are touched); with freezeEmbeddings no
// embedding gradient is computed at all. Bias gradients are dense unless sparseBias (see below).
#include "core/Parameter.h"
#include "core/Rng.h"
#include "core/Tensor.h"
#include "core/Timings.h"
#include "io/CheckpointStream.h"
#include "layers/Linear.h"
#include "models/ParserFeatures.h"
#include "ops/BackpropMode.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace meprop {

enum class Activation { Relu, Cube };
// "relu" | "cube"; throws ConfigError naming `field` otherwise.
Activation parseActivation(const std::string& text, const std::string& field = "activation");

struct ParserModelSettings {
    int wordVocab = 0;   // rows of E_word
    int tagVocab = 0;    // rows of E_tag
    int labelVocab = 0;  // rows of E_label (labels + 1 for NULL)
    int transitions = 0;
    int embedDim = 50;
    int hidden = 500;
    int hiddenLayers = 2;
    Activation activation = Activation::Relu;
    float dropout = 0.0f;       // drop probability on hidden outputs during training
    float embedInit = 0.01f;    // embeddings ~ U(-embedInit, embedInit)
    BackpropMode mode = BackpropMode::Dense;
    int k = 20;                 // hidden layers (ignored when dense)
    int kOutput = 0;            // output layer; 0 = dense
    bool freezeEmbeddings = false;
    // false (the paper's reading): a bias is an addition, not a multiplication, so meProp does not
    // sparsify its gradient: db = sum_b dz_b over all components (as the authors' C# AddBias).
    // true: the bias gets only the kept components (what Linear does on its own).
    bool sparseBias = false;
    // The loss whose gradient is back-propagated: false = mean over the batch (as above), true =
    // the sum (the authors' C# framework, whose softmax backward does not divide by the batch).
    bool sumLoss = false;
    // Weights of the hidden and output layers. Empty: He-normal hidden layers under ReLU,
    // Xavier-uniform under cube and for the output layer. (Gradient clipping, the C# optimizers'
    // ClipBound, is an optimizer setting: OptimizerSettings::clip.)
    std::optional<Init> init;
};

// Written once for both devices: the model runs on the backend it was given (backend/Backend.h).
class ParserModel {
public:
    // Throws ConfigError on non-positive sizes or k / kOutput out of range.
    ParserModel(const ParserModelSettings& settings, Rng& rng, Backend& backend = cpuBackend());
    Backend& backend() const { return *m_be; }

    const ParserModelSettings& settings() const { return m_s; }
    // Changes how backward treats the layers (e.g. a dense reference pass). Throws ConfigError
    // for k / kOutput out of range.
    void setBackward(BackpropMode mode, int k, int kOutput);

    // Clears all gradients, runs forward and meProp backward on `batch` examples whose feature ids
    // are feats[b*48 .. b*48+47] and gold transitions gold[b]; returns the mean loss. Adds the
    // phase times to `t` (forward, bpLinear, bpOverall). Throws ShapeError for an id out of range.
    double forwardBackward(const int* feats, const int* gold, int batch, Rng& rng, Timings& t);
    // The same on ids (batch x 48) and gold transitions (batch x 1) already on the model's backend
    // and checked (checkFeatures): what ParseTask calls with batches gathered on the backend.
    double forwardBackward(const IndexTensor& ids, const IndexTensor& gold, Rng& rng, Timings& t);
    // The same without reading: the loss summed over the batch goes to `out` (tasks/LossLog.h).
    void forwardBackward(const IndexTensor& ids, const IndexTensor& gold, Rng& rng, Timings& t, const LossSlot& out);
    // ShapeError naming the feature and table for an id out of range, or a gold transition out of
    // range; feats holds count*48 ids, gold count transitions.
    void checkFeatures(const int* feats, const int* gold, long count) const;

    // Scores (batch x transitions) for inference: no dropout, no state kept for backward. The
    // host values of `out` are valid (downloaded from the GPU).
    void scores(const int* feats, int batch, Tensor& out);

    // Every trainable parameter (embeddings first; frozen embeddings are left out).
    std::vector<Parameter*> parameters();

    // Checkpoint state: the three embeddings (frozen or not) and every linear layer with its
    // update counts. load needs a model of the same settings; throws CheckpointError otherwise.
    void save(CheckpointWriter& w) const;
    void load(CheckpointReader& r);
    // The hidden layers then the output layer.
    std::vector<Linear*> linears();
    std::vector<const Linear*> linears() const;
    std::vector<std::string> linearNames() const;
    // The k each linear layer keeps (width when dense).
    std::vector<int> linearKs() const;

    Parameter& wordEmbeddings() { return m_word; }
    Parameter& tagEmbeddings() { return m_tag; }
    Parameter& labelEmbeddings() { return m_label; }

    // Per linear layer (hidden..., output) after the last forwardBackward: the column sums over the
    // batch of the kept output gradient (what a sparse bias gradient would be) and of the full one
    // (the dense bias gradient), (1 x width) each; for diagnosing the bias-like drift of meProp.
    // Recorded only after recordGradientSums(true) (a download per layer and step on the GPU).
    void recordGradientSums(bool on) { m_recordSums = on; }
    const std::vector<RowVector>& keptGradientSums() const { return m_keptSums; }
    const std::vector<RowVector>& fullGradientSums() const { return m_fullSums; }

    // The input x of the last forwardBackward, (batch x 48*d); for tests (host values).
    const Matrix& lastInput() const;
    // dLoss/dx of the last forwardBackward (before it was scattered into the embeddings).
    const Matrix& lastInputGrad() const;

private:
    // Checks the ids (ShapeError naming the feature and table) and puts them on the backend.
    void uploadFeatures(const int* feats, int batch, IndexTensor& ids) const;
    void gather(const IndexTensor& ids, Tensor& x);
    void activate(const Tensor& z, Tensor& h);
    // Records the kept / full gradient sums of `layer` (index `i`).
    void recordSums(std::size_t i, const Linear& layer, Tensor& dz);

    Backend* m_be;
    ParserModelSettings m_s;
    bool m_recordSums = false;
    IndexTensor m_hostIds, m_hostGold, m_inferIds;  // the host-pointer calls' ids on the backend
    ScalarTensor m_loss;  // 1 x 1: the loss of the reading forwardBackward
    Tensor m_inferX, m_inferZ, m_inferH;
    mutable Parameter m_word, m_tag, m_label;  // mutable: save() refreshes the host mirrors
    std::vector<std::unique_ptr<Linear>> m_hidden;
    std::unique_ptr<Linear> m_output;
    // Forward state of the training batch.
    mutable Tensor m_x, m_dx;  // mutable: the accessors refresh the host mirrors
    std::vector<Tensor> m_z, m_h, m_mask;
    Tensor m_scores, m_dy, m_dh;
    std::vector<RowVector> m_keptSums, m_fullSums;
};

}  // namespace meprop
