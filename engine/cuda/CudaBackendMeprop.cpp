#include "cuda/CudaBackend.h"

#include "cuda/CudaBackendSupport.h"
#include "cuda/Finite.cuh"
#include "cuda/Optim.cuh"
#include "cuda/RandomK.cuh"
#include "cuda/TopK.cuh"
#include "ops/TopK.h"
#include "optim/UpdateKernels.h"

// The meProp operations (selection, the sparse backward of a linear layer) and the parameter
// bookkeeping and optimizer updates of the GPU backend (cuda/CudaBackend.h).

namespace meprop::cuda {

using namespace detail;

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
        // ops/RandomK.h's components of one key from rng, computed on the device: no host draws,
        // no upload, no synchronisation.
        flagNonFinite(g, static_cast<std::size_t>(dy.size()), flag, s);
        m_randomBits.reserve(randomKScratchWords(batch, n));
        randomKRows(rng.bits(), batch, n, k, sel.deviceIndices.deviceData(), m_randomBits.data(), s);
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

}  // namespace meprop::cuda
