#include "ProgressDelegate.h"

#include "RunTableModel.h"

#include <QApplication>
#include <QPainter>
#include <QStyleOptionProgressBar>

#include <algorithm>
#include <cmath>

namespace meprop {

void ProgressDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    const QVariant v = index.data(RunTableModel::ProgressRole);
    if (!v.isValid()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    // Keep the row's background (a red failed row stays red).
    const QVariant bg = index.data(Qt::BackgroundRole);
    if (bg.canConvert<QBrush>()) painter->fillRect(option.rect, bg.value<QBrush>());
    QStyleOptionProgressBar bar;
    bar.rect = option.rect.adjusted(2, 3, -2, -3);
    bar.minimum = 0;
    bar.maximum = 1000;
    bar.progress = static_cast<int>(std::lround(std::clamp(v.toDouble(), 0.0, 1.0) * 1000));
    bar.text = index.data(Qt::DisplayRole).toString();
    bar.textVisible = true;
    bar.textAlignment = Qt::AlignCenter;
    bar.state = option.state | QStyle::State_Horizontal;
    const QWidget* w = option.widget;
    QStyle* style = w ? w->style() : QApplication::style();
    style->drawControl(QStyle::CE_ProgressBar, &bar, painter, w);
}

}  // namespace meprop
