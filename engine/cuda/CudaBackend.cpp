#include "cuda/CudaBackend.h"

#include "cuda/CudaBackendSupport.h"

#include "backend/Device.h"
#include "core/Error.h"
#include "cuda/Activation.cuh"
#include "cuda/Elementwise.cuh"
#include "cuda/Embedding.cuh"

namespace meprop {

std::shared_ptr<Backend> makeCudaBackend()
{
    const DeviceInfo info = cudaDeviceInfo();
    if (!info.available) throw ConfigError("key \"device\": cuda requested but no GPU can be used: " + info.reason);
    return std::make_shared<cuda::CudaBackend>();
}

namespace cuda {


using namespace detail;


CudaBackend::CudaBackend()
{
    cudaDeviceProp prop{};
    MEPROP_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
    m_name = prop.name;
}

// ---- memory

void CudaBackend::resize(Tensor& t, Eigen::Index rows, Eigen::Index cols) { resizeDevice(t, rows, cols); }
void CudaBackend::resize(IndexTensor& t, Eigen::Index rows, Eigen::Index cols) { resizeDevice(t, rows, cols); }
void CudaBackend::resize(CountTensor& t, Eigen::Index rows, Eigen::Index cols) { resizeDevice(t, rows, cols); }
void CudaBackend::resize(MaskTensor& t, Eigen::Index rows, Eigen::Index cols) { resizeDevice(t, rows, cols); }
void CudaBackend::resize(StepTensor& t, Eigen::Index rows, Eigen::Index cols) { resizeDevice(t, rows, cols); }
void CudaBackend::resize(ScalarTensor& t, Eigen::Index rows, Eigen::Index cols) { resizeDevice(t, rows, cols); }
void CudaBackend::upload(Tensor& t) { uploadTensor(t, m_ctx.stream()); }
void CudaBackend::upload(IndexTensor& t) { uploadTensor(t, m_ctx.stream()); }
void CudaBackend::upload(CountTensor& t) { uploadTensor(t, m_ctx.stream()); }
void CudaBackend::upload(StepTensor& t) { uploadTensor(t, m_ctx.stream()); }
void CudaBackend::download(Tensor& t) { downloadTensor(t, m_ctx.stream()); }
void CudaBackend::download(IndexTensor& t) { downloadTensor(t, m_ctx.stream()); }
void CudaBackend::download(CountTensor& t) { downloadTensor(t, m_ctx.stream()); }
void CudaBackend::upload(MaskTensor& t) { uploadTensor(t, m_ctx.stream()); }
void CudaBackend::download(MaskTensor& t) { downloadTensor(t, m_ctx.stream()); }
void CudaBackend::download(StepTensor& t) { downloadTensor(t, m_ctx.stream()); }

void CudaBackend::copy(const Tensor& src, Tensor& dst)
{
    if (&src == &dst) return;
    resizeDevice(dst, src.rows(), src.cols());
    if (src.size() == 0) return;
    if (src.onDevice())
        MEPROP_CUDA_CHECK(cudaMemcpyAsync(dst.deviceData(), dev(src, "copy's source"), bytesOf(src), cudaMemcpyDeviceToDevice,
                                          m_ctx.stream()));
    else
        MEPROP_CUDA_CHECK(cudaMemcpyAsync(dst.deviceData(), src.data(), bytesOf(src), cudaMemcpyHostToDevice, m_ctx.stream()));
}

void CudaBackend::copyRows(const Tensor& src, Eigen::Index begin, Eigen::Index count, Tensor& dst)
{
    if (begin < 0 || count < 0 || begin + count > src.rows())
        throw ShapeError("cuda backend: rows [" + std::to_string(begin) + ", " + std::to_string(begin + count) + ") of a tensor of " +
                         std::to_string(src.rows()) + " rows");
    if (&src == &dst) throw std::logic_error("cuda backend: copyRows into its own source");
    const float* from = dev(src, "copyRows' source");
    resizeDevice(dst, count, src.cols());
    if (dst.size() == 0) return;
    MEPROP_CUDA_CHECK(cudaMemcpyAsync(dst.deviceData(), from + static_cast<std::size_t>(begin) * static_cast<std::size_t>(src.cols()),
                                      bytesOf(dst), cudaMemcpyDeviceToDevice, m_ctx.stream()));
}

void CudaBackend::setZero(Tensor& t) { zeroTensor(t, m_ctx.stream()); }
void CudaBackend::setZero(CountTensor& t) { zeroTensor(t, m_ctx.stream()); }

void CudaBackend::synchronize()
{
    drainFlags(nullptr, nullptr);
}

void CudaBackend::readScalars(const ScalarTensor& t, Eigen::Index count, double* out)
{
    if (t.rows() != 1 || count < 0 || count > t.cols())
        throw ShapeError("cuda backend: readScalars of " + std::to_string(count) + " values of a tensor of " + dims(t.rows(), t.cols()));
    if (count == 0 || !t.onDevice()) {
        drainFlags(nullptr, nullptr);
        std::copy(t.data(), t.data() + count, out);
        return;
    }
    drainFlags(dev(t, "readScalars' tensor"), out, static_cast<std::size_t>(count));
}

// ---- non-finite flags

std::pair<unsigned*, int> CudaBackend::newFlagSlot()
{
    const int i = m_flagPending;
    const std::size_t chunk = static_cast<std::size_t>(i / kFlagChunk);
    if (chunk == m_flagChunks.size()) {
        m_flagChunks.emplace_back(static_cast<std::size_t>(kFlagChunk));
        m_flagChunks.back().zero(m_ctx.stream());
    }
    ++m_flagPending;
    return {m_flagChunks[chunk].data() + i % kFlagChunk, m_flagBase + i};
}

void CudaBackend::drainFlags(const double* scalarSrc, double* scalarDst, std::size_t count)
{
    const cudaStream_t s = m_ctx.stream();
    if (scalarSrc && count > 0) MEPROP_CUDA_CHECK(cudaMemcpyAsync(scalarDst, scalarSrc, count * sizeof(double), cudaMemcpyDeviceToHost, s));
    const int used = m_flagPending;
    m_hostFlags.assign(static_cast<std::size_t>(used), 0u);
    for (int c = 0; c * kFlagChunk < used; ++c) {
        const int n = std::min(kFlagChunk, used - c * kFlagChunk);
        MEPROP_CUDA_CHECK(cudaMemcpyAsync(m_hostFlags.data() + static_cast<std::size_t>(c) * kFlagChunk,
                                          m_flagChunks[static_cast<std::size_t>(c)].data(), static_cast<std::size_t>(n) * sizeof(unsigned),
                                          cudaMemcpyDeviceToHost, s));
    }
    MEPROP_CUDA_CHECK(cudaStreamSynchronize(s));
    for (int c = 0; c * kFlagChunk < used; ++c) {
        const int n = std::min(kFlagChunk, used - c * kFlagChunk);
        MEPROP_CUDA_CHECK(cudaMemsetAsync(m_flagChunks[static_cast<std::size_t>(c)].data(), 0, static_cast<std::size_t>(n) * sizeof(unsigned), s));
    }
    for (int i = 0; i < used; ++i)
        if (m_hostFlags[static_cast<std::size_t>(i)] != 0u) m_flagged.insert(m_flagBase + i);
    bool bad = false;
    std::string layer;
    long step = 0;
    for (const PendingCheck& c : m_checks)
        if (m_flagged.count(c.id)) {
            bad = true;
            layer = c.layer;
            step = c.step;
            break;
        }
    m_checks.clear();
    m_flagBase += used;
    m_flagPending = 0;
    if (m_flagBase > (1 << 30)) {  // ids restart long before they overflow (stale checks are then not found)
        m_flagBase = 0;
        m_flagged.clear();
    }
    if (bad) throw NonFiniteGradient(layer, step);
}

void CudaBackend::checkFinite(const Selection& sel, const std::string& layer)
{
    const int id = sel.deviceFlag;
    if (id < 0) {  // not a selection of this backend: its host flag
        if (!sel.finite) throw NonFiniteGradient(layer);
        return;
    }
    if (id >= m_flagBase && id < m_flagBase + m_flagPending) {
        m_checks.push_back({id, layer, m_step});
        return;
    }
    if (m_flagged.count(id)) throw NonFiniteGradient(layer, m_step);  // its slot was read by an earlier drain
}

// ---- dense

void CudaBackend::gemm(bool transA, bool transB, float alpha, const Tensor& A, const Tensor& B, float beta, Tensor& C,
                       Precision precision)
{
    const Eigen::Index m = transA ? A.cols() : A.rows();
    const Eigen::Index kk = transA ? A.rows() : A.cols();
    const Eigen::Index kkB = transB ? B.cols() : B.rows();
    const Eigen::Index n = transB ? B.rows() : B.cols();
    if (kk != kkB)
        throw ShapeError("cuda backend: gemm of op(A) " + dims(m, kk) + " and op(B) " + dims(kkB, n));
    if (&C == &A || &C == &B) throw std::logic_error("cuda backend: gemm's C aliases an operand");
    if (beta == 0.0f)
        resizeDevice(C, m, n);
    else if (C.rows() != m || C.cols() != n)
        throw ShapeError("cuda backend: gemm into C of " + dims(C.rows(), C.cols()) + ", expected " + dims(m, n));
    float* c = dev(C, "gemm's C");
    if (m == 0 || n == 0) return;
    const cudaStream_t s = m_ctx.stream();
    if (kk == 0) {  // an empty sum: C = beta C
        if (beta == 0.0f)
            MEPROP_CUDA_CHECK(cudaMemsetAsync(c, 0, bytesOf(C), s));
        else
            cuda::scale(c, static_cast<std::size_t>(C.size()), beta, s);
        return;
    }
    m_ctx.gemm(transA, transB, toInt(m, "gemm rows"), toInt(n, "gemm columns"), toInt(kk, "gemm inner size"), alpha, dev(A, "gemm's A"),
               dev(B, "gemm's B"), beta, c, precision == Precision::Tf32 ? GemmPrecision::Tf32 : GemmPrecision::Fp32);
}

void CudaBackend::addBias(Tensor& y, const Tensor& bias)
{
    if (bias.size() != y.cols())
        throw ShapeError("cuda backend: a bias of " + dims(bias.rows(), bias.cols()) + " for " + std::to_string(y.cols()) + " columns");
    if (y.size() == 0) return;
    cuda::addBias(dev(y, "addBias' y"), toInt(y.rows(), "batch"), toInt(y.cols(), "columns"), dev(bias, "the bias"), m_ctx.stream());
}

void CudaBackend::addColumnSums(const Tensor& dy, Tensor& db)
{
    if (db.size() != dy.cols())
        throw ShapeError("cuda backend: column sums of " + std::to_string(dy.cols()) + " columns into " + dims(db.rows(), db.cols()));
    if (dy.cols() == 0) return;
    denseBiasGrad(dev(dy, "addColumnSums' dy"), toInt(dy.rows(), "batch"), toInt(dy.cols(), "columns"), dev(db, "addColumnSums' db"),
                  nullptr, nullptr, m_ctx.stream());
}

void CudaBackend::addToCounts(CountTensor& counts, std::uint64_t amount)
{
    if (counts.size() == 0) return;
    cuda::addToCounts(dev(counts, "the update counts"), toInt(counts.size(), "counts"), amount, m_ctx.stream());
}

void CudaBackend::scale(Tensor& x, float factor)
{
    if (x.size() == 0) return;
    cuda::scale(dev(x, "scale's x"), static_cast<std::size_t>(x.size()), factor, m_ctx.stream());
}

// ---- element-wise

void CudaBackend::reluForward(Tensor& x)
{
    if (x.size() == 0) return;
    cuda::reluForward(dev(x, "relu's x"), static_cast<std::size_t>(x.size()), m_ctx.stream());
}

void CudaBackend::reluBackward(const Tensor& y, Tensor& dy)
{
    requireSameShape(y, dy, "relu backward of y and dy");
    if (y.size() == 0) return;
    // reluDropoutBackward without dropout: dy = y > 0 ? dy : 0.
    reluDropoutBackward(dev(y, "relu's y"), dev(dy, "relu's dy"), static_cast<std::size_t>(y.size()), 0.0f, m_ctx.stream());
}

void CudaBackend::dropoutForward(Tensor& x, float p, Rng& rng, Tensor& mask)
{
    if (!(p >= 0.0f && p < 1.0f)) throw ConfigError("dropout: expected 0 <= p < 1, got " + std::to_string(p));
    if (&x == &mask) throw std::logic_error("cuda backend: dropout's mask is its input");
    const std::uint64_t seed = rng.engine()();  // one draw per call, as the GPU MLP's dropout seed
    float* xs = dev(x, "dropout's x");
    resizeDevice(mask, x.rows(), x.cols());
    if (x.size() == 0) return;
    cuda::dropoutForward(xs, mask.deviceData(), static_cast<std::size_t>(x.size()), p, seed, m_ctx.stream());
}

void CudaBackend::multiply(Tensor& dy, const Tensor& mask)
{
    requireSameShape(dy, mask, "multiply of dy and mask");
    if (dy.size() == 0) return;
    cuda::multiply(dev(dy, "multiply's dy"), dev(mask, "multiply's mask"), static_cast<std::size_t>(dy.size()), m_ctx.stream());
}

// ---- embeddings and the cube activation

namespace {

void checkLookups(const IndexTensor& ids, int idCol0, int idCount, Eigen::Index xRows, Eigen::Index xCols, int xCol0, Eigen::Index d)
{
    if (idCol0 < 0 || idCount < 0 || idCol0 + idCount > ids.cols())
        throw ShapeError("cuda backend: embedding ids columns [" + std::to_string(idCol0) + ", " + std::to_string(idCol0 + idCount) +
                         ") of " + std::to_string(ids.cols()));
    if (xRows != ids.rows() || xCol0 < 0 || xCol0 + idCount * d > xCols)
        throw ShapeError("cuda backend: embedding block of " + std::to_string(idCount) + " x " + std::to_string(d) + " columns from " +
                         std::to_string(xCol0) + " does not fit " + dims(xRows, xCols));
}

}  // namespace

void CudaBackend::embeddingForward(const Tensor& table, const IndexTensor& ids, int idCol0, int idCount, Tensor& x, int xCol0)
{
    checkLookups(ids, idCol0, idCount, x.rows(), x.cols(), xCol0, table.cols());
    if (ids.rows() == 0 || idCount == 0) return;
    embeddingGather(dev(table, "the embedding table"), toInt(table.cols(), "embedding width"), dev(ids, "the ids"),
                    toInt(ids.cols(), "ids columns"), idCol0, idCount, toInt(ids.rows(), "rows"), dev(x, "the embedded x"),
                    toInt(x.cols(), "x columns"), xCol0, m_ctx.stream());
}

void CudaBackend::embeddingBackward(const Tensor& dx, const IndexTensor& ids, int idCol0, int idCount, int xCol0, Parameter& table)
{
    checkLookups(ids, idCol0, idCount, dx.rows(), dx.cols(), xCol0, table.value.cols());
    if (ids.rows() == 0 || idCount == 0) return;
    ensureTouched(table);
    embeddingScatterAdd(dev(dx, "the embedding gradient"), toInt(dx.cols(), "dx columns"), xCol0, dev(ids, "the ids"),
                        toInt(ids.cols(), "ids columns"), idCol0, idCount, toInt(ids.rows(), "rows"),
                        toInt(table.value.cols(), "embedding width"), toInt(table.value.rows(), "vocabulary"),
                        dev(table.grad, "the table's gradient"), table.touched.deviceData(), m_embedKeys, m_embedPositions, m_rowGroups,
                        m_ctx.stream());
}

void CudaBackend::cubeForward(const Tensor& z, Tensor& h)
{
    resizeDevice(h, z.rows(), z.cols());
    if (z.size() == 0) return;
    cuda::cubeForward(dev(z, "cube's z"), dev(h, "cube's h"), static_cast<std::size_t>(z.size()), m_ctx.stream());
}

void CudaBackend::cubeBackward(const Tensor& z, Tensor& dh)
{
    requireSameShape(z, dh, "cube backward of z and dh");
    if (z.size() == 0) return;
    cuda::cubeBackward(dev(z, "cube's z"), dev(dh, "cube's dh"), static_cast<std::size_t>(z.size()), m_ctx.stream());
}

// ---- loss and metrics

void CudaBackend::softmaxCrossEntropy(const Tensor& logits, const IndexTensor& labels, float gradScale, const LossSlot& out, Tensor* dlogits)
{
    if (labels.size() != logits.rows())
        throw ShapeError("softmax cross-entropy: " + std::to_string(labels.size()) + " labels for " + std::to_string(logits.rows()) +
                         " rows");
    if (!out.tensor || out.tensor->rows() != 1 || out.slot < 0 || out.slot >= out.tensor->cols())
        throw ShapeError("cuda backend: softmax cross-entropy into slot " + std::to_string(out.slot) + " outside the loss tensor");
    if (dlogits == &logits) throw std::logic_error("cuda backend: softmax cross-entropy in place");
    const int rows = toInt(logits.rows(), "rows");
    const int classes = toInt(logits.cols(), "classes");
    float* dz = nullptr;
    if (dlogits) {
        resizeDevice(*dlogits, logits.rows(), logits.cols());
        dz = dlogits->deviceData();
    }
    const float* z = rows > 0 ? dev(logits, "the logits") : nullptr;
    const int* y = rows > 0 ? dev(labels, "the labels") : nullptr;
    cuda::softmaxCrossEntropy(z, y, rows, classes, dz, dev(*out.tensor, "the loss") + out.slot, out.accumulate, m_ctx.stream(),
                              gradScale);
}

long CudaBackend::countCorrect(const Tensor& logits, const IndexTensor& labels, Eigen::Index begin)
{
    if (begin < 0 || begin + logits.rows() > labels.size())
        throw ShapeError("cuda backend: labels [" + std::to_string(begin) + ", " + std::to_string(begin + logits.rows()) + ") of " +
                         std::to_string(labels.size()));
    if (logits.rows() == 0) return 0;
    const cudaStream_t s = m_ctx.stream();
    m_correct.reserve(1);
    m_correct.zero(s);
    cuda::countCorrect(dev(logits, "the logits"), dev(labels, "the labels") + begin, toInt(logits.rows(), "rows"),
                       toInt(logits.cols(), "classes"), m_correct.data(), s);
    int correct = 0;
    m_correct.download(&correct, 1, s);
    return correct;
}

void CudaBackend::gatherExamples(const Tensor& data, const IndexTensor& labels, const IndexTensor& order, Eigen::Index begin,
                                 Eigen::Index count, Tensor& x, IndexTensor& y)
{
    if (begin < 0 || count < 0 || begin + count > order.size())
        throw ShapeError("cuda backend: examples [" + std::to_string(begin) + ", " + std::to_string(begin + count) + ") of an order of " +
                         std::to_string(order.size()));
    if (labels.size() != data.rows())
        throw ShapeError("cuda backend: " + std::to_string(labels.size()) + " labels for " + std::to_string(data.rows()) + " examples");
    resizeDevice(x, count, data.cols());
    resizeDevice(y, count, 1);
    if (count == 0) return;
    // The order's entries index data (a permutation of its rows: not checked on the device).
    cuda::gatherExamples(dev(data, "the data"), dev(labels, "the labels"), toInt(data.cols(), "features"), dev(order, "the order") + begin,
                         toInt(count, "count"), x.deviceData(), y.deviceData(), m_ctx.stream());
}

void CudaBackend::gatherIndexRows(const IndexTensor& src, const IndexTensor& order, Eigen::Index begin, Eigen::Index count,
                                  IndexTensor& dst)
{
    if (begin < 0 || count < 0 || begin + count > order.size())
        throw ShapeError("cuda backend: rows [" + std::to_string(begin) + ", " + std::to_string(begin + count) + ") of an order of " +
                         std::to_string(order.size()));
    resizeDevice(dst, count, src.cols());
    if (count == 0 || src.cols() == 0) return;
    // The order's entries index src's rows (not checked on the device).
    cuda::gatherIndexRows(dev(src, "the rows"), toInt(src.cols(), "columns"), dev(order, "the order") + begin, toInt(count, "count"),
                          dst.deviceData(), m_ctx.stream());
}

}  // namespace cuda
}  // namespace meprop
