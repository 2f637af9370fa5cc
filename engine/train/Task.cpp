#include "train/Task.h"

#include "backend/Device.h"
#include "core/Error.h"
#include "tasks/ImageTask.h"
#include "tasks/ParseTask.h"
#include "tasks/PosTask.h"

namespace meprop {

std::unique_ptr<Task> makeTask(const Config& config, Rng& rng)
{
    const std::string task = config.task();
    if (parseDevice(config.getString("device"), "key \"device\"") == Device::Cuda) {
        // Throws ConfigError naming the reason when this build or this machine has no GPU.
        if (task == "image") return std::make_unique<ImageTask>(config, rng);
        if (task == "pos") return makePosTask(config, rng);
        throw ConfigError("key \"device\": task " + quote(task) + " runs on the cpu only (cuda supports the image and pos tasks)");
    }
    if (task == "image") return std::make_unique<ImageTask>(config, rng);
    if (task == "parse") return makeParseTask(config, rng);
    if (task == "pos") return makePosTask(config, rng);
    throw ConfigError("key \"task\": task " + quote(task) + " is not available in this build");
}

}  // namespace meprop
