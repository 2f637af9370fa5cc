#pragma once
// Paints a progress bar in a table cell from RunTableModel::ProgressRole (0..1).
#include <QStyledItemDelegate>

namespace meprop {

class ProgressDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

}  // namespace meprop
