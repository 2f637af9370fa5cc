#pragma once
// Softmax cross-entropy, the one implementation every model calls (the image MLP, the POS tagger,
// the parser; cuda/Activation.cu is the GPU copy until the per-op backend replaces it).
//
// logits (rows x classes), labels[r] the gold class of row r:
//   loss_r   = -log softmax(logits_r)[labels_r] = log sum_j exp(l_rj - m_r) - (l_r,y - m_r),
//              m_r = max_j l_rj (numerically stable), accumulated in double
//   dlogits_r = scale * (softmax(logits_r) - onehot(labels_r))
#include "core/Tensor.h"

#include <string>
#include <vector>

namespace meprop {

struct CrossEntropyOptions {
    float scale = 1.0f;            // the factor of dlogits (1/B for a mean over B rows)
    bool skipNegative = false;     // a label < 0 marks a row without a target: no loss, zero gradient
    std::string what = "softmax cross-entropy";  // names the caller in the errors
};

// Returns sum_r loss_r over the rows with a label and, when dlogits is given, writes its gradient
// (resized to logits' shape). Throws ShapeError, naming o.what, when count != rows or a label is
// >= classes or negative (unless o.skipNegative).
double softmaxCrossEntropySum(const Matrix& logits, const int* labels, long count, Matrix* dlogits, const CrossEntropyOptions& o);

// The mean over the batch: loss = (1/B) sum_b loss_b, dlogits = (softmax - onehot) / B.
double softmaxCrossEntropy(const Matrix& logits, const int* labels, long count, Matrix* dlogits);

// Index of the largest logit of each row.
std::vector<int> argmaxRows(const Matrix& logits);

}  // namespace meprop
