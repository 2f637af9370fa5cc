// The CPU's LSTM operations (backend/Backend.h, "LSTM"): the recurrence and the meProp BPTT of
// layers/Lstm.h, moved from the layer unchanged in their arithmetic, and the embedding lookup.
// The scratch memory is per thread (one CpuBackend serves every thread).
#include "backend/CpuBackend.h"

#include "core/Error.h"
#include "ops/Finite.h"
#include "ops/RandomK.h"
#include "ops/Sigmoid.h"
#include "ops/TopK.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace meprop {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

struct LstmScratch {
    Matrix da, daK, wK, uK, gK, hPrev;
    RowVector dhNext, dcNext, dh, dc, score, local;
    std::vector<int> scratch, order, bucket, fill, shared;
    std::vector<float> selVal;  // da at the kept rows, per step
};

LstmScratch& scratch()
{
    thread_local LstmScratch s __attribute__((tls_model("initial-exec")));  // see CpuSparseLinear.cpp
    return s;
}

// One sentence's view of the state: the step order and the gate gradients of layers/Lstm.h.
struct Bptt {
    const LstmState& st;
    bool reverse;
    int H;
    int step(int s, int T) const { return reverse ? T - 1 - s : s; }

    // Gate pre-activation gradients of step t from the hidden-state gradient dh and the cell-state
    // gradient dc (tp: the previous step, -1 at the first): [di | df | dg | do].
    void gateGradient(int t, int tp, const RowVector& dh, const RowVector& dc, Eigen::Ref<RowVector> out) const
    {
        const auto gates = st.gates.row(t);
        const auto i = gates.segment(0, H).array();
        const auto f = gates.segment(H, H).array();
        const auto g = gates.segment(2 * H, H).array();
        const auto o = gates.segment(3 * H, H).array();
        out.segment(0, H).array() = dc.array() * g * i * (1.0f - i);
        if (tp >= 0) {
            out.segment(H, H).array() = dc.array() * st.c.row(tp).array() * f * (1.0f - f);
        } else {
            out.segment(H, H).setZero();
        }
        out.segment(2 * H, H).array() = dc.array() * i * (1.0f - g * g);
        out.segment(3 * H, H).array() = dh.array() * st.tc.row(t).array() * o * (1.0f - o);
    }

    // The gate gradient of step t from dh_t alone (no recurrent terms): the unified mode's ranking.
    void localGateGradient(const Matrix& dh, int t, int tp, Eigen::Ref<RowVector> out) const
    {
        const auto o = st.gates.row(t).segment(3 * H, H).array();
        const auto tc = st.tc.row(t).array();
        const RowVector d = dh.row(t);
        const RowVector dc = (d.array() * o * (1.0f - tc * tc)).matrix();
        gateGradient(t, tp, d, dc, out);
    }

    void selectShared(const Matrix& dh, int T, int k, LstmScratch& w) const
    {
        w.score.setZero(4 * H);
        w.local.resize(4 * H);
        for (int s = 0; s < T; ++s) {
            localGateGradient(dh, step(s, T), s > 0 ? step(s - 1, T) : -1, w.local);
            w.score.array() += w.local.array().abs();
        }
        w.shared.resize(static_cast<std::size_t>(4 * k));
        for (int j = 0; j < 4; ++j) {
            int* out = w.shared.data() + static_cast<std::size_t>(j) * k;
            // A non-finite score comes from a non-finite dh, which reaches da too: backward's check
            // of da reports it.
            topKIndices(w.score.data() + static_cast<std::size_t>(j) * H, H, k, out, w.scratch);
            for (int q = 0; q < k; ++q) out[q] += j * H;
        }
    }
};

}  // namespace

void CpuBackend::lstmForward(const Tensor& x, const Tensor& W, const Tensor& U, const Tensor& b, bool reverse, LstmState& st)
{
    const int T = static_cast<int>(x.rows());
    const int H = static_cast<int>(U.cols());
    auto step = [&](int s) { return reverse ? T - 1 - s : s; };
    // The input products of all steps as one matrix product; only U h_prev is sequential.
    st.gates.resize(T, 4 * H);
    st.gates.noalias() = x * W.transpose();
    st.gates.rowwise() += b.row(0);
    st.c.resize(T, H);
    st.tc.resize(T, H);
    st.h.resize(T, H);
    for (int s = 0; s < T; ++s) {
        const int t = step(s);
        auto a = st.gates.row(t);
        if (s > 0) a.noalias() += st.h.row(step(s - 1)) * U.transpose();
        sigmoidInPlace(a.segment(0, 2 * H));
        a.segment(2 * H, H).array() = a.segment(2 * H, H).array().tanh();
        sigmoidInPlace(a.segment(3 * H, H));
        const auto i = a.segment(0, H).array();
        const auto f = a.segment(H, H).array();
        const auto g = a.segment(2 * H, H).array();
        const auto o = a.segment(3 * H, H).array();
        if (s > 0) {
            st.c.row(t).array() = f * st.c.row(step(s - 1)).array() + i * g;
        } else {
            st.c.row(t).array() = i * g;
        }
        st.tc.row(t).array() = st.c.row(t).array().tanh();
        st.h.row(t).array() = o * st.tc.row(t).array();
    }
}

void CpuBackend::lstmBackward(const Tensor& dh, const Tensor& x, const LstmState& st, bool reverse, const LstmBackprop& spec, Rng& rng,
                              Parameter& Wp, Parameter& Up, Parameter& bp, CountTensor& countsT, IndexTensor& kept, Tensor* dxp,
                              const std::string& layer, double* linearSeconds)
{
    const int T = static_cast<int>(x.rows());
    const int H = static_cast<int>(Up.value.cols());
    const int G = 4 * H;
    const Bptt bptt{st, reverse, H};
    auto step = [&](int s, int n) { return bptt.step(s, n); };
    LstmScratch& w = scratch();
    const BackpropMode mode = spec.mode;
    const bool sparse = mode != BackpropMode::Dense;
    const int k = sparse ? spec.k : H;
    const int K = sparse ? 4 * k : G;
    if (sparse) {
        kept.resize(T, K);
        w.selVal.resize(static_cast<std::size_t>(T) * K);
    } else {
        kept.resize(T, 0);
    }
    int* const selAll = kept.data();
    std::uint64_t* const counts = countsT.data();
    const bool needDx = dxp != nullptr;
    if (needDx) dxp->setZero(T, x.cols());

    Matrix& dW = Wp.grad;
    Matrix& dU = Up.grad;
    Matrix& db = bp.grad;
    const Matrix& W = Wp.value;
    const Matrix& U = Up.value;
    const Matrix& hs = st.h;
    double linear = 0.0;

    // Random: one key per call with steps (as on the GPU); the gate block j of step t is stream
    // 4 t + j (ops/RandomK.h), so the kept rows do not depend on the order the steps are processed in.
    const std::uint64_t randomKey = mode == BackpropMode::Random && T > 0 ? rng.bits() : 0;
    const std::vector<int>& shared = w.shared;
    if (mode == BackpropMode::Unified) {
        const auto t0 = Clock::now();
        bptt.selectShared(dh, T, k, w);
        w.uK.resize(K, H);
        for (int j = 0; j < K; ++j) w.uK.row(j) = U.row(shared[static_cast<std::size_t>(j)]);
        w.daK.resize(T, K);
        linear += secondsSince(t0);
    }

    w.da.resize(T, G);
    w.dhNext.setZero(H);
    w.dcNext.setZero(H);
    for (int s = T - 1; s >= 0; --s) {
        const int t = step(s, T);
        const int tp = s > 0 ? step(s - 1, T) : -1;
        const auto f = st.gates.row(t).segment(H, H).array();
        const auto o = st.gates.row(t).segment(3 * H, H).array();
        const auto tc = st.tc.row(t).array();
        w.dh = dh.row(t) + w.dhNext;
        w.dc.array() = w.dh.array() * o * (1.0f - tc * tc) + w.dcNext.array();
        auto da = w.da.row(t);
        bptt.gateGradient(t, tp, w.dh, w.dc, da);
        w.dcNext.array() = w.dc.array() * f;

        const auto t0 = Clock::now();
        switch (mode) {
        case BackpropMode::Dense:
            if (tp >= 0) w.dhNext.noalias() = da * U;
            break;
        case BackpropMode::Unified:
            for (int j = 0; j < K; ++j) w.daK(t, j) = da(shared[static_cast<std::size_t>(j)]);
            if (tp >= 0) w.dhNext.noalias() = w.daK.row(t) * w.uK;
            break;
        case BackpropMode::TopK:
        case BackpropMode::Random: {
            int* sel = selAll + static_cast<std::size_t>(t) * K;
            for (int j = 0; j < 4; ++j) {
                int* out = sel + static_cast<std::size_t>(j) * k;
                if (mode == BackpropMode::TopK) {
                    if (!topKIndices(da.data() + static_cast<std::size_t>(j) * H, H, k, out, w.scratch))
                        throw NonFiniteGradient(layer);
                } else {
                    randomKIndices(randomKey, 4 * static_cast<std::uint64_t>(t) + static_cast<std::uint64_t>(j), H, k, out);
                }
                for (int q = 0; q < k; ++q) out[q] += j * H;
            }
            // Only the recurrence needs this step's products now; the weight gradients and dx are
            // added after the loop, grouped by row (see below).
            float* val = w.selVal.data() + static_cast<std::size_t>(t) * K;
            for (int j = 0; j < K; ++j) val[j] = da(sel[j]);
            if (tp >= 0) {
                // Four rows per pass: one load/store of dh per four rows of U (K = 4k is a multiple of 4).
                w.dhNext.setZero();
                for (int j = 0; j < K; j += 4)
                    w.dhNext.noalias() += val[j] * U.row(sel[j]) + val[j + 1] * U.row(sel[j + 1]) +
                                          val[j + 2] * U.row(sel[j + 2]) + val[j + 3] * U.row(sel[j + 3]);
            }
            break;
        }
        }
        linear += secondsSince(t0);
    }

    // The gradients must be finite before they reach the weight gradients: the one this layer
    // received (dh, in full, in every mode) and the gate gradients the products read. Top-k checked
    // every da_t in its selection (which covers dh); dense reads all of da anyway; unified and
    // random check dh and the kept entries (a non-finite dh column ranks first in unified's score,
    // so it is kept; an entry neither kept nor received is never used).
    bool finite = true;
    switch (mode) {
    case BackpropMode::TopK: break;
    case BackpropMode::Dense: finite = allFinite(w.da.data(), static_cast<std::size_t>(w.da.size())); break;
    case BackpropMode::Unified:
        finite = allFinite(dh.data(), static_cast<std::size_t>(dh.size())) &&
                 allFinite(w.daK.data(), static_cast<std::size_t>(w.daK.size()));
        break;
    case BackpropMode::Random:
        finite = allFinite(dh.data(), static_cast<std::size_t>(dh.size())) && allFinite(w.selVal.data(), w.selVal.size());
        break;
    }
    if (!finite) throw NonFiniteGradient(layer);

    // The products that do not depend on the recurrence run once over the whole sentence. Row pairs
    // (step t, previous state) are (t, t-1) forwards and (t, t+1) in reverse.
    const auto t0 = Clock::now();
    const int n1 = T - 1;
    switch (mode) {
    case BackpropMode::Dense: {
        dW.noalias() += w.da.transpose() * x;
        db.row(0) += w.da.colwise().sum();
        if (n1 > 0) {
            if (reverse) {
                dU.noalias() += w.da.topRows(n1).transpose() * hs.bottomRows(n1);
            } else {
                dU.noalias() += w.da.bottomRows(n1).transpose() * hs.topRows(n1);
            }
        }
        if (needDx) dxp->noalias() = w.da * W;
        Wp.touchAll();
        Up.touchAll();
        bp.touchAll();
        countsT.array() += static_cast<std::uint64_t>(T);
        break;
    }
    case BackpropMode::Unified: {
        w.gK.resize(K, x.cols());
        w.gK.noalias() = w.daK.transpose() * x;
        Matrix dUK = Matrix::Zero(K, H);
        if (n1 > 0) {
            if (reverse) {
                dUK.noalias() += w.daK.topRows(n1).transpose() * hs.bottomRows(n1);
            } else {
                dUK.noalias() += w.daK.bottomRows(n1).transpose() * hs.topRows(n1);
            }
        }
        if (needDx) {
            w.wK.resize(K, x.cols());
            for (int j = 0; j < K; ++j) w.wK.row(j) = W.row(shared[static_cast<std::size_t>(j)]);
            dxp->noalias() = w.daK * w.wK;
        }
        for (int j = 0; j < K; ++j) {
            const int r = shared[static_cast<std::size_t>(j)];
            dW.row(r) += w.gK.row(j);
            dU.row(r) += dUK.row(j);
            if (!spec.denseBias) db(0, r) += w.daK.col(j).sum();
            Wp.touchRow(r);
            Up.touchRow(r);
            counts[static_cast<std::size_t>(r)] += static_cast<std::uint64_t>(T);
        }
        bp.touchRow(0);
        for (int t = 0; t < T; ++t) std::copy(shared.begin(), shared.end(), selAll + static_cast<std::ptrdiff_t>(t) * K);
        break;
    }
    case BackpropMode::TopK:
    case BackpropMode::Random: {
        // Group the kept (step, row) pairs by row (a counting sort, stable in time): each touched row
        // of W, U, dW and dU is then streamed once per sentence instead of once per step (rows repeat
        // across steps), while x, the previous states and dx (T rows each) stay in cache.
        const int pairs = T * K;
        w.bucket.assign(static_cast<std::size_t>(G) + 1, 0);
        for (int q = 0; q < pairs; ++q) ++w.bucket[static_cast<std::size_t>(selAll[q]) + 1];
        for (int r = 0; r < G; ++r) w.bucket[static_cast<std::size_t>(r) + 1] += w.bucket[static_cast<std::size_t>(r)];
        w.order.resize(static_cast<std::size_t>(pairs));
        w.fill.assign(w.bucket.begin(), w.bucket.end() - 1);
        for (int q = 0; q < pairs; ++q) w.order[static_cast<std::size_t>(w.fill[static_cast<std::size_t>(selAll[q])]++)] = q;
        // Row t: the state step t read (zero at the first step), so that every pair has one.
        w.hPrev.resize(T, H);
        for (int st2 = 0; st2 < T; ++st2) {
            if (st2 > 0) {
                w.hPrev.row(step(st2, T)) = hs.row(step(st2 - 1, T));
            } else {
                w.hPrev.row(step(0, T)).setZero();
            }
        }
        const float* selVal = w.selVal.data();
        const Matrix& hPrev = w.hPrev;
        for (int r = 0; r < G; ++r) {
            const int b = w.bucket[static_cast<std::size_t>(r)], e = w.bucket[static_cast<std::size_t>(r) + 1];
            if (b == e) continue;
            auto dWr = dW.row(r);
            auto dUr = dU.row(r);
            const auto Wr = W.row(r);
            const int* pos = w.order.data() + b;
            const int n = e - b;
            auto tOf = [K](int p) { return p / K; };
            auto vOf = [selVal](int p) { return selVal[static_cast<std::size_t>(p)]; };
            float dbr = 0.0f;
            int q = 0;
            for (; q + 4 <= n; q += 4) {  // four steps per pass over the row
                const int p0 = pos[q], p1 = pos[q + 1], p2 = pos[q + 2], p3 = pos[q + 3];
                const float v0 = vOf(p0), v1 = vOf(p1), v2 = vOf(p2), v3 = vOf(p3);
                const int t0_ = tOf(p0), t1 = tOf(p1), t2 = tOf(p2), t3 = tOf(p3);
                dWr.noalias() += v0 * x.row(t0_) + v1 * x.row(t1) + v2 * x.row(t2) + v3 * x.row(t3);
                dUr.noalias() += v0 * hPrev.row(t0_) + v1 * hPrev.row(t1) + v2 * hPrev.row(t2) + v3 * hPrev.row(t3);
                dbr += v0 + v1 + v2 + v3;
            }
            for (; q < n; ++q) {
                const float v = vOf(pos[q]);
                const int t = tOf(pos[q]);
                dWr.noalias() += v * x.row(t);
                dUr.noalias() += v * hPrev.row(t);
                dbr += v;
            }
            if (needDx)
                for (q = 0; q < n; ++q) dxp->row(tOf(pos[q])).noalias() += vOf(pos[q]) * Wr;
            if (!spec.denseBias) db(0, r) += dbr;
            counts[static_cast<std::size_t>(r)] += static_cast<std::uint64_t>(n);
            Wp.touchRow(r);
            Up.touchRow(r);
        }
        bp.touchRow(0);
        break;
    }
    }
    if (spec.denseBias && mode != BackpropMode::Dense) {
        db.row(0) += w.da.colwise().sum();
        bp.touchAll();
    }
    linear += secondsSince(t0);
    if (linearSeconds) *linearSeconds += linear;
}

}  // namespace meprop
