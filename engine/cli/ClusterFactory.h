#pragma once
// The CLI's choice of how `meprop reproduce` spreads its runs: the ranks of an MPI job when this
// build has MPI and the process was started by mpirun (or srun with PMI), else one process.
// Implemented by MpiCluster.cpp (builds with MPI) or NoMpiCluster.cpp.
#include "reproduce/Cluster.h"

#include <memory>

namespace meprop::cli {

class CliCluster : public reproduce::Cluster {
public:
    // Ends every rank with `code` (an error on one rank would leave the others waiting at a barrier).
    [[noreturn]] virtual void abort(int code) = 0;
};

// MPI_Init happens here, MPI_Finalize when the object goes.
std::unique_ptr<CliCluster> makeCluster();
bool mpiBuilt();

}  // namespace meprop::cli
