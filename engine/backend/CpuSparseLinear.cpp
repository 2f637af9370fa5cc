// The CPU's sparse backward of a linear layer (Backend::linearSparseBackward): the formulas of
// layers/Linear.h computed by three kernels, chosen by how much of dy is kept (measured on a
// 500x500 layer, see tests/bench/LinearBackwardBench.cpp): the row kernels win while the kept
// entries are few; unified selections with many kept entries in total go faster as gathered GEMMs;
// per-example selections keeping half the components or more go faster as masked GEMMs.
// Scratch memory is per thread (thread_local), so the one CpuBackend serves every thread.
#include "backend/CpuBackend.h"

#include "core/Error.h"
#include "core/Parallel.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace meprop {

// From this many kept entries (batch * k) on, unified mode gathers the k shared columns for GEMMs.
constexpr int kUnifiedGemmEntries = 350;

namespace {

// dst[0..m) = (fresh ? 0 : dst[0..m)) + sum_{j < count} coef[j] * src[j][0..m), count >= 1.
// The columns go in blocks held in registers across all `count` sources, so dst is written once
// (and read once unless fresh) and each source row is read once: per kept entry one load and one
// FMA per 8 floats, the inner loop of a GEMM, instead of an axpy's load-FMA-store of dst.
template <int kBlock>
int combineBlocks(int c0, int m, float* dst, bool fresh, const float* coef, const float* const* src, int count)
{
    using Block = Eigen::Array<float, kBlock, 1>;
    for (; c0 + kBlock <= m; c0 += kBlock) {
        // Start from the first term, not from zeros: Eigen fills a fixed-size Zero() with scalar
        // stores that stall the vector loads after them.
        Block acc = coef[0] * Eigen::Map<const Block>(src[0] + c0);
        if (!fresh) acc += Eigen::Map<const Block>(dst + c0);
        for (int j = 1; j < count; ++j) acc += coef[j] * Eigen::Map<const Block>(src[j] + c0);
        Eigen::Map<Block>(dst + c0) = acc;
    }
    return c0;
}

void combineRows(float* dst, bool fresh, const float* coef, const float* const* src, int count, int m)
{
    int c0 = combineBlocks<64>(0, m, dst, fresh, coef, src, count);
    c0 = combineBlocks<8>(c0, m, dst, fresh, coef, src, count);
    combineBlocks<1>(c0, m, dst, fresh, coef, src, count);
}

}  // namespace

namespace {

// Scratch of the kernels: the selected (example, component) entries grouped by output row as
// linked lists (head[r] = first entry or -1, kept all -1 between calls), the rows kept by at least
// one example, and the coefficients and source rows of one combination; gathered matrices.
struct Scratch {
    Matrix dyK, wK, dwK, dyMasked;
    std::vector<int> head, next, rowsKept;
    std::vector<float> coef;
    std::vector<const float*> src;
    void ensureHead(int n)
    {
        if (head.size() < static_cast<std::size_t>(n)) head.resize(static_cast<std::size_t>(n), -1);
    }
};

Scratch& scratch()
{
    // initial-exec: a direct access to the thread's block instead of a __tls_get_addr call per use
    // (measured: ~2 % of a small sparse backward); the engine is linked, not dlopen()ed.
    thread_local Scratch s __attribute__((tls_model("initial-exec")));
    return s;
}

struct Job {
    const Matrix& dy;
    const Selection& sel;
    const Matrix& x;
    Parameter& w;
    Parameter& b;
    std::uint64_t* counts;
    Matrix* dx;
    Scratch& s;
    int in() const { return static_cast<int>(w.value.cols()); }
    int out() const { return static_cast<int>(w.value.rows()); }
};

void backwardUnifiedGemm(Job& L)
{
    const Matrix& dy = L.dy;
    const bool needInputGrad = L.dx != nullptr;
    Scratch& S = L.s;
    const int batch = static_cast<int>(dy.rows());
    const int k = L.sel.k;
    const auto& idx = L.sel.indices;
    if (k == L.out()) {
        // Every column kept (the indices are 0..n-1): the dense products, without gathering.
        if (needInputGrad) (*L.dx).noalias() = dy * L.w.value;
        L.w.grad.noalias() += dy.transpose() * L.x;
        L.b.grad.row(0) += dy.colwise().sum();
        for (int r = 0; r < k; ++r) {
            L.w.touchRow(r);
            L.counts[r] += static_cast<std::uint64_t>(batch);
        }
        L.b.touchRow(0);
        return;
    }
    S.dyK.resize(batch, k);
    for (int j = 0; j < k; ++j) S.dyK.col(j) = dy.col(idx[static_cast<std::size_t>(j)]);
    if (needInputGrad) {
        S.wK.resize(k, L.in());
        for (int j = 0; j < k; ++j) S.wK.row(j) = L.w.value.row(idx[static_cast<std::size_t>(j)]);
        (*L.dx).noalias() = S.dyK * S.wK;
    }
    S.dwK.resize(k, L.in());
    S.dwK.noalias() = S.dyK.transpose() * L.x;
    for (int j = 0; j < k; ++j) {
        const int r = idx[static_cast<std::size_t>(j)];
        L.w.grad.row(r) += S.dwK.row(j);
        L.b.grad(0, r) += S.dyK.col(j).sum();
        L.w.touchRow(r);
        L.counts[r] += static_cast<std::uint64_t>(batch);
    }
    L.b.touchRow(0);
}

void backwardMaskedGemm(Job& L)
{
    const Matrix& dy = L.dy;
    const bool needInputGrad = L.dx != nullptr;
    Scratch& S = L.s;
    const int batch = static_cast<int>(dy.rows());
    const int n = L.out();
    const int k = L.sel.k;
    S.dyMasked.resize(batch, n);
    // memset: Eigen's setZero() compiles to a scalar fill loop here.
    std::memset(S.dyMasked.data(), 0, static_cast<std::size_t>(S.dyMasked.size()) * sizeof(float));
    S.ensureHead(n);
    S.rowsKept.clear();
    for (int b = 0; b < batch; ++b) {
        const int* idx = L.sel.row(b);
        for (int j = 0; j < k; ++j) {
            const int r = idx[j];
            S.dyMasked(b, r) = dy(b, r);
            int& count = S.head[static_cast<std::size_t>(r)];
            if (count < 0) {
                S.rowsKept.push_back(r);
                count = 0;
            }
            ++count;
        }
    }
    if (needInputGrad) (*L.dx).noalias() = S.dyMasked * L.w.value;
    const int u = static_cast<int>(S.rowsKept.size());
    Parameter& w = L.w;
    if (u == n) {
        // Every row is kept by some example: one dense product, no gathering.
        w.grad.noalias() += S.dyMasked.transpose() * L.x;
        L.b.grad.row(0) += S.dyMasked.colwise().sum();
        for (int r = 0; r < n; ++r) {
            int& count = S.head[static_cast<std::size_t>(r)];
            L.counts[r] += static_cast<std::uint64_t>(count);
            count = -1;
            w.touchRow(r);
        }
        L.b.touchRow(0);
        return;
    }
    S.dyK.resize(batch, u);
    for (int j = 0; j < u; ++j) S.dyK.col(j) = S.dyMasked.col(S.rowsKept[static_cast<std::size_t>(j)]);
    S.dwK.resize(u, L.in());
    S.dwK.noalias() = S.dyK.transpose() * L.x;
    for (int j = 0; j < u; ++j) {
        const int r = S.rowsKept[static_cast<std::size_t>(j)];
        const bool fresh = w.rowSparse && (w.rowMark.empty() || !w.rowMark[static_cast<std::size_t>(r)]);
        if (fresh)
            w.grad.row(r) = S.dwK.row(j);
        else
            w.grad.row(r) += S.dwK.row(j);
        L.b.grad(0, r) += S.dyK.col(j).sum();
        int& count = S.head[static_cast<std::size_t>(r)];
        L.counts[r] += static_cast<std::uint64_t>(count);
        count = -1;
        w.touchRow(r);
    }
    L.b.touchRow(0);
}

namespace {

// dx_b = sum over the kept j of dy_bj W_j for the examples b in [lo, hi): one example per index,
// so any split over threads gives the same rows. coef, src: room for k entries. Inlined into both
// callers: out of line, the call cost about 90 instructions at batch 1 (k=5: 2 % of the backward).
[[gnu::always_inline]] inline void sparseInputGradient(const Matrix& dy, const Selection& sel, const float* w, int m, long lo,
                                                      long hi, Matrix& dx, float* coef,
                         const float** src)
{
    const int k = sel.k;
    for (long b = lo; b < hi; ++b) {
        const int* idx = sel.row(static_cast<int>(b));
        for (int j = 0; j < k; ++j) {
            coef[j] = dy(b, idx[j]);
            src[j] = w + static_cast<std::ptrdiff_t>(idx[j]) * m;
        }
        combineRows(dx.row(b).data(), true, coef, src, k, m);
    }
}

// The kept rows' gradients: for the rows rows[lo..hi), dW_r += sum over the examples b keeping r
// (the linked list head[r], next) of dy_br x_b, db_r += the sum of those dy_br, counts[r] += how
// many; head[r] is reset to -1. Each row is summed over its examples in the list's order, so any
// split of the rows over threads gives the same bits. Reads w.rowMark; kTouch (one thread, the
// calling one) also adds each row to w's row list right after it, in the rows' order; without it
// (threads) no row list is written and the caller adds the rows afterwards in the same order.
// coef, src: room for batch entries.
template <bool kTouch>
void sparseWeightGradient(const Matrix& dy, const Matrix& x, int k, const int* rows, long lo, long hi, int* head, const int* next,
                          Parameter& w, Parameter& bias, std::uint64_t* counts, float* coef, const float** src)
{
    const int m = static_cast<int>(x.cols());
    for (long j = lo; j < hi; ++j) {
        const int r = rows[j];
        int count = 0;
        float gsum = 0.0f;
        for (int e = head[r]; e >= 0; e = next[e]) {
            const int b = e / k;
            const float g = dy(b, r);
            coef[count] = g;
            src[count] = x.row(b).data();
            gsum += g;
            ++count;
        }
        head[r] = -1;
        // A row-sparse gradient is zero outside its row list (Parameter's invariant, which
        // zeroGrad relies on too), so a row not yet touched is written without being read.
        const bool fresh = w.rowSparse && (w.rowMark.empty() || !w.rowMark[static_cast<std::size_t>(r)]);
        combineRows(w.grad.row(r).data(), fresh, coef, src, count, m);
        bias.grad(0, r) += gsum;
        counts[r] += static_cast<std::uint64_t>(count);
        if constexpr (kTouch) w.touchRow(r);
    }
}

}  // namespace

void backwardSparseRows(Job& L)
{
    const Matrix& dy = L.dy;
    const bool needInputGrad = L.dx != nullptr;
    Scratch& S = L.s;
    const int batch = static_cast<int>(dy.rows());
    const int k = L.sel.k;
    const int m = L.in();
    S.coef.resize(static_cast<std::size_t>(std::max(batch, k)));
    S.src.resize(S.coef.size());
    // Threads share the work only from about kMinFloatsPerThread multiply-adds each on: below,
    // starting them costs more than they save (batch 1 and small k stay on the calling thread).
    constexpr long kMinFloatsPerThread = 32768;
    const long work = static_cast<long>(batch) * k * m;  // of dx, and again of dW
    const bool threaded = work >= 2 * kMinFloatsPerThread && engineThreads() > 1;
    // Runs body(lo, hi, coef, src) over [0, n) on the threads: the calling thread with the members'
    // scratch, the others with their own.
    auto spread = [&](long n, long minPerThread, auto&& body) {
        parallelRanges(n, minPerThread, [&](long lo, long hi) {
            if (omp_get_thread_num() == 0) return body(lo, hi, S.coef.data(), S.src.data());
            std::vector<float> coef(S.coef.size());
            std::vector<const float*> src(S.coef.size());
            body(lo, hi, coef.data(), src.data());
        });
    };

    if (needInputGrad) {
        (*L.dx).resize(batch, m);
        const float* w = L.w.value.data();  // row-major: row r starts at w + r * m
        if (threaded)
            spread(batch, std::max(1L, kMinFloatsPerThread / (static_cast<long>(k) * m)), [&](long lo, long hi, float* coef, const float** src) {
                sparseInputGradient(dy, L.sel, w, m, lo, hi, (*L.dx), coef, src);
            });
        else
            sparseInputGradient(dy, L.sel, w, m, 0, batch, (*L.dx), S.coef.data(), S.src.data());
    }

    // Group the kept entries by output row (linked lists through S.next, O(batch k)), then
    // dW_r += sum over the examples b keeping r of dy_br x_b: each kept row of dW is written once.
    if (S.head.size() != static_cast<std::size_t>(L.out())) S.head.assign(static_cast<std::size_t>(L.out()), -1);
    S.next.resize(static_cast<std::size_t>(batch) * static_cast<std::size_t>(k));
    S.rowsKept.clear();
    for (int b = 0; b < batch; ++b) {
        const int* idx = L.sel.row(b);
        for (int j = 0; j < k; ++j) {
            const int r = idx[j];
            const int e = b * k + j;
            int& head = S.head[static_cast<std::size_t>(r)];
            if (head < 0) S.rowsKept.push_back(r);
            S.next[static_cast<std::size_t>(e)] = head;
            head = e;
        }
    }
    // The row list of the gradient (touchRow) is written on this thread in the order of
    // S.rowsKept: row by row in the pass on one thread, afterwards with threads; the same list.
    const long u = static_cast<long>(S.rowsKept.size());
    if (threaded) {
        spread(u, std::max(1L, kMinFloatsPerThread * u / std::max(1L, work)), [&](long lo, long hi, float* coef, const float** src) {
            sparseWeightGradient<false>(dy, L.x, k, S.rowsKept.data(), lo, hi, S.head.data(), S.next.data(), L.w, L.b, L.counts, coef,
                                        src);
        });
        for (int r : S.rowsKept) L.w.touchRow(r);
    } else {
        sparseWeightGradient<true>(dy, L.x, k, S.rowsKept.data(), 0, u, S.head.data(), S.next.data(), L.w, L.b, L.counts, S.coef.data(),
                                   S.src.data());
    }
    L.b.touchRow(0);
}


}  // namespace

void CpuBackend::linearSparseBackward(const Tensor& dy, const Selection& sel, const Tensor& x, Parameter& w, Parameter& b,
                                      CountTensor& counts, Tensor* dx, Precision)
{
    const int batch = static_cast<int>(dy.rows());
    Job job{dy, sel, x, w, b, counts.data(), dx, scratch()};
    if (sel.mode == BackpropMode::Unified && batch >= 4 && batch * sel.k >= kUnifiedGemmEntries)
        backwardUnifiedGemm(job);
    else if (sel.mode != BackpropMode::Unified && batch >= 2 && 2 * sel.k >= job.out())
        backwardMaskedGemm(job);
    else
        backwardSparseRows(job);
}

}  // namespace meprop
