#include "tasks/ParseTask.h"

#include "backend/Device.h"

#include "core/Error.h"
#include "data/DataFolders.h"
#include "train/TrainingDetails.h"

#include <filesystem>

namespace meprop {

namespace {

// The explicit file key, else <data>/*-<split>.conllu (data empty: the default text folder).
std::string splitFile(const Config& c, const std::string& key, const std::string& split)
{
    const std::string explicitFile = c.getString(key);
    if (!explicitFile.empty()) return explicitFile;
    const std::string data = c.getString("data");
    return conlluSplitFile(data.empty() ? defaultTextDataDir() : data, split);
}

}  // namespace

std::unique_ptr<Task> makeParseTask(const Config& c, Rng& rng)
{
    ParseSettings s;
    s.trainFile = splitFile(c, "train_file", "train");
    s.devFile = splitFile(c, "dev_file", "dev");
    s.testFile = splitFile(c, "test_file", "test");
    s.limit = c.getInt("limit");
    ParserModelSettings& m = s.model;
    m.embedDim = static_cast<int>(c.getInt("embed_dim"));
    m.hidden = static_cast<int>(c.getInt("hidden"));
    m.hiddenLayers = static_cast<int>(c.getInt("layers"));
    m.activation = parseActivation(c.getString("activation"));
    m.dropout = static_cast<float>(c.getFloat("dropout"));
    m.mode = c.mode();
    m.k = static_cast<int>(c.getInt("k"));
    m.kOutput = static_cast<int>(c.getInt("k_output"));
    m.embedInit = static_cast<float>(c.getFloat("embed_init"));
    m.freezeEmbeddings = c.getBool("freeze_embeddings");
    m.sparseBias = !denseBias(c, /*taskDefault=*/true);
    m.sumLoss = sumLoss(c);
    m.init = weightInit(c);
    s.optimizer = optimizerSettings(c);
    s.device = parseDevice(c.getString("device"), "key \"device\"");
    return std::make_unique<ParseTask>(s, rng);
}

}  // namespace meprop
