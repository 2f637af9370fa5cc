#pragma once
// The common shape of the workbench's tabs: a widget that redraws itself from the run controller's
// plain records (refresh()), and names the charts it can export. The window only decides when.
#include "RunData.h"
#include "charts/ExportableChart.h"

#include <QList>
#include <QString>
#include <QWidget>

#include <functional>

class QTableWidget;

namespace meprop {

class RunController;

// A chart a view offers for export: `id` names it in menus, bundles (charts/<id>.png) and --export.
struct ChartRef {
    QString id;
    QString title;
    ExportableChart* chart = nullptr;
    QWidget* widget = nullptr;
};

// What every view reads: the runs, and the ids selected in the run table (first = current).
struct ViewContext {
    RunController* runs = nullptr;
    std::function<QList<int>()> selectedIds;
};

class WorkbenchView : public QWidget {
    Q_OBJECT
public:
    explicit WorkbenchView(const ViewContext& context, QWidget* parent = nullptr) : QWidget(parent), m_context(context) {}

    // Redraws from the run controller's records. Cheap enough for ~20 calls a second.
    virtual void refresh() {}
    virtual QList<ChartRef> charts() const { return {}; }

    // "12.34", "-" for NaN.
    static QString fmt(double v, int decimals = 2);
    // Fills a read-only row, numbers (every column but the first) right-aligned.
    static void setTableRow(QTableWidget* table, int row, const QStringList& cells);

protected:
    RunController* runs() const { return m_context.runs; }
    QList<int> selectedIds() const { return m_context.selectedIds ? m_context.selectedIds() : QList<int>(); }
    // The group of the selected run when it is one of `kind`, else the newest group of `kind`
    // (0: none).
    int latestGroup(GroupKind kind) const;

private:
    ViewContext m_context;
};

}  // namespace meprop
