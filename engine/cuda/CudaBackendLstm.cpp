#include "cuda/CudaBackend.h"

#include "cuda/CudaBackendSupport.h"
#include "cuda/Elementwise.cuh"
#include "cuda/Finite.cuh"
#include "cuda/Lstm.cuh"
#include "cuda/RandomK.cuh"
#include "cuda/SparseLinear.cuh"
#include "cuda/TopK.cuh"
#include "ops/TopK.h"

#include <algorithm>
#include <chrono>
#include <numeric>

// The LSTM operations of the GPU backend (cuda/CudaBackend.h, layers/Lstm.h).

namespace meprop::cuda {

using namespace detail;

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
    m_checks.push_back({id, layer, m_step});  // (emplace_back(id, layer) would leave the step 0)

    if (mode == BackpropMode::Unified) {
        // One shared set per gate block, ranked by the summed local gate gradients.
        m_lstmScore.reserve(static_cast<std::size_t>(G));
        m_lstmShared.reserve(static_cast<std::size_t>(K));
        lstmLocalScore(dhd, gates, c, tc, T, H, reverse, m_lstmScore.data(), s);
        topKRows(m_lstmScore.data(), 4, H, H, k, m_lstmShared.data(), s);
        lstmBlockOffsets(m_lstmShared.data(), 1, k, H, s);
        lstmBroadcastRows(m_lstmShared.data(), K, T, keptd, s);
    } else if (mode == BackpropMode::Random) {
        // ops/RandomK.h's rows of one key, all steps at once on the device: row 4 t + j of
        // (T x 4) rows of H is the gate block j of step t, the CPU's stream 4 t + j.
        m_randomBits.reserve(randomKScratchWords(4 * T, H));
        randomKRows(rng.bits(), 4 * T, H, k, keptd, m_randomBits.data(), s);
        lstmBlockOffsets(keptd, T, k, H, s);
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

    float* dW = dev(Wp.grad, "the input weight gradient");
    float* dU = dev(Up.grad, "the recurrent weight gradient");
    float* db = dev(bp.grad, "the lstm bias gradient");
    std::uint64_t* cnt = dev(counts, "the update counts");
    float* dxd = dx ? dx->deviceData() : nullptr;
    const int n1 = T - 1;
    // The bias of a sparse mode gets its kept entries with the weight rows below, or (denseBias)
    // the sum of the whole da here.
    float* dbKept = spec.denseBias ? nullptr : db;
    if (!sparse) {
        // Row pairs (step t, previous state): (t, t-1) forwards, (t, t+1) in reverse.
        flagNonFinite(da, static_cast<std::size_t>(T) * G, flag, s);
        if (in > 0) m_ctx.gemm(true, false, G, in, T, 1.0f, da, xs, 1.0f, dW);
        if (n1 > 0) {
            if (reverse)
                m_ctx.gemm(true, false, G, H, n1, 1.0f, da, hs + H, 1.0f, dU);
            else
                m_ctx.gemm(true, false, G, H, n1, 1.0f, da + G, hs, 1.0f, dU);
        }
        if (dxd && in > 0) m_ctx.gemm(false, false, T, in, G, 1.0f, da, W, 0.0f, dxd);
        denseBiasGrad(da, T, G, db, nullptr, nullptr, s);
        cuda::addToCounts(cnt, G, static_cast<std::uint64_t>(T), s);
        Wp.gradDense = Up.gradDense = bp.gradDense = true;
    } else if (mode == BackpropMode::Unified) {
        // As the CPU and the linear layer: the same K rows at every step, so gather da's K columns
        // (T x K) and W's K rows once, three small GEMMs (dW_K = da_K^T X, dU_K = da_K'^T H', dX =
        // da_K W_K), scatter dW_K, dU_K into the kept rows (with db, touched and the counts).
        const int* shared = m_lstmShared.data();
        const std::size_t cols = static_cast<std::size_t>(std::max(in, H));
        m_dyK.reserve(static_cast<std::size_t>(T) * K);
        m_dwK.reserve(static_cast<std::size_t>(K) * cols);
        if (dxd) m_wK.reserve(static_cast<std::size_t>(K) * std::max(in, 1));
        float* daK = m_dyK.data();
        float* gK = m_dwK.data();
        const bool gatherW = dxd && in > 0;
        gatherUnified(da, T, G, shared, K, gatherW ? W : nullptr, in, daK, gatherW ? m_wK.data() : nullptr, s);
        flagNonFinite(dhd, static_cast<std::size_t>(T) * H, flag, s);
        flagNonFinite(daK, static_cast<std::size_t>(T) * K, flag, s);
        if (gatherW) m_ctx.gemm(false, false, T, in, K, 1.0f, daK, m_wK.data(), 0.0f, dxd);
        if (in > 0) {
            m_ctx.gemm(true, false, K, in, T, 1.0f, daK, xs, 0.0f, gK);
            scatterUnified(gK, daK, T, K, in, shared, dW, dbKept, Wp.touched.deviceData(), cnt, s);
        }
        // gK is read by the scatter above before the stream runs the next product into it.
        if (n1 > 0) {
            if (reverse)
                m_ctx.gemm(true, false, K, H, n1, 1.0f, daK, hs + H, 0.0f, gK);
            else
                m_ctx.gemm(true, false, K, H, n1, 1.0f, daK + K, hs, 0.0f, gK);
        } else {
            MEPROP_CUDA_CHECK(cudaMemsetAsync(gK, 0, static_cast<std::size_t>(K) * H * sizeof(float), s));  // no previous state
        }
        // (Without input columns the bias and the counts come with dU's rows.)
        scatterUnified(gK, daK, T, K, H, shared, dU, in > 0 ? nullptr : dbKept, Up.touched.deviceData(), in > 0 ? nullptr : cnt, s);
    } else {
        // topk, random (as the CPU and the linear layer): the (kept row, step) pairs grouped by row
        // (a stable CUB radix sort, steps ascending within a row), then one block column per touched
        // row: dW_r += sum_t da[t, r] x_t and dU_r += sum_t da[t, r] h_prev(t), in that fixed order
        // (no float atomics); dX_t as the combination of its K kept rows of W. O(T K (in + H)).
        // h_prev(t) as rows: hPrev[t] = h[t - 1] forwards, h[t + 1] in reverse, zero for the first
        // processed step (as the CPU's: that step's pairs add exact zeros to dU).
        m_lstmHPrev.reserve(static_cast<std::size_t>(T) * H);
        float* hPrev = m_lstmHPrev.data();
        const std::size_t rowBytes = static_cast<std::size_t>(H) * sizeof(float);
        float* firstRow = hPrev + static_cast<std::size_t>(reverse ? T - 1 : 0) * H;
        if (n1 > 0)
            MEPROP_CUDA_CHECK(cudaMemcpyAsync(reverse ? hPrev : hPrev + H, reverse ? hs + H : hs, static_cast<std::size_t>(n1) * rowBytes,
                                              cudaMemcpyDeviceToDevice, s));
        MEPROP_CUDA_CHECK(cudaMemsetAsync(firstRow, 0, rowBytes, s));
        // Random: the kept entries are checked as the grouped products read them (with dh, as the
        // CPU); top-k's selection checked every da_t.
        unsigned* keptFlag = mode == BackpropMode::Random ? flag : nullptr;
        if (mode == BackpropMode::Random) flagNonFinite(dhd, static_cast<std::size_t>(T) * H, flag, s);
        groupSelectionByRow(keptd, T, K, G, m_rowGroups, s);
        if (in > 0) groupedWeightGrad(da, G, m_rowGroups, xs, in, dW, dbKept, Wp.touched.deviceData(), cnt, s, keptFlag);
        // (Without input columns the bias, the counts and the check come with dU's rows.)
        const bool alone = in == 0;
        groupedWeightGrad(da, G, m_rowGroups, hPrev, H, dU, alone ? dbKept : nullptr, Up.touched.deviceData(), alone ? cnt : nullptr, s,
                          alone ? keptFlag : nullptr);
        if (dxd && in > 0) perExampleInputGrad(da, T, G, keptd, K, W, in, dxd, s);
    }
    if (sparse && in == 0) Wp.gradDense = true;  // W has no elements: nothing to keep track of
    if (sparse) {
        if (spec.denseBias) {
            denseBiasGrad(da, T, G, db, nullptr, nullptr, s);
            bp.gradDense = true;
        }
        MEPROP_CUDA_CHECK(cudaMemsetAsync(bp.touched.deviceData(), 1, 1, s));  // the bias' one row
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

}  // namespace meprop::cuda
