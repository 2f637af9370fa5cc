#pragma once
// The paper's tables and figures as cells to run (reproduce/Plan.h's TableSpec and Cell): for each
// table row the preset, its overrides and the paper's numbers, and which cell a row is compared
// with. buildPlan (reproduce/Plan.h) turns the catalogue into runs under a budget.
#include "reproduce/Budget.h"
#include "reproduce/Plan.h"

#include <vector>

namespace meprop::reproduce {

struct Catalogue {
    std::vector<TableSpec> tables;
    std::vector<Cell> cells;  // catalogue order: names the shared runs
};

// Tables 1 to 8 and Figure 4 for `budget` (smoke, quick, paper: the epochs and seeds of each row)
// on the data folders of `ctx`.
Catalogue paperCatalogue(Budget budget, const PlanContext& ctx);

}  // namespace meprop::reproduce
