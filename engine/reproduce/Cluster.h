#pragma once
// How the runs of a plan are spread over processes. One process (the default) or the ranks of an
// MPI job (`mpirun -np N meprop reproduce ...`, implemented in the CLI when the build found MPI, so
// the engine itself does not link MPI). Every rank builds the same plan and sees the same output
// folder; the runner hands out runs round-robin and meets the other ranks at barriers.
#include <string>

namespace meprop::reproduce {

class Cluster {
public:
    virtual ~Cluster() = default;
    virtual int rank() const = 0;  // 0 .. size() - 1; rank 0 writes the report
    virtual int size() const = 0;
    virtual void barrier() = 0;
    virtual int maxOverRanks(int value) = 0;  // every rank gets the maximum (flags, exit codes)
    virtual int sumOverRanks(int value) = 0;  // every rank gets the sum (counts)
    virtual std::string describe() const = 0;  // "one process", "Open MPI, 2 ranks"
};

class SingleProcess : public Cluster {
public:
    int rank() const override { return 0; }
    int size() const override { return 1; }
    void barrier() override {}
    int maxOverRanks(int value) override { return value; }
    int sumOverRanks(int value) override { return value; }
    std::string describe() const override { return "one process"; }
};

}  // namespace meprop::reproduce
