#include "reproduce/Budget.h"

#include "core/Error.h"

namespace meprop::reproduce {

Budget parseBudget(const std::string& text, const std::string& field)
{
    if (text == "smoke") return Budget::Smoke;
    if (text == "quick") return Budget::Quick;
    if (text == "paper") return Budget::Paper;
    throw ConfigError(field + " " + text + ": unknown budget (expected smoke, quick or paper)");
}

const char* toString(Budget budget)
{
    switch (budget) {
    case Budget::Smoke: return "smoke";
    case Budget::Quick: return "quick";
    case Budget::Paper: return "paper";
    }
    return "?";
}

int defaultSeeds(Budget budget)
{
    switch (budget) {
    case Budget::Smoke: return 2;
    case Budget::Quick: return 3;
    case Budget::Paper: return 5;
    }
    return 1;
}

nlohmann::json budgetOverrides(Budget budget, const std::string& task)
{
    using nlohmann::json;
    switch (budget) {
    case Budget::Smoke:
        // The text tasks also read a sample of EWT (see Plan.cpp): 60 training, 50 dev, 50 test sentences.
        if (task == "image") return {{"limit", 500}, {"dev_size", 500}, {"epochs", 1}};
        if (task == "pos") return {{"epochs", 1}};
        if (task == "parse") return {{"epochs", 1}, {"batch", 500}};
        return json::object();
    case Budget::Quick:
        // Sized so that table1 table3-6 and fig4-* with 3 seeds take about an hour with --jobs 2
        // on 2 cores (see the estimates of `meprop reproduce --list`).
        if (task == "image") return {{"epochs", 8}};
        if (task == "pos") return {{"limit", 4000}, {"epochs", 3}};
        if (task == "parse") return {{"batch", 1000}, {"epochs", 3}};
        return json::object();
    case Budget::Paper: return json::object();
    }
    return json::object();
}

std::string describeBudget(Budget budget)
{
    switch (budget) {
    case Budget::Smoke:
        return "smoke: image: 500 training images (dev 500), 1 epoch; POS and parsing: a sample of EWT (60 training, 50 dev, 50 test "
               "sentences), 1 epoch, parsing batch 500; Tables 7/8 at small sizes. Checks the pipeline only: the numbers mean nothing.";
    case Budget::Quick:
        return "quick: image: the full training set, 8 epochs (paper: 20); POS: the first 4,000 of 12,544 EWT training sentences, 3 "
               "epochs (paper: all, 5); parsing: all EWT training sentences, batch 1,000 transitions (paper: 10,000), 3 epochs (paper: "
               "15); dev and test sets in full; Tables 7/8 on the CPU at h = 2048.";
    case Budget::Paper:
        return "paper: the presets unchanged: full training sets, the paper's epochs, batch sizes and hidden sizes.";
    }
    return "";
}

}  // namespace meprop::reproduce
