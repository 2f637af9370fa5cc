#include "RunColors.h"

#include <QList>

#include <algorithm>

namespace meprop {

QColor runColor(int id)
{
    // Tableau 10, then its darker companions: 20 runs before a colour repeats.
    static const QList<QColor> palette{
        QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),  QColor(214, 39, 40),   QColor(148, 103, 189),
        QColor(140, 86, 75),  QColor(227, 119, 194), QColor(127, 127, 127), QColor(188, 189, 34), QColor(23, 190, 207),
        QColor(17, 66, 112),  QColor(166, 78, 0),   QColor(20, 94, 20),   QColor(130, 15, 20),   QColor(84, 50, 120),
        QColor(84, 45, 36),   QColor(160, 40, 120), QColor(60, 60, 60),   QColor(110, 110, 10),  QColor(10, 110, 125)};
    return palette[(std::max(id, 1) - 1) % palette.size()];
}

}  // namespace meprop
