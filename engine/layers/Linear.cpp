#include "layers/Linear.h"

#include "core/Error.h"

#include <cmath>

namespace meprop {

Linear::Linear(int in, int out, Rng& rng, Init init, const std::string& name)
    : m_w(name + ".weight", out, in), m_b(name + ".bias", 1, out), m_counts(static_cast<std::size_t>(out), 0)
{
    if (in < 1 || out < 1) throw ShapeError(name + ": layer sizes must be positive");
    if (init == Init::XavierUniform) {
        const float a = std::sqrt(6.0f / static_cast<float>(in + out));
        for (Eigen::Index i = 0; i < m_w.value.size(); ++i) m_w.value.data()[i] = rng.uniform(-a, a);
    } else {
        const float s = std::sqrt(2.0f / static_cast<float>(in));
        for (Eigen::Index i = 0; i < m_w.value.size(); ++i) m_w.value.data()[i] = rng.normal(0.0f, s);
    }
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

void Linear::backward(const Matrix& dy, Matrix& dx, const BackwardSpec& spec, Rng& rng, double* bpLinear)
{
    ScopedTimer timer(bpLinear);
    const int batch = static_cast<int>(dy.rows());
    if (dy.cols() != out() || batch != m_x.rows())
        throw ShapeError(m_w.name + ": output gradient is " + std::to_string(dy.rows()) + "x" + std::to_string(dy.cols()) +
                         ", expected " + std::to_string(m_x.rows()) + "x" + std::to_string(out()));
    selectComponents(dy, spec.mode, spec.k, rng, m_sel);
    Matrix& dW = m_w.grad;
    Matrix& db = m_b.grad;

    switch (spec.mode) {
    case BackpropMode::Dense:
        if (spec.needInputGrad) dx.noalias() = dy * m_w.value;
        dW.noalias() += dy.transpose() * m_x;
        db.row(0) += dy.colwise().sum();
        m_w.touchAll();
        m_b.touchAll();
        for (auto& c : m_counts) c += static_cast<std::uint64_t>(batch);
        return;
    case BackpropMode::Unified: {
        const int k = m_sel.k;
        const auto& idx = m_sel.indices;
        m_dyK.resize(batch, k);
        for (int j = 0; j < k; ++j) m_dyK.col(j) = dy.col(idx[static_cast<std::size_t>(j)]);
        if (spec.needInputGrad) {
            m_wK.resize(k, in());
            for (int j = 0; j < k; ++j) m_wK.row(j) = m_w.value.row(idx[static_cast<std::size_t>(j)]);
            dx.noalias() = m_dyK * m_wK;
        }
        m_dwK.resize(k, in());
        m_dwK.noalias() = m_dyK.transpose() * m_x;
        for (int j = 0; j < k; ++j) {
            const int r = idx[static_cast<std::size_t>(j)];
            dW.row(r) += m_dwK.row(j);
            db(0, r) += m_dyK.col(j).sum();
            m_w.touchRow(r);
            m_b.touchRow(0);
            m_counts[static_cast<std::size_t>(r)] += static_cast<std::uint64_t>(batch);
        }
        return;
    }
    case BackpropMode::TopK:
    case BackpropMode::Random: {
        const int k = m_sel.k;
        if (spec.needInputGrad) dx.setZero(batch, in());
        for (int b = 0; b < batch; ++b) {
            const int* idx = m_sel.row(b);
            for (int j = 0; j < k; ++j) {
                const int r = idx[j];
                const float g = dy(b, r);
                if (spec.needInputGrad) dx.row(b).noalias() += g * m_w.value.row(r);
                dW.row(r).noalias() += g * m_x.row(b);
                db(0, r) += g;
                m_w.touchRow(r);
                ++m_counts[static_cast<std::size_t>(r)];
            }
        }
        m_b.touchRow(0);
        return;
    }
    }
}

}  // namespace meprop
