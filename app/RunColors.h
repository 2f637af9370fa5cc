#pragma once
// The colours runs are drawn in, one place for every view.
#include <QColor>
#include <QString>

namespace meprop {

// The colour of run `id` in every chart of every tab (a 20-colour palette, cycling).
QColor runColor(int id);

}  // namespace meprop
