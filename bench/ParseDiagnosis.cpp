// Diagnosis driver for the parser's meProp training (issue 5): trains a ParseTask with explicit
// settings, prints per-epoch loss / UAS / LAS / timings and, with --probe N, every N steps the
// gradient statistics the investigation needs (norms per parameter, the cosine between the meProp
// gradient and the dense gradient of the same batch, and the optimizer's effective step sizes).
#include "core/Timings.h"
#include "tasks/ParseTask.h"

#include <CLI/CLI.hpp>
#include <Eigen/Core>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

using namespace meprop;

namespace {

struct GradSnapshot {
    std::vector<Matrix> g;
};

GradSnapshot snapshot(ParserModel& m)
{
    GradSnapshot s;
    for (Parameter* p : m.parameters()) s.g.push_back(p->grad);
    return s;
}

}  // namespace

int main(int argc, char** argv)
{
    CLI::App app{"meProp parser diagnosis"};
    ParseSettings s;
    s.trainFile = "/work/shared/datasets/ud-english-ewt/en_ewt-ud-train.conllu";
    s.devFile = "/work/shared/datasets/ud-english-ewt/en_ewt-ud-dev.conllu";
    s.testFile = "/work/shared/datasets/ud-english-ewt/en_ewt-ud-test.conllu";
    std::string mode = "dense", activation = "relu", update = "all";
    int epochs = 3, batch = 1000, threads = 2, probe = 0;
    unsigned long seed = 1;
    bool freeze = false;
    app.add_option("--train", s.trainFile);
    app.add_option("--dev", s.devFile);
    app.add_option("--test", s.testFile);
    app.add_option("--limit", s.limit);
    app.add_option("--epochs", epochs);
    app.add_option("--batch", batch);
    app.add_option("--mode", mode);
    app.add_option("--k", s.model.k);
    app.add_option("--k-output", s.model.kOutput);
    app.add_option("--hidden", s.model.hidden);
    app.add_option("--layers", s.model.hiddenLayers);
    app.add_option("--activation", activation);
    app.add_option("--dropout", s.model.dropout);
    app.add_option("--embed-init", s.model.embedInit);
    app.add_option("--optimizer", s.optimizer.kind);
    app.add_option("--lr", s.optimizer.lr);
    app.add_option("--update", update);
    app.add_flag("--freeze", freeze);
    app.add_option("--seed", seed);
    app.add_option("--threads", threads);
    app.add_option("--probe", probe, "every N steps: gradient statistics vs a dense backward of the same batch");
    CLI11_PARSE(app, argc, argv);

    Eigen::setNbThreads(threads);
    s.model.mode = parseBackpropMode(mode);
    s.model.activation = parseActivation(activation);
    s.model.freezeEmbeddings = freeze;
    s.optimizer.eps = s.optimizer.kind == "adagrad" ? 1e-6f : 1e-8f;
    s.optimizer.touchedRowsOnly = update == "touched";
    Rng rng(seed);
    const auto t0 = std::chrono::steady_clock::now();
    ParseTask task(s, rng);
    std::printf("train sentences %ld (non-projective skipped %ld), transitions %ld, words %d, tags %d, labels %d\n",
                task.trainSentences(), task.skippedNonProjective(), task.trainSize(), task.vocabularies().words.size(),
                task.vocabularies().tags.size(), task.vocabularies().numLabels());
    const long n = task.trainSize();
    Timings total;
    long step = 0;
    double bestDev = -1, testAtBest = 0, lasAtBest = 0, devLasAtBest = 0;
    int bestEpoch = 0;
    for (int e = 1; e <= epochs; ++e) {
        task.beginEpoch(rng);
        Timings t;
        double lossSum = 0;
        double windowLoss = 0;
        int window = 0;
        for (long b = 0; b < n; b += batch) {
            const long end = std::min(n, b + batch);
            if (probe > 0 && (step + 1) % probe == 0) {
                // The same batch twice: the configured backward, then a dense one, without updating.
                ParserModel& m = task.model();
                const auto& feats = task.trainFeatures();
                const auto& gold = task.trainGold();
                std::vector<int> f, g;
                for (long i = b; i < end; ++i) {  // unshuffled slice is fine for statistics
                    f.insert(f.end(), feats[static_cast<std::size_t>(i)].begin(), feats[static_cast<std::size_t>(i)].end());
                    g.push_back(gold[static_cast<std::size_t>(i)]);
                }
                Timings dummy;
                Rng r1(7);
                m.forwardBackward(f.data(), g.data(), static_cast<int>(g.size()), r1, dummy);
                GradSnapshot sparse = snapshot(m);
                ParserModelSettings ms = m.settings();
                const_cast<ParserModelSettings&>(m.settings()).mode = BackpropMode::Dense;
                Rng r2(7);
                m.forwardBackward(f.data(), g.data(), static_cast<int>(g.size()), r2, dummy);
                const_cast<ParserModelSettings&>(m.settings()) = ms;
                GradSnapshot dense = snapshot(m);
                std::printf("  probe step %ld:", step + 1);
                const auto params = m.parameters();
                for (std::size_t i = 0; i < params.size(); ++i) {
                    const Matrix& a = sparse.g[i];
                    const Matrix& d = dense.g[i];
                    const double cos = a.cwiseProduct(d).sum() / std::max(1e-30, static_cast<double>(a.norm()) * d.norm());
                    std::printf(" %s |g|=%.2e/%.2e cos=%.3f;", params[i]->name.c_str(), a.norm(), d.norm(), cos);
                }
                std::printf("\n");
            }
            const double loss = task.trainBatch(b, end, t);
            ++step;
            lossSum += loss * static_cast<double>(end - b);
            windowLoss += loss;
            if (++window == 20) {
                std::printf("  step %ld loss %.4f\n", step, windowLoss / window);
                windowLoss = 0;
                window = 0;
            }
            std::fflush(stdout);
        }
        const Evaluation dev = task.evaluate(Split::Dev);
        const Evaluation test = task.evaluate(Split::Test);
        total += t;
        std::printf("epoch %d loss %.4f dev UAS %.2f LAS %.2f test UAS %.2f LAS %.2f | fp %.1fs bp-linear %.1fs bp-overall %.1fs "
                    "update %.1fs\n",
                    e, lossSum / static_cast<double>(n), dev.metric, dev.extra[0].second, test.metric, test.extra[0].second, t.forward,
                    t.bpLinear, t.bpOverall, t.update);
        if (dev.metric > bestDev) {
            bestDev = dev.metric;
            devLasAtBest = dev.extra[0].second;
            testAtBest = test.metric;
            lasAtBest = test.extra[0].second;
            bestEpoch = e;
        }
        std::fflush(stdout);
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("RESULT mode=%s k=%d k_output=%d opt=%s lr=%g update=%s freeze=%d best_epoch=%d dev_uas=%.2f dev_las=%.2f "
                "test_uas=%.2f test_las=%.2f fp=%.1f bp_linear=%.1f bp_overall=%.1f update=%.1f wall=%.1f\n",
                mode.c_str(), s.model.k, s.model.kOutput, s.optimizer.kind.c_str(), s.optimizer.lr, update.c_str(), freeze ? 1 : 0,
                bestEpoch, bestDev, devLasAtBest, testAtBest, lasAtBest, total.forward, total.bpLinear, total.bpOverall, total.update,
                wall);
    return 0;
}
