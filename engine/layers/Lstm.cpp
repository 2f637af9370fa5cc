#include "layers/Lstm.h"

#include "core/Error.h"
#include "ops/TopK.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

namespace meprop {

namespace {

// sigmoid(x) = (tanh(x/2) + 1) / 2: one vectorised tanh instead of exp and a division.
template <typename Seg>
void sigmoidInPlace(Seg&& seg)
{
    seg.array() = 0.5f * ((0.5f * seg.array()).tanh() + 1.0f);
}

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

Lstm::Lstm(int in, int hidden, Rng& rng, bool reverse, const std::string& name, std::optional<Init> init)
    : m_name(name),
      m_reverse(reverse),
      m_w(name + ".W", 4 * std::max(hidden, 1), std::max(in, 1)),
      m_u(name + ".U", 4 * std::max(hidden, 1), std::max(hidden, 1)),
      m_b(name + ".b", 1, 4 * std::max(hidden, 1)),
      m_counts(static_cast<std::size_t>(4 * std::max(hidden, 1)), 0)
{
    if (in < 1 || hidden < 1) throw ShapeError(name + ": input and hidden sizes must be positive");
    if (init) {
        for (int g = 0; g < 4; ++g) initWeights(m_w.value.middleRows(g * hidden, hidden), *init, in, hidden, rng);
        for (int g = 0; g < 4; ++g) initWeights(m_u.value.middleRows(g * hidden, hidden), *init, hidden, hidden, rng);
    } else {
        const float a = 1.0f / std::sqrt(static_cast<float>(hidden));
        for (Eigen::Index i = 0; i < m_w.value.size(); ++i) m_w.value.data()[i] = rng.uniform(-a, a);
        for (Eigen::Index i = 0; i < m_u.value.size(); ++i) m_u.value.data()[i] = rng.uniform(-a, a);
    }
    m_b.value.setZero();
    m_b.value.block(0, hidden, 1, hidden).setOnes();  // remember by default early in training
    m_w.zeroGrad();
    m_u.zeroGrad();
    m_b.zeroGrad();
}

void Lstm::save(CheckpointWriter& w) const
{
    w.section("lstm");
    w.parameter(m_w);
    w.parameter(m_u);
    w.parameter(m_b);
    w.u64s(m_counts);
}

void Lstm::load(CheckpointReader& r)
{
    r.section("lstm");
    r.parameterInto(m_w);
    r.parameterInto(m_u);
    r.parameterInto(m_b);
    m_counts = r.u64s(m_counts.size(), m_name + " update counts");
    m_w.zeroGrad();
    m_u.zeroGrad();
    m_b.zeroGrad();
}

void Lstm::forward(const Matrix& x, Matrix& h)
{
    const int T = static_cast<int>(x.rows());
    const int H = hidden();
    if (T < 1) throw ShapeError(m_name + ": a sequence needs at least one step");
    if (x.cols() != in())
        throw ShapeError(m_name + ": input has " + std::to_string(x.cols()) + " features, expected " + std::to_string(in()));
    m_x = x;
    // The input products of all steps as one matrix product; only U h_prev is sequential.
    m_gates.resize(T, 4 * H);
    m_gates.noalias() = x * m_w.value.transpose();
    m_gates.rowwise() += m_b.value.row(0);
    m_c.resize(T, H);
    m_tc.resize(T, H);
    m_h.resize(T, H);
    for (int s = 0; s < T; ++s) {
        const int t = step(s, T);
        auto a = m_gates.row(t);
        if (s > 0) a.noalias() += m_h.row(step(s - 1, T)) * m_u.value.transpose();
        sigmoidInPlace(a.segment(0, 2 * H));
        a.segment(2 * H, H).array() = a.segment(2 * H, H).array().tanh();
        sigmoidInPlace(a.segment(3 * H, H));
        const auto i = a.segment(0, H).array();
        const auto f = a.segment(H, H).array();
        const auto g = a.segment(2 * H, H).array();
        const auto o = a.segment(3 * H, H).array();
        if (s > 0) {
            m_c.row(t).array() = f * m_c.row(step(s - 1, T)).array() + i * g;
        } else {
            m_c.row(t).array() = i * g;
        }
        m_tc.row(t).array() = m_c.row(t).array().tanh();
        m_h.row(t).array() = o * m_tc.row(t).array();
    }
    h = m_h;
}

void Lstm::forwardMany(const std::vector<const Matrix*>& xs, std::vector<Matrix>& hs) const
{
    const int B = static_cast<int>(xs.size());
    const int H = hidden();
    hs.resize(static_cast<std::size_t>(B));
    if (B == 0) return;
    std::vector<int> order(static_cast<std::size_t>(B));
    std::iota(order.begin(), order.end(), 0);
    for (int b = 0; b < B; ++b) {
        const Matrix& x = *xs[static_cast<std::size_t>(b)];
        if (x.rows() < 1) throw ShapeError(m_name + ": a sequence needs at least one step");
        if (x.cols() != in())
            throw ShapeError(m_name + ": input has " + std::to_string(x.cols()) + " features, expected " + std::to_string(in()));
    }
    // Longest first: the sequences still running at step s are a prefix of `order`.
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return xs[static_cast<std::size_t>(a)]->rows() > xs[static_cast<std::size_t>(b)]->rows(); });
    std::vector<Matrix> xw(static_cast<std::size_t>(B));
    for (int b = 0; b < B; ++b) {
        auto& g = xw[static_cast<std::size_t>(b)];
        g.noalias() = *xs[static_cast<std::size_t>(b)] * m_w.value.transpose();
        g.rowwise() += m_b.value.row(0);
        hs[static_cast<std::size_t>(b)].resize(xs[static_cast<std::size_t>(b)]->rows(), H);
    }
    const int maxT = static_cast<int>(xs[static_cast<std::size_t>(order[0])]->rows());
    Matrix h = Matrix::Zero(B, H), c = Matrix::Zero(B, H), a(B, 4 * H);
    int active = B;
    for (int s = 0; s < maxT; ++s) {
        while (active > 0 && xs[static_cast<std::size_t>(order[static_cast<std::size_t>(active - 1)])]->rows() <= s) --active;
        auto A = a.topRows(active);
        if (s > 0) {
            A.noalias() = h.topRows(active) * m_u.value.transpose();
        } else {
            A.setZero();
        }
        for (int j = 0; j < active; ++j) {
            const int b = order[static_cast<std::size_t>(j)];
            const int T = static_cast<int>(xs[static_cast<std::size_t>(b)]->rows());
            A.row(j) += xw[static_cast<std::size_t>(b)].row(step(s, T));
        }
        sigmoidInPlace(A.leftCols(2 * H));
        A.middleCols(2 * H, H).array() = A.middleCols(2 * H, H).array().tanh();
        sigmoidInPlace(A.rightCols(H));
        c.topRows(active).array() = A.middleCols(H, H).array() * c.topRows(active).array() +
                                    A.leftCols(H).array() * A.middleCols(2 * H, H).array();
        h.topRows(active).array() = A.rightCols(H).array() * c.topRows(active).array().tanh();
        for (int j = 0; j < active; ++j) {
            const int b = order[static_cast<std::size_t>(j)];
            const int T = static_cast<int>(xs[static_cast<std::size_t>(b)]->rows());
            hs[static_cast<std::size_t>(b)].row(step(s, T)) = h.row(j);
        }
    }
}

// Gate pre-activation gradients of step t from the hidden-state gradient dh and the cell-state
// gradient dc (tp: the previous step, -1 at the first): [di | df | dg | do].
void Lstm::gateGradient(int t, int tp, const RowVector& dh, const RowVector& dc, Eigen::Ref<RowVector> out) const
{
    const int H = hidden();
    const auto gates = m_gates.row(t);
    const auto i = gates.segment(0, H).array();
    const auto f = gates.segment(H, H).array();
    const auto g = gates.segment(2 * H, H).array();
    const auto o = gates.segment(3 * H, H).array();
    out.segment(0, H).array() = dc.array() * g * i * (1.0f - i);
    if (tp >= 0) {
        out.segment(H, H).array() = dc.array() * m_c.row(tp).array() * f * (1.0f - f);
    } else {
        out.segment(H, H).setZero();
    }
    out.segment(2 * H, H).array() = dc.array() * i * (1.0f - g * g);
    out.segment(3 * H, H).array() = dh.array() * m_tc.row(t).array() * o * (1.0f - o);
}

// The gate gradient of step t from dh_t alone (no recurrent terms): the unified mode's ranking.
void Lstm::localGateGradient(const Matrix& dh, int t, int tp, Eigen::Ref<RowVector> out) const
{
    const int H = hidden();
    const auto o = m_gates.row(t).segment(3 * H, H).array();
    const auto tc = m_tc.row(t).array();
    const RowVector d = dh.row(t);
    const RowVector dc = (d.array() * o * (1.0f - tc * tc)).matrix();
    gateGradient(t, tp, d, dc, out);
}

void Lstm::selectShared(const Matrix& dh, int k, std::vector<int>& rows)
{
    const int T = static_cast<int>(m_x.rows());
    const int H = hidden();
    m_score.setZero(4 * H);
    RowVector local(4 * H);
    for (int s = 0; s < T; ++s) {
        localGateGradient(dh, step(s, T), s > 0 ? step(s - 1, T) : -1, local);
        m_score.array() += local.array().abs();
    }
    rows.resize(static_cast<std::size_t>(4 * k));
    for (int j = 0; j < 4; ++j) {
        int* out = rows.data() + static_cast<std::size_t>(j) * k;
        // A non-finite score comes from a non-finite dh, which reaches da too: backward's check
        // of da reports it.
        topKIndices(m_score.data() + static_cast<std::size_t>(j) * H, H, k, out, m_scratch);
        for (int q = 0; q < k; ++q) out[q] += j * H;
    }
}

void Lstm::backward(const Matrix& dh, Matrix& dx, const BackwardSpec& spec, Rng& rng, double* bpLinear)
{
    const int T = static_cast<int>(m_x.rows());
    const int H = hidden();
    const int G = 4 * H;
    if (dh.rows() != T || dh.cols() != H)
        throw ShapeError(m_name + ": output gradient is " + std::to_string(dh.rows()) + "x" + std::to_string(dh.cols()) +
                         ", expected " + std::to_string(T) + "x" + std::to_string(H));
    const BackpropMode mode = spec.mode;
    const bool sparse = mode != BackpropMode::Dense;
    const int k = sparse ? spec.k : H;
    if (sparse && (k < 1 || k > H))
        throw ConfigError("k: expected 1 <= k <= " + std::to_string(H) + " (hidden size of " + m_name + "), got " +
                          std::to_string(k));
    m_mode = mode;
    m_steps = T;
    m_kept = sparse ? 4 * k : G;
    const int K = m_kept;
    if (sparse) {
        m_sel.resize(static_cast<std::size_t>(T) * K);
        m_selVal.resize(static_cast<std::size_t>(T) * K);
    } else {
        m_sel.clear();
    }
    const bool needDx = spec.needInputGrad;
    if (needDx) dx.setZero(T, in());

    Matrix& dW = m_w.grad;
    Matrix& dU = m_u.grad;
    Matrix& db = m_b.grad;
    const Matrix& W = m_w.value;
    const Matrix& U = m_u.value;
    double linear = 0.0;

    std::vector<int> shared;
    if (mode == BackpropMode::Unified) {
        const auto t0 = Clock::now();
        selectShared(dh, k, shared);
        m_uK.resize(K, H);
        for (int j = 0; j < K; ++j) m_uK.row(j) = U.row(shared[static_cast<std::size_t>(j)]);
        m_daK.resize(T, K);
        linear += secondsSince(t0);
    }

    m_da.resize(T, G);
    m_dhNext.setZero(H);
    m_dcNext.setZero(H);
    for (int s = T - 1; s >= 0; --s) {
        const int t = step(s, T);
        const int tp = s > 0 ? step(s - 1, T) : -1;
        const auto f = m_gates.row(t).segment(H, H).array();
        const auto o = m_gates.row(t).segment(3 * H, H).array();
        const auto tc = m_tc.row(t).array();
        m_dh = dh.row(t) + m_dhNext;
        m_dc.array() = m_dh.array() * o * (1.0f - tc * tc) + m_dcNext.array();
        auto da = m_da.row(t);
        gateGradient(t, tp, m_dh, m_dc, da);
        m_dcNext.array() = m_dc.array() * f;

        const auto t0 = Clock::now();
        switch (mode) {
        case BackpropMode::Dense:
            if (tp >= 0) m_dhNext.noalias() = da * U;
            break;
        case BackpropMode::Unified:
            for (int j = 0; j < K; ++j) m_daK(t, j) = da(shared[static_cast<std::size_t>(j)]);
            if (tp >= 0) m_dhNext.noalias() = m_daK.row(t) * m_uK;
            break;
        case BackpropMode::TopK:
        case BackpropMode::Random: {
            int* sel = m_sel.data() + static_cast<std::size_t>(t) * K;
            for (int j = 0; j < 4; ++j) {
                int* out = sel + static_cast<std::size_t>(j) * k;
                if (mode == BackpropMode::TopK) {
                    if (!topKIndices(da.data() + static_cast<std::size_t>(j) * H, H, k, out, m_scratch))
                        throw NonFiniteGradient(m_name);
                } else {
                    randomIndices(H, k, rng, out, m_perm);  // k distinct uniform draws from the block
                }
                for (int q = 0; q < k; ++q) out[q] += j * H;
            }
            // Only the recurrence needs this step's products now; the weight gradients and dx are
            // added after the loop, grouped by row (see below).
            float* val = m_selVal.data() + static_cast<std::size_t>(t) * K;
            for (int j = 0; j < K; ++j) val[j] = da(sel[j]);
            if (tp >= 0) {
                // Four rows per pass: one load/store of dh per four rows of U (K = 4k is a multiple of 4).
                m_dhNext.setZero();
                for (int j = 0; j < K; j += 4)
                    m_dhNext.noalias() += val[j] * U.row(sel[j]) + val[j + 1] * U.row(sel[j + 1]) +
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
    case BackpropMode::Dense: finite = allFinite(m_da.data(), static_cast<std::size_t>(m_da.size())); break;
    case BackpropMode::Unified:
        finite = allFinite(dh.data(), static_cast<std::size_t>(dh.size())) &&
                 allFinite(m_daK.data(), static_cast<std::size_t>(m_daK.size()));
        break;
    case BackpropMode::Random:
        finite = allFinite(dh.data(), static_cast<std::size_t>(dh.size())) && allFinite(m_selVal.data(), m_selVal.size());
        break;
    }
    if (!finite) throw NonFiniteGradient(m_name);

    // The products that do not depend on the recurrence run once over the whole sentence. Row pairs
    // (step t, previous state) are (t, t-1) forwards and (t, t+1) in reverse.
    const auto t0 = Clock::now();
    const int n1 = T - 1;
    switch (mode) {
    case BackpropMode::Dense:
        dW.noalias() += m_da.transpose() * m_x;
        db.row(0) += m_da.colwise().sum();
        if (n1 > 0) {
            if (m_reverse) {
                dU.noalias() += m_da.topRows(n1).transpose() * m_h.bottomRows(n1);
            } else {
                dU.noalias() += m_da.bottomRows(n1).transpose() * m_h.topRows(n1);
            }
        }
        if (needDx) dx.noalias() = m_da * W;
        m_w.touchAll();
        m_u.touchAll();
        m_b.touchAll();
        for (auto& c : m_counts) c += static_cast<std::uint64_t>(T);
        break;
    case BackpropMode::Unified: {
        m_gK.resize(K, in());
        m_gK.noalias() = m_daK.transpose() * m_x;
        Matrix dUK = Matrix::Zero(K, H);
        if (n1 > 0) {
            if (m_reverse) {
                dUK.noalias() += m_daK.topRows(n1).transpose() * m_h.bottomRows(n1);
            } else {
                dUK.noalias() += m_daK.bottomRows(n1).transpose() * m_h.topRows(n1);
            }
        }
        if (needDx) {
            m_wK.resize(K, in());
            for (int j = 0; j < K; ++j) m_wK.row(j) = W.row(shared[static_cast<std::size_t>(j)]);
            dx.noalias() = m_daK * m_wK;
        }
        for (int j = 0; j < K; ++j) {
            const int r = shared[static_cast<std::size_t>(j)];
            dW.row(r) += m_gK.row(j);
            dU.row(r) += dUK.row(j);
            if (!spec.denseBias) db(0, r) += m_daK.col(j).sum();
            m_w.touchRow(r);
            m_u.touchRow(r);
            m_counts[static_cast<std::size_t>(r)] += static_cast<std::uint64_t>(T);
        }
        m_b.touchRow(0);
        for (int t = 0; t < T; ++t) std::copy(shared.begin(), shared.end(), m_sel.begin() + static_cast<std::ptrdiff_t>(t) * K);
        break;
    }
    case BackpropMode::TopK:
    case BackpropMode::Random: {
        // Group the kept (step, row) pairs by row (a counting sort, stable in time): each touched row
        // of W, U, dW and dU is then streamed once per sentence instead of once per step (rows repeat
        // across steps), while x, the previous states and dx (T rows each) stay in cache.
        const int pairs = T * K;
        m_bucket.assign(static_cast<std::size_t>(G) + 1, 0);
        for (int q = 0; q < pairs; ++q) ++m_bucket[static_cast<std::size_t>(m_sel[static_cast<std::size_t>(q)]) + 1];
        for (int r = 0; r < G; ++r) m_bucket[static_cast<std::size_t>(r) + 1] += m_bucket[static_cast<std::size_t>(r)];
        m_order.resize(static_cast<std::size_t>(pairs));
        m_fill.assign(m_bucket.begin(), m_bucket.end() - 1);
        for (int q = 0; q < pairs; ++q) m_order[static_cast<std::size_t>(m_fill[static_cast<std::size_t>(m_sel[static_cast<std::size_t>(q)])]++)] = q;
        // Row t: the state step t read (zero at the first step), so that every pair has one.
        m_hPrev.resize(T, H);
        for (int st = 0; st < T; ++st) {
            if (st > 0) {
                m_hPrev.row(step(st, T)) = m_h.row(step(st - 1, T));
            } else {
                m_hPrev.row(step(0, T)).setZero();
            }
        }
        for (int r = 0; r < G; ++r) {
            const int b = m_bucket[static_cast<std::size_t>(r)], e = m_bucket[static_cast<std::size_t>(r) + 1];
            if (b == e) continue;
            auto dWr = dW.row(r);
            auto dUr = dU.row(r);
            const auto Wr = W.row(r);
            const int* pos = m_order.data() + b;
            const int n = e - b;
            auto tOf = [K](int p) { return p / K; };
            auto vOf = [this](int p) { return m_selVal[static_cast<std::size_t>(p)]; };
            float dbr = 0.0f;
            int q = 0;
            for (; q + 4 <= n; q += 4) {  // four steps per pass over the row
                const int p0 = pos[q], p1 = pos[q + 1], p2 = pos[q + 2], p3 = pos[q + 3];
                const float v0 = vOf(p0), v1 = vOf(p1), v2 = vOf(p2), v3 = vOf(p3);
                const int t0 = tOf(p0), t1 = tOf(p1), t2 = tOf(p2), t3 = tOf(p3);
                dWr.noalias() += v0 * m_x.row(t0) + v1 * m_x.row(t1) + v2 * m_x.row(t2) + v3 * m_x.row(t3);
                dUr.noalias() += v0 * m_hPrev.row(t0) + v1 * m_hPrev.row(t1) + v2 * m_hPrev.row(t2) + v3 * m_hPrev.row(t3);
                dbr += v0 + v1 + v2 + v3;
            }
            for (; q < n; ++q) {
                const float v = vOf(pos[q]);
                const int t = tOf(pos[q]);
                dWr.noalias() += v * m_x.row(t);
                dUr.noalias() += v * m_hPrev.row(t);
                dbr += v;
            }
            if (needDx)
                for (q = 0; q < n; ++q) dx.row(tOf(pos[q])).noalias() += vOf(pos[q]) * Wr;
            if (!spec.denseBias) db(0, r) += dbr;
            m_counts[static_cast<std::size_t>(r)] += static_cast<std::uint64_t>(n);
            m_w.touchRow(r);
            m_u.touchRow(r);
        }
        m_b.touchRow(0);
        break;
    }
    }
    if (spec.denseBias && mode != BackpropMode::Dense) {
        db.row(0) += m_da.colwise().sum();
        m_b.touchAll();
    }
    linear += secondsSince(t0);
    if (bpLinear) *bpLinear += linear;
}

std::vector<int> Lstm::lastRows() const
{
    if (m_mode == BackpropMode::Dense) {
        std::vector<int> all(static_cast<std::size_t>(m_kept));
        std::iota(all.begin(), all.end(), 0);
        return all;
    }
    std::vector<char> mark(static_cast<std::size_t>(4 * hidden()), 0);
    for (int r : m_sel) mark[static_cast<std::size_t>(r)] = 1;
    std::vector<int> rows;
    for (std::size_t r = 0; r < mark.size(); ++r)
        if (mark[r]) rows.push_back(static_cast<int>(r));
    return rows;
}

}  // namespace meprop
