#include "RunColors.h"

#include <QList>

#include <algorithm>

namespace meprop {

QColor runColor(int id)
{
    static const QList<QColor> palette{QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44), QColor(214, 39, 40),
                                       QColor(148, 103, 189), QColor(140, 86, 75), QColor(227, 119, 194), QColor(127, 127, 127),
                                       QColor(188, 189, 34), QColor(23, 190, 207)};
    return palette[(std::max(id, 1) - 1) % palette.size()];
}

}  // namespace meprop
