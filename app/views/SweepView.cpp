#include "views/SweepView.h"

#include "RunController.h"
#include "charts/LineChart.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace meprop {

SweepView::SweepView(const ViewContext& context, QWidget* parent) : WorkbenchView(context, parent)
{
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(2, 2, 2, 2);
    auto* charts = new QHBoxLayout();
    m_sweepAcc = new LineChart();
    m_sweepAcc->setTitle(tr("Accuracy against k"));
    m_sweepAcc->setAxisTitles(tr("k"), tr("accuracy (%)"));
    m_sweepAcc->setLogX(true);
    m_sweepSpeed = new LineChart();
    m_sweepSpeed->setTitle(tr("Backprop speedup over dense against k"));
    m_sweepSpeed->setAxisTitles(tr("k"), tr("speedup (x)"));
    m_sweepSpeed->setLogX(true);
    m_sweepSpeed->setYIncludesZero(true);
    charts->addWidget(m_sweepAcc);
    charts->addWidget(m_sweepSpeed);
    v->addLayout(charts, 3);
    m_sweepTable = new QTableWidget(0, 6);
    m_sweepTable->setObjectName(QStringLiteral("sweepTable"));
    m_sweepTable->setHorizontalHeaderLabels({tr("Run"), tr("k"), tr("Best dev (%)"), tr("Test (%)"), tr("BP time (s)"), tr("BP speedup")});
    m_sweepTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_sweepTable->verticalHeader()->hide();
    m_sweepTable->verticalHeader()->setDefaultSectionSize(m_sweepTable->fontMetrics().height() + 6);
    v->addWidget(m_sweepTable, 1);
}

QList<ChartRef> SweepView::charts() const
{
    return {{QStringLiteral("sweep_accuracy"), m_sweepAcc->title(), m_sweepAcc, m_sweepAcc},
            {QStringLiteral("sweep_speedup"), m_sweepSpeed->title(), m_sweepSpeed, m_sweepSpeed}};
}

void SweepView::refresh()
{
    const int group = latestGroup(GroupKind::Sweep);
    QList<const RunRecord*> sparse;
    const RunRecord* dense = nullptr;
    for (int id : runs()->ids())
        if (const RunRecord* r = runs()->record(id); r && r->groupKind == GroupKind::Sweep && r->groupId == group) {
            if (r->mode() == QLatin1String("dense")) dense = r;
            else sparse << r;
        }
    std::sort(sparse.begin(), sparse.end(), [](const RunRecord* a, const RunRecord* b) { return a->k() < b->k(); });
    QList<QPointF> dev, test, speed;
    double kMin = 1e9, kMax = 0;
    for (const RunRecord* r : sparse) {
        kMin = std::min(kMin, double(r->k()));
        kMax = std::max(kMax, double(r->k()));
        if (r->epochs.isEmpty()) continue;
        dev << QPointF(r->k(), r->bestDev());
        test << QPointF(r->k(), r->testAtBest());
        if (dense && !dense->epochs.isEmpty() && r->totalBpLinear() > 0) speed << QPointF(r->k(), dense->totalBpLinear() / r->totalBpLinear());
    }
    const QString mode = sparse.isEmpty() ? QStringLiteral("topk") : sparse.front()->mode();
    m_sweepAcc->clearSeries();
    m_sweepSpeed->clearSeries();
    m_sweepAcc->setSeries(tr("%1 best dev").arg(mode), dev, {QColor(31, 119, 180), Qt::SolidLine, 2.0, true});
    m_sweepAcc->setSeries(tr("%1 test at best dev").arg(mode), test, {QColor(44, 160, 44), Qt::DashLine, 2.0, true});
    if (dense && !dense->epochs.isEmpty() && kMax > 0)
        m_sweepAcc->setSeries(tr("dense best dev"), {QPointF(kMin, dense->bestDev()), QPointF(kMax, dense->bestDev())},
                              {QColor(90, 90, 90), Qt::DotLine, 2.0, false});
    m_sweepSpeed->setSeries(tr("%1 BP speedup over dense").arg(mode), speed, {QColor(214, 39, 40), Qt::SolidLine, 2.0, true});
    if (kMax > 0) m_sweepSpeed->setSeries(tr("1x (dense)"), {QPointF(kMin, 1.0), QPointF(kMax, 1.0)}, {QColor(90, 90, 90), Qt::DotLine, 1.5, false});

    QList<const RunRecord*> all = sparse;
    if (dense) all.prepend(dense);
    m_sweepTable->setRowCount(static_cast<int>(all.size()));
    int row = 0;
    for (const RunRecord* r : all) {
        const bool isDense = r->mode() == QLatin1String("dense");
        double sp = std::nan("");
        if (dense && !dense->epochs.isEmpty() && !r->epochs.isEmpty() && r->totalBpLinear() > 0) sp = dense->totalBpLinear() / r->totalBpLinear();
        setTableRow(m_sweepTable, row++,
                    {r->name + QStringLiteral(" (") + toString(r->row.state) + QLatin1Char(')'),
                     isDense ? tr("dense") : QString::number(r->k()), fmt(r->bestDev()), fmt(r->testAtBest()),
                     fmt(r->epochs.isEmpty() ? std::nan("") : r->totalBpLinear(), 3),
                     std::isfinite(sp) ? QStringLiteral("%1x").arg(sp, 0, 'f', 1) : QStringLiteral("-")});
    }
}

}  // namespace meprop
