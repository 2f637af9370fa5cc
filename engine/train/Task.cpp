#include "train/Task.h"

#include "core/Error.h"
#include "tasks/ImageTask.h"
#include "tasks/ParseTask.h"
#include "tasks/PosTask.h"

namespace meprop {

std::unique_ptr<Task> makeTask(const Config& config, Rng& rng)
{
    // Each task builds its model on the backend of config "device" (backend/Backend.h); a build or
    // a machine without a GPU makes device=cuda a ConfigError naming the reason.
    const std::string task = config.task();
    if (task == "image") return std::make_unique<ImageTask>(config, rng);
    if (task == "parse") return makeParseTask(config, rng);
    if (task == "pos") return makePosTask(config, rng);
    throw ConfigError("key \"task\": task " + quote(task) + " is not available in this build");
}

}  // namespace meprop
