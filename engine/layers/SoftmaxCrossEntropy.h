#pragma once
// Softmax cross-entropy averaged over the batch.
// logits (batch x classes), labels[b] in [0, classes):
//   loss = -(1/B) sum_b log softmax(logits_b)[labels_b]
//   dlogits = (softmax(logits) - onehot(labels)) / B
// Numerically stable (max subtracted). Throws ShapeError if labels.size() != batch or a label is
// out of range.
#include "core/Tensor.h"

#include <vector>

namespace meprop {

double softmaxCrossEntropy(const Matrix& logits, const int* labels, long count, Matrix* dlogits);

// Index of the largest logit of each row.
std::vector<int> argmaxRows(const Matrix& logits);

}  // namespace meprop
