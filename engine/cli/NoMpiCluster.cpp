// The cluster of a build without MPI: always one process.
#include "cli/ClusterFactory.h"

#include "core/Error.h"

#include <cstdlib>
#include <string>

namespace meprop::cli {

namespace {

class Single : public CliCluster {
public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    void barrier() override {}
    int maxOverRanks(int value) override { return value; }
    int sumOverRanks(int value) override { return value; }
    std::string describe() const override { return "one process"; }
    [[noreturn]] void abort(int code) override { std::exit(code); }
};

}  // namespace

std::unique_ptr<CliCluster> makeCluster()
{
    // Started by mpirun with several ranks: each would run the whole plan into the same folder.
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
        if (const char* n = std::getenv(v); n && std::string(n) != "1")
            throw ConfigError("this meprop is built without MPI (MEPROP_ENABLE_MPI=OFF or no libopenmpi-dev at configure time): under mpirun "
                              "every rank would run the whole plan; rebuild with MPI or use --jobs N");
    return std::make_unique<Single>();
}
bool mpiBuilt() { return false; }

}  // namespace meprop::cli
