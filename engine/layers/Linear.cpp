#include "layers/Linear.h"

#include "core/Error.h"
#include "core/Parallel.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace meprop {

// From this many kept entries (batch * k) on, unified mode gathers the k shared columns for GEMMs.
constexpr int kUnifiedGemmEntries = 350;

Linear::Linear(int in, int out, Rng& rng, Init init, const std::string& name)
    : m_name(name), m_w(name + ".weight", out, in), m_b(name + ".bias", 1, out), m_counts(static_cast<std::size_t>(out), 0)
{
    if (in < 1 || out < 1) throw ShapeError(name + ": layer sizes must be positive");
    initWeights(m_w.value, init, in, out, rng);
    m_w.zeroGrad();
    m_b.zeroGrad();
}

void Linear::save(CheckpointWriter& w) const
{
    w.section("linear");
    w.parameter(m_w);
    w.parameter(m_b);
    w.u64s(m_counts);
}

void Linear::load(CheckpointReader& r)
{
    r.section("linear");
    r.parameterInto(m_w);
    r.parameterInto(m_b);
    m_counts = r.u64s(m_counts.size(), m_w.name + " update counts");
    m_w.zeroGrad();
    m_b.zeroGrad();
}

void Linear::forward(const Matrix& x, Matrix& y)
{
    if (x.cols() != in())
        throw ShapeError(m_w.name + ": input has " + std::to_string(x.cols()) + " features, expected " + std::to_string(in()));
    m_x = x;
    y.resize(x.rows(), out());
    y.noalias() = x * m_w.value.transpose();
    y.rowwise() += m_b.value.row(0);
}

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

void Linear::backward(const Matrix& dy, Matrix& dx, const BackwardSpec& spec, Rng& rng, double* bpLinear)
{
    ScopedTimer timer(bpLinear);
    const int batch = static_cast<int>(dy.rows());
    if (dy.cols() != out() || batch != m_x.rows())
        throw ShapeError(m_w.name + ": output gradient is " + std::to_string(dy.rows()) + "x" + std::to_string(dy.cols()) +
                         ", expected " + std::to_string(m_x.rows()) + "x" + std::to_string(out()));
    selectComponents(dy, spec.mode, spec.k, rng, m_sel);
    if (!m_sel.finite) throw NonFiniteGradient(m_name);
    if (spec.denseBias && spec.mode != BackpropMode::Dense) m_denseBiasBase = m_b.grad.row(0);

    if (spec.mode == BackpropMode::Dense) {
        if (spec.needInputGrad) dx.noalias() = dy * m_w.value;
        m_w.grad.noalias() += dy.transpose() * m_x;
        m_b.grad.row(0) += dy.colwise().sum();
        m_w.touchAll();
        m_b.touchAll();
        for (auto& c : m_counts) c += static_cast<std::uint64_t>(batch);
        return;
    }
    // Which implementation is fastest depends on how much of dy is kept (measured on a 500x500
    // layer, see tests/bench/LinearBackwardBench.cpp): the row kernels win while the kept entries
    // are few; unified selections with many kept entries in total go faster as gathered GEMMs;
    // per-example selections keeping half the components or more go faster as masked GEMMs.
    if (spec.mode == BackpropMode::Unified && batch >= 4 && batch * m_sel.k >= kUnifiedGemmEntries)
        backwardUnifiedGemm(dy, dx, spec.needInputGrad);
    else if (spec.mode != BackpropMode::Unified && batch >= 2 && 2 * m_sel.k >= out())
        backwardMaskedGemm(dy, dx, spec.needInputGrad);
    else
        backwardSparseRows(dy, dx, spec.needInputGrad);
    if (spec.denseBias) {
        // The sparse kernels added the kept components; the full sum replaces them.
        m_b.grad.row(0) = m_denseBiasBase + dy.colwise().sum();
        m_b.touchAll();
    }
}

void Linear::backwardUnifiedGemm(const Matrix& dy, Matrix& dx, bool needInputGrad)
{
    const int batch = static_cast<int>(dy.rows());
    const int k = m_sel.k;
    const auto& idx = m_sel.indices;
    if (k == out()) {
        // Every column kept (the indices are 0..n-1): the dense products, without gathering.
        if (needInputGrad) dx.noalias() = dy * m_w.value;
        m_w.grad.noalias() += dy.transpose() * m_x;
        m_b.grad.row(0) += dy.colwise().sum();
        for (int r = 0; r < k; ++r) {
            m_w.touchRow(r);
            m_counts[static_cast<std::size_t>(r)] += static_cast<std::uint64_t>(batch);
        }
        m_b.touchRow(0);
        return;
    }
    m_dyK.resize(batch, k);
    for (int j = 0; j < k; ++j) m_dyK.col(j) = dy.col(idx[static_cast<std::size_t>(j)]);
    if (needInputGrad) {
        m_wK.resize(k, in());
        for (int j = 0; j < k; ++j) m_wK.row(j) = m_w.value.row(idx[static_cast<std::size_t>(j)]);
        dx.noalias() = m_dyK * m_wK;
    }
    m_dwK.resize(k, in());
    m_dwK.noalias() = m_dyK.transpose() * m_x;
    for (int j = 0; j < k; ++j) {
        const int r = idx[static_cast<std::size_t>(j)];
        m_w.grad.row(r) += m_dwK.row(j);
        m_b.grad(0, r) += m_dyK.col(j).sum();
        m_w.touchRow(r);
        m_counts[static_cast<std::size_t>(r)] += static_cast<std::uint64_t>(batch);
    }
    m_b.touchRow(0);
}

void Linear::backwardMaskedGemm(const Matrix& dy, Matrix& dx, bool needInputGrad)
{
    const int batch = static_cast<int>(dy.rows());
    const int n = out();
    const int k = m_sel.k;
    m_dyMasked.resize(batch, n);
    // memset: Eigen's setZero() compiles to a scalar fill loop here.
    std::memset(m_dyMasked.data(), 0, static_cast<std::size_t>(m_dyMasked.size()) * sizeof(float));
    if (m_head.size() != static_cast<std::size_t>(n)) m_head.assign(static_cast<std::size_t>(n), -1);
    m_union.clear();
    for (int b = 0; b < batch; ++b) {
        const int* idx = m_sel.row(b);
        for (int j = 0; j < k; ++j) {
            const int r = idx[j];
            m_dyMasked(b, r) = dy(b, r);
            int& count = m_head[static_cast<std::size_t>(r)];
            if (count < 0) {
                m_union.push_back(r);
                count = 0;
            }
            ++count;
        }
    }
    if (needInputGrad) dx.noalias() = m_dyMasked * m_w.value;
    const int u = static_cast<int>(m_union.size());
    Parameter& w = m_w;
    if (u == n) {
        // Every row is kept by some example: one dense product, no gathering.
        w.grad.noalias() += m_dyMasked.transpose() * m_x;
        m_b.grad.row(0) += m_dyMasked.colwise().sum();
        for (int r = 0; r < n; ++r) {
            int& count = m_head[static_cast<std::size_t>(r)];
            m_counts[static_cast<std::size_t>(r)] += static_cast<std::uint64_t>(count);
            count = -1;
            w.touchRow(r);
        }
        m_b.touchRow(0);
        return;
    }
    m_dyK.resize(batch, u);
    for (int j = 0; j < u; ++j) m_dyK.col(j) = m_dyMasked.col(m_union[static_cast<std::size_t>(j)]);
    m_dwK.resize(u, in());
    m_dwK.noalias() = m_dyK.transpose() * m_x;
    for (int j = 0; j < u; ++j) {
        const int r = m_union[static_cast<std::size_t>(j)];
        const bool fresh = w.rowSparse && (w.rowMark.empty() || !w.rowMark[static_cast<std::size_t>(r)]);
        if (fresh)
            w.grad.row(r) = m_dwK.row(j);
        else
            w.grad.row(r) += m_dwK.row(j);
        m_b.grad(0, r) += m_dyK.col(j).sum();
        int& count = m_head[static_cast<std::size_t>(r)];
        m_counts[static_cast<std::size_t>(r)] += static_cast<std::uint64_t>(count);
        count = -1;
        w.touchRow(r);
    }
    m_b.touchRow(0);
}

namespace {

// dx_b = sum over the kept j of dy_bj W_j for the examples b in [lo, hi): one example per index,
// so any split over threads gives the same rows. coef, src: room for k entries.
void sparseInputGradient(const Matrix& dy, const Selection& sel, const float* w, int m, long lo, long hi, Matrix& dx, float* coef,
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
// split of the rows over threads gives the same bits. Reads w.rowMark, writes no row list.
// coef, src: room for batch entries.
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
    }
}

}  // namespace

void Linear::backwardSparseRows(const Matrix& dy, Matrix& dx, bool needInputGrad)
{
    const int batch = static_cast<int>(dy.rows());
    const int k = m_sel.k;
    const int m = in();
    m_coef.resize(static_cast<std::size_t>(std::max(batch, k)));
    m_src.resize(m_coef.size());
    // Threads share the work only from about kMinFloatsPerThread multiply-adds each on: below,
    // starting them costs more than they save (batch 1 and small k stay on the calling thread).
    constexpr long kMinFloatsPerThread = 32768;
    const long work = static_cast<long>(batch) * k * m;  // of dx, and again of dW
    const bool threaded = work >= 2 * kMinFloatsPerThread && engineThreads() > 1;
    // Runs body(lo, hi, coef, src) over [0, n) on the threads: the calling thread with the members'
    // scratch, the others with their own.
    auto spread = [&](long n, long minPerThread, auto&& body) {
        parallelRanges(n, minPerThread, [&](long lo, long hi) {
            if (omp_get_thread_num() == 0) return body(lo, hi, m_coef.data(), m_src.data());
            std::vector<float> coef(m_coef.size());
            std::vector<const float*> src(m_coef.size());
            body(lo, hi, coef.data(), src.data());
        });
    };

    if (needInputGrad) {
        dx.resize(batch, m);
        const float* w = m_w.value.data();  // row-major: row r starts at w + r * m
        if (threaded)
            spread(batch, std::max(1L, kMinFloatsPerThread / (static_cast<long>(k) * m)), [&](long lo, long hi, float* coef, const float** src) {
                sparseInputGradient(dy, m_sel, w, m, lo, hi, dx, coef, src);
            });
        else
            sparseInputGradient(dy, m_sel, w, m, 0, batch, dx, m_coef.data(), m_src.data());
    }

    // Group the kept entries by output row (linked lists through m_next, O(batch k)), then
    // dW_r += sum over the examples b keeping r of dy_br x_b: each kept row of dW is written once.
    if (m_head.size() != static_cast<std::size_t>(out())) m_head.assign(static_cast<std::size_t>(out()), -1);
    m_next.resize(static_cast<std::size_t>(batch) * static_cast<std::size_t>(k));
    m_union.clear();
    for (int b = 0; b < batch; ++b) {
        const int* idx = m_sel.row(b);
        for (int j = 0; j < k; ++j) {
            const int r = idx[j];
            const int e = b * k + j;
            int& head = m_head[static_cast<std::size_t>(r)];
            if (head < 0) m_union.push_back(r);
            m_next[static_cast<std::size_t>(e)] = head;
            head = e;
        }
    }
    // The row list of the gradient (touchRow) is written afterwards, on this thread, in the order
    // of m_union: the same list as with one thread.
    const long u = static_cast<long>(m_union.size());
    auto rows = [&](long lo, long hi, float* coef, const float** src) {
        sparseWeightGradient(dy, m_x, k, m_union.data(), lo, hi, m_head.data(), m_next.data(), m_w, m_b, m_counts.data(), coef, src);
    };
    if (threaded)
        spread(u, std::max(1L, kMinFloatsPerThread * u / std::max(1L, work)), rows);
    else
        rows(0, u, m_coef.data(), m_src.data());
    for (int r : m_union) m_w.touchRow(r);
    m_b.touchRow(0);
}

}  // namespace meprop
