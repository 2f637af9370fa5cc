// Diagnosis driver for the parser's meProp training (issue 5): trains a ParseTask with explicit
// settings, prints per-epoch loss / UAS / LAS / timings and, with --probe N, every N steps the
// gradient statistics the investigation needs (norms per parameter, the cosine between the meProp
// gradient and the dense gradient of the same batch, and the optimizer's effective step sizes).
#include "core/Timings.h"
#include "tasks/ParseTask.h"

#include <CLI/CLI.hpp>
#include <Eigen/Core>

#include <algorithm>
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

double batchLoss(ParserModel& m, const std::vector<int>& f, const std::vector<int>& g)
{
    Tensor s;
    const int n = static_cast<int>(g.size());
    m.scores(f.data(), n, s);
    double loss = 0.0;
    for (int i = 0; i < n; ++i) {
        const double mx = s.row(i).maxCoeff();
        loss -= s(i, g[static_cast<std::size_t>(i)]) - mx - std::log((s.row(i).array() - static_cast<float>(mx)).exp().sum());
    }
    return loss / n;
}

// After a step: which parameter group's update changed the batch loss by how much (the others
// held at their old values), the meProp gradient vs the dense gradient of the same batch (norm
// ratio, cosine), and weight norms.
void probeStep(ParseTask& task, const std::vector<Matrix>& before, long step)
{
    ParserModel& m = task.model();
    const std::vector<Parameter*> params = m.parameters();
    const std::vector<int> f = task.lastBatchFeatures();
    const std::vector<int> g = task.lastBatchGold();
    std::vector<Matrix> after;
    for (Parameter* p : params) after.push_back(p->value);
    const GradSnapshot sparse = snapshot(m);  // gradients of the step just taken
    auto setAll = [&](const std::vector<Matrix>& v) {
        for (std::size_t i = 0; i < params.size(); ++i) params[i]->value = v[i];
    };
    // Bias-like drift: per layer, |sum_b kept dz| / |sum_b dz| and their cosine (before the dense pass).
    std::vector<std::string> drift;
    for (std::size_t l = 0; l < m.keptGradientSums().size(); ++l) {
        const RowVector& kept = m.keptGradientSums()[l];
        const RowVector& full = m.fullGradientSums()[l];
        char buf[128];
        std::snprintf(buf, sizeof buf, " %s drift=%.2f cos=%.2f", m.linearNames()[l].c_str(), kept.norm() / std::max(1e-30f, full.norm()),
                      kept.dot(full) / std::max(1e-30f, kept.norm() * full.norm()));
        drift.push_back(buf);
    }
    setAll(before);
    const double l0 = batchLoss(m, f, g);
    // Dense gradient at the old point.
    ParserModelSettings saved = m.settings();
    m.setBackward(BackpropMode::Dense, saved.k, saved.kOutput);
    Timings dummy;
    Rng r(7);
    m.forwardBackward(f.data(), g.data(), static_cast<int>(g.size()), r, dummy);
    m.setBackward(saved.mode, saved.k, saved.kOutput);
    const GradSnapshot dense = snapshot(m);
    std::printf("  probe step %ld: loss %.4f", step, l0);
    // Groups: the three embedding tables (when trained), then (weight, bias) per linear layer.
    std::vector<std::pair<std::string, std::vector<std::size_t>>> groups;
    std::size_t i = 0;
    if (!saved.freezeEmbeddings) {
        groups.push_back({"embed", {0, 1, 2}});
        i = 3;
    }
    for (const std::string& name : m.linearNames()) {
        groups.push_back({name, {i, i + 1}});
        i += 2;
    }
    for (const auto& [name, idx] : groups) {
        for (std::size_t j : idx) params[j]->value = after[j];
        const double lg = batchLoss(m, f, g);
        for (std::size_t j : idx) params[j]->value = before[j];
        double dot = 0, ns = 0, nd = 0, wn = 0, dw = 0;
        for (std::size_t j : idx) {
            dot += sparse.g[j].cwiseProduct(dense.g[j]).sum();
            ns += sparse.g[j].squaredNorm();
            nd += dense.g[j].squaredNorm();
            wn += after[j].squaredNorm();
            dw += (after[j] - before[j]).squaredNorm();
        }
        std::printf(" | %s dL=%+.4f cos=%.3f |g|/|gd|=%.3f |w|=%.1f |dw|=%.3f", name.c_str(), lg - l0,
                    dot / std::max(1e-30, std::sqrt(ns * nd)), std::sqrt(ns / std::max(1e-30, nd)), std::sqrt(wn), std::sqrt(dw));
    }
    if (!saved.freezeEmbeddings) {
        // Per embedding table; and the share of the sparse gradient's norm in row 0..2 (NULL, UNK, ROOT).
        for (std::size_t j = 0; j < 3; ++j) {
            const Matrix& a = sparse.g[j];
            const Matrix& d = dense.g[j];
            const double special = a.topRows(std::min<Eigen::Index>(3, a.rows())).squaredNorm() / std::max(1e-30, (double)a.squaredNorm());
            std::printf(" | %s cos=%.3f special-rows=%.2f", params[j]->name.c_str(),
                        a.cwiseProduct(d).sum() / std::max(1e-30, (double)a.norm() * d.norm()), special);
        }
    }
    setAll(after);
    std::printf(" | all dL=%+.4f |", batchLoss(m, f, g) - l0);
    for (const auto& d : drift) std::printf("%s", d.c_str());
    std::printf("\n");
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
    app.add_flag("--sparse-bias", s.model.sparseBias);
    app.add_flag("--sum-loss", s.model.sumLoss);
    app.add_option("--clip", s.optimizer.clip);
    app.add_option("--seed", seed);
    app.add_option("--threads", threads);
    app.add_option("--probe", probe, "every N steps: gradient statistics vs a dense backward of the same batch");
    CLI11_PARSE(app, argc, argv);

    Eigen::setNbThreads(threads);
    s.model.mode = parseBackpropMode(mode);
    s.model.activation = parseActivation(activation);
    s.model.freezeEmbeddings = freeze;
    s.optimizer.touchedRowsOnly = update == "touched";
    Rng rng(seed);
    const auto t0 = std::chrono::steady_clock::now();
    ParseTask task(s, rng);
    task.model().recordGradientSums(true);  // the drift figures below
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
            const bool probing = probe > 0 && (step + 1) % probe == 0;
            std::vector<Matrix> before;
            if (probing)
                for (Parameter* p : task.model().parameters()) before.push_back(p->value);
            const double loss = trainBatchNow(task, b, end, t);
            ++step;
            if (probing) probeStep(task, before, step);
            lossSum += loss * static_cast<double>(end - b);
            windowLoss += loss;
            if (++window == 20) {
                std::printf("  step %ld loss %.4f\n", step, windowLoss / window);
                windowLoss = 0;
                window = 0;
            }
            std::fflush(stdout);
        }
        // Concentration of meProp's updates: share of the per-row update counts that went to the 5%
        // most-updated rows, rows never updated, and the weight-row norms of those top rows vs the rest.
        for (Linear* l : task.model().linears()) {
            std::vector<std::uint64_t> c = l->updateCounts();
            std::vector<int> idx(c.size());
            for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int>(i);
            std::sort(idx.begin(), idx.end(), [&](int a, int b) { return c[a] > c[b]; });
            const std::size_t top = std::max<std::size_t>(1, c.size() / 20);
            double total = 0, topSum = 0, topNorm = 0, restNorm = 0;
            int never = 0;
            for (std::size_t i = 0; i < idx.size(); ++i) {
                const double ci = static_cast<double>(c[static_cast<std::size_t>(idx[i])]);
                total += ci;
                const double nrm = l->weight().value.row(idx[i]).norm();
                if (i < top) {
                    topSum += ci;
                    topNorm += nrm;
                } else {
                    restNorm += nrm;
                }
                if (ci == 0) ++never;
            }
            std::printf("  %s: top 5%% rows got %.1f%% of updates, %d rows never updated, |W row| top %.3f rest %.3f\n",
                        l->weight().name.c_str(), 100.0 * topSum / std::max(1.0, total), never, topNorm / top,
                        restNorm / std::max<std::size_t>(1, idx.size() - top));
            l->resetCounts();
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
    std::printf("RESULT mode=%s k=%d k_output=%d opt=%s lr=%g update=%s freeze=%d sparse_bias=%d sum_loss=%d clip=%g best_epoch=%d dev_uas=%.2f dev_las=%.2f "
                "test_uas=%.2f test_las=%.2f fp=%.1f bp_linear=%.1f bp_overall=%.1f update=%.1f wall=%.1f\n",
                mode.c_str(), s.model.k, s.model.kOutput, s.optimizer.kind.c_str(), s.optimizer.lr, update.c_str(), freeze ? 1 : 0, s.model.sparseBias ? 1 : 0, s.model.sumLoss ? 1 : 0, s.optimizer.clip,
                bestEpoch, bestDev, devLasAtBest, testAtBest, lasAtBest, total.forward, total.bpLinear, total.bpOverall, total.update,
                wall);
    return 0;
}
