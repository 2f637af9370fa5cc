#include "backend/Backend.h"

#include "backend/CpuBackend.h"
#include "core/Error.h"

#include <string>

namespace meprop {

double Backend::readScalar(const ScalarTensor& t)
{
    if (t.size() != 1) throw ShapeError("readScalar of a " + std::to_string(t.rows()) + "x" + std::to_string(t.cols()) + " tensor, expected 1x1");
    double v = 0.0;
    readScalars(t, 1, &v);
    return v;
}

Backend& cpuBackend()
{
    static CpuBackend backend;
    return backend;
}

std::shared_ptr<Backend> makeBackend(Device device)
{
    if (device == Device::Cuda) return makeCudaBackend();
    return std::shared_ptr<Backend>(&cpuBackend(), [](Backend*) {});
}

}  // namespace meprop
