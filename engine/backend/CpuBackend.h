#pragma once
// The CPU implementation of backend/Backend.h: Eigen for the products, the engine's own kernels
// for the rest (ops/TopK selections, the row-grouped sparse backward in CpuSparseLinear.cpp, the
// fused optimizer passes of optim/UpdateKernels), threaded over the run's threads (core/Parallel.h).
// A tensor's matrix is its storage, so upload/download/synchronize do nothing. Stateless: the
// scratch memory of the kernels is per thread, so one instance serves every thread.
#include "backend/Backend.h"

namespace meprop {

class CpuBackend final : public Backend {
public:
    Device device() const override { return Device::Cpu; }
    std::string name() const override { return "cpu"; }

    void resize(Tensor& t, Eigen::Index rows, Eigen::Index cols) override { t.resize(rows, cols); }
    void resize(IndexTensor& t, Eigen::Index rows, Eigen::Index cols) override { t.resize(rows, cols); }
    void resize(CountTensor& t, Eigen::Index rows, Eigen::Index cols) override { t.resize(rows, cols); }
    void resize(MaskTensor& t, Eigen::Index rows, Eigen::Index cols) override { t.resize(rows, cols); }
    void resize(StepTensor& t, Eigen::Index rows, Eigen::Index cols) override { t.resize(rows, cols); }
    void resize(ScalarTensor& t, Eigen::Index rows, Eigen::Index cols) override { t.resize(rows, cols); }
    void upload(Tensor&) override {}
    void upload(IndexTensor&) override {}
    void upload(CountTensor&) override {}
    void upload(StepTensor&) override {}
    void download(Tensor&) override {}
    void download(IndexTensor&) override {}
    void download(CountTensor&) override {}
    void download(StepTensor&) override {}
    void copy(const Tensor& src, Tensor& dst) override { dst.Tensor::Base::operator=(src); }
    void copyRows(const Tensor& src, Eigen::Index begin, Eigen::Index count, Tensor& dst) override;
    void setZero(Tensor& t) override;
    void setZero(CountTensor& t) override { t.setZero(); }
    void synchronize() override {}
    void readScalars(const ScalarTensor& t, Eigen::Index count, double* out) override;
    void beginStep(long) override {}

    void gemm(bool transA, bool transB, float alpha, const Tensor& A, const Tensor& B, float beta, Tensor& C,
              Precision precision) override;
    void addBias(Tensor& y, const Tensor& bias) override { y.rowwise() += bias.row(0); }
    void addColumnSums(const Tensor& dy, Tensor& db) override { db.row(0) += dy.colwise().sum(); }
    void addToCounts(CountTensor& counts, std::uint64_t amount) override { counts.array() += amount; }
    void scale(Tensor& x, float factor) override { x *= factor; }

    void reluForward(Tensor& x) override;
    void reluBackward(const Tensor& y, Tensor& dy) override;
    void dropoutForward(Tensor& x, float p, Rng& rng, Tensor& mask) override;
    void multiply(Tensor& dy, const Tensor& mask) override { dy.array() *= mask.array(); }

    void embeddingForward(const Tensor& table, const IndexTensor& ids, int idCol0, int idCount, Tensor& x, int xCol0) override;
    void embeddingBackward(const Tensor& dx, const IndexTensor& ids, int idCol0, int idCount, int xCol0, Parameter& table) override;
    void cubeForward(const Tensor& z, Tensor& h) override { h = z.array().cube().matrix(); }
    void cubeBackward(const Tensor& z, Tensor& dh) override { dh.array() *= 3.0f * z.array().square(); }

    void softmaxCrossEntropy(const Tensor& logits, const IndexTensor& labels, float gradScale, const LossSlot& loss, Tensor* dlogits) override;
    long countCorrect(const Tensor& logits, const IndexTensor& labels, Eigen::Index begin) override;
    void gatherExamples(const Tensor& data, const IndexTensor& labels, const IndexTensor& order, Eigen::Index begin,
                        Eigen::Index count, Tensor& x, IndexTensor& y) override;
    void gatherIndexRows(const IndexTensor& src, const IndexTensor& order, Eigen::Index begin, Eigen::Index count,
                         IndexTensor& dst) override;

    void select(const Tensor& dy, BackpropMode mode, int k, Rng& rng, Selection& sel) override;
    void downloadSelection(Selection&) override {}
    void checkFinite(const Selection& sel, const std::string& layer) override;
    void linearSparseBackward(const Tensor& dy, const Selection& sel, const Tensor& x, Parameter& w, Parameter& b,
                              CountTensor& counts, Tensor* dx, Precision precision) override;

    void touchAll(Parameter& p) override { p.touchAll(); }
    void zeroGrad(Parameter& p) override { p.zeroGrad(); }
    void sgdUpdate(Parameter& p, float lr, const GradHandling& gh) override;
    void adagradUpdate(Parameter& p, Tensor& h, float lr, float eps, bool epsInside, const GradHandling& gh) override;
    void adamUpdate(Parameter& p, Tensor& m, Tensor& v, const AdamStep& s, const GradHandling& gh) override;
    void adamLazyUpdate(Parameter& p, Tensor& m, Tensor& v, StepTensor& rowSteps, float lr, float beta1, float beta2, float eps,
                        const GradHandling& gh) override;

    // ---- LSTM (layers/Lstm.h; CpuLstm.cpp)
    void lstmForward(const Tensor& x, const Tensor& W, const Tensor& U, const Tensor& b, bool reverse, LstmState& st) override;
    void lstmBackward(const Tensor& dh, const Tensor& x, const LstmState& st, bool reverse, const LstmBackprop& spec, Rng& rng,
                      Parameter& W, Parameter& U, Parameter& b, CountTensor& counts, IndexTensor& kept, Tensor* dx,
                      const std::string& layer, double* linearSeconds) override;
    void copyIntoColumns(const Tensor& src, Tensor& dst, Eigen::Index col) override { dst.middleCols(col, src.cols()) = src; }
    void copyColumns(const Tensor& src, Eigen::Index col, Eigen::Index count, Tensor& dst) override
    {
        dst = src.middleCols(col, count);
    }
    void accumulate(const Tensor& src, Tensor& dst) override { dst += src; }
};

}  // namespace meprop
