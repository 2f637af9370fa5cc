#include "models/Mlp.h"

#include "core/Error.h"
#include "layers/SoftmaxCrossEntropy.h"

#include <algorithm>
#include <string>

namespace meprop {

Mlp::Mlp(const MlpSpec& spec, Rng& rng, Backend& backend) : m_be(&backend), m_spec(spec)
{
    if (spec.layers < 1) throw ConfigError("key \"layers\": expected at least 1 hidden layer");
    if (!(spec.dropout >= 0.0f && spec.dropout < 1.0f))
        throw ConfigError("key \"dropout\": expected 0 <= dropout < 1, got " + std::to_string(spec.dropout));
    if (spec.mode != BackpropMode::Dense && (spec.k < 1 || spec.k > spec.hidden))
        throw ConfigError("key \"k\": expected 1 <= k <= hidden (" + std::to_string(spec.hidden) + "), got " + std::to_string(spec.k));
    if (spec.kOutput < 0 || spec.kOutput > spec.classes)
        throw ConfigError("key \"k_output\": expected 0 (dense) to " + std::to_string(spec.classes) + " (output classes), got " +
                          std::to_string(spec.kOutput));
    int in = spec.input;
    for (int l = 0; l < spec.layers; ++l) {
        m_linear.emplace_back(in, spec.hidden, rng, spec.init, "hidden" + std::to_string(l + 1), backend);
        m_dropout.emplace_back(spec.dropout, backend);
        in = spec.hidden;
    }
    m_linear.emplace_back(in, spec.classes, rng, spec.init, "output", backend);
    m_act.resize(m_linear.size());
}

void Mlp::save(CheckpointWriter& w) const
{
    w.section("mlp");
    w.u64(m_linear.size());
    for (const Linear& l : m_linear) l.save(w);
}

void Mlp::load(CheckpointReader& r)
{
    r.section("mlp");
    const std::uint64_t n = r.u64();
    if (n != m_linear.size())
        r.fail("the checkpoint's MLP has " + std::to_string(n) + " linear layers, this run's " + std::to_string(m_linear.size()));
    for (Linear& l : m_linear) l.load(r);
}

BackwardSpec Mlp::specFor(std::size_t layer) const
{
    BackwardSpec s;
    const bool output = layer + 1 == m_linear.size();
    if (output) {
        s.mode = m_spec.kOutput > 0 ? m_spec.mode : BackpropMode::Dense;
        s.k = m_spec.kOutput;
        if (s.mode == BackpropMode::Dense) s.k = 0;
    } else {
        s.mode = m_spec.mode;
        s.k = m_spec.k;
    }
    s.needInputGrad = layer != 0;
    s.denseBias = m_spec.denseBias;
    return s;
}

const Tensor& Mlp::forward(const Tensor& x, bool train, Rng& rng)
{
    const Tensor* in = &x;
    for (std::size_t l = 0; l < m_linear.size(); ++l) {
        m_linear[l].forward(*in, m_act[l]);
        if (l + 1 < m_linear.size()) {
            m_be->reluForward(m_act[l]);
            m_dropout[l].forward(m_act[l], train, rng);
        }
        in = &m_act[l];
    }
    return m_act.back();
}

double Mlp::lossAndBackward(const int* labels, long count, bool backward, Rng& rng, Timings* t)
{
    if (count != m_act.back().rows())
        throw ShapeError("softmax cross-entropy: " + std::to_string(count) + " labels for " + std::to_string(m_act.back().rows()) + " rows");
    m_labels.resize(count, 1);
    std::copy(labels, labels + count, m_labels.data());
    m_be->upload(m_labels);
    return lossAndBackward(m_labels, backward, rng, t);
}

double Mlp::lossAndBackward(const IndexTensor& labels, bool backward, Rng& rng, Timings* t)
{
    m_be->resize(m_loss, 1, 1);
    lossAndBackward(labels, backward, rng, t, LossSlot{&m_loss, 0, false});
    return m_be->readScalar(m_loss) / static_cast<double>(std::max<Eigen::Index>(labels.rows(), 1));
}

void Mlp::lossAndBackward(const IndexTensor& labels, bool backward, Rng& rng, Timings* t, const LossSlot& out)
{
    const Tensor& logits = m_act.back();
    if (labels.rows() != logits.rows())
        throw ShapeError("softmax cross-entropy: " + std::to_string(labels.rows()) + " labels for " + std::to_string(logits.rows()) + " rows");
    const Eigen::Index rows = logits.rows();
    if (!backward) {
        m_be->softmaxCrossEntropy(logits, labels, 1.0f, out, nullptr);
        return;
    }
    ScopedTimer overall(t ? &t->bpOverall : nullptr);
    // The mean's gradient is 1/B of the sum's.
    const float gradScale = m_spec.sumLoss || rows == 0 ? 1.0f : 1.0f / static_cast<float>(rows);
    m_be->softmaxCrossEntropy(logits, labels, gradScale, out, &m_grad);
    double* bpLinear = t ? &t->bpLinear : nullptr;
    for (std::size_t l = m_linear.size(); l-- > 0;) {
        if (l + 1 < m_linear.size()) {
            m_dropout[l].backward(m_grad);
            // After dropout the activation is zero exactly where relu was inactive or the unit dropped,
            // and the dropout backward already zeroed the dropped ones: masking by act > 0 is exact.
            m_be->reluBackward(m_act[l], m_grad);
        }
        m_linear[l].backward(m_grad, m_gradIn, specFor(l), rng, bpLinear);
        if (l > 0) std::swap(m_grad, m_gradIn);
    }
}

void Mlp::zeroGrad()
{
    for (Linear& l : m_linear) l.zeroGrad();
}

std::vector<Parameter*> Mlp::parameters()
{
    std::vector<Parameter*> p;
    for (Linear& l : m_linear) {
        p.push_back(&l.weight());
        p.push_back(&l.bias());
    }
    return p;
}

std::vector<LayerInfo> Mlp::layerInfo() const
{
    std::vector<LayerInfo> info;
    for (std::size_t l = 0; l < m_linear.size(); ++l) {
        const BackwardSpec s = specFor(l);
        info.push_back({m_linear[l].weight().name.substr(0, m_linear[l].weight().name.find('.')), m_linear[l].out(),
                        s.mode == BackpropMode::Dense ? m_linear[l].out() : s.k});
    }
    return info;
}

std::vector<double> Mlp::backpropRatio() const
{
    std::vector<double> r;
    for (const Linear& l : m_linear) r.push_back(l.keptFraction());  // no download (a GPU sync per step)
    return r;
}

std::vector<LayerSelection> Mlp::selection() const
{
    std::vector<LayerSelection> out;
    for (const Linear& l : m_linear) {
        LayerSelection ls;
        ls.name = l.weight().name.substr(0, l.weight().name.find('.'));
        ls.width = l.out();
        const Selection& s = l.lastSelection();
        if (s.mode == BackpropMode::Dense) {
            ls.rows.resize(static_cast<std::size_t>(l.out()));
            for (int i = 0; i < l.out(); ++i) ls.rows[static_cast<std::size_t>(i)] = i;
        } else {
            ls.rows = s.indices;
            std::sort(ls.rows.begin(), ls.rows.end());
            ls.rows.erase(std::unique(ls.rows.begin(), ls.rows.end()), ls.rows.end());
        }
        ls.counts = l.updateCounts();
        out.push_back(std::move(ls));
    }
    return out;
}

}  // namespace meprop
