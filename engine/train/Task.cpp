#include "train/Task.h"

#include "core/Error.h"
#include "tasks/ImageTask.h"
#include "tasks/ParseTask.h"
#include "tasks/PosTask.h"

#include <stdexcept>

namespace meprop {

double trainBatchNow(Task& task, long begin, long end, Timings& t, long step)
{
    task.trainBatch(BatchSpec{begin, end, step, true}, t);
    const std::vector<double> losses = task.takeLosses();
    if (losses.empty()) throw std::logic_error("trainBatchNow: the task recorded no loss");
    return losses.back();
}

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
