#include "views/SweepView.h"

#include "RunController.h"
#include "SeedGroups.h"
#include "charts/LineChart.h"

#include <QHBoxLayout>
#include <QMap>
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
    m_sweepTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
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
    QList<const RunRecord*> sparse, denses;
    for (int id : runs()->ids())
        if (const RunRecord* r = runs()->record(id); r && r->groupKind == GroupKind::Sweep && r->groupId == group) {
            if (r->mode() == QLatin1String("dense")) denses << r;
            else sparse << r;
        }
    const RunRecord* dense = denses.isEmpty() ? nullptr : denses.front();
    std::stable_sort(sparse.begin(), sparse.end(), [](const RunRecord* a, const RunRecord* b) { return a->k() < b->k(); });
    // The dense run of each seed (a sweep with seeds has one per seed).
    auto denseFor = [&](const RunRecord* r) -> const RunRecord* {
        for (const RunRecord* d : denses)
            if (d->config.value(QStringLiteral("seed")) == r->config.value(QStringLiteral("seed"))) return d;
        return dense;
    };
    auto speedupOf = [&](const RunRecord* r) {
        const RunRecord* d = denseFor(r);
        return d && !d->epochs.isEmpty() && !r->epochs.isEmpty() && r->totalBpLinear() > 0 ? d->totalBpLinear() / r->totalBpLinear() : std::nan("");
    };
    // Per k: the mean over the seeds, with -/+ 1 std as error bars (one seed: the value itself).
    QMap<int, QList<const RunRecord*>> byK;
    for (const RunRecord* r : sparse) byK[r->k()] << r;
    QList<QPointF> dev, test, speed, devLo, devHi, speedLo, speedHi;
    bool seeded = false;
    double kMin = 1e9, kMax = 0;
    for (auto it = byK.cbegin(); it != byK.cend(); ++it) {
        kMin = std::min(kMin, double(it.key()));
        kMax = std::max(kMax, double(it.key()));
        QList<double> d, t, sp;
        for (const RunRecord* r : it.value()) {
            if (r->epochs.isEmpty()) continue;
            d << r->bestDev();
            t << r->testAtBest();
            sp << speedupOf(r);
        }
        seeded = seeded || it.value().size() > 1;
        const GroupValue gd = groupValue(d), gt = groupValue(t), gs = groupValue(sp);
        const double k = it.key();
        if (gd.n > 0) {
            const double sd = std::isfinite(gd.stddev) ? gd.stddev : 0.0;
            dev << QPointF(k, gd.mean);
            devLo << QPointF(k, gd.mean - sd);
            devHi << QPointF(k, gd.mean + sd);
        }
        if (gt.n > 0) test << QPointF(k, gt.mean);
        if (gs.n > 0) {
            const double sd = std::isfinite(gs.stddev) ? gs.stddev : 0.0;
            speed << QPointF(k, gs.mean);
            speedLo << QPointF(k, gs.mean - sd);
            speedHi << QPointF(k, gs.mean + sd);
        }
    }
    QList<double> denseDev;
    for (const RunRecord* d : denses)
        if (!d->epochs.isEmpty()) denseDev << d->bestDev();
    const GroupValue dd = groupValue(denseDev);
    const QString mode = sparse.isEmpty() ? QStringLiteral("topk") : sparse.front()->mode();
    const QString suffix = seeded ? tr(" (mean over seeds)") : QString();
    m_sweepAcc->clearSeries();
    m_sweepSpeed->clearSeries();
    m_sweepAcc->setSeries(tr("%1 best dev").arg(mode), dev, {QColor(31, 119, 180), Qt::SolidLine, 2.0, true});
    m_sweepAcc->setSeries(tr("%1 test at best dev").arg(mode), test, {QColor(44, 160, 44), Qt::DashLine, 2.0, true});
    if (dd.n > 0 && kMax > 0)
        m_sweepAcc->setSeries(tr("dense best dev"), {QPointF(kMin, dd.mean), QPointF(kMax, dd.mean)}, {QColor(90, 90, 90), Qt::DotLine, 2.0, false});
    m_sweepSpeed->setSeries(tr("%1 speedup").arg(mode), speed, {QColor(214, 39, 40), Qt::SolidLine, 2.0, true});
    if (kMax > 0) m_sweepSpeed->setSeries(tr("1x (dense)"), {QPointF(kMin, 1.0), QPointF(kMax, 1.0)}, {QColor(90, 90, 90), Qt::DotLine, 1.5, false});
    if (seeded) {  // mean -/+ one sample std over the seeds of each k, as error bars
        m_sweepAcc->setErrorBars(tr("%1 best dev").arg(mode) + tr(" band"), devLo, devHi, QColor(31, 119, 180), tr("%1 best dev").arg(mode));
        m_sweepSpeed->setErrorBars(tr("%1 speedup").arg(mode) + tr(" band"), speedLo, speedHi, QColor(214, 39, 40), tr("%1 speedup").arg(mode));
    }
    m_sweepAcc->setTitle(tr("Accuracy against k") + suffix);
    m_sweepSpeed->setTitle(tr("Backprop speedup over dense against k") + suffix);

    QList<const RunRecord*> all = denses + sparse;
    m_sweepTable->setRowCount(static_cast<int>(all.size()));
    int row = 0;
    for (const RunRecord* r : all) {
        const bool isDense = r->mode() == QLatin1String("dense");
        const double sp = isDense ? 1.0 : speedupOf(r);
        setTableRow(m_sweepTable, row++,
                    {r->name + QStringLiteral(" (") + toString(r->row.state) + QLatin1Char(')'),
                     isDense ? tr("dense") : QString::number(r->k()), fmt(r->bestDev()), fmt(r->testAtBest()),
                     fmt(r->epochs.isEmpty() ? std::nan("") : r->totalBpLinear(), 3),
                     std::isfinite(sp) ? QStringLiteral("%1x").arg(sp, 0, 'f', 1) : QStringLiteral("-")});
    }
}

}  // namespace meprop
