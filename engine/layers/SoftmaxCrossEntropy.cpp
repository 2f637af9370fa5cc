#include "layers/SoftmaxCrossEntropy.h"

#include "core/Error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace meprop {

double softmaxCrossEntropySum(const Matrix& logits, const int* labels, long count, Matrix* dlogits, const CrossEntropyOptions& o)
{
    const Eigen::Index rows = logits.rows(), classes = logits.cols();
    if (count != rows)
        throw ShapeError(o.what + ": " + std::to_string(count) + " labels for " + std::to_string(rows) + " rows");
    if (dlogits) dlogits->resize(rows, classes);
    double loss = 0.0;
    for (Eigen::Index r = 0; r < rows; ++r) {
        const int y = labels[r];
        if (y < 0 && o.skipNegative) {
            if (dlogits) dlogits->row(r).setZero();
            continue;
        }
        if (y < 0 || y >= classes)
            throw ShapeError(o.what + ": label " + std::to_string(y) + " outside [0, " + std::to_string(classes) + ")");
        const auto row = logits.row(r);
        const float mx = row.maxCoeff();
        const double sum = (row.array() - mx).exp().template cast<double>().sum();
        loss += std::log(sum) - static_cast<double>(row(y) - mx);
        if (dlogits) {
            dlogits->row(r) = ((row.array() - mx).exp() * static_cast<float>(1.0 / sum) * o.scale).matrix();
            (*dlogits)(r, y) -= o.scale;
        }
    }
    return loss;
}

double softmaxCrossEntropy(const Matrix& logits, const int* labels, long count, Matrix* dlogits)
{
    CrossEntropyOptions o;
    o.scale = logits.rows() > 0 ? 1.0f / static_cast<float>(logits.rows()) : 1.0f;
    return softmaxCrossEntropySum(logits, labels, count, dlogits, o) / static_cast<double>(std::max<Eigen::Index>(logits.rows(), 1));
}

std::vector<int> argmaxRows(const Matrix& logits)
{
    std::vector<int> out(static_cast<std::size_t>(logits.rows()));
    for (Eigen::Index b = 0; b < logits.rows(); ++b) {
        Eigen::Index j = 0;
        logits.row(b).maxCoeff(&j);
        out[static_cast<std::size_t>(b)] = static_cast<int>(j);
    }
    return out;
}

}  // namespace meprop
