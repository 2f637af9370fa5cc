#pragma once
// The compute backend: the operations the models need, implemented once for the CPU (Eigen and
// the engine's own kernels, backend/CpuBackend) and once for the GPU (cuBLAS and the kernels of
// engine/cuda, cuda/CudaBackend). Layers, models and optimizers are written once against this
// interface; a run picks its backend once (the `device` key, makeBackend) and never by #ifdef.
// The design follows dlib's tt:: functions and ggml's backend interface: one entry point per
// operation, dispatched to the device in one place.
//
// Tensors (core/Tensor.h) are allocated by the backend that runs them (resize), so on the GPU
// their values live in device memory and only the host mirror of what a caller asks for travels
// (download). Every operation checks nothing it does not need to: shapes are the callers' (the
// layers check their inputs once); the operations throw ShapeError where a size cannot work.
//
// Granularity. Most operations are element-wise or one product. The sparse backward of a linear
// layer (linearSparseBackward) is one operation because how it is best computed depends on the
// device: the CPU groups the kept entries by row in linked lists and switches to gathered or
// masked GEMMs by measured thresholds; the GPU radix-sorts (row, example) pairs and always
// gathers the unified selection for two small SGEMMs. Both compute the formulas of
// layers/Linear.h and keep the same bookkeeping.
//
// Asynchrony. GPU operations are queued on one stream; nothing waits until a value is read
// (download, readScalars) or synchronize() is called. A non-finite gradient found by a selection
// is reported by checkFinite: at once on the CPU, at the next synchronize() or readScalars() on
// the GPU (NonFiniteGradient naming the first layer, in the order checkFinite was called, and the
// step beginStep numbered it with). Training reads its losses every few steps (tasks/LossLog.h),
// so a GPU step queues its work without waiting for the previous one.
#include "backend/Device.h"
#include "core/Parameter.h"
#include "core/Rng.h"
#include "core/Tensor.h"
#include "ops/BackpropMode.h"
#include "ops/TopK.h"

#include <cstdint>
#include <memory>
#include <string>

namespace meprop {

// How an optimizer treats a gradient in its update pass (the same struct as optim/UpdateKernels).
struct GradHandling;
struct AdamStep;

// The product precision of the GPU (the CPU always computes in FP32).
enum class Precision { Fp32, Tf32 };

// The forward state of one LSTM direction over one sentence of T steps (layers/Lstm.h), by time
// index t (not processing order): the gate activations [i | f | g | o] (T x 4H), the cell state c,
// tanh(c) and the hidden state h (T x H each). Allocated by the backend's lstmForward.
struct LstmState {
    Tensor gates, c, tc, h;
};

// Where a loss is written: (*tensor)(0, slot) of a 1 x n tensor on the backend (slot < n), added
// to when accumulate (e.g. the sentences of a batch).
struct LossSlot {
    ScalarTensor* tensor = nullptr;
    Eigen::Index slot = 0;
    bool accumulate = false;
};

// What one LSTM backward keeps (layers/Lstm.h's BackwardSpec, without the flags the layer handles).
struct LstmBackprop {
    BackpropMode mode = BackpropMode::Dense;
    int k = 0;               // per gate block per step (sparse modes), 1 <= k <= H
    bool denseBias = false;  // sparse modes: b gets the sum of the whole da_t
};

class Backend {
public:
    virtual ~Backend() = default;
    virtual Device device() const = 0;
    // "cpu" or the GPU's name.
    virtual std::string name() const = 0;

    // ---- memory
    // Shapes t as rows x cols (host mirror and, on the GPU, device memory). The values are
    // undefined after a change of size, kept otherwise.
    virtual void resize(Tensor& t, Eigen::Index rows, Eigen::Index cols) = 0;
    virtual void resize(IndexTensor& t, Eigen::Index rows, Eigen::Index cols) = 0;
    virtual void resize(CountTensor& t, Eigen::Index rows, Eigen::Index cols) = 0;
    virtual void resize(MaskTensor& t, Eigen::Index rows, Eigen::Index cols) = 0;
    virtual void resize(StepTensor& t, Eigen::Index rows, Eigen::Index cols) = 0;
    virtual void resize(ScalarTensor& t, Eigen::Index rows, Eigen::Index cols) = 0;
    // The host values (the matrix) become the tensor's values; allocates when needed. CPU: nothing.
    virtual void upload(Tensor& t) = 0;
    virtual void upload(IndexTensor& t) = 0;
    virtual void upload(CountTensor& t) = 0;
    virtual void upload(StepTensor& t) = 0;
    // The host mirror gets the tensor's values (waits for them). CPU: nothing.
    virtual void download(Tensor& t) = 0;
    virtual void download(IndexTensor& t) = 0;
    virtual void download(CountTensor& t) = 0;
    virtual void download(StepTensor& t) = 0;
    // dst = src (dst resized); dst = src.middleRows(begin, count).
    virtual void copy(const Tensor& src, Tensor& dst) = 0;
    virtual void copyRows(const Tensor& src, Eigen::Index begin, Eigen::Index count, Tensor& dst) = 0;
    virtual void setZero(Tensor& t) = 0;
    virtual void setZero(CountTensor& t) = 0;
    // Waits for every queued operation; throws NonFiniteGradient for a gradient checkFinite flagged.
    virtual void synchronize() = 0;
    // out[i] = t(0, i) for i < count (t is 1 x n, count <= n): waits on the GPU, with the checks of
    // synchronize().
    virtual void readScalars(const ScalarTensor& t, Eigen::Index count, double* out) = 0;
    // The value of a 1x1 tensor (readScalars of one).
    double readScalar(const ScalarTensor& t);
    // Numbers the operations queued from now on as training step `step` (1-based): a non-finite
    // gradient reported later names it. CPU: nothing (it reports at once; the trainer knows the step).
    virtual void beginStep(long step) = 0;

    // ---- dense
    // C = alpha op(A) op(B) + beta C, op(X) = X or X^T; C is resized when beta == 0.
    virtual void gemm(bool transA, bool transB, float alpha, const Tensor& A, const Tensor& B, float beta, Tensor& C,
                      Precision precision = Precision::Fp32) = 0;
    // y.row(b) += bias.row(0) for every b.
    virtual void addBias(Tensor& y, const Tensor& bias) = 0;
    // db.row(0) += the column sums of dy (fixed order).
    virtual void addColumnSums(const Tensor& dy, Tensor& db) = 0;
    // counts(0, r) += amount for every r.
    virtual void addToCounts(CountTensor& counts, std::uint64_t amount) = 0;
    // x *= factor.
    virtual void scale(Tensor& x, float factor) = 0;

    // ---- element-wise
    // x = max(x, 0); dy = dy where y > 0, else 0 (y: the forward output).
    virtual void reluForward(Tensor& x) = 0;
    virtual void reluBackward(const Tensor& y, Tensor& dy) = 0;
    // Inverted dropout with drop probability p in [0, 1): mask resized to x's shape, each element 0
    // with probability p and 1/(1-p) otherwise, x *= mask. The CPU draws the mask from rng element
    // by element (layers/Dropout.h); the GPU hashes (one rng draw, element index), so with
    // dropout the two devices train on different masks.
    virtual void dropoutForward(Tensor& x, float p, Rng& rng, Tensor& mask) = 0;
    // dy *= mask.
    virtual void multiply(Tensor& dy, const Tensor& mask) = 0;

    // ---- embeddings (a parser's three tables, a tagger's word and feature tables)
    // For every row b of ids and j < idCount: x.block(b, xCol0 + j d, 1, d) = table.row(ids(b,
    // idCol0 + j)), d = table.cols(). x must already have ids.rows() rows and the columns. The ids
    // are the caller's to check (they come from the host: check them there, once).
    virtual void embeddingForward(const Tensor& table, const IndexTensor& ids, int idCol0, int idCount, Tensor& x, int xCol0) = 0;
    // The backward of embeddingForward: table.grad.row(id) += each block of dx that id was read
    // into, in the order of (b, j); only those rows are touched. Deterministic on the GPU too (the
    // blocks are grouped by row, no float atomics).
    virtual void embeddingBackward(const Tensor& dx, const IndexTensor& ids, int idCol0, int idCount, int xCol0, Parameter& table) = 0;

    // ---- more activations (the parser's cube, Chen and Manning 2014)
    // h = z^3 (h resized); dh *= 3 z^2 (z: the forward input).
    virtual void cubeForward(const Tensor& z, Tensor& h) = 0;
    virtual void cubeBackward(const Tensor& z, Tensor& dh) = 0;

    // ---- loss and metrics
    // Softmax cross-entropy of logits (rows x classes) against labels (rows x 1)
    // (layers/SoftmaxCrossEntropy.h): the sum over the rows of -log softmax(logits_r)[label_r],
    // accumulated in double, is written to the loss slot (LossSlot), so a step's loss stays on the
    // device until it is read (tasks/LossLog.h). dlogits (resized) = gradScale * (softmax - onehot) when given:
    // gradScale = 1/rows for the mean over the rows. A label < 0 marks a row without a target (no
    // loss, a zero gradient row). Labels >= classes: ShapeError on the CPU; on the GPU the row is
    // skipped (the data's labels were checked when it was loaded).
    virtual void softmaxCrossEntropy(const Tensor& logits, const IndexTensor& labels, float gradScale, const LossSlot& loss, Tensor* dlogits) = 0;
    // The number of rows whose largest logit (the lowest index among equals) is the label.
    virtual long countCorrect(const Tensor& logits, const IndexTensor& labels, Eigen::Index begin) = 0;
    // x.row(i) = data.row(order(0, begin + i)), y(i, 0) = labels(order(0, begin + i), 0), i < count.
    virtual void gatherExamples(const Tensor& data, const IndexTensor& labels, const IndexTensor& order, Eigen::Index begin,
                                Eigen::Index count, Tensor& x, IndexTensor& y) = 0;
    // dst.row(i) = src.row(order(0, begin + i)) for i < count (dst resized): a batch of integer
    // rows (the parser's feature ids and gold transitions) from a set uploaded once.
    virtual void gatherIndexRows(const IndexTensor& src, const IndexTensor& order, Eigen::Index begin, Eigen::Index count,
                                 IndexTensor& dst) = 0;

    // ---- meProp
    // Fills sel for the output gradient dy (batch x n) under mode, keeping k per example (the
    // semantics of ops/TopK.h selectComponents: ascending indices, ties to the lower index; the
    // Random mode takes one key from rng (Rng::bits) and keeps ops/RandomK.h's counter-based
    // components, example b being stream b, computed where the selection lives (the GPU draws on
    // the device, no synchronisation), so both devices keep the same components). Throws ConfigError for k outside [1, n] in a sparse mode. On the GPU the
    // indices stay on the device (sel.deviceIndices) until downloadSelection.
    virtual void select(const Tensor& dy, BackpropMode mode, int k, Rng& rng, Selection& sel) = 0;
    // The host indices of sel (sel.indices) after a GPU selection. CPU: nothing.
    virtual void downloadSelection(Selection& sel) = 0;
    // A NaN or an infinity in the gradient sel was made from stops training with
    // NonFiniteGradient(layer): at once on the CPU, at the next synchronize() on the GPU.
    virtual void checkFinite(const Selection& sel, const std::string& layer) = 0;
    // The sparse backward of y = x W^T + b for sel (a sparse mode) and dy (batch x out), x
    // (batch x in): dW += the kept rows' products, db += the kept components (denseBias: the
    // caller adds the full column sums), counts(0, r) += the examples keeping row r, the rows of
    // w and b touched; dx (batch x in, resized) = dy masked to sel times W when dx is given.
    virtual void linearSparseBackward(const Tensor& dy, const Selection& sel, const Tensor& x, Parameter& w, Parameter& b,
                                      CountTensor& counts, Tensor* dx, Precision precision = Precision::Fp32) = 0;

    // ---- parameters and optimizers (optim/UpdateKernels.h formulas)
    // Marks every element of p's gradient as possibly nonzero (after a dense product into it).
    virtual void touchAll(Parameter& p) = 0;
    // Clears p's gradient: O(touched rows) after a sparse backward.
    virtual void zeroGrad(Parameter& p) = 0;
    // One update of p from its gradient, skipping the rows no gradient reached (exact for SGD and
    // AdaGrad), clearing the gradient in the same pass when gh.zeroGrad.
    virtual void sgdUpdate(Parameter& p, float lr, const GradHandling& gh) = 0;
    virtual void adagradUpdate(Parameter& p, Tensor& h, float lr, float eps, bool epsInside, const GradHandling& gh) = 0;
    // Every element of p (the paper's unmodified Adam) with the scalars of step s.
    virtual void adamUpdate(Parameter& p, Tensor& m, Tensor& v, const AdamStep& s, const GradHandling& gh) = 0;
    // Lazy Adam: only the rows that got a gradient, each with its own step count rowSteps(0, r)
    // (incremented here) in its bias correction (optim/Adam.h).
    virtual void adamLazyUpdate(Parameter& p, Tensor& m, Tensor& v, StepTensor& rowSteps, float lr, float beta1,
                                float beta2, float eps, const GradHandling& gh) = 0;

    // ---- LSTM (layers/Lstm.h)
    // Whole-sentence operations of one LSTM direction: a per-step dispatch would be launch-bound on
    // the GPU, and the CPU's backward groups the kept rows of all steps by row. The formulas, modes
    // and checks are layers/Lstm.h's; the callers check the shapes and k.
    // x (T x in, T >= 1), W (4H x in), U (4H x H), b (1 x 4H); reverse processes t = T-1 .. 0.
    // st: resized and filled (backend/Backend.h LstmState).
    virtual void lstmForward(const Tensor& x, const Tensor& W, const Tensor& U, const Tensor& b, bool reverse, LstmState& st) = 0;
    // BPTT of dh (T x H) through the state of lstmForward(x, ...): accumulates W.grad, U.grad,
    // b.grad (touching the rows that got a gradient), counts(0, r) += the steps that kept row r,
    // writes dx (T x in, resized) when given, and kept (resized T x 4k: the kept gate rows of each
    // step, ascending; T x 0 for dense). Random takes one key from rng (Rng::bits) per call and
    // keeps ops/RandomK.h's counter-based rows, gate block j of step t being stream 4 t + j, on
    // either device (the GPU computes them on the device). A non-finite dh or gate gradient
    // that the products use: NonFiniteGradient(layer), before any gradient is written on the CPU,
    // at the next synchronize() on the GPU. Adds the time of the products and the selection (on
    // the GPU: of queuing them) to *linearSeconds when given.
    virtual void lstmBackward(const Tensor& dh, const Tensor& x, const LstmState& st, bool reverse, const LstmBackprop& spec,
                              Rng& rng, Parameter& W, Parameter& U, Parameter& b, CountTensor& counts, IndexTensor& kept,
                              Tensor* dx, const std::string& layer, double* linearSeconds) = 0;
    // dst.middleCols(col, src.cols()) = src (dst already shaped, src.rows() rows).
    virtual void copyIntoColumns(const Tensor& src, Tensor& dst, Eigen::Index col) = 0;
    // dst (resized) = src.middleCols(col, count).
    virtual void copyColumns(const Tensor& src, Eigen::Index col, Eigen::Index count, Tensor& dst) = 0;
    // dst += src (same shape).
    virtual void accumulate(const Tensor& src, Tensor& dst) = 0;
    // ---- end LSTM
};

// The process's CPU backend (stateless apart from scratch; one per thread is not needed: every
// scratch buffer is the caller's or the call's).
Backend& cpuBackend();

// A backend for `device`: the CPU backend, or a new GPU backend with its own stream and cuBLAS
// handle (to be used by one thread). Throws ConfigError when the build has no GPU support or no
// device is present, CudaError when the GPU fails.
std::shared_ptr<Backend> makeBackend(Device device);

}  // namespace meprop
