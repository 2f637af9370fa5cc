// makePosTask lives apart from PosTask.cpp so that code using PosTask directly (tests, benchmarks)
// does not need the configuration layer.
#include "tasks/PosTask.h"

#include "backend/Device.h"
#include "core/Error.h"
#include "data/DataFolders.h"
#include "train/TrainingDetails.h"

#include <cstdlib>
#include <filesystem>

namespace meprop {

std::unique_ptr<Task> makePosTask(const Config& config, Rng& rng)
{
    PosSettings s;
    s.data = config.getString("data");
    s.trainFile = config.getString("train_file");
    s.devFile = config.getString("dev_file");
    s.testFile = config.getString("test_file");
    if (s.data.empty() && (s.trainFile.empty() || s.devFile.empty() || s.testFile.empty())) s.data = defaultTextDataDir();
    s.limit = config.getInt("limit");
    s.wordDim = static_cast<int>(config.getInt("word_dim"));
    s.featureDim = static_cast<int>(config.getInt("feature_dim"));
    s.hidden = static_cast<int>(config.getInt("hidden"));
    s.mode = config.mode();
    s.k = static_cast<int>(config.getInt("k"));
    s.kOutput = static_cast<int>(config.getInt("k_output"));
    s.dropout = static_cast<float>(config.getFloat("dropout"));
    s.init = weightInit(config);
    s.sumLoss = sumLoss(config);
    s.denseBias = denseBias(config, /*taskDefault=*/false);
    s.optimizer = optimizerSettings(config);
    s.device = parseDevice(config.getString("device"), "key \"device\"");
    return std::make_unique<PosTask>(s, rng);
}

}  // namespace meprop
