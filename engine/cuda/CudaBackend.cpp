#include "cuda/CudaBackend.h"

#include "backend/Device.h"
#include "core/Error.h"
#include "cuda/Activation.cuh"
#include "cuda/Elementwise.cuh"
#include "cuda/Embedding.cuh"
#include "cuda/Finite.cuh"
#include "cuda/Lstm.cuh"
#include "cuda/Optim.cuh"
#include "cuda/TopK.cuh"
#include "ops/TopK.h"
#include "optim/UpdateKernels.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <numeric>
#include <stdexcept>

namespace meprop {

std::shared_ptr<Backend> makeCudaBackend()
{
    const DeviceInfo info = cudaDeviceInfo();
    if (!info.available) throw ConfigError("key \"device\": cuda requested but no GPU can be used: " + info.reason);
    return std::make_shared<cuda::CudaBackend>();
}

namespace cuda {

namespace {

void releaseDevice(void* p) noexcept
{
    cudaFree(p);  // no throw from a destructor; a failure here leaks at worst
}

std::string dims(Eigen::Index rows, Eigen::Index cols)
{
    return std::to_string(rows) + "x" + std::to_string(cols);
}

template <typename T>
std::size_t bytesOf(const BasicTensor<T>& t)
{
    return static_cast<std::size_t>(t.size()) * sizeof(T);
}

// Device memory for rows x cols (at least one element, so a resized tensor is always on the
// device), grown only; the host mirror gets the shape.
template <typename T>
void resizeDevice(BasicTensor<T>& t, Eigen::Index rows, Eigen::Index cols)
{
    if (rows < 0 || cols < 0) throw ShapeError("cuda backend: cannot shape a tensor " + dims(rows, cols));
    const std::size_t bytes = std::max<std::size_t>(1, static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols)) * sizeof(T);
    DeviceMemory& mem = t.deviceMemory();
    if (!mem || mem.bytes() < bytes) {
        mem.reset();
        void* p = nullptr;
        MEPROP_CUDA_CHECK(cudaMalloc(&p, bytes));
        mem = DeviceMemory(p, bytes, &releaseDevice);
    }
    if (t.rows() != rows || t.cols() != cols) t.resize(rows, cols);
}

// The device values of an operation's operand: they must cover the host mirror's shape.
template <typename T>
const T* dev(const BasicTensor<T>& t, const char* what)
{
    if (t.size() == 0) return t.deviceData();  // may be null: no kernel reads an empty tensor
    if (!t.onDevice() || t.deviceMemory().bytes() < bytesOf(t))
        throw std::logic_error(std::string("cuda backend: ") + what + " (" + dims(t.rows(), t.cols()) +
                               ") is not in device memory; shape it with Backend::resize or upload it");
    return t.deviceData();
}

template <typename T>
T* dev(BasicTensor<T>& t, const char* what)
{
    return const_cast<T*>(dev(static_cast<const BasicTensor<T>&>(t), what));
}

int toInt(Eigen::Index v, const char* what)
{
    if (v < 0 || v > INT_MAX) throw ShapeError(std::string("cuda backend: ") + what + " = " + std::to_string(v) + " exceeds the kernels' int range");
    return static_cast<int>(v);
}

template <typename T>
void uploadTensor(BasicTensor<T>& t, cudaStream_t s)
{
    resizeDevice(t, t.rows(), t.cols());  // same shape: the host values stay
    // From pageable memory the copy has left the host buffer when the call returns (CUDA's API
    // synchronisation rules), so the caller may change the matrix at once.
    if (t.size() > 0) MEPROP_CUDA_CHECK(cudaMemcpyAsync(t.deviceData(), t.data(), bytesOf(t), cudaMemcpyHostToDevice, s));
}

template <typename T>
void downloadTensor(BasicTensor<T>& t, cudaStream_t s)
{
    if (!t.onDevice()) return;  // a host tensor: its matrix is its value
    dev(t, "a downloaded tensor");
    if (t.size() > 0) MEPROP_CUDA_CHECK(cudaMemcpyAsync(t.data(), t.deviceData(), bytesOf(t), cudaMemcpyDeviceToHost, s));
    MEPROP_CUDA_CHECK(cudaStreamSynchronize(s));
}

template <typename T>
void zeroTensor(BasicTensor<T>& t, cudaStream_t s)
{
    resizeDevice(t, t.rows(), t.cols());  // allocates a host-only tensor
    if (t.size() > 0) MEPROP_CUDA_CHECK(cudaMemsetAsync(dev(t, "a zeroed tensor"), 0, bytesOf(t), s));
}

void requireSameShape(const Tensor& a, const Tensor& b, const char* what)
{
    if (a.rows() != b.rows() || a.cols() != b.cols())
        throw ShapeError(std::string("cuda backend: ") + what + ": " + dims(a.rows(), a.cols()) + " and " + dims(b.rows(), b.cols()));
}

void requireParameter(const Parameter& p)
{
    if (p.grad.rows() != p.value.rows() || p.grad.cols() != p.value.cols())
        throw ShapeError("cuda backend: parameter " + p.name + " has a value of " + dims(p.value.rows(), p.value.cols()) +
                         " and a gradient of " + dims(p.grad.rows(), p.grad.cols()));
}

void requireState(const Parameter& p, const Tensor& state, const char* what)
{
    if (state.rows() != p.value.rows() || state.cols() != p.value.cols())
        throw ShapeError("cuda backend: " + std::string(what) + " of parameter " + p.name + " is " + dims(state.rows(), state.cols()) +
                         ", expected " + dims(p.value.rows(), p.value.cols()));
}

}  // namespace

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

double CudaBackend::readScalar(const ScalarTensor& t)
{
    if (t.size() != 1) throw ShapeError("cuda backend: readScalar of a tensor of " + dims(t.rows(), t.cols()) + ", expected 1x1");
    if (!t.onDevice()) {
        drainFlags(nullptr, nullptr);
        return t(0, 0);
    }
    double value = 0.0;
    drainFlags(dev(t, "readScalar's tensor"), &value);
    return value;
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

void CudaBackend::drainFlags(const double* scalarSrc, double* scalarDst)
{
    const cudaStream_t s = m_ctx.stream();
    if (scalarSrc) MEPROP_CUDA_CHECK(cudaMemcpyAsync(scalarDst, scalarSrc, sizeof(double), cudaMemcpyDeviceToHost, s));
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
    for (const auto& [id, name] : m_checks)
        if (m_flagged.count(id)) {
            bad = true;
            layer = name;
            break;
        }
    m_checks.clear();
    m_flagBase += used;
    m_flagPending = 0;
    if (m_flagBase > (1 << 30)) {  // ids restart long before they overflow (stale checks are then not found)
        m_flagBase = 0;
        m_flagged.clear();
    }
    if (bad) throw NonFiniteGradient(layer);
}

void CudaBackend::checkFinite(const Selection& sel, const std::string& layer)
{
    const int id = sel.deviceFlag;
    if (id < 0) {  // not a selection of this backend: its host flag
        if (!sel.finite) throw NonFiniteGradient(layer);
        return;
    }
    if (id >= m_flagBase && id < m_flagBase + m_flagPending) {
        m_checks.emplace_back(id, layer);
        return;
    }
    if (m_flagged.count(id)) throw NonFiniteGradient(layer);  // its slot was read by an earlier drain
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

void CudaBackend::softmaxCrossEntropy(const Tensor& logits, const IndexTensor& labels, float gradientScale, ScalarTensor& loss,
                                      Tensor* dlogits)
{
    if (labels.size() != logits.rows())
        throw ShapeError("softmax cross-entropy: " + std::to_string(labels.size()) + " labels for " + std::to_string(logits.rows()) +
                         " rows");
    if (dlogits == &logits) throw std::logic_error("cuda backend: softmax cross-entropy in place");
    const int rows = toInt(logits.rows(), "rows");
    const int classes = toInt(logits.cols(), "classes");
    resizeDevice(loss, 1, 1);
    float* dz = nullptr;
    if (dlogits) {
        resizeDevice(*dlogits, logits.rows(), logits.cols());
        dz = dlogits->deviceData();
    }
    const float* z = rows > 0 ? dev(logits, "the logits") : nullptr;
    const int* y = rows > 0 ? dev(labels, "the labels") : nullptr;
    cuda::softmaxCrossEntropy(z, y, rows, classes, dz, loss.deviceData(), m_ctx.stream(), gradientScale);
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

// ---- meProp

void CudaBackend::select(const Tensor& dy, BackpropMode mode, int k, Rng& rng, Selection& sel)
{
    const int batch = toInt(dy.rows(), "batch");
    const int n = toInt(dy.cols(), "components");
    sel.mode = mode;
    sel.batch = batch;
    sel.n = n;
    sel.finite = true;  // the device flag (sel.deviceFlag) says it
    sel.indices.clear();
    if (mode != BackpropMode::Dense && (k < 1 || k > n))
        throw ConfigError("k: expected 1 <= k <= " + std::to_string(n) + " (layer width), got " + std::to_string(k));
    sel.k = mode == BackpropMode::Dense ? n : k;
    const cudaStream_t s = m_ctx.stream();
    const float* g = dy.size() > 0 ? dev(dy, "the output gradient") : nullptr;
    const auto [flag, id] = newFlagSlot();
    sel.deviceFlag = id;
    switch (mode) {
    case BackpropMode::Dense:
        flagNonFinite(g, static_cast<std::size_t>(dy.size()), flag, s);
        return;
    case BackpropMode::Unified:
        resizeDevice(sel.deviceIndices, 1, k);
        m_score.reserve(static_cast<std::size_t>(n));
        unifiedTopK(g, batch, n, k, m_score.data(), sel.deviceIndices.deviceData(), s, flag);
        return;
    case BackpropMode::TopK:
    case BackpropMode::Random: {
        const std::size_t total = static_cast<std::size_t>(batch) * static_cast<std::size_t>(k);
        if (total > static_cast<std::size_t>(INT_MAX))
            throw ShapeError("cuda backend: batch x k = " + std::to_string(total) + " selected entries, more than the GPU kernels' int range");
        resizeDevice(sel.deviceIndices, 1, static_cast<Eigen::Index>(total));
        if (mode == BackpropMode::TopK) {
            topKRows(g, batch, n, n, k, sel.deviceIndices.deviceData(), s, flag);
            return;
        }
        // ops/TopK's draws on the host from the caller's Rng: the CPU's indices exactly.
        flagNonFinite(g, static_cast<std::size_t>(dy.size()), flag, s);
        m_hostIdx.resize(total);
        for (int b = 0; b < batch; ++b) randomIndices(n, k, rng, m_hostIdx.data() + static_cast<std::size_t>(b) * k, m_randomScratch);
        if (total > 0) {
            MEPROP_CUDA_CHECK(cudaMemcpyAsync(sel.deviceIndices.deviceData(), m_hostIdx.data(), total * sizeof(int),
                                              cudaMemcpyHostToDevice, s));
            MEPROP_CUDA_CHECK(cudaStreamSynchronize(s));  // m_hostIdx is reused by the next call
        }
        return;
    }
    }
}

void CudaBackend::downloadSelection(Selection& sel)
{
    if (sel.mode == BackpropMode::Dense) {
        sel.indices.clear();
        return;
    }
    const std::size_t count =
        sel.shared() ? static_cast<std::size_t>(sel.k) : static_cast<std::size_t>(sel.batch) * static_cast<std::size_t>(sel.k);
    if (static_cast<std::size_t>(sel.deviceIndices.size()) < count)
        throw std::logic_error("cuda backend: downloadSelection of a selection without its device indices");
    sel.indices.resize(count);
    if (count == 0) return;
    MEPROP_CUDA_CHECK(cudaMemcpyAsync(sel.indices.data(), dev(sel.deviceIndices, "the selection's indices"), count * sizeof(int),
                                      cudaMemcpyDeviceToHost, m_ctx.stream()));
    MEPROP_CUDA_CHECK(cudaStreamSynchronize(m_ctx.stream()));
}

void CudaBackend::linearSparseBackward(const Tensor& dy, const Selection& sel, const Tensor& x, Parameter& w, Parameter& b,
                                       CountTensor& counts, Tensor* dx, Precision precision)
{
    if (sel.mode == BackpropMode::Dense) throw std::logic_error("cuda backend: linearSparseBackward of a dense selection");
    const int batch = toInt(dy.rows(), "batch");
    const int out = toInt(dy.cols(), "outputs");
    const int in = toInt(x.cols(), "inputs");
    const int k = sel.k;
    if (x.rows() != dy.rows() || w.value.rows() != out || w.value.cols() != in || b.value.size() != out || sel.batch != batch ||
        sel.n != out || counts.size() != out)
        throw ShapeError("cuda backend: sparse backward of " + w.name + ": dy " + dims(dy.rows(), dy.cols()) + ", x " +
                         dims(x.rows(), x.cols()) + ", W " + dims(w.value.rows(), w.value.cols()) + ", b " +
                         dims(b.value.rows(), b.value.cols()) + ", counts " + dims(counts.rows(), counts.cols()) + ", a selection of " +
                         std::to_string(sel.batch) + "x" + std::to_string(sel.n));
    requireParameter(w);
    requireParameter(b);
    if (dx == &dy || dx == &x) throw std::logic_error("cuda backend: sparse backward's dx aliases an input");
    const std::size_t selected =
        sel.shared() ? static_cast<std::size_t>(k) : static_cast<std::size_t>(batch) * static_cast<std::size_t>(k);
    if (k < 1 || k > out || static_cast<std::size_t>(sel.deviceIndices.size()) < selected)
        throw std::logic_error("cuda backend: sparse backward of " + w.name + " with a selection this backend did not make");
    if (dx) resizeDevice(*dx, batch, in);
    if (batch == 0 || in == 0) return;  // nothing to add (and no kernel takes an empty grid)

    // A parameter without row bookkeeping yet is dense (Parameter::rowSparse starts false): its
    // gradient may hold anything until the first zeroGrad.
    if (ensureTouched(w)) w.gradDense = true;
    if (ensureTouched(b)) b.gradDense = true;
    const cudaStream_t s = m_ctx.stream();
    const GemmPrecision gp = precision == Precision::Tf32 ? GemmPrecision::Tf32 : GemmPrecision::Fp32;
    const float* g = dev(dy, "the output gradient");
    const float* xs = dev(x, "the layer input");
    const float* W = dev(w.value, "the weight");
    float* dW = dev(w.grad, "the weight gradient");
    float* db = dev(b.grad, "the bias gradient");
    const int* idx = dev(sel.deviceIndices, "the selection's indices");
    std::uint64_t* cnt = dev(counts, "the update counts");
    unsigned char* touched = w.touched.deviceData();

    if (sel.mode == BackpropMode::Unified) {
        // The unified backward: gather dy_K (batch x k) and W_K (k x in), two small
        // SGEMMs, scatter dW_K into the k rows with db, touched and counts.
        m_dyK.reserve(static_cast<std::size_t>(batch) * k);
        m_dwK.reserve(static_cast<std::size_t>(k) * in);
        if (dx) m_wK.reserve(static_cast<std::size_t>(k) * in);
        gatherUnified(g, batch, out, idx, k, dx ? W : nullptr, in, m_dyK.data(), dx ? m_wK.data() : nullptr, s);
        if (dx) m_ctx.gemm(false, false, batch, in, k, 1.0f, m_dyK.data(), m_wK.data(), 0.0f, dx->deviceData(), gp);
        m_ctx.gemm(true, false, k, in, batch, 1.0f, m_dyK.data(), xs, 0.0f, m_dwK.data(), gp);
        scatterUnified(m_dwK.data(), m_dyK.data(), batch, k, in, idx, dW, db, touched, cnt, s);
    } else {
        // Per example (topk, random): dx as a combination of k rows of W; dW, db grouped by row
        // (a stable radix sort of the (row, example) pairs: deterministic, no float atomics).
        if (dx) perExampleInputGrad(g, batch, out, idx, k, W, in, dx->deviceData(), s);
        perExampleWeightGrad(g, batch, out, idx, k, xs, in, dW, db, touched, cnt, m_rowGroups, s);
    }
    MEPROP_CUDA_CHECK(cudaMemsetAsync(b.touched.deviceData(), 1, 1, s));  // the bias' one row
}

// ---- parameters and optimizers

bool CudaBackend::ensureTouched(Parameter& p)
{
    const Eigen::Index rows = p.grad.rows();
    if (p.touched.onDevice() && p.touched.rows() == 1 && p.touched.cols() == rows) return false;
    resizeDevice(p.touched, 1, rows);
    if (rows > 0) MEPROP_CUDA_CHECK(cudaMemsetAsync(p.touched.deviceData(), 0, static_cast<std::size_t>(rows), m_ctx.stream()));
    return true;
}

const unsigned char* CudaBackend::rowMask(const Parameter& p) const
{
    const bool bookkept = p.touched.onDevice() && p.touched.rows() == 1 && p.touched.cols() == p.grad.rows();
    return p.gradDense || !bookkept ? nullptr : p.touched.deviceData();
}

void CudaBackend::markGradZeroed(Parameter& p)
{
    if (!ensureTouched(p) && p.grad.rows() > 0)
        MEPROP_CUDA_CHECK(cudaMemsetAsync(p.touched.deviceData(), 0, static_cast<std::size_t>(p.grad.rows()), m_ctx.stream()));
    p.gradDense = false;
}

void CudaBackend::touchAll(Parameter& p)
{
    p.gradDense = true;
}

void CudaBackend::zeroGrad(Parameter& p)
{
    if (p.grad.size() == 0) {
        p.gradDense = false;
        return;
    }
    float* g = dev(p.grad, "the gradient");
    const cudaStream_t s = m_ctx.stream();
    const unsigned char* mask = rowMask(p);
    if (mask) {
        zeroTouchedRows(g, toInt(p.grad.rows(), "rows"), toInt(p.grad.cols(), "columns"), p.touched.deviceData(), s);
        p.gradDense = false;
        return;
    }
    MEPROP_CUDA_CHECK(cudaMemsetAsync(g, 0, bytesOf(p.grad), s));
    markGradZeroed(p);
}

void CudaBackend::sgdUpdate(Parameter& p, float lr, const GradHandling& gh)
{
    requireParameter(p);
    if (p.value.size() == 0) return;
    cuda::sgdUpdate(dev(p.value, "the weight"), dev(p.grad, "the gradient"), toInt(p.value.rows(), "rows"),
                    toInt(p.value.cols(), "columns"), rowMask(p), lr, gh.clip, gh.zeroGrad, m_ctx.stream());
    if (gh.zeroGrad) markGradZeroed(p);
}

void CudaBackend::adagradUpdate(Parameter& p, Tensor& h, float lr, float eps, bool epsInside, const GradHandling& gh)
{
    requireParameter(p);
    requireState(p, h, "the AdaGrad accumulator");
    if (p.value.size() == 0) return;
    cuda::adagradUpdate(dev(p.value, "the weight"), dev(p.grad, "the gradient"), dev(h, "the AdaGrad accumulator"),
                        toInt(p.value.rows(), "rows"), toInt(p.value.cols(), "columns"), rowMask(p), lr, eps, epsInside, gh.clip,
                        gh.zeroGrad, m_ctx.stream());
    if (gh.zeroGrad) markGradZeroed(p);
}

void CudaBackend::adamUpdate(Parameter& p, Tensor& m, Tensor& v, const AdamStep& st, const GradHandling& gh)
{
    requireParameter(p);
    requireState(p, m, "the Adam first moment");
    requireState(p, v, "the Adam second moment");
    if (p.value.size() == 0) return;
    // Every element: the paper's unmodified Adam (rows without a gradient move by their momentum).
    cuda::adamUpdate(dev(p.value, "the weight"), dev(p.grad, "the gradient"), dev(m, "the Adam first moment"),
                     dev(v, "the Adam second moment"), toInt(p.value.rows(), "rows"), toInt(p.value.cols(), "columns"), nullptr, st.beta1,
                     st.beta2, st.stepSize, st.invSqrtC2, st.eps, gh.clip, gh.zeroGrad, m_ctx.stream());
    if (gh.zeroGrad) markGradZeroed(p);
}

void CudaBackend::adamLazyUpdate(Parameter& p, Tensor& m, Tensor& v, StepTensor& rowSteps, float lr, float beta1, float beta2,
                                 float eps, const GradHandling& gh)
{
    requireParameter(p);
    requireState(p, m, "the Adam first moment");
    requireState(p, v, "the Adam second moment");
    const Eigen::Index rows = p.value.rows();
    if (rowSteps.size() != rows)
        throw ShapeError("cuda backend: " + std::to_string(rowSteps.size()) + " Adam row step counts for parameter " + p.name + " of " +
                         std::to_string(rows) + " rows");
    // The counts start on the host (the optimizer's zeros, or a checkpoint's): uploaded once.
    if (!rowSteps.onDevice()) uploadTensor(rowSteps, m_ctx.stream());
    if (p.value.size() == 0) return;
    const int r = toInt(rows, "rows");
    m_rowScalars.reserve(2 * static_cast<std::size_t>(r));
    cuda::adamLazyUpdate(dev(p.value, "the weight"), dev(p.grad, "the gradient"), dev(m, "the Adam first moment"),
                         dev(v, "the Adam second moment"), r, toInt(p.value.cols(), "columns"), rowMask(p),
                         dev(rowSteps, "the Adam row step counts"), m_rowScalars.data(), beta1, beta2, lr, eps, gh.clip, gh.zeroGrad,
                         m_ctx.stream());
    if (gh.zeroGrad) markGradZeroed(p);
}

// ---- LSTM (layers/Lstm.h)

void CudaBackend::lstmForward(const Tensor& x, const Tensor& W, const Tensor& U, const Tensor& b, bool reverse, LstmState& st)
{
    const int T = toInt(x.rows(), "steps");
    const int in = toInt(x.cols(), "inputs");
    const int H = toInt(U.cols(), "hidden");
    const int G = 4 * H;
    if (W.rows() != G || W.cols() != in || U.rows() != G || b.size() != G)
        throw ShapeError("cuda backend: lstm of x " + dims(x.rows(), x.cols()) + ", W " + dims(W.rows(), W.cols()) + ", U " +
                         dims(U.rows(), U.cols()) + ", b " + dims(b.rows(), b.cols()));
    const cudaStream_t s = m_ctx.stream();
    resizeDevice(st.gates, T, G);
    resizeDevice(st.c, T, H);
    resizeDevice(st.tc, T, H);
    resizeDevice(st.h, T, H);
    if (T == 0) return;
    float* a = st.gates.deviceData();
    float* c = st.c.deviceData();
    float* tc = st.tc.deviceData();
    float* h = st.h.deviceData();
    const float* Ud = dev(U, "the recurrent weight");
    // The input products of all steps as one GEMM; only U h_prev is sequential.
    m_ctx.gemm(false, true, T, G, in, 1.0f, dev(x, "the lstm input"), dev(W, "the input weight"), 0.0f, a);
    cuda::addBias(a, T, G, dev(b, "the lstm bias"), s);
    for (int step = 0; step < T; ++step) {
        const int t = reverse ? T - 1 - step : step;
        const int tp = step == 0 ? -1 : (reverse ? t + 1 : t - 1);
        float* at = a + static_cast<std::size_t>(t) * G;
        if (tp >= 0) m_ctx.gemm(false, true, 1, G, H, 1.0f, h + static_cast<std::size_t>(tp) * H, Ud, 1.0f, at);
        lstmGatesForward(at, tp >= 0 ? c + static_cast<std::size_t>(tp) * H : nullptr, c + static_cast<std::size_t>(t) * H,
                         tc + static_cast<std::size_t>(t) * H, h + static_cast<std::size_t>(t) * H, H, s);
    }
}

void CudaBackend::lstmBackward(const Tensor& dh, const Tensor& x, const LstmState& st, bool reverse, const LstmBackprop& spec,
                               Rng& rng, Parameter& Wp, Parameter& Up, Parameter& bp, CountTensor& counts, IndexTensor& kept,
                               Tensor* dx, const std::string& layer, double* linearSeconds)
{
    const auto start = std::chrono::steady_clock::now();
    const int T = toInt(x.rows(), "steps");
    const int in = toInt(x.cols(), "inputs");
    const int H = toInt(Up.value.cols(), "hidden");
    const int G = 4 * H;
    const BackpropMode mode = spec.mode;
    const bool sparse = mode != BackpropMode::Dense;
    const int k = sparse ? spec.k : H;
    const int K = sparse ? 4 * k : 0;
    if (dh.rows() != T || dh.cols() != H || st.gates.rows() != T || st.gates.cols() != G || Wp.value.rows() != G ||
        Wp.value.cols() != in || Up.value.rows() != G || bp.value.size() != G || counts.size() != G)
        throw ShapeError("cuda backend: lstm backward of " + layer + ": dh " + dims(dh.rows(), dh.cols()) + ", x " +
                         dims(x.rows(), x.cols()) + ", W " + dims(Wp.value.rows(), Wp.value.cols()));
    if (sparse && (k < 1 || k > H))
        throw ConfigError("k: expected 1 <= k <= " + std::to_string(H) + " (hidden size of " + layer + "), got " + std::to_string(k));
    if (static_cast<long long>(T) * G > INT_MAX) throw ShapeError("cuda backend: lstm backward of " + layer + ": too many steps");
    requireParameter(Wp);
    requireParameter(Up);
    requireParameter(bp);
    const cudaStream_t s = m_ctx.stream();
    resizeDevice(kept, T, K);
    if (dx) resizeDevice(*dx, T, in);
    if (T == 0) return;
    for (Parameter* p : {&Wp, &Up, &bp})
        if (ensureTouched(*p)) p->gradDense = true;  // no row bookkeeping yet: dense (as linearSparseBackward)

    const float* dhd = dev(dh, "the lstm output gradient");
    const float* gates = dev(st.gates, "the lstm gates");
    const float* c = dev(st.c, "the lstm cell state");
    const float* tc = dev(st.tc, "the lstm tanh(c)");
    const float* hs = dev(st.h, "the lstm hidden state");
    const float* xs = dev(x, "the lstm input");
    const float* W = dev(Wp.value, "the input weight");
    const float* U = dev(Up.value, "the recurrent weight");
    int* keptd = K > 0 ? dev(kept, "the kept rows") : nullptr;
    m_lstmDa.reserve(static_cast<std::size_t>(T) * G);
    m_lstmDhNext.reserve(static_cast<std::size_t>(H));
    m_lstmDcNext.reserve(static_cast<std::size_t>(H));
    float* da = m_lstmDa.data();
    float* dhNext = m_lstmDhNext.data();
    float* dcNext = m_lstmDcNext.data();
    MEPROP_CUDA_CHECK(cudaMemsetAsync(dhNext, 0, static_cast<std::size_t>(H) * sizeof(float), s));
    MEPROP_CUDA_CHECK(cudaMemsetAsync(dcNext, 0, static_cast<std::size_t>(H) * sizeof(float), s));
    const auto [flag, id] = newFlagSlot();
    m_checks.emplace_back(id, layer);

    if (mode == BackpropMode::Unified) {
        // One shared set per gate block, ranked by the summed local gate gradients.
        m_lstmScore.reserve(static_cast<std::size_t>(G));
        m_lstmShared.reserve(static_cast<std::size_t>(K));
        lstmLocalScore(dhd, gates, c, tc, T, H, reverse, m_lstmScore.data(), s);
        topKRows(m_lstmScore.data(), 4, H, H, k, m_lstmShared.data(), s);
        lstmBlockOffsets(m_lstmShared.data(), 1, k, H, s);
        lstmBroadcastRows(m_lstmShared.data(), K, T, keptd, s);
    } else if (mode == BackpropMode::Random) {
        // ops/TopK's draws from rng in the CPU's order (last processed step first, block by block).
        m_hostIdx.resize(static_cast<std::size_t>(T) * K);
        for (int step = T - 1; step >= 0; --step) {
            const int t = reverse ? T - 1 - step : step;
            int* sel = m_hostIdx.data() + static_cast<std::size_t>(t) * K;
            for (int j = 0; j < 4; ++j) {
                int* out = sel + static_cast<std::size_t>(j) * k;
                randomIndices(H, k, rng, out, m_randomScratch);
                for (int q = 0; q < k; ++q) out[q] += j * H;
            }
        }
        MEPROP_CUDA_CHECK(cudaMemcpyAsync(keptd, m_hostIdx.data(), m_hostIdx.size() * sizeof(int), cudaMemcpyHostToDevice, s));
        MEPROP_CUDA_CHECK(cudaStreamSynchronize(s));  // m_hostIdx is reused by the next call
    }

    for (int step = T - 1; step >= 0; --step) {
        const int t = reverse ? T - 1 - step : step;
        const int tp = step == 0 ? -1 : (reverse ? t + 1 : t - 1);
        float* dat = da + static_cast<std::size_t>(t) * G;
        lstmStepBackward(dhd + static_cast<std::size_t>(t) * H, dhNext, dcNext, gates + static_cast<std::size_t>(t) * G,
                         tp >= 0 ? c + static_cast<std::size_t>(tp) * H : nullptr, tc + static_cast<std::size_t>(t) * H, dat, H, s);
        int* selt = sparse ? keptd + static_cast<std::size_t>(t) * K : nullptr;
        if (mode == BackpropMode::TopK) {
            topKRows(dat, 4, H, H, k, selt, s, flag);
            lstmBlockOffsets(selt, 1, k, H, s);
        }
        if (tp < 0) continue;
        if (sparse)
            lstmKeptRecurrent(dat, selt, K, U, H, dhNext, s);
        else
            m_ctx.gemm(false, false, 1, H, G, 1.0f, dat, U, 0.0f, dhNext);
    }

    // The gradient the products read: da (dense) or da masked to the kept rows.
    const float* D = da;
    if (sparse) {
        m_lstmDaM.reserve(static_cast<std::size_t>(T) * G);
        lstmMaskKept(da, keptd, T, K, G, m_lstmDaM.data(), s);
        D = m_lstmDaM.data();
        if (mode != BackpropMode::TopK) {  // top-k's selection checked every da_t
            flagNonFinite(dhd, static_cast<std::size_t>(T) * H, flag, s);
            flagNonFinite(D, static_cast<std::size_t>(T) * G, flag, s);
        }
    } else {
        flagNonFinite(da, static_cast<std::size_t>(T) * G, flag, s);
    }
    float* dW = dev(Wp.grad, "the input weight gradient");
    float* dU = dev(Up.grad, "the recurrent weight gradient");
    float* db = dev(bp.grad, "the lstm bias gradient");
    m_ctx.gemm(true, false, G, in, T, 1.0f, D, xs, 1.0f, dW);
    const int n1 = T - 1;
    if (n1 > 0) {
        // Row pairs (step t, previous state): (t, t-1) forwards, (t, t+1) in reverse.
        if (reverse)
            m_ctx.gemm(true, false, G, H, n1, 1.0f, D, hs + H, 1.0f, dU);
        else
            m_ctx.gemm(true, false, G, H, n1, 1.0f, D + G, hs, 1.0f, dU);
    }
    if (dx) m_ctx.gemm(false, false, T, in, G, 1.0f, D, W, 0.0f, dx->deviceData());
    std::uint64_t* cnt = dev(counts, "the update counts");
    denseBiasGrad(spec.denseBias || !sparse ? da : D, T, G, db, nullptr, nullptr, s);
    if (sparse) {
        lstmMarkKept(keptd, T * K, Wp.touched.deviceData(), Up.touched.deviceData(), cnt, s);
        MEPROP_CUDA_CHECK(cudaMemsetAsync(bp.touched.deviceData(), 1, 1, s));  // the bias' one row
        if (spec.denseBias) bp.gradDense = true;
    } else {
        cuda::addToCounts(cnt, G, static_cast<std::uint64_t>(T), s);
        Wp.gradDense = Up.gradDense = bp.gradDense = true;
    }
    if (linearSeconds) *linearSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void CudaBackend::copyIntoColumns(const Tensor& src, Tensor& dst, Eigen::Index col)
{
    if (src.rows() != dst.rows() || col < 0 || col + src.cols() > dst.cols())
        throw ShapeError("cuda backend: columns [" + std::to_string(col) + ", " + std::to_string(col + src.cols()) + ") of " +
                         dims(dst.rows(), dst.cols()) + " from " + dims(src.rows(), src.cols()));
    if (src.size() == 0) return;
    MEPROP_CUDA_CHECK(cudaMemcpy2DAsync(dev(dst, "copyIntoColumns' destination") + col, static_cast<std::size_t>(dst.cols()) * sizeof(float),
                                        dev(src, "copyIntoColumns' source"), static_cast<std::size_t>(src.cols()) * sizeof(float),
                                        static_cast<std::size_t>(src.cols()) * sizeof(float), static_cast<std::size_t>(src.rows()),
                                        cudaMemcpyDeviceToDevice, m_ctx.stream()));
}

void CudaBackend::copyColumns(const Tensor& src, Eigen::Index col, Eigen::Index count, Tensor& dst)
{
    if (col < 0 || count < 0 || col + count > src.cols())
        throw ShapeError("cuda backend: columns [" + std::to_string(col) + ", " + std::to_string(col + count) + ") of " +
                         dims(src.rows(), src.cols()));
    if (&src == &dst) throw std::logic_error("cuda backend: copyColumns into its own source");
    const float* from = dev(src, "copyColumns' source");
    resizeDevice(dst, src.rows(), count);
    if (dst.size() == 0) return;
    MEPROP_CUDA_CHECK(cudaMemcpy2DAsync(dst.deviceData(), static_cast<std::size_t>(count) * sizeof(float), from + col,
                                        static_cast<std::size_t>(src.cols()) * sizeof(float), static_cast<std::size_t>(count) * sizeof(float),
                                        static_cast<std::size_t>(src.rows()), cudaMemcpyDeviceToDevice, m_ctx.stream()));
}

void CudaBackend::accumulate(const Tensor& src, Tensor& dst)
{
    requireSameShape(src, dst, "accumulate of src and dst");
    if (src.size() == 0) return;
    if (&src == &dst) {
        cuda::scale(dev(dst, "accumulate's dst"), static_cast<std::size_t>(dst.size()), 2.0f, m_ctx.stream());
        return;
    }
    cuda::add(dev(dst, "accumulate's dst"), dev(src, "accumulate's src"), static_cast<std::size_t>(src.size()), m_ctx.stream());
}

}  // namespace cuda
}  // namespace meprop
