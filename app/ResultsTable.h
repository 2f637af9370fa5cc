#pragma once
// The results table the workbench exports (File > Export results table, results.csv/.md in a
// bundle): one row per run, one column per config key whose value differs between the runs (what
// was varied), then the results as plain numbers with their units in the header.
#include "RunData.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace meprop {

struct ResultsTable {
    QStringList headers;
    QList<QStringList> rows;  // cells as text; an unknown value is an empty cell
};

// Columns: run, state, <varied config keys, alphabetical>, best_dev (%), test_at_best_dev (%),
// bp_linear (s), bp_speedup (x), backprop_ratio, epochs, elapsed (s). Each seed group (two or more
// runs of `runs`) adds a row of means ("mean (n=3)") and one of sample standard deviations.
ResultsTable resultsTable(const QList<const RunRecord*>& runs);
QString toCsv(const ResultsTable& table);
QString toMarkdown(const ResultsTable& table);

}  // namespace meprop
