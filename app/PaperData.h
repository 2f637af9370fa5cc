#pragma once
// Plain, Qt-typed copies of a reproduction (the engine's plan and the statistics of its cells, see
// engine/reproduce), made on the reproduction thread and handed to the Paper view through queued
// signals: no engine object crosses threads.
#include "charts/FigurePanels.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace meprop {

// What the user chose: the same choices as `meprop reproduce TABLE... --budget B --seeds N --jobs J --out DIR`.
struct PaperRequest {
    QStringList tables;  // table ids ("table1" ... "fig4-right"); empty: none chosen
    QString budget = QStringLiteral("smoke");
    int seeds = 0;  // 0: the budget's default
    int jobs = 1;   // runs at once ("parallel runs")
    QString dir;    // the reproduction folder (absolute)
};

// How a row is coloured: the worst of its verdicts (engine CellLine::Level).
enum class PaperVerdict { None, Holds, Inconclusive, Fails };

struct PaperRow {
    QString cell;   // the cell id, e.g. "table6-l2-k30"
    QString group;  // the paper's block, e.g. "2 hidden layers"
    QString label;  // the paper's row, e.g. "meProp (k=30)"
    bool baseline = false;
    QString n, paper, ours, delta, speedup, verdict;  // the report's formats
    PaperVerdict level = PaperVerdict::None;
};

struct PaperTable {
    QString id, title, claim;
    bool figure = false;
    int runs = 0;  // distinct runs of its cells
    double estimatedSeconds = 0.0;
    QList<PaperRow> rows;  // the paper's order
};

// The whole reproduction as the folder holds it now.
struct PaperSnapshot {
    QString dir, budget;
    int seeds = 0;
    int runs = 0, finished = 0, failed = 0, missing = 0;
    double estimatedSeconds = 0.0;  // the plan's, one run at a time
    QList<PaperTable> catalogue;  // every table and figure of the paper at this budget (no rows): the choices
    QList<PaperTable> tables;     // the chosen ones, with their rows
    QList<FigurePanel> panels;  // the figure tables' panels (cells without a finished run left out)
    QStringList notes;          // plan-wide: the data used, GPU or CPU, what the budget changes
};

// The runner's progress (engine RunnerProgress).
struct PaperProgress {
    int total = 0, finishedBefore = 0, done = 0, failed = 0;
    QStringList running;  // "table6-l2-k30-s1 (40 %)"
    double etaSeconds = -1.0;
    QString lastFinished, lastMessage;
};

}  // namespace meprop

Q_DECLARE_METATYPE(meprop::PaperRequest)
Q_DECLARE_METATYPE(meprop::PaperSnapshot)
Q_DECLARE_METATYPE(meprop::PaperProgress)
