#include "cuda/CudaLinear.h"

#include "core/Error.h"
#include "cuda/Finite.cuh"
#include "cuda/Optim.cuh"
#include "cuda/SparseLinear.cuh"
#include "cuda/TopK.cuh"
#include "ops/TopK.h"

namespace meprop::cuda {

CudaLinear::CudaLinear(Context& ctx, const Matrix& weight, const Matrix& bias, std::string name)
    : m_ctx(ctx), m_name(std::move(name)), m_in(static_cast<int>(weight.cols())), m_out(static_cast<int>(weight.rows()))
{
    if (m_in < 1 || m_out < 1) throw ShapeError(m_name + ": layer sizes must be positive");
    if (bias.rows() != 1 || bias.cols() != m_out)
        throw ShapeError(m_name + ": bias is " + std::to_string(bias.rows()) + "x" + std::to_string(bias.cols()) + ", expected 1x" +
                         std::to_string(m_out));
    const cudaStream_t s = m_ctx.stream();
    m_w.upload(weight.data(), static_cast<std::size_t>(weight.size()), s);
    m_b.upload(bias.data(), static_cast<std::size_t>(bias.size()), s);
    m_dw.resize(static_cast<std::size_t>(weight.size()));
    m_dw.zero(s);
    m_db.resize(static_cast<std::size_t>(m_out));
    m_db.zero(s);
    m_touched.resize(static_cast<std::size_t>(m_out));
    m_touched.zero(s);
    m_counts.resize(static_cast<std::size_t>(m_out));
    m_counts.zero(s);
    m_score.resize(static_cast<std::size_t>(m_out));
    m_ctx.synchronize();  // the host matrices may go away after the constructor
}

void CudaLinear::forward(const float* x, int batch, float* y, bool addBias, GemmPrecision precision)
{
    if (batch < 1) throw ShapeError(m_name + ": empty batch");
    m_x = x;
    m_batch = batch;
    m_ctx.gemm(false, true, batch, m_out, m_in, 1.0f, x, m_w.data(), 0.0f, y, precision);
    if (addBias) cuda::addBias(y, batch, m_out, m_b.data(), m_ctx.stream());
}

void CudaLinear::backward(const float* dy, int batch, float* dx, const BackwardSpec& spec, Rng& rng, GemmPrecision precision,
                          unsigned* nonFinite)
{
    if (!m_x || batch != m_batch)
        throw ShapeError(m_name + ": backward of a batch of " + std::to_string(batch) + ", expected the forward's " +
                         std::to_string(m_batch));
    const BackpropMode mode = spec.mode;
    const int k = mode == BackpropMode::Dense ? m_out : spec.k;
    if (mode != BackpropMode::Dense && (k < 1 || k > m_out))
        throw ConfigError("k: expected 1 <= k <= " + std::to_string(m_out) + " (layer width), got " + std::to_string(k));
    m_lastMode = mode;
    m_lastK = k;
    const cudaStream_t s = m_ctx.stream();
    const bool wantDx = spec.needInputGrad && dx;

    switch (mode) {
    case BackpropMode::Dense:
        if (wantDx) m_ctx.gemm(false, false, batch, m_in, m_out, 1.0f, dy, m_w.data(), 0.0f, dx, precision);
        m_ctx.gemm(true, false, m_out, m_in, batch, 1.0f, dy, m_x, 1.0f, m_dw.data(), precision);
        denseBiasGrad(dy, batch, m_out, m_db.data(), m_touched.data(), m_counts.data(), s, nonFinite);
        m_gradDense = true;
        return;
    case BackpropMode::Unified: {
        m_idx.reserve(static_cast<std::size_t>(k));
        m_dyK.reserve(static_cast<std::size_t>(batch) * k);
        m_dwK.reserve(static_cast<std::size_t>(k) * m_in);
        if (wantDx) m_wK.reserve(static_cast<std::size_t>(k) * m_in);
        unifiedTopK(dy, batch, m_out, k, m_score.data(), m_idx.data(), s, nonFinite);
        gatherUnified(dy, batch, m_out, m_idx.data(), k, wantDx ? m_w.data() : nullptr, m_in, m_dyK.data(),
                      wantDx ? m_wK.data() : nullptr, s);
        if (wantDx) m_ctx.gemm(false, false, batch, m_in, k, 1.0f, m_dyK.data(), m_wK.data(), 0.0f, dx, precision);
        m_ctx.gemm(true, false, k, m_in, batch, 1.0f, m_dyK.data(), m_x, 0.0f, m_dwK.data(), precision);
        scatterUnified(m_dwK.data(), m_dyK.data(), batch, k, m_in, m_idx.data(), m_dw.data(), m_db.data(), m_touched.data(),
                       m_counts.data(), s);
        return;
    }
    case BackpropMode::TopK:
    case BackpropMode::Random: {
        const std::size_t total = static_cast<std::size_t>(batch) * k;
        m_idx.reserve(total);
        if (mode == BackpropMode::TopK) {
            topKRows(dy, batch, m_out, m_out, k, m_idx.data(), s, nonFinite);
        } else {
            flagNonFinite(dy, static_cast<std::size_t>(batch) * m_out, nonFinite, s);
            m_hostIdx.resize(total);
            for (int b = 0; b < batch; ++b) randomIndices(m_out, k, rng, m_hostIdx.data() + static_cast<std::size_t>(b) * k, m_scratch);
            MEPROP_CUDA_CHECK(cudaMemcpyAsync(m_idx.data(), m_hostIdx.data(), total * sizeof(int), cudaMemcpyHostToDevice, s));
        }
        if (wantDx) perExampleInputGrad(dy, batch, m_out, m_idx.data(), k, m_w.data(), m_in, dx, s);
        perExampleWeightGrad(dy, batch, m_out, m_idx.data(), k, m_x, m_in, m_dw.data(), m_db.data(), m_touched.data(),
                             m_counts.data(), s);
        if (mode == BackpropMode::Random) m_ctx.synchronize();  // m_hostIdx is reused by the next call
        return;
    }
    }
}

void CudaLinear::zeroGrad()
{
    const cudaStream_t s = m_ctx.stream();
    if (m_gradDense) {
        m_dw.zero(s);
        m_touched.zero(s);
    } else {
        zeroTouchedRows(m_dw.data(), m_out, m_in, m_touched.data(), s);
    }
    m_db.zero(s);
    m_gradDense = false;
}

Matrix CudaLinear::download(const DeviceBuffer<float>& buf, int rows, int cols) const
{
    Matrix m(rows, cols);
    buf.download(m.data(), static_cast<std::size_t>(m.size()), m_ctx.stream());
    return m;
}

Matrix CudaLinear::downloadWeight() const { return download(m_w, m_out, m_in); }
Matrix CudaLinear::downloadBias() const { return download(m_b, 1, m_out); }
Matrix CudaLinear::downloadWeightGrad() const { return download(m_dw, m_out, m_in); }
Matrix CudaLinear::downloadBiasGrad() const { return download(m_db, 1, m_out); }

std::vector<int> CudaLinear::lastIndices() const
{
    if (m_lastMode == BackpropMode::Dense) return {};
    const std::size_t count = m_lastMode == BackpropMode::Unified ? static_cast<std::size_t>(m_lastK)
                                                                   : static_cast<std::size_t>(m_batch) * m_lastK;
    std::vector<int> idx(count);
    m_idx.download(idx.data(), count, m_ctx.stream());
    return idx;
}

std::vector<int> CudaLinear::touchedRows() const
{
    const std::vector<unsigned char> mark = m_touched.download(m_ctx.stream());
    std::vector<int> rows;
    for (std::size_t r = 0; r < mark.size(); ++r)
        if (mark[r]) rows.push_back(static_cast<int>(r));
    return rows;
}

std::vector<std::uint64_t> CudaLinear::updateCounts() const
{
    return m_counts.download(m_ctx.stream());
}

void CudaLinear::save(CheckpointWriter& w) const
{
    w.section("linear");
    w.string(m_name + ".weight");
    w.matrix(downloadWeight());
    w.string(m_name + ".bias");
    w.matrix(downloadBias());
    w.u64s(updateCounts());
}

void CudaLinear::load(CheckpointReader& r)
{
    r.section("linear");
    Matrix w(m_out, m_in), b(1, m_out);
    for (auto [suffix, m] : {std::pair<const char*, Matrix*>{".weight", &w}, {".bias", &b}}) {
        const std::string name = r.string();
        if (name != m_name + suffix) r.fail("expected parameter \"" + m_name + suffix + "\", found " + quote(name));
        r.matrixInto(*m, "parameter " + name);
    }
    const std::vector<std::uint64_t> counts = r.u64s(static_cast<std::size_t>(m_out), m_name + " update counts");
    const cudaStream_t s = m_ctx.stream();
    // Same sizes: upload() copies into the existing allocations.
    m_w.upload(w.data(), static_cast<std::size_t>(w.size()), s);
    m_b.upload(b.data(), static_cast<std::size_t>(b.size()), s);
    m_counts.upload(counts, s);
    zeroGrad();
    MEPROP_CUDA_CHECK(cudaStreamSynchronize(s));  // the host copies above go out of scope
}

void CudaLinear::resetCounts()
{
    m_counts.zero(m_ctx.stream());
}

}  // namespace meprop::cuda
