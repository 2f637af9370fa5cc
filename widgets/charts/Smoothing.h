#pragma once
// Curve smoothing and thinning for display, on plain points (no widget).
#include <QList>
#include <QPointF>

namespace meprop {

// TensorBoard's scalar smoothing: an exponential moving average with `weight` in [0, 1]
// (0: none), debiased so that the first points are not pulled towards 0:
//   last_i = weight * last_{i-1} + (1 - weight) * y_i   (last_0 = 0)
//   smoothed_i = last_i / (1 - weight^n_i)              (n_i: finite points so far)
// Non-finite values pass through unchanged and do not enter the average; a constant curve stays
// as it is. x values are kept.
QList<QPointF> emaSmoothed(const QList<QPointF>& points, double weight);

// At most about `maxPoints` points: every n-th one and always the last (all when maxPoints <= 0).
QList<QPointF> thinnedTo(const QList<QPointF>& points, int maxPoints);

}  // namespace meprop
