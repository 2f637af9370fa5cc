#pragma once
// The colours runs are drawn in, one place for every view.
#include <QColor>
#include <QString>

namespace meprop {

// The colour of run `id` (a 10-colour palette, cycling).
QColor runColor(int id);
// The colour of a backprop mode in the compare view.
QColor modeColor(const QString& mode);

}  // namespace meprop
