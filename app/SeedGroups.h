#pragma once
// Seed groups: runs of one config with seeds 1..N, drawn as their mean with a ±1 standard
// deviation band. The statistics are the engine's (stats/Summary, the same as `meprop reproduce`);
// this file only lines the runs' curves up.
#include "RunData.h"

#include <QList>
#include <QPointF>
#include <QString>

namespace meprop {

struct GroupCurve {
    QList<QPointF> mean;   // at each x that at least two members have
    QList<QPointF> lower;  // mean - 1 sample std
    QList<QPointF> upper;  // mean + 1 sample std
    QList<int> n;          // members at that x
};

// Lines the members' curves up by x (a member that has not reached an x yet leaves it out there);
// x values with fewer than two members are left out (except with a single member: its curve, zero
// width). Non-finite y values are skipped.
GroupCurve groupCurve(const QList<QList<QPointF>>& members);

struct GroupValue {
    int n = 0;
    double mean = 0.0;    // NaN when n == 0
    double stddev = 0.0;  // NaN when n < 2
};
// Mean and sample std of the finite values.
GroupValue groupValue(const QList<double>& values);

// The seed groups among `runs` that have at least two members there, in the order of their first
// member; each group's runs in the order given.
QList<QList<const RunRecord*>> seedGroupsOf(const QList<const RunRecord*>& runs);
// A group's name in legends and tables: "#4-6 topk k=20 (3 seeds)".
QString groupLegend(const QList<const RunRecord*>& members);

}  // namespace meprop
