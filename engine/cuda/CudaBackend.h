#pragma once
// The GPU implementation of backend/Backend.h: cuBLAS for the products (cuda/Context), the
// kernels of engine/cuda for the rest (SparseLinear, TopK, Activation, Elementwise, Optim, Finite).
// Every operation is queued on the context's one stream; only download, downloadSelection,
// countCorrect, readScalars and synchronize wait.
//
// Tensors. resize gives a tensor device memory (cudaMalloc, released by cudaFree when the tensor
// drops it) and shapes its host mirror the same; the allocation only grows, so a tensor that
// shrinks and grows again keeps its memory. An operation's inputs must be in device memory
// (allocated by resize or upload): a host-only input is a caller's mistake (std::logic_error).
//
// Row bookkeeping of a Parameter (core/Parameter.h): `touched` (1 x rows bytes, allocated and
// zeroed on first use) marks the rows a sparse backward reached, `gradDense` says a dense product
// went into the gradient (touchAll). zeroGrad clears O(touched rows) unless gradDense; the
// row-skipping updates (SGD, AdaGrad, lazy Adam) go over the touched rows unless gradDense.
// A parameter whose gradient nothing touched since it was cleared is left alone by them.
//
// Non-finite gradients. Each select queues a check of dy into its own slot of a device status
// array (sel.deviceFlag). checkFinite records which layer the slot belongs to, and the step
// beginStep set; synchronize() and readScalars() read the slots once and throw NonFiniteGradient
// for the first flagged slot in the order checkFinite was called, naming its layer and step. A selection checked after the synchronize that read its slot is
// still reported (the ids of the flagged slots read are remembered).
//
// Not thread-safe: one backend per thread (its stream and cuBLAS handle).
#include "backend/Backend.h"
#include "cuda/Context.h"
#include "cuda/SparseLinear.cuh"

#include <cstddef>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace meprop::cuda {

class CudaBackend final : public Backend {
public:
    // Device 0. Throws CudaError when no device can be used.
    CudaBackend();

    Device device() const override { return Device::Cuda; }
    std::string name() const override { return m_name; }
    Context& context() { return m_ctx; }

    void resize(Tensor& t, Eigen::Index rows, Eigen::Index cols) override;
    void resize(IndexTensor& t, Eigen::Index rows, Eigen::Index cols) override;
    void resize(CountTensor& t, Eigen::Index rows, Eigen::Index cols) override;
    void resize(MaskTensor& t, Eigen::Index rows, Eigen::Index cols) override;
    // Not in Backend: the row marks (the workbench's touched rows) travel through these.
    void resize(StepTensor& t, Eigen::Index rows, Eigen::Index cols) override;
    void resize(ScalarTensor& t, Eigen::Index rows, Eigen::Index cols) override;
    void upload(StepTensor& t) override;
    void download(StepTensor& t) override;
    void upload(MaskTensor& t);
    void download(MaskTensor& t);
    void upload(Tensor& t) override;
    void upload(IndexTensor& t) override;
    void upload(CountTensor& t) override;
    void download(Tensor& t) override;
    void download(IndexTensor& t) override;
    void download(CountTensor& t) override;
    void copy(const Tensor& src, Tensor& dst) override;
    void copyRows(const Tensor& src, Eigen::Index begin, Eigen::Index count, Tensor& dst) override;
    void setZero(Tensor& t) override;
    void setZero(CountTensor& t) override;
    void synchronize() override;
    void readScalars(const ScalarTensor& t, Eigen::Index count, double* out) override;
    void beginStep(long step) override { m_step = step; }

    void gemm(bool transA, bool transB, float alpha, const Tensor& A, const Tensor& B, float beta, Tensor& C,
              Precision precision = Precision::Fp32) override;
    void addBias(Tensor& y, const Tensor& bias) override;
    void addColumnSums(const Tensor& dy, Tensor& db) override;
    void addToCounts(CountTensor& counts, std::uint64_t amount) override;
    void scale(Tensor& x, float factor) override;

    void reluForward(Tensor& x) override;
    void reluBackward(const Tensor& y, Tensor& dy) override;
    void dropoutForward(Tensor& x, float p, Rng& rng, Tensor& mask) override;
    void multiply(Tensor& dy, const Tensor& mask) override;

    void softmaxCrossEntropy(const Tensor& logits, const IndexTensor& labels, float gradScale, const LossSlot& loss, Tensor* dlogits) override;
    void embeddingForward(const Tensor& table, const IndexTensor& ids, int idCol0, int idCount, Tensor& x, int xCol0) override;
    void embeddingBackward(const Tensor& dx, const IndexTensor& ids, int idCol0, int idCount, int xCol0, Parameter& table) override;
    void cubeForward(const Tensor& z, Tensor& h) override;
    void cubeBackward(const Tensor& z, Tensor& dh) override;

    long countCorrect(const Tensor& logits, const IndexTensor& labels, Eigen::Index begin) override;
    void gatherExamples(const Tensor& data, const IndexTensor& labels, const IndexTensor& order, Eigen::Index begin,
                        Eigen::Index count, Tensor& x, IndexTensor& y) override;
    void gatherIndexRows(const IndexTensor& src, const IndexTensor& order, Eigen::Index begin, Eigen::Index count,
                         IndexTensor& dst) override;

    void select(const Tensor& dy, BackpropMode mode, int k, Rng& rng, Selection& sel) override;
    void downloadSelection(Selection& sel) override;
    void checkFinite(const Selection& sel, const std::string& layer) override;
    void linearSparseBackward(const Tensor& dy, const Selection& sel, const Tensor& x, Parameter& w, Parameter& b,
                              CountTensor& counts, Tensor* dx, Precision precision = Precision::Fp32) override;

    void touchAll(Parameter& p) override;
    void zeroGrad(Parameter& p) override;
    void sgdUpdate(Parameter& p, float lr, const GradHandling& gh) override;
    void adagradUpdate(Parameter& p, Tensor& h, float lr, float eps, bool epsInside, const GradHandling& gh) override;
    void adamUpdate(Parameter& p, Tensor& m, Tensor& v, const AdamStep& s, const GradHandling& gh) override;
    void adamLazyUpdate(Parameter& p, Tensor& m, Tensor& v, StepTensor& rowSteps, float lr, float beta1, float beta2, float eps,
                        const GradHandling& gh) override;

    // ---- LSTM (layers/Lstm.h): cuBLAS for the products (the input products of all steps as one
    // GEMM; per step one GEMM row for U h_prev, or the kept rows' combination, and one element-wise
    // kernel), cuda/Lstm.cuh for the rest. The sparse weight gradients and dx do k/n of the dense
    // work, as on the CPU and in linearSparseBackward: topk/random group the (kept row, step) pairs
    // by row (groupSelectionByRow) and sum each touched row of dW and dU in step order
    // (groupedWeightGrad; deterministic, no float atomics), dx_t the combination of its kept rows of
    // W; unified gathers the K kept columns of da once and runs small GEMMs, scattered into the
    // kept rows. Only the kept rows are marked touched (update=touched and zeroGrad are O(kept
    // rows)); top-k per gate block per step by topKRows; random drawn on the device, all steps at
    // once, from one key of rng (randomKRows: the CPU's rows, no host draws or upload).
    void lstmForward(const Tensor& x, const Tensor& W, const Tensor& U, const Tensor& b, bool reverse, LstmState& st) override;
    void lstmBackward(const Tensor& dh, const Tensor& x, const LstmState& st, bool reverse, const LstmBackprop& spec, Rng& rng,
                      Parameter& W, Parameter& U, Parameter& b, CountTensor& counts, IndexTensor& kept, Tensor* dx,
                      const std::string& layer, double* linearSeconds) override;
    void copyIntoColumns(const Tensor& src, Tensor& dst, Eigen::Index col) override;
    void copyColumns(const Tensor& src, Eigen::Index col, Eigen::Index count, Tensor& dst) override;
    void accumulate(const Tensor& src, Tensor& dst) override;

private:
    // The status slot of a new selection: its device flag (zeroed) and its id for sel.deviceFlag.
    std::pair<unsigned*, int> newFlagSlot();
    // Waits for the stream, after queuing a copy of the count doubles at scalarSrc (device) to
    // scalarDst when given, reads the pending flags and throws NonFiniteGradient for the first
    // checked one (naming the step beginStep gave its check).
    void drainFlags(const double* scalarSrc, double* scalarDst, std::size_t count = 0);
    // p.touched sized 1 x rows; true when it had to be made (then zeroed).
    bool ensureTouched(Parameter& p);
    // The row mask of a row-skipping update and of zeroGrad: null (every row) after a dense
    // gradient or before the parameter has row bookkeeping (a new Parameter is dense, as on the
    // CPU), else p.touched.
    const unsigned char* rowMask(const Parameter& p) const;
    // After an update pass that zeroed the gradient (GradHandling::zeroGrad): the row marks.
    void markGradZeroed(Parameter& p);

    Context m_ctx;
    std::string m_name;

    // Status slots: chunks of kFlagChunk flags, allocated on demand and kept (a queued kernel
    // may still write to a chunk, so none is ever freed before the backend).
    static constexpr int kFlagChunk = 1024;
    std::vector<DeviceBuffer<unsigned>> m_flagChunks;
    int m_flagBase = 0;     // the id of the first pending slot
    int m_flagPending = 0;  // slots used since the last drain
    struct PendingCheck {
        int id;
        std::string layer;
        long step;
    };
    std::vector<PendingCheck> m_checks;  // checkFinite calls since the last drain, in order
    long m_step = 0;                     // beginStep's number for the checks queued now
    std::unordered_set<int> m_flagged;                  // every flagged slot id read so far (rare: a run that diverged)
    std::vector<unsigned> m_hostFlags;

    // Scratch of the operations (grown on demand, reused: the stream orders every use).
    DeviceBuffer<float> m_score, m_dyK, m_wK, m_dwK, m_rowScalars;
    DeviceBuffer<int> m_correct;
    RowGroupScratch m_rowGroups;
    DeviceBuffer<unsigned> m_embedKeys;
    DeviceBuffer<int> m_embedPositions;
    DeviceBuffer<unsigned> m_randomBits;  // randomKRows' bitmaps when a row outgrows shared memory
    // LSTM scratch.
    DeviceBuffer<float> m_lstmDa, m_lstmHPrev, m_lstmDhNext, m_lstmDcNext, m_lstmScore;
    DeviceBuffer<int> m_lstmShared;
};

}  // namespace meprop::cuda
