#include "train/TrainerState.h"

namespace meprop {

namespace {

void saveNamedValues(CheckpointWriter& w, const std::vector<std::pair<std::string, double>>& values)
{
    w.u64(values.size());
    for (const auto& [name, value] : values) {
        w.string(name);
        w.f64(value);
    }
}

std::vector<std::pair<std::string, double>> loadNamedValues(CheckpointReader& r)
{
    const std::uint64_t n = r.u64();
    if (n > r.remaining() / 16) r.fail("corrupt: a list of " + std::to_string(n) + " named values");  // each >= 16 bytes
    std::vector<std::pair<std::string, double>> values;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::string name = r.string();
        values.emplace_back(std::move(name), r.f64());
    }
    return values;
}

void saveTimings(CheckpointWriter& w, const Timings& t)
{
    w.f64(t.forward);
    w.f64(t.bpLinear);
    w.f64(t.bpOverall);
    w.f64(t.update);
}

Timings loadTimings(CheckpointReader& r)
{
    Timings t;
    t.forward = r.f64();
    t.bpLinear = r.f64();
    t.bpOverall = r.f64();
    t.update = r.f64();
    return t;
}

}  // namespace

void saveEpochResult(CheckpointWriter& w, const EpochResult& e)
{
    w.section("epoch");
    w.i64(e.epoch);
    w.f64(e.at);
    w.f64(e.trainLoss);
    w.f64(e.devMetric);
    w.f64(e.testMetric);
    saveNamedValues(w, e.extra);
    saveTimings(w, e.timings);
    w.f64(e.trainSeconds);
    w.f64(e.evalSeconds);
    w.f64s(e.backpropRatio);
    w.boolean(e.bestSoFar);
}

EpochResult loadEpochResult(CheckpointReader& r)
{
    r.section("epoch");
    EpochResult e;
    const std::int64_t epoch = r.i64();
    if (epoch < 1 || epoch > 1000000) r.fail("corrupt: epoch number " + std::to_string(epoch));
    e.epoch = static_cast<int>(epoch);
    e.at = r.f64();
    e.trainLoss = r.f64();
    e.devMetric = r.f64();
    e.testMetric = r.f64();
    e.extra = loadNamedValues(r);
    e.timings = loadTimings(r);
    e.trainSeconds = r.f64();
    e.evalSeconds = r.f64();
    e.backpropRatio = r.f64s();
    e.bestSoFar = r.boolean();
    return e;
}

void TrainerState::save(CheckpointWriter& w) const
{
    w.section("trainer-state");
    w.i64(epochsDone);
    w.i64(step);
    w.u64(epochs.size());
    for (const EpochResult& e : epochs) saveEpochResult(w, e);
    w.i64(bestEpoch);
    w.f64(bestAt);
    w.f64(bestDev);
    w.f64(testAtBest);
    w.f64(bestLoss);
    saveNamedValues(w, extraAtBest);
    w.boolean(warnedRising);
    w.boolean(warnedEpochRise);
    saveTimings(w, total);
    w.f64(trainSeconds);
    w.f64(evalSeconds);
    w.string(startedAt);
}

void TrainerState::load(CheckpointReader& r)
{
    r.section("trainer-state");
    const std::int64_t done = r.i64(), steps = r.i64();
    if (done < 0 || done > 1000000 || steps < 0) r.fail("corrupt: " + std::to_string(done) + " epochs, " + std::to_string(steps) + " steps");
    epochsDone = static_cast<int>(done);
    step = static_cast<long>(steps);
    const std::uint64_t n = r.u64();
    if (n > r.remaining() / 8) r.fail("corrupt: " + std::to_string(n) + " epoch records");
    epochs.clear();
    for (std::uint64_t i = 0; i < n; ++i) {
        epochs.push_back(loadEpochResult(r));
        const int e = epochs.back().epoch, before = i > 0 ? epochs[i - 1].epoch : 1;
        if (e < before || e > epochsDone)
            r.fail("corrupt: evaluation " + std::to_string(i + 1) + " is of epoch " + std::to_string(e) + " (" + std::to_string(epochsDone) + " done)");
    }
    if ((n == 0) != (epochsDone == 0)) r.fail("corrupt: " + std::to_string(n) + " evaluations for " + std::to_string(epochsDone) + " epochs done");
    const std::int64_t best = r.i64();
    if (best < 0 || best > epochsDone) r.fail("corrupt: best epoch " + std::to_string(best) + " of " + std::to_string(epochsDone));
    bestEpoch = static_cast<int>(best);
    bestAt = r.f64();
    bestDev = r.f64();
    testAtBest = r.f64();
    bestLoss = r.f64();
    extraAtBest = loadNamedValues(r);
    warnedRising = r.boolean();
    warnedEpochRise = r.boolean();
    total = loadTimings(r);
    trainSeconds = r.f64();
    evalSeconds = r.f64();
    startedAt = r.string();
}

}  // namespace meprop
