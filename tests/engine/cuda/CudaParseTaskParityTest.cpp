// The parser (models/ParserModel, tasks/ParseTask) on the GPU against the CPU: the one model stack
// on two backends, built from the same seed and data (the tiny treebank of tests/data/parse),
// trained on the same batches. Without dropout both run the same computation, so losses, weights
// and the parses agree up to float rounding. Skipped without a GPU (ParitySupport.h).
#include "ParitySupport.h"

#include "backend/CpuBackend.h"
#include "tasks/ParseTask.h"

#include "../TinyParse.h"

#include <gtest/gtest.h>

using namespace meprop;

namespace {

ParseSettings tinySettings(Device device = Device::Cpu) { return test::tinyParseSettings(device); }

struct Case {
    BackpropMode mode;
    int k, kOutput;
    Activation activation;
    bool sparseBias;
    const char* optimizer;
};

}  // namespace

TEST(CudaParseTask, TrainingMatchesTheCpuInEveryMode)
{
    MEPROP_REQUIRE_GPU();
#ifdef MEPROP_PARITY_ON_CPU
    const Device gpu = Device::Cpu;
#else
    const Device gpu = Device::Cuda;
#endif
    const Case cases[] = {{BackpropMode::Dense, 0, 0, Activation::Relu, false, "adam"},
                          {BackpropMode::TopK, 4, 0, Activation::Cube, false, "adagrad"},
                          {BackpropMode::TopK, 4, 5, Activation::Relu, true, "adam"},
                          {BackpropMode::Unified, 6, 0, Activation::Cube, false, "sgd"},
                          {BackpropMode::Random, 5, 3, Activation::Relu, false, "adam"}};
    for (const Case& c : cases) {
        SCOPED_TRACE(std::string(toString(c.mode)) + " k=" + std::to_string(c.k) + " " + c.optimizer);
        ParseSettings cs = tinySettings(Device::Cpu), gs = tinySettings(gpu);
        for (ParseSettings* s : {&cs, &gs}) {
            s->model.mode = c.mode;
            s->model.k = c.k > 0 ? c.k : 20;
            s->model.kOutput = c.kOutput;
            s->model.activation = c.activation;
            s->model.sparseBias = c.sparseBias;
            s->optimizer.kind = c.optimizer;
        }
        Rng cr(3), gr(3);
        ParseTask cpu(cs, cr), gpuTask(gs, gr);
        ASSERT_EQ(cpu.trainSize(), gpuTask.trainSize());
        Timings t;
        for (int epoch = 0; epoch < 3; ++epoch) {
            cpu.beginEpoch(cr);
            gpuTask.beginEpoch(gr);
            for (long b = 0; b < cpu.trainSize(); b += 16) {
                const long e = std::min(cpu.trainSize(), b + 16);
                const double lc = trainBatchNow(cpu, b, e, t), lg = trainBatchNow(gpuTask, b, e, t);
                ASSERT_NEAR(lg, lc, 1e-4 * (1.0 + std::abs(lc))) << "epoch " << epoch << " batch " << b;
            }
        }
        const auto cp = cpu.model().parameters(), gp = gpuTask.model().parameters();
        ASSERT_EQ(cp.size(), gp.size());
        for (std::size_t i = 0; i < cp.size(); ++i) {
            gpuTask.model().backend().download(gp[i]->value);
            EXPECT_LT((cp[i]->value - gp[i]->value).cwiseAbs().maxCoeff(), 1e-3f) << cp[i]->name;
        }
        // The selections of the last step and the update counts agree (the downloads are the task's).
        const auto cs1 = cpu.selection(), gs1 = gpuTask.selection();
        ASSERT_EQ(cs1.size(), gs1.size());
        for (std::size_t l = 0; l < cs1.size(); ++l) EXPECT_EQ(cs1[l].counts, gs1[l].counts) << cs1[l].name;
        EXPECT_EQ(cpu.evaluate(Split::Dev).metric, gpuTask.evaluate(Split::Dev).metric);
    }
}

TEST(CudaParseTask, EmbeddingLookupsAndGradientsMatchTheCpuBitForBit)
{
    MEPROP_REQUIRE_GPU();
    const auto be = test::gpuBackend();
    Rng rng(11);
    // Many repeats of few ids: the grouped scatter must sum them in the CPU's (b, j) order, on
    // every run. The host matrices of id and dx hold their values (uploaded from them), so the CPU
    // backend reads the same inputs.
    const int rows = 64, ids = 6, vocab = 5, d = 7;
    IndexTensor id(rows, ids);
    for (Eigen::Index i = 0; i < id.size(); ++i) id.data()[i] = static_cast<int>(rng.below(vocab));
    be->upload(id);
    const Tensor dx = test::onBackend(*be, test::randomMatrix(rows, ids * d + 3, rng));
    Parameter cpuTable("table", vocab, d);
    cpuTable.value = test::randomMatrix(vocab, d, rng);
    cpuTable.zeroGrad();
    cpuBackend().embeddingBackward(dx, id, 1, ids - 1, 3, cpuTable);
    Tensor cpuX(Matrix::Zero(rows, ids * d + 3));
    cpuBackend().embeddingForward(cpuTable.value, id, 1, ids - 1, cpuX, 3);
    for (int run = 0; run < 3; ++run) {
        SCOPED_TRACE("run " + std::to_string(run));
        Parameter table("table", vocab, d);
        table.value = cpuTable.value;
        be->upload(table.value);
        be->upload(table.grad);
        be->zeroGrad(table);
        be->embeddingBackward(dx, id, 1, ids - 1, 3, table);
        be->download(table.grad);
        EXPECT_EQ(table.grad, cpuTable.grad);
        Tensor x = test::onBackend(*be, Matrix::Zero(rows, ids * d + 3));
        be->embeddingForward(table.value, id, 1, ids - 1, x, 3);
        be->download(x);
        EXPECT_EQ(x, cpuX);
    }
}
