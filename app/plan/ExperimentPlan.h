#pragma once
// Experiment planning for the workbench (and any other front end): which configs a comparison, a
// k sweep or a group of seeds runs. Pure functions over the engine's JSON config, Qt-free, so that
// they are unit-tested without a window and a second front end plans the same runs.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace meprop {

struct PlannedRun {
    nlohmann::json config;  // the full engine config of the run
    std::string label;      // what distinguishes it inside its plan: "topk", "dense", "k=20", "seed 2"
};

// top-k, random-k and dense runs of `base` (same seed, data and everything else), in that order.
std::vector<PlannedRun> comparePlan(const nlohmann::json& base);

// The dense baseline first, then one run per k (in the order given) in base's mode, or in "topk"
// when base is dense. Every run is checked by the engine (Config::fromJson + validate()) before
// anything is returned: throws ConfigError "k = K: <why>" naming the first k that cannot run, and
// "the k list is empty" for an empty list.
std::vector<PlannedRun> sweepPlan(const nlohmann::json& base, const std::vector<int>& ks);

// Each run of `runs` with seeds 1..seeds (labels get " seed S"); seeds == 1 keeps `runs` as they
// are (their own seed). Throws ConfigError when seeds < 1.
std::vector<PlannedRun> withSeeds(const std::vector<PlannedRun>& runs, int seeds);

// "5, 10,20" -> {5, 10, 20}. Throws ConfigError "k list: \"x\" is not a positive integer".
std::vector<int> parseKList(const std::string& text);

}  // namespace meprop
