// Fuzz target `checkpoint`: the checkpoint reader (io/CheckpointFile, io/CheckpointStream,
// train/RunCheckpoint and every save/load behind it: trainer state, Rng, image task, MLP, Linear,
// optimizers), as `meprop train --resume` uses it.
// Input: a flags byte, then the checkpoint file. Flag bit 0 rewrites the header's size and crc32 to
// match the bytes (and the magic and version), so the fuzzer gets past the checksum to the
// payload; without it the header checks themselves are fuzzed.
// The stored configuration builds an image task over a tiny in-memory data set (TinyImageData.h),
// small models only. Seeds: tests/fuzz/corpus/checkpoint, written by RunCheckpointTest (see there). Properties: bad bytes end in a one-line
// CheckpointError naming the file; a checkpoint that loads leaves a task that trains a batch and
// evaluates (its order, weights and optimizer state are consistent).
#include "FuzzSupport.h"
#include "TinyImageData.h"

#include "core/Error.h"
#include "io/CheckpointFile.h"
#include "tasks/ImageTask.h"
#include "train/RunCheckpoint.h"

#include <zlib.h>

#include <cstring>

namespace {

using namespace meprop;

constexpr const char* kName = "fuzz/checkpoint.bin";

void fixHeader(std::string& file)
{
    if (file.size() < kCheckpointHeaderSize) file.resize(kCheckpointHeaderSize, '\0');
    std::memcpy(file.data(), "MEPROPCK", 8);
    const std::uint32_t version = kCheckpointVersion;
    std::memcpy(file.data() + 8, &version, 4);
    const std::string_view payload = std::string_view(file).substr(kCheckpointHeaderSize);
    const auto crc = static_cast<std::uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(payload.data()), static_cast<uInt>(payload.size())));
    std::memcpy(file.data() + 12, &crc, 4);
    const std::uint64_t size = payload.size();
    std::memcpy(file.data() + 16, &size, 8);
}

// Models the harness builds: the fuzzer may ask for any size in the stored configuration.
bool small(const Config& c)
{
    return c.task() == "image" && c.getString("device") == "cpu" && c.getInt("hidden") <= 64 && c.getInt("layers") <= 3 &&
           c.getInt("batch") <= 64 && c.getInt("evals_per_epoch") == 1 && c.getInt("epochs") <= 1000;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fuzz::Input in(data, size);
    const std::uint8_t flags = in.byte();
    std::string file(in.rest());
    if (flags & 1) fixHeader(file);
    try {
        const std::string_view payload = checkpointPayload(file, kName);
        CheckpointReader r(payload, kName);
        const Config config = readRunCheckpointConfig(r);
        if (!small(config)) return 0;
        Rng rng(config.seed());
        std::unique_ptr<ImageTask> task;
        try {
            task = std::make_unique<ImageTask>(config, fuzz::tinyImageData(), rng);
        } catch (const ConfigError&) {
            return 0;  // e.g. k > hidden: the trainer refuses such a configuration before any checkpoint
        }
        const long n = task->trainSize(), batch = config.getInt("batch");
        const RunCheckpointShape shape{n, (n + batch - 1) / batch, static_cast<int>(config.getInt("epochs")), 1};
        TrainerState state;
        readRunCheckpoint(r, shape, state, rng, *task);
        fuzz::require(state.epochsDone <= shape.epochs, "more epochs done than the run has");
        fuzz::require(state.epochs.size() == static_cast<std::size_t>(state.epochsDone), "evaluations and epochs disagree");
        // The restored task must be usable: one shuffled batch of training and an evaluation.
        task->beginEpoch(rng);
        Timings t;
        (void)trainBatchNow(*task, 0, std::min(n, batch), t);
        (void)task->evaluate(Split::Dev);
    } catch (const CheckpointError& e) {
        fuzz::requireClearMessage(e.what(), kName);
    }
    return 0;
}
