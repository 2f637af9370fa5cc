#pragma once
// A fully connected layer y = x W^T + b on the GPU, with the meProp backward of layers/Linear.h:
//   dense:        dx = dy W (SGEMM), dW += dy^T x (SGEMM), db += colsum(dy)
//   unified:      radix-select the k columns of largest sum_b |dy|; gather dy_K (batch x k) and W_K
//                 (k x in) in one launch; dx = dy_K W_K and dW_K = dy_K^T x (two small SGEMMs);
//                 scatter-add dW_K into the k rows of dW with db and the row bookkeeping
//   topk:         per example radix select of k of |dy_b|; dx by a gather kernel; dW/db grouped by row
//                 (a stable CUB radix sort of the (row, example) pairs, one block column per row: no
//                 float atomics, so the result is the same on every run)
//   random:       the same kernels with indices drawn on the host by ops/TopK's randomIndices from the
//                 caller's Rng, i.e. exactly the CPU's draws
// Shapes (row-major, device memory): x (batch x in), W (out x in), b (1 x out), y, dy (batch x out),
// dx (batch x in). Gradients accumulate until zeroGrad(), like layers/Linear. Results equal the CPU
// layer's up to float rounding. Not thread-safe: one Context, one thread.
#include "core/Rng.h"
#include "core/Tensor.h"
#include "cuda/Context.h"
#include "cuda/SparseLinear.cuh"
#include "io/CheckpointStream.h"
#include "layers/Linear.h"

#include <cstdint>
#include <string>
#include <vector>

namespace meprop::cuda {

class CudaLinear {
public:
    // Uploads weight (out x in) and bias (1 x out). Throws ShapeError on mismatched shapes.
    CudaLinear(Context& ctx, const Matrix& weight, const Matrix& bias, std::string name);

    int in() const { return m_in; }
    int out() const { return m_out; }
    const std::string& name() const { return m_name; }

    // y = x W^T (+ b when addBias). Remembers x (not copied: it must stay valid until backward).
    void forward(const float* x, int batch, float* y, bool addBias = true, GemmPrecision precision = GemmPrecision::Fp32);
    // Backward of the last forward; dy (batch x out), dx written when spec.needInputGrad. Throws
    // ShapeError when batch differs from the forward's, ConfigError on k outside [1, out].
    // Random mode draws from `rng`; no mode synchronises the stream except random (host indices).
    // nonFinite (device memory, may be null): set to 1 when dy holds a NaN or an infinity, in every
    // mode (fused into the kernels that read all of dy; random-k: one extra pass). The caller reads
    // it once per step and throws NonFiniteGradient, as the CPU layer does (layers/Linear.h).
    void backward(const float* dy, int batch, float* dx, const BackwardSpec& spec, Rng& rng,
                  GemmPrecision precision = GemmPrecision::Fp32, unsigned* nonFinite = nullptr);
    // Clears dW and db: O(touched rows) after sparse backward, a memset after a dense one.
    void zeroGrad();

    float* weight() { return m_w.data(); }
    float* bias() { return m_b.data(); }
    float* weightGrad() { return m_dw.data(); }
    float* biasGrad() { return m_db.data(); }
    // out bytes: row r got a gradient since the last zeroGrad().
    const unsigned char* touched() const { return m_touched.data(); }

    // Host copies (synchronise the stream).
    Matrix downloadWeight() const;
    Matrix downloadBias() const;
    Matrix downloadWeightGrad() const;
    Matrix downloadBiasGrad() const;
    // The indices kept by the last backward (empty after a dense one): batch*k per example for
    // topk/random, k shared for unified, ascending within an example as ops/TopK.
    std::vector<int> lastIndices() const;
    BackpropMode lastMode() const { return m_lastMode; }
    int lastK() const { return m_lastK; }
    // Rows touched since the last zeroGrad(), ascending.
    std::vector<int> touchedRows() const;
    // Per output row: examples that kept it since the last resetCounts() (Linear::updateCounts()).
    std::vector<std::uint64_t> updateCounts() const;
    void resetCounts();

    // Checkpoint state, in the layout of layers/Linear (weight, bias, update counts), through host
    // copies (synchronises the stream). load needs a layer of the same shape and clears the
    // gradients; it keeps the device buffers (the optimizer holds their addresses).
    void save(CheckpointWriter& w) const;
    void load(CheckpointReader& r);

private:
    Matrix download(const DeviceBuffer<float>& buf, int rows, int cols) const;

    Context& m_ctx;
    std::string m_name;
    int m_in = 0, m_out = 0;
    DeviceBuffer<float> m_w, m_b, m_dw, m_db;
    DeviceBuffer<float> m_score, m_dyK, m_wK, m_dwK;
    DeviceBuffer<int> m_idx;
    DeviceBuffer<unsigned char> m_touched;
    DeviceBuffer<std::uint64_t> m_counts;
    RowGroupScratch m_rowGroups;  // the deterministic per-example dW
    const float* m_x = nullptr;
    int m_batch = 0;
    BackpropMode m_lastMode = BackpropMode::Dense;
    int m_lastK = 0;
    bool m_gradDense = false;  // a dense backward ran since the last zeroGrad()
    std::vector<int> m_hostIdx, m_scratch;
};

}  // namespace meprop::cuda
