#include "layers/Linear.h"

#include "core/Error.h"

namespace meprop {

Linear::Linear(int in, int out, Rng& rng, Init init, const std::string& name, Backend& backend)
    : m_be(&backend), m_name(name), m_w(name + ".weight", out, in), m_b(name + ".bias", 1, out), m_counts(CountTensor::Base::Zero(1, out))
{
    if (in < 1 || out < 1) throw ShapeError(name + ": layer sizes must be positive");
    initWeights(m_w.value, init, in, out, rng);
    for (Parameter* p : {&m_w, &m_b}) {
        m_be->upload(p->value);
        m_be->upload(p->grad);
    }
    m_be->upload(m_counts);
    zeroGrad();
}

void Linear::zeroGrad()
{
    m_be->zeroGrad(m_w);
    m_be->zeroGrad(m_b);
}

const Selection& Linear::lastSelection() const
{
    m_be->downloadSelection(m_sel);
    return m_sel;
}

double Linear::keptFraction() const
{
    return m_sel.n > 0 ? static_cast<double>(m_sel.k) / static_cast<double>(m_sel.n) : 1.0;
}

std::vector<std::uint64_t> Linear::updateCounts() const
{
    m_be->download(m_counts);
    return {m_counts.data(), m_counts.data() + m_counts.size()};
}

void Linear::resetCounts()
{
    m_be->setZero(m_counts);
}

void Linear::save(CheckpointWriter& w) const
{
    m_be->download(m_w.value);
    m_be->download(m_b.value);
    w.section("linear");
    w.parameter(m_w);
    w.parameter(m_b);
    w.u64s(updateCounts());
}

void Linear::load(CheckpointReader& r)
{
    r.section("linear");
    r.parameterInto(m_w);
    r.parameterInto(m_b);
    const std::vector<std::uint64_t> counts = r.u64s(static_cast<std::size_t>(out()), m_w.name + " update counts");
    std::copy(counts.begin(), counts.end(), m_counts.data());
    m_be->upload(m_w.value);
    m_be->upload(m_b.value);
    m_be->upload(m_counts);
    zeroGrad();
}

void Linear::forward(const Tensor& x, Tensor& y)
{
    if (x.cols() != in())
        throw ShapeError(m_w.name + ": input has " + std::to_string(x.cols()) + " features, expected " + std::to_string(in()));
    m_be->copy(x, m_x);
    m_be->gemm(false, true, 1.0f, x, m_w.value, 0.0f, y);
    m_be->addBias(y, m_b.value);
}

void Linear::backward(const Tensor& dy, Tensor& dx, const BackwardSpec& spec, Rng& rng, double* bpLinear)
{
    ScopedTimer timer(bpLinear);
    const int batch = static_cast<int>(dy.rows());
    if (dy.cols() != out() || batch != m_x.rows())
        throw ShapeError(m_w.name + ": output gradient is " + std::to_string(dy.rows()) + "x" + std::to_string(dy.cols()) +
                         ", expected " + std::to_string(m_x.rows()) + "x" + std::to_string(out()));
    m_be->select(dy, spec.mode, spec.k, rng, m_sel);
    m_be->checkFinite(m_sel, m_name);

    if (spec.mode == BackpropMode::Dense) {
        if (spec.needInputGrad) m_be->gemm(false, false, 1.0f, dy, m_w.value, 0.0f, dx, spec.precision);
        m_be->gemm(true, false, 1.0f, dy, m_x, 1.0f, m_w.grad, spec.precision);
        m_be->addColumnSums(dy, m_b.grad);
        m_be->touchAll(m_w);
        m_be->touchAll(m_b);
        m_be->addToCounts(m_counts, static_cast<std::uint64_t>(batch));
        return;
    }
    if (spec.denseBias) m_be->copy(m_b.grad, m_denseBiasBase);
    m_be->linearSparseBackward(dy, m_sel, m_x, m_w, m_b, m_counts, spec.needInputGrad ? &dx : nullptr, spec.precision);
    if (spec.denseBias) {
        // The sparse kernels added the kept components; the full sum replaces them.
        m_be->copy(m_denseBiasBase, m_b.grad);
        m_be->addColumnSums(dy, m_b.grad);
        m_be->touchAll(m_b);
    }
}

}  // namespace meprop
