// TEMPORARY (removed when cuda/CudaBackend lands): the GPU backend is not in this branch yet.
#include "backend/Backend.h"
#include "core/Error.h"

namespace meprop {

std::shared_ptr<Backend> makeCudaBackend()
{
    throw ConfigError("key \"device\": the GPU backend is not built in this branch yet");
}

}  // namespace meprop
