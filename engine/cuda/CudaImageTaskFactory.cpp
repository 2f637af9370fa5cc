// makeCudaImageTask: config keys -> ImageTaskSpec, load the data, build the task. In its own file
// so that code using only the device functions does not link the config and data loaders.
#include "backend/Device.h"

#include "core/Error.h"
#include "cuda/CudaImageTask.h"
#include "train/Config.h"

namespace meprop {

namespace {

// The keys of the image task as train/ConfigKeys.cpp names them. (Keep in step with the CPU task.)
cuda::ImageTaskSpec imageSpecFromConfig(const Config& c)
{
    cuda::ImageTaskSpec spec;
    const int hidden = static_cast<int>(c.getInt("hidden"));
    const int layers = static_cast<int>(c.getInt("layers"));
    spec.mlp.hidden.assign(static_cast<std::size_t>(layers), hidden);
    spec.mlp.dropout = static_cast<float>(c.getFloat("dropout"));
    spec.mlp.mode = c.mode();
    spec.mlp.k = static_cast<int>(c.getInt("k"));
    spec.mlp.optimizer.kind = c.getString("optimizer");
    spec.mlp.optimizer.lr = static_cast<float>(c.getFloat("lr"));
    spec.mlp.optimizer.touchedRowsOnly = c.getBool("lazy_update");
    if (spec.mlp.optimizer.kind == "adagrad") spec.mlp.optimizer.eps = 1e-6f;  // the paper's AdaGrad epsilon
    spec.batchSize = static_cast<int>(c.getInt("batch"));
    return spec;
}

}  // namespace

std::unique_ptr<Task> makeCudaImageTask(const Config& config, Rng& rng)
{
    const DeviceInfo info = cudaDeviceInfo();
    if (!info.available) throw ConfigError("device: cuda requested but no GPU can be used: " + info.reason);
    const cuda::ImageTaskSpec spec = imageSpecFromConfig(config);
    const MnistData data = loadMnist(config.getString("data"), config.getInt("limit"));
    return std::make_unique<cuda::CudaImageTask>(spec, data, rng);
}

}  // namespace meprop
