#include "backend/CpuBackend.h"

#include "core/Error.h"
#include "layers/Dropout.h"
#include "layers/SoftmaxCrossEntropy.h"
#include "optim/UpdateKernels.h"

#include <algorithm>
#include <cstring>

namespace meprop {

void CpuBackend::setZero(Tensor& t)
{
    // memset: Eigen's setZero() compiles to a scalar fill loop here.
    if (t.size() > 0) std::memset(t.data(), 0, static_cast<std::size_t>(t.size()) * sizeof(float));
}

void CpuBackend::copyRows(const Tensor& src, Eigen::Index begin, Eigen::Index count, Tensor& dst)
{
    if (begin < 0 || count < 0 || begin + count > src.rows())
        throw ShapeError("copyRows: rows [" + std::to_string(begin) + ", " + std::to_string(begin + count) + ") of " +
                         std::to_string(src.rows()));
    dst = src.middleRows(begin, count);
}

void CpuBackend::gemm(bool transA, bool transB, float alpha, const Tensor& A, const Tensor& B, float beta, Tensor& C, Precision)
{
    const Eigen::Index m = transA ? A.cols() : A.rows();
    const Eigen::Index inner = transA ? A.rows() : A.cols();
    const Eigen::Index n = transB ? B.rows() : B.cols();
    if ((transB ? B.cols() : B.rows()) != inner)
        throw ShapeError("gemm: inner sizes " + std::to_string(inner) + " and " + std::to_string(transB ? B.cols() : B.rows()));
    if (beta == 0.0f)
        C.resize(m, n);
    else if (C.rows() != m || C.cols() != n)
        throw ShapeError("gemm: C is " + std::to_string(C.rows()) + "x" + std::to_string(C.cols()) + ", expected " + std::to_string(m) +
                         "x" + std::to_string(n));
    auto run = [&](const auto& a, const auto& b) {
        if (beta == 0.0f) {
            if (alpha == 1.0f)
                C.noalias() = a * b;
            else
                C.noalias() = alpha * (a * b);
        } else {
            if (beta != 1.0f) C *= beta;
            if (alpha == 1.0f)
                C.noalias() += a * b;
            else
                C.noalias() += alpha * (a * b);
        }
    };
    if (!transA && !transB)
        run(A, B);
    else if (!transA)
        run(A, B.transpose());
    else if (!transB)
        run(A.transpose(), B);
    else
        run(A.transpose(), B.transpose());
}

void CpuBackend::reluForward(Tensor& x)
{
    x = x.cwiseMax(0.0f);
}

void CpuBackend::reluBackward(const Tensor& y, Tensor& dy)
{
    dy = (y.array() > 0.0f).select(dy, 0.0f);
}

void CpuBackend::dropoutForward(Tensor& x, float p, Rng& rng, Tensor& mask)
{
    if (!(p >= 0.0f && p < 1.0f)) throw ConfigError("dropout: expected 0 <= p < 1, got " + std::to_string(p));  // as on the GPU
    dropoutMask(mask, x.rows(), x.cols(), p, rng);
    x.array() *= mask.array();
}

void CpuBackend::embeddingForward(const Tensor& table, const IndexTensor& ids, int idCol0, int idCount, Tensor& x, int xCol0)
{
    const Eigen::Index d = table.cols();
    for (Eigen::Index b = 0; b < ids.rows(); ++b)
        for (int j = 0; j < idCount; ++j) x.block(b, xCol0 + j * d, 1, d) = table.row(ids(b, idCol0 + j));
}

void CpuBackend::embeddingBackward(const Tensor& dx, const IndexTensor& ids, int idCol0, int idCount, int xCol0, Parameter& table)
{
    const Eigen::Index d = table.value.cols();
    for (Eigen::Index b = 0; b < ids.rows(); ++b)
        for (int j = 0; j < idCount; ++j) {
            const int id = ids(b, idCol0 + j);
            table.grad.row(id) += dx.block(b, xCol0 + j * d, 1, d);
            table.touchRow(id);
        }
}

void CpuBackend::softmaxCrossEntropy(const Tensor& logits, const IndexTensor& labels, float gradScale, const LossSlot& out, Tensor* dlogits)
{
    if (!out.tensor || out.tensor->rows() != 1 || out.slot < 0 || out.slot >= out.tensor->cols())
        throw ShapeError("softmax cross-entropy: loss slot " + std::to_string(out.slot) + " outside the loss tensor");
    ScalarTensor& loss = *out.tensor;
    CrossEntropyOptions o;
    o.scale = gradScale;
    o.skipNegative = true;
    const double sum = softmaxCrossEntropySum(logits, labels.data(), static_cast<long>(labels.size()), dlogits, o);
    loss(0, out.slot) = out.accumulate ? loss(0, out.slot) + sum : sum;
}

void CpuBackend::readScalars(const ScalarTensor& t, Eigen::Index count, double* out)
{
    if (t.rows() != 1 || count < 0 || count > t.cols())
        throw ShapeError("readScalars: " + std::to_string(count) + " values of a " + std::to_string(t.rows()) + "x" +
                         std::to_string(t.cols()) + " tensor");
    std::copy(t.data(), t.data() + count, out);
}

long CpuBackend::countCorrect(const Tensor& logits, const IndexTensor& labels, Eigen::Index begin)
{
    if (begin < 0 || begin + logits.rows() > labels.size())
        throw ShapeError("countCorrect: labels [" + std::to_string(begin) + ", " + std::to_string(begin + logits.rows()) + ") of " +
                         std::to_string(labels.size()));
    const std::vector<int> pred = argmaxRows(logits);
    long correct = 0;
    for (std::size_t i = 0; i < pred.size(); ++i) correct += pred[i] == labels.data()[begin + static_cast<Eigen::Index>(i)];
    return correct;
}

void CpuBackend::gatherExamples(const Tensor& data, const IndexTensor& labels, const IndexTensor& order, Eigen::Index begin,
                                Eigen::Index count, Tensor& x, IndexTensor& y)
{
    if (begin < 0 || count < 0 || begin + count > order.size())
        throw ShapeError("gatherExamples: examples [" + std::to_string(begin) + ", " + std::to_string(begin + count) + ") of an order of " +
                         std::to_string(order.size()));
    x.resize(count, data.cols());
    y.resize(count, 1);
    for (Eigen::Index i = 0; i < count; ++i) {
        const int idx = order.data()[begin + i];
        x.row(i) = data.row(idx);
        y(i, 0) = labels.data()[idx];
    }
}

void CpuBackend::gatherIndexRows(const IndexTensor& src, const IndexTensor& order, Eigen::Index begin, Eigen::Index count,
                                 IndexTensor& dst)
{
    if (begin < 0 || count < 0 || begin + count > order.size())
        throw ShapeError("gatherIndexRows: [" + std::to_string(begin) + ", " + std::to_string(begin + count) + ") of an order of " +
                         std::to_string(order.size()));
    dst.resize(count, src.cols());
    for (Eigen::Index i = 0; i < count; ++i) dst.row(i) = src.row(order.data()[begin + i]);
}

void CpuBackend::select(const Tensor& dy, BackpropMode mode, int k, Rng& rng, Selection& sel)
{
    selectComponents(dy, mode, k, rng, sel);
}

void CpuBackend::checkFinite(const Selection& sel, const std::string& layer)
{
    if (!sel.finite) throw NonFiniteGradient(layer);
}

// ---- optimizers: one fused pass per parameter (optim/UpdateKernels.h). Dense parameters go in
// fixed chunks and row lists row by row, spread over the run's threads (core/Parallel.h); each
// element is computed the same way for any thread count.

namespace {

// kernel(offset, count) over the elements of p an update that skips zero-gradient rows must visit:
// each row of the row list when p's gradient is row-sparse, else the whole parameter in chunks.
template <class Kernel>
void forTouchedSpans(const Parameter& p, Kernel&& kernel)
{
    const long cols = static_cast<long>(p.value.cols());
    if (p.rowSparse) {
        const std::vector<int>& rows = p.rows;
        forEachRowRange(static_cast<long>(rows.size()), cols, [&](long lo, long hi) {
            for (long j = lo; j < hi; ++j) kernel(rows[static_cast<std::size_t>(j)] * cols, cols);
        });
    } else {
        forEachChunk(static_cast<long>(p.size()), kernel);
    }
}

}  // namespace

void CpuBackend::sgdUpdate(Parameter& p, float lr, const GradHandling& gh)
{
    // A zero gradient row leaves a plain SGD weight unchanged, so skipping untouched rows is exact.
    float* w = p.value.data();
    float* g = p.grad.data();
    forTouchedSpans(p, [&](long off, long n) { meprop::sgdUpdate(w + off, g + off, n, lr, gh); });
    if (gh.zeroGrad) p.markGradZeroed();
}

void CpuBackend::adagradUpdate(Parameter& p, Tensor& hState, float lr, float eps, bool inside, const GradHandling& gh)
{
    // A zero gradient leaves AdaGrad's state and the weight unchanged, so skipping untouched rows
    // is exact here, not an approximation.
    float* w = p.value.data();
    float* g = p.grad.data();
    float* h = hState.data();
    forTouchedSpans(p, [&](long off, long n) { meprop::adagradUpdate(w + off, g + off, h + off, n, lr, eps, inside, gh); });
    if (gh.zeroGrad) p.markGradZeroed();
}

void CpuBackend::adamUpdate(Parameter& p, Tensor& mState, Tensor& vState, const AdamStep& c, const GradHandling& gh)
{
    // Every element moves, rows without a gradient by their momentum: one pass over all of it.
    float* w = p.value.data();
    float* g = p.grad.data();
    float* m = mState.data();
    float* v = vState.data();
    forEachChunk(static_cast<long>(p.size()), [&](long off, long n) { meprop::adamUpdate(w + off, g + off, m + off, v + off, n, c, gh); });
    if (gh.zeroGrad) {
        p.rowSparse = false;  // the pass zeroed every element, whatever the row list said
        p.markGradZeroed();
    }
}

void CpuBackend::adamLazyUpdate(Parameter& p, Tensor& mState, Tensor& vState, StepTensor& rowSteps, float lr, float b1, float b2,
                                float eps, const GradHandling& gh)
{
    // Each updated row counts its own steps. Rows updated together mostly share a count, so each
    // thread recomputes the scalars only when the count changes from one row to the next.
    float* w = p.value.data();
    float* g = p.grad.data();
    float* m = mState.data();
    float* v = vState.data();
    std::int64_t* steps = rowSteps.data();
    const long cols = static_cast<long>(p.value.cols());
    const bool sparse = p.rowSparse;
    const long count = sparse ? static_cast<long>(p.rows.size()) : static_cast<long>(p.value.rows());
    forEachRowRange(count, cols, [&](long lo, long hi) {
        long cachedT = 0;
        AdamStep cached{};
        for (long j = lo; j < hi; ++j) {
            const long r = sparse ? p.rows[static_cast<std::size_t>(j)] : j;
            const long t = static_cast<long>(++steps[r]);
            if (t != cachedT) {
                cached = adamStep(lr, b1, b2, eps, t);
                cachedT = t;
            }
            const long off = r * cols;
            meprop::adamUpdate(w + off, g + off, m + off, v + off, cols, cached, gh);
        }
    });
    if (gh.zeroGrad) p.markGradZeroed();
}

}  // namespace meprop
