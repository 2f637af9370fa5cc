// makeCudaImageTask (backend/Device.h): check the device, load the data as the CPU task does, build
// the GPU task.
#include "backend/Device.h"

#include "core/Error.h"
#include "cuda/CudaImageTask.h"
#include "data/DataFolders.h"
#include "tasks/ImageTask.h"
#include "train/Config.h"

namespace meprop {

std::unique_ptr<Task> makeCudaImageTask(const Config& config, Rng& rng)
{
    const DeviceInfo info = cudaDeviceInfo();
    if (!info.available) throw ConfigError("key \"device\": cuda requested but no GPU can be used: " + info.reason);
    std::string dir = config.getString("data");
    if (dir.empty()) dir = defaultImageDataDir();
    const MnistData data = loadMnist(dir, config.getInt("limit"), config.getInt("dev_size"));
    return std::make_unique<cuda::CudaImageTask>(config, data, rng);
}

}  // namespace meprop
