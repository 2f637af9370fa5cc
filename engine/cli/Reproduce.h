#pragma once
// `meprop reproduce`: re-runs the paper's tables with several seeds and writes one report.
//   meprop reproduce --list
//   meprop reproduce [TABLE...|all] [--budget smoke|quick|paper] [--seeds N] [--jobs N] [--out DIR]
//                    [--set key=value]... [--margin POINTS] [--emit-slurm DIR] [--collect DIR] [--quiet]
// Exit codes: 0 every run finished; 1 some run failed (or, with --collect, is missing); 2 bad input
// or a conflicting run folder (one line on stderr, nothing run or overwritten); 130 interrupted.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace meprop::cli {

struct ReproduceArgs {
    std::vector<std::string> tables;
    std::string budget = "quick";
    int seeds = 0;  // 0: the budget's default
    int jobs = 1;
    std::string out, emitSlurm, collect;
    std::vector<std::string> sets;
    double margin = 0.3;
    bool quiet = false, list = false;
    CLI::App* command = nullptr;  // to ask which options were given
};

CLI::App* addReproduceCommand(CLI::App& app, ReproduceArgs& args);

// Runs the subcommand; catches everything itself (under MPI an error must end every rank).
int runReproduce(const ReproduceArgs& args, int argc, char** argv);

}  // namespace meprop::cli
