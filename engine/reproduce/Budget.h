#pragma once
// The three budgets of `meprop reproduce` and what each does to a run's configuration.
#include <nlohmann/json.hpp>

#include <string>

namespace meprop::reproduce {

enum class Budget {
    Smoke,  // tiny limits, one epoch: all tables in about a minute on 2 cores (the test suite)
    Quick,  // tables 1, 3-6 and Figure 4 with 3 seeds in about an hour on 2 cores (--jobs 2)
    Paper,  // the paper's own sizes: the presets unchanged, 5 seeds
};

// "smoke" | "quick" | "paper"; throws ConfigError naming `field` otherwise.
Budget parseBudget(const std::string& text, const std::string& field = "--budget");
const char* toString(Budget budget);
int defaultSeeds(Budget budget);  // smoke 2, quick 3, paper 5

// The keys a budget sets on a training run of `task` ("image" | "pos" | "parse"), over the preset
// and the row's own keys. Paper: none.
nlohmann::json budgetOverrides(Budget budget, const std::string& task);

// One sentence per task for the report and --list: what the budget changes.
std::string describeBudget(Budget budget);

}  // namespace meprop::reproduce
