#pragma once
// The paper's POS tagger: a bidirectional LSTM over word + feature embeddings, softmax per token.
//
// Per token t: x_t = [E_word(w_t) (wordDim) | E_1(f_1t) .. E_7(f_7t) (7 x featureDim)]  (190 = 50 + 7 x 20)
//   h_t = [LSTM_fwd(x)_t | LSTM_bwd(x)_t]  (2H)      scores_t = W_out h_t + b_out  (tags)
// Loss: softmax cross-entropy per token. Dropout p (training only, inverted) is applied to x_t and
// to h_t. meProp: `lstm` applies to the gate pre-activation gradients of both directions (k per gate
// block per time step, see layers/Lstm.h), `output` to the output layer (dense by default, as in
// the paper). Embedding rows get a gradient only where a sentence used them.
// The tagger runs on the backend it was given (the CPU's by default): training (forward, backward)
// and predict() there; predictMany() on the host values (downloaded first from a GPU). The loss
// (crossEntropy) is the host's: a GPU caller downloads the scores and uploads dscores.
#include "backend/Backend.h"
#include "core/Rng.h"
#include "core/Tensor.h"
#include "io/CheckpointStream.h"
#include "layers/Embedding.h"
#include "layers/Linear.h"
#include "layers/Lstm.h"

#include <array>
#include <memory>
#include <optional>
#include <vector>

namespace meprop {

constexpr int kTaggerFeatures = 7;

// One sentence as ids. words/features have one entry per token; tags may be empty (prediction) or
// hold -1 for a gold tag the model does not know (scored as wrong, skipped in the loss).
struct TaggerSentence {
    std::vector<int> words;
    std::array<std::vector<int>, kTaggerFeatures> features;
    std::vector<int> tags;
    int size() const { return static_cast<int>(words.size()); }
};

struct TaggerShape {
    int words = 1;                                   // word vocabulary size (ids 0..words-1)
    std::array<int, kTaggerFeatures> features{};     // vocabulary size of each feature
    int tags = 1;
    int wordDim = 50;
    int featureDim = 20;
    int hidden = 500;
    float dropout = 0.0f;
    // Weights: empty keeps the LSTM's own init (layers/Lstm.h) and Xavier-uniform for the output
    // layer; a value applies to both LSTMs (per gate block) and the output layer.
    std::optional<Init> init;
};

struct TaggerBackprop {
    BackwardSpec lstm;    // k per gate block per step
    BackwardSpec output;  // over the tags of each token
};

class BiLstmTagger {
public:
    // Throws ShapeError for non-positive sizes, ConfigError for dropout outside [0, 1).
    BiLstmTagger(const TaggerShape& shape, Rng& rng, Backend& backend = cpuBackend());
    Backend& backend() const { return *m_be; }

    const TaggerShape& shape() const { return m_shape; }
    int inputDim() const { return m_shape.wordDim + kTaggerFeatures * m_shape.featureDim; }

    // scores (T x tags). train = true applies dropout (drawn from rng) and keeps the state backward
    // needs. Throws ShapeError for an empty sentence or an id outside its vocabulary.
    void forward(const TaggerSentence& s, Tensor& scores, bool train, Rng& rng);
    // After forward(s, ..., train = true): back-propagates dLoss/dscores (T x tags) into every
    // parameter's grad (accumulating). Adds the matrix-product time (selection included) to *bpLinear.
    void backward(const TaggerSentence& s, const Tensor& dscores, const TaggerBackprop& spec, Rng& rng,
                  double* bpLinear = nullptr);
    // Argmax tag per token (no dropout).
    std::vector<int> predict(const TaggerSentence& s);
    // predict() of several sentences at once (batched matrix products; same results).
    // GPU: downloads the weights first (once per call).
    std::vector<std::vector<int>> predictMany(const std::vector<const TaggerSentence*>& sentences) const;

    // The training loss of forward's scores for s: the softmax cross-entropy summed over the
    // tokens whose tag is >= 0 goes to `out` (on the backend, not read: tasks/LossLog.h), and
    // dscores (T x tags, resized) = scale * (p - onehot) on those rows, 0 on the others. The tags
    // travel to the backend. Throws ShapeError when s does not have one tag per score row.
    void loss(const TaggerSentence& s, const Tensor& scores, float scale, const LossSlot& out, Tensor& dscores);
    // The same on host matrices, returning the summed loss (the reference the tests check against).
    static double crossEntropy(const Matrix& scores, const std::vector<int>& tags, float scale, Matrix& dscores);

    std::vector<Parameter*> parameters();
    void zeroGrad();

    // Checkpoint state: embeddings, both LSTMs, the output layer (with their update counts).
    // load needs a tagger of the same shape; throws CheckpointError otherwise.
    void save(CheckpointWriter& w) const;
    void load(CheckpointReader& r);

    Embedding& wordEmbedding() { return *m_word; }
    Embedding& featureEmbedding(int f) { return *m_feat[static_cast<std::size_t>(f)]; }
    Lstm& lstmForward() { return *m_fwd; }
    Lstm& lstmBackward() { return *m_bwd; }
    Linear& output() { return *m_out; }
    const Lstm& lstmForward() const { return *m_fwd; }
    const Lstm& lstmBackward() const { return *m_bwd; }
    const Linear& output() const { return *m_out; }

private:
    void embed(const TaggerSentence& s, Tensor& x);
    void embedHost(const TaggerSentence& s, Matrix& x) const;

    Backend* m_be;
    TaggerShape m_shape;
    std::unique_ptr<Embedding> m_word;
    std::array<std::unique_ptr<Embedding>, kTaggerFeatures> m_feat;
    std::unique_ptr<Lstm> m_fwd, m_bwd;
    std::unique_ptr<Linear> m_out;
    Tensor m_x, m_hf, m_hb, m_inMask, m_hMask;
    Tensor m_hcat, m_dh;
    IndexTensor m_tags;  // loss()'s gold tags on the backend
    Tensor m_dhf, m_dhb, m_dxf, m_dxb;
    bool m_dropped = false;
};

}  // namespace meprop
