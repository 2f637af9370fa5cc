#include "layers/Lstm.h"

#include "core/Error.h"
#include "ops/Sigmoid.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace meprop {

Lstm::Lstm(int in, int hidden, Rng& rng, bool reverse, const std::string& name, std::optional<Init> init, Backend& backend)
    : m_be(&backend),
      m_name(name),
      m_reverse(reverse),
      m_w(name + ".W", 4 * std::max(hidden, 1), std::max(in, 1)),
      m_u(name + ".U", 4 * std::max(hidden, 1), std::max(hidden, 1)),
      m_b(name + ".b", 1, 4 * std::max(hidden, 1)),
      m_counts(CountTensor::Base::Zero(1, 4 * std::max(hidden, 1)))
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
    for (Parameter* p : {&m_w, &m_u, &m_b}) {
        m_be->upload(p->value);
        m_be->upload(p->grad);
    }
    m_be->upload(m_counts);
    zeroGrad();
}

void Lstm::zeroGrad()
{
    m_be->zeroGrad(m_w);
    m_be->zeroGrad(m_u);
    m_be->zeroGrad(m_b);
}

void Lstm::downloadValues() const
{
    m_be->download(m_w.value);
    m_be->download(m_u.value);
    m_be->download(m_b.value);
}

void Lstm::save(CheckpointWriter& w) const
{
    downloadValues();
    w.section("lstm");
    w.parameter(m_w);
    w.parameter(m_u);
    w.parameter(m_b);
    w.u64s(updateCounts());
}

void Lstm::load(CheckpointReader& r)
{
    r.section("lstm");
    r.parameterInto(m_w);
    r.parameterInto(m_u);
    r.parameterInto(m_b);
    const std::vector<std::uint64_t> counts = r.u64s(static_cast<std::size_t>(m_counts.size()), m_name + " update counts");
    std::copy(counts.begin(), counts.end(), m_counts.data());
    m_be->upload(m_w.value);
    m_be->upload(m_u.value);
    m_be->upload(m_b.value);
    m_be->upload(m_counts);
    zeroGrad();
}

std::vector<std::uint64_t> Lstm::updateCounts() const
{
    m_be->download(m_counts);
    return {m_counts.data(), m_counts.data() + m_counts.size()};
}

void Lstm::resetCounts()
{
    m_be->setZero(m_counts);
}

void Lstm::forward(const Tensor& x, Tensor& h)
{
    const int T = static_cast<int>(x.rows());
    if (T < 1) throw ShapeError(m_name + ": a sequence needs at least one step");
    if (x.cols() != in())
        throw ShapeError(m_name + ": input has " + std::to_string(x.cols()) + " features, expected " + std::to_string(in()));
    m_be->copy(x, m_x);
    m_be->lstmForward(m_x, m_w.value, m_u.value, m_b.value, m_reverse, m_st);
    m_be->copy(m_st.h, h);
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

void Lstm::backward(const Tensor& dh, Tensor& dx, const BackwardSpec& spec, Rng& rng, double* bpLinear)
{
    const int T = static_cast<int>(m_x.rows());
    const int H = hidden();
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
    m_kept = sparse ? 4 * k : 4 * H;
    m_selOnHost = false;
    LstmBackprop bp;
    bp.mode = mode;
    bp.k = k;
    bp.denseBias = spec.denseBias;
    m_be->lstmBackward(dh, m_x, m_st, m_reverse, bp, rng, m_w, m_u, m_b, m_counts, m_sel, spec.needInputGrad ? &dx : nullptr,
                       m_name, bpLinear);
}

void Lstm::hostSelection() const
{
    if (m_selOnHost) return;
    m_be->download(m_sel);
    m_selOnHost = true;
}

const int* Lstm::stepRows(int t) const
{
    hostSelection();
    return m_sel.data() + static_cast<std::size_t>(t) * m_kept;
}

std::vector<int> Lstm::lastRows() const
{
    if (m_mode == BackpropMode::Dense) {
        std::vector<int> all(static_cast<std::size_t>(m_kept));
        std::iota(all.begin(), all.end(), 0);
        return all;
    }
    hostSelection();
    std::vector<char> mark(static_cast<std::size_t>(4 * hidden()), 0);
    for (Eigen::Index i = 0; i < m_sel.size(); ++i) mark[static_cast<std::size_t>(m_sel.data()[i])] = 1;
    std::vector<int> rows;
    for (std::size_t r = 0; r < mark.size(); ++r)
        if (mark[r]) rows.push_back(static_cast<int>(r));
    return rows;
}

}  // namespace meprop
