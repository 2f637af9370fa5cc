#include "ops/TopK.h"

#include "core/Error.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace meprop {

void topKIndices(const float* v, int n, int k, int* out, std::vector<int>& scratch)
{
    if (k >= n) {
        std::iota(out, out + n, 0);
        return;
    }
    scratch.resize(static_cast<std::size_t>(n));
    std::iota(scratch.begin(), scratch.end(), 0);
    // A strict total order (magnitude, then lower index first) makes the kept set unique.
    auto before = [v](int a, int b) {
        const float fa = std::fabs(v[a]), fb = std::fabs(v[b]);
        return fa > fb || (fa == fb && a < b);
    };
    std::nth_element(scratch.begin(), scratch.begin() + (k - 1), scratch.end(), before);
    std::copy(scratch.begin(), scratch.begin() + k, out);
    std::sort(out, out + k);
}

void selectComponents(const Matrix& dy, BackpropMode mode, int k, Rng& rng, Selection& sel)
{
    const int batch = static_cast<int>(dy.rows());
    const int n = static_cast<int>(dy.cols());
    sel.mode = mode;
    sel.batch = batch;
    sel.n = n;
    if (mode == BackpropMode::Dense) {
        sel.k = n;
        sel.indices.clear();
        return;
    }
    if (k < 1 || k > n)
        throw ConfigError("k: expected 1 <= k <= " + std::to_string(n) + " (layer width), got " + std::to_string(k));
    sel.k = k;
    thread_local std::vector<int> scratch;
    switch (mode) {
    case BackpropMode::TopK:
        sel.indices.resize(static_cast<std::size_t>(batch) * k);
        for (int b = 0; b < batch; ++b)
            topKIndices(dy.row(b).data(), n, k, sel.indices.data() + static_cast<std::size_t>(b) * k, scratch);
        break;
    case BackpropMode::Unified: {
        thread_local Vector score;
        score = dy.cwiseAbs().colwise().sum().transpose();
        sel.indices.resize(static_cast<std::size_t>(k));
        topKIndices(score.data(), n, k, sel.indices.data(), scratch);
        break;
    }
    case BackpropMode::Random:
        sel.indices.resize(static_cast<std::size_t>(batch) * k);
        for (int b = 0; b < batch; ++b) randomIndices(n, k, rng, sel.indices.data() + static_cast<std::size_t>(b) * k, scratch);
        break;
    case BackpropMode::Dense: break;
    }
}

Matrix maskedGradient(const Matrix& dy, const Selection& sel)
{
    if (sel.mode == BackpropMode::Dense) return dy;
    Matrix masked = Matrix::Zero(dy.rows(), dy.cols());
    for (int b = 0; b < sel.batch; ++b) {
        const int* idx = sel.row(b);
        for (int i = 0; i < sel.k; ++i) masked(b, idx[i]) = dy(b, idx[i]);
    }
    return masked;
}

void randomIndices(int n, int k, Rng& rng, int* out, std::vector<int>& scratch)
{
    // Partial Fisher-Yates: k draws, O(n) for the identity permutation.
    scratch.resize(static_cast<std::size_t>(n));
    std::iota(scratch.begin(), scratch.end(), 0);
    for (int i = 0; i < k; ++i) {
        const int j = i + static_cast<int>(rng.below(static_cast<std::uint64_t>(n - i)));
        std::swap(scratch[static_cast<std::size_t>(i)], scratch[static_cast<std::size_t>(j)]);
    }
    std::copy(scratch.begin(), scratch.begin() + k, out);
    std::sort(out, out + k);
}

}  // namespace meprop
