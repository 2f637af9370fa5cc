#include "train/RunCheckpoint.h"

#include "core/Error.h"
#include "io/CheckpointFile.h"

namespace meprop {

namespace {

// "lr: 0.01 in the checkpoint, 0.1 here; k: ..." for the keys whose values differ.
std::string configDifferences(const nlohmann::json& saved, const nlohmann::json& now)
{
    std::string out;
    auto add = [&](const std::string& key, const std::string& a, const std::string& b) {
        if (!out.empty()) out += "; ";
        out += key + ": " + a + " in the checkpoint, " + b + " here";
    };
    for (const auto& [key, value] : saved.items()) {
        if (!now.contains(key))
            add(key, value.dump(), "unset");
        else if (now.at(key) != value)
            add(key, value.dump(), now.at(key).dump());
    }
    for (const auto& [key, value] : now.items())
        if (!saved.contains(key)) add(key, "unset", value.dump());
    return out;
}

}  // namespace

void writeRunCheckpoint(const std::string& path, const Config& config, const RunCheckpointShape& shape, const TrainerState& state,
                        const Rng& rng, const Task& task)
{
    CheckpointWriter w;
    w.string(config.json().dump());
    w.section("trainer");
    w.i64(shape.trainSize);
    w.i64(shape.batchesPerEpoch);
    state.save(w);
    w.rng(rng);
    w.section("task");
    task.save(w);
    writeCheckpointFile(path, w.bytes());
}

Config readRunCheckpointConfig(CheckpointReader& r)
{
    const std::string text = r.string();
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) r.fail("corrupt: the stored configuration is not a JSON object");
    try {
        Config c = Config::fromJson(j, "the checkpoint's configuration");
        c.validate();
        return c;
    } catch (const ConfigError& e) {
        r.fail(std::string("the stored configuration is not valid for this build: ") + e.what());
    }
}

void requireSameConfig(CheckpointReader& r, const Config& saved, const Config& now)
{
    if (saved.json() != now.json()) r.fail("written by another configuration (" + configDifferences(saved.json(), now.json()) + ")");
}

void readRunCheckpoint(CheckpointReader& r, const RunCheckpointShape& shape, TrainerState& state, Rng& rng, Task& task)
{
    r.section("trainer");
    const std::int64_t savedN = r.i64(), savedBatches = r.i64();
    if (savedN != shape.trainSize || savedBatches != shape.batchesPerEpoch)
        r.fail("written for a training set of " + std::to_string(savedN) + " examples in " + std::to_string(savedBatches) +
               " batches, this one has " + std::to_string(shape.trainSize) + " in " + std::to_string(shape.batchesPerEpoch) +
               " (was the data changed?)");
    state.load(r);
    if (state.epochsDone > shape.epochs)
        r.fail("holds " + std::to_string(state.epochsDone) + " epochs of a run of " + std::to_string(shape.epochs));
    if (state.epochs.size() != static_cast<std::size_t>(state.epochsDone) * static_cast<std::size_t>(shape.evalsPerEpoch))
        r.fail("corrupt: " + std::to_string(state.epochs.size()) + " evaluations for " + std::to_string(state.epochsDone) + " epochs of " +
               std::to_string(shape.evalsPerEpoch));
    r.rngInto(rng);
    r.section("task");
    task.load(r);
    r.expectEnd();
}

}  // namespace meprop
