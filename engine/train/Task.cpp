#include "train/Task.h"

#include "core/Error.h"
#include "tasks/ImageTask.h"
#include "tasks/PosTask.h"

namespace meprop {

std::unique_ptr<Task> makeTask(const Config& config, Rng& rng)
{
    const std::string task = config.task();
    const std::string device = config.getString("device");
    if (device != "cpu") throw ConfigError("key \"device\": this build has no GPU support (built without a CUDA compiler)");
    if (task == "image") return std::make_unique<ImageTask>(config, rng);
    if (task == "pos") return makePosTask(config, rng);
    throw ConfigError("key \"task\": task \"" + task + "\" is not available in this build");
}

}  // namespace meprop
