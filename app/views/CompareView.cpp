#include "views/CompareView.h"

#include "RunColors.h"
#include "RunController.h"
#include "SeedGroups.h"
#include "charts/LineChart.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace meprop {

CompareView::CompareView(const ViewContext& context, QWidget* parent) : WorkbenchView(context, parent)
{
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(2, 2, 2, 2);
    auto* charts = new QHBoxLayout();
    m_compareChart = new LineChart();
    m_compareChart->setTitle(tr("top-k vs random vs dense: dev accuracy (solid), test (dashed)"));
    m_compareChart->setAxisTitles(tr("epoch"), tr("accuracy (%)"));
    m_compareChart->setIntegerX(true);
    m_compareLoss = new LineChart();
    m_compareLoss->setTitle(tr("Training loss (per batch)"));
    m_compareLoss->setAxisTitles(tr("step"), tr("loss"));
    m_compareLoss->setLogY(true);
    m_compareLoss->setSmoothingControl(true);
    m_compareLoss->setMaxPoints(1500);
    charts->addWidget(m_compareChart, 1);
    charts->addWidget(m_compareLoss, 1);
    v->addLayout(charts, 3);
    m_compareTable = new QTableWidget(0, 8);
    m_compareTable->setObjectName(QStringLiteral("compareTable"));
    m_compareTable->setHorizontalHeaderLabels({tr("Run"), tr("Mode"), tr("k"), tr("Best dev (%)"), tr("Test (%)"),
                                               tr("BP time (s)"), tr("BP speedup"), tr("Backprop ratio")});
    m_compareTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_compareTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_compareTable->verticalHeader()->hide();
    m_compareTable->verticalHeader()->setDefaultSectionSize(m_compareTable->fontMetrics().height() + 6);
    v->addWidget(m_compareTable, 1);
}

QList<ChartRef> CompareView::charts() const
{
    return {{QStringLiteral("compare"), m_compareChart->title(), m_compareChart, m_compareChart},
            {QStringLiteral("compare_loss"), m_compareLoss->title(), m_compareLoss, m_compareLoss}};
}

void CompareView::refresh()
{
    const int group = latestGroup(GroupKind::Compare);
    QList<const RunRecord*> members;
    for (int id : runs()->ids())
        if (const RunRecord* r = runs()->record(id); r && r->groupKind == GroupKind::Compare && r->groupId == group) members << r;
    const QList<QList<const RunRecord*>> seedGroups = seedGroupsOf(members);
    QList<int> inGroup;
    for (const auto& g : seedGroups)
        for (const RunRecord* r : g) inGroup << r->id;
    m_compareChart->clearSeries();
    m_compareLoss->clearSeries();
    m_compareTable->setRowCount(static_cast<int>(members.size() + seedGroups.size()));
    int row = static_cast<int>(seedGroups.size());  // the groups' mean +/- std rows come first
    for (const RunRecord* r : members) {
        const double ratio = r->epochs.isEmpty() ? std::nan("") : r->backpropRatio(r->epochs.back());
        setTableRow(m_compareTable, row++,
                    {r->name + QStringLiteral(" (") + toString(r->row.state) + QLatin1Char(')'), r->mode(),
                     r->mode() == QLatin1String("dense") ? QStringLiteral("-") : QString::number(r->k()), fmt(r->bestDev()),
                     fmt(r->testAtBest()), fmt(r->epochs.isEmpty() ? std::nan("") : r->totalBpLinear(), 3),
                     std::isfinite(r->row.speedup) ? QStringLiteral("%1x").arg(r->row.speedup, 0, 'f', 1) : QStringLiteral("-"),
                     fmt(ratio, 3)});
        if (inGroup.contains(r->id)) continue;  // drawn with its seed group below
        const QColor c = runColor(r->id);  // the run's colour in every tab
        QList<QPointF> dev, test;
        for (const EpochData& e : r->epochs) {
            dev << QPointF(e.epoch, e.dev);
            if (std::isfinite(e.test)) test << QPointF(e.epoch, e.test);
        }
        m_compareChart->setSeries(r->legend() + tr(" dev"), dev, {c, Qt::SolidLine, 2.0, true, r->legend()});
        m_compareChart->setSeries(r->legend() + tr(" test"), test, {c, Qt::DashLine, 1.5, false, r->legend()});
        m_compareLoss->setSeries(r->legend(), r->batchLoss, {c, Qt::SolidLine, 1.5, false, {}, true});
    }
    // Several seeds per mode: the mean with a -/+ 1 std band, and a table row of mean +/- std.
    row = 0;
    for (const auto& g : seedGroups) {
        const QString name = groupLegend(g);
        const QColor c = runColor(g.front()->id);
        QList<QList<QPointF>> dev, loss;
        QList<double> best, test, bp, speed;
        for (const RunRecord* r : g) {
            QList<QPointF> d;
            for (const EpochData& e : r->epochs) d << QPointF(e.epoch, e.dev);
            dev << d;
            loss << r->batchLoss;
            best << r->bestDev();
            test << r->testAtBest();
            bp << (r->epochs.isEmpty() ? std::nan("") : r->totalBpLinear());
            speed << r->row.speedup;
        }
        const GroupCurve gd = groupCurve(dev), gl = groupCurve(loss);
        m_compareChart->setSeries(name + tr(" dev"), gd.mean, {c, Qt::SolidLine, 2.0, true, name});
        m_compareChart->setBand(name + tr(" dev band"), gd.lower, gd.upper, c, name);
        m_compareLoss->setSeries(name, gl.mean, {c, Qt::SolidLine, 1.5, false, {}, true});
        auto pm = [](const QList<double>& v, int decimals, const QString& unit = {}) {
            const GroupValue x = groupValue(v);
            if (x.n == 0) return QStringLiteral("-");
            return std::isfinite(x.stddev) ? QStringLiteral("%1 \u00b1 %2%3").arg(x.mean, 0, 'f', decimals).arg(x.stddev, 0, 'f', decimals).arg(unit)
                                           : QStringLiteral("%1%2").arg(x.mean, 0, 'f', decimals).arg(unit);
        };
        const RunRecord* f = g.front();
        setTableRow(m_compareTable, row++,
                    {name, f->mode(), f->mode() == QLatin1String("dense") ? QStringLiteral("-") : QString::number(f->k()), pm(best, 2),
                     pm(test, 2), pm(bp, 3), pm(speed, 1, QStringLiteral("x")), QString()});
    }
}

}  // namespace meprop
