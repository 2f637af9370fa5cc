// The cluster of a build with MPI: the ranks of MPI_COMM_WORLD when the process was started by an
// MPI launcher, one process otherwise (MPI is not initialised for a plain `meprop reproduce`).
#include "cli/ClusterFactory.h"

#include <mpi.h>

#include <cstdlib>
#include <string>

namespace meprop::cli {

namespace {

bool launchedByMpi()
{
    // Open MPI's mpirun, PMIx (Open MPI 4/5, srun --mpi=pmix) and PMI-1/2 (MPICH, srun).
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
        if (std::getenv(v)) return true;
    return false;
}

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

class Mpi : public CliCluster {
public:
    Mpi()
    {
        int provided = 0;
        // Only the main thread calls MPI; the run pool's threads never do.
        MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
        MPI_Comm_rank(MPI_COMM_WORLD, &m_rank);
        MPI_Comm_size(MPI_COMM_WORLD, &m_size);
        char version[MPI_MAX_LIBRARY_VERSION_STRING] = {};
        int len = 0;
        MPI_Get_library_version(version, &len);
        m_library = std::string(version, static_cast<std::size_t>(len));
        if (const auto comma = m_library.find(','); comma != std::string::npos) m_library.resize(comma);
    }
    ~Mpi() override { MPI_Finalize(); }
    int rank() const override { return m_rank; }
    int size() const override { return m_size; }
    void barrier() override { MPI_Barrier(MPI_COMM_WORLD); }
    int maxOverRanks(int value) override
    {
        int out = value;
        MPI_Allreduce(&value, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        return out;
    }
    int sumOverRanks(int value) override
    {
        int out = value;
        MPI_Allreduce(&value, &out, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
        return out;
    }
    std::string describe() const override { return m_library + ", " + std::to_string(m_size) + (m_size == 1 ? " rank" : " ranks"); }
    [[noreturn]] void abort(int code) override
    {
        MPI_Abort(MPI_COMM_WORLD, code);
        std::exit(code);
    }

private:
    int m_rank = 0, m_size = 1;
    std::string m_library;
};

}  // namespace

std::unique_ptr<CliCluster> makeCluster()
{
    if (launchedByMpi()) return std::make_unique<Mpi>();
    return std::make_unique<Single>();
}

bool mpiBuilt() { return true; }

}  // namespace meprop::cli
