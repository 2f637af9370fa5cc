// A stand-alone POS training run over PosTask (no configuration layer): the short-run measurement of
// issue 4 until `meprop train pos` is wired. Usage:
//   meprop_pos_run <data folder> [limit] [epochs] [mode] [k] [hidden] [optimizer] [lr] [dropout]
// Prints per epoch: loss, dev and test accuracy, forward / bpLinear / bpOverall / update seconds.
#include "core/Error.h"
#include "tasks/PosTask.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace meprop;

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <data folder> [limit] [epochs] [mode] [k] [hidden] [optimizer] [lr] [dropout]\n", argv[0]);
        return 2;
    }
    try {
        PosSettings s;
        s.data = argv[1];
        s.limit = argc > 2 ? std::atol(argv[2]) : 0;
        const int epochs = argc > 3 ? std::atoi(argv[3]) : 1;
        s.mode = parseBackpropMode(argc > 4 ? argv[4] : "topk");
        s.k = argc > 5 ? std::atoi(argv[5]) : 5;
        s.hidden = argc > 6 ? std::atoi(argv[6]) : 500;
        s.optimizer.kind = argc > 7 ? argv[7] : "adam";
        s.optimizer.lr = argc > 8 ? std::strtof(argv[8], nullptr) : 1e-3f;
        s.dropout = argc > 9 ? std::strtof(argv[9], nullptr) : 0.0f;
        Rng rng(1);
        PosTask task(s, rng);
        std::printf("train %ld sentences, %d words, %d tags, mode %s k %d hidden %d %s lr %g dropout %g\n", task.trainSize(),
                    task.vocab().words(), task.vocab().tags(), toString(s.mode), s.k, s.hidden, s.optimizer.kind.c_str(),
                    static_cast<double>(s.optimizer.lr), static_cast<double>(s.dropout));
        double bestDev = -1.0, testAtBest = 0.0;
        for (int e = 1; e <= epochs; ++e) {
            task.beginEpoch(rng);
            Timings t;
            double loss = 0.0;
            const auto start = std::chrono::steady_clock::now();
            for (long i = 0; i < task.trainSize(); ++i) {
                loss += trainBatchNow(task, i, i + 1, t);
                if ((i + 1) % 1000 == 0) {
                    std::printf("  %ld sentences, loss %.4f, %.1fs\n", i + 1, loss / static_cast<double>(i + 1),
                                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
                    std::fflush(stdout);
                }
            }
            const double train = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const auto evalStart = std::chrono::steady_clock::now();
            const double dev = task.evaluate(Split::Dev).metric;
            const double test = task.evaluate(Split::Test).metric;
            const double evalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - evalStart).count();
            if (dev > bestDev) {
                bestDev = dev;
                testAtBest = test;
            }
            std::printf("epoch %d loss %.4f dev %.2f test %.2f | train %.1fs forward %.1fs bpLinear %.2fs bpOverall %.2fs update %.1fs | eval %.1fs\n", e,
                        loss / static_cast<double>(task.trainSize()), dev, test, train, t.forward, t.bpLinear, t.bpOverall,
                        t.update, evalSeconds);
            std::fflush(stdout);
        }
        std::printf("best dev %.2f test at best dev %.2f\n", bestDev, testAtBest);
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
