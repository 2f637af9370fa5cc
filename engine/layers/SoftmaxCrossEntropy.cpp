#include "layers/SoftmaxCrossEntropy.h"

#include "core/Error.h"

#include <cmath>
#include <string>

namespace meprop {

double softmaxCrossEntropy(const Matrix& logits, const int* labels, long count, Matrix* dlogits)
{
    const Eigen::Index batch = logits.rows(), classes = logits.cols();
    if (count != batch) throw ShapeError("softmax cross-entropy: " + std::to_string(count) + " labels for " + std::to_string(batch) + " rows");
    if (dlogits) dlogits->resize(batch, classes);
    double loss = 0.0;
    const float invB = 1.0f / static_cast<float>(batch);
    for (Eigen::Index b = 0; b < batch; ++b) {
        const int y = labels[b];
        if (y < 0 || y >= classes) throw ShapeError("softmax cross-entropy: label " + std::to_string(y) + " outside [0, " + std::to_string(classes) + ")");
        const auto row = logits.row(b);
        const float mx = row.maxCoeff();
        const double sum = (row.array() - mx).exp().template cast<double>().sum();
        loss += std::log(sum) - static_cast<double>(row(y) - mx);
        if (dlogits) {
            dlogits->row(b) = ((row.array() - mx).exp() * static_cast<float>(1.0 / sum) * invB).matrix();
            (*dlogits)(b, y) -= invB;
        }
    }
    return loss / static_cast<double>(batch);
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
