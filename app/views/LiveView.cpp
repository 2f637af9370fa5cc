#include "views/LiveView.h"

#include "RunColors.h"
#include "RunController.h"
#include "RunTableModel.h"
#include "SeedGroups.h"
#include "charts/BarChart.h"
#include "charts/LineChart.h"

#include <QComboBox>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

#include <QMap>

#include <cmath>

namespace meprop {

LiveView::LiveView(const ViewContext& context, QWidget* parent) : WorkbenchView(context, parent)
{
    auto* v = new QVBoxLayout(this);
    v->setContentsMargins(2, 2, 2, 2);
    m_warningBanner = new QFrame();
    m_warningBanner->setObjectName(QStringLiteral("warningBanner"));
    m_warningBanner->setStyleSheet(QStringLiteral("#warningBanner { background: #fff3cd; border: 1px solid #e0c060; } "
                                                  "QLabel { color: #664d03; }"));
    auto* bannerLayout = new QHBoxLayout(m_warningBanner);
    bannerLayout->setContentsMargins(6, 3, 3, 3);
    m_warningText = new QLabel();
    m_warningText->setObjectName(QStringLiteral("warningText"));
    m_warningText->setWordWrap(true);
    m_warningText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bannerLayout->addWidget(m_warningText, 1);
    auto* dismiss = new QToolButton();
    dismiss->setObjectName(QStringLiteral("dismissWarning"));
    dismiss->setText(tr("Dismiss"));
    dismiss->setToolTip(tr("Hide this warning (the run keeps it in the table's tooltip)"));
    connect(dismiss, &QToolButton::clicked, this, &LiveView::dismissWarning);
    bannerLayout->addWidget(dismiss, 0, Qt::AlignTop);
    m_warningBanner->hide();
    v->addWidget(m_warningBanner);
    m_seedRow = new QWidget();
    auto* seedLayout = new QHBoxLayout(m_seedRow);
    seedLayout->setContentsMargins(4, 0, 4, 0);
    auto* seedLabel = new QLabel(tr("Seed groups:"));
    m_seedMode = new QComboBox();
    m_seedMode->setObjectName(QStringLiteral("seedMode"));
    m_seedMode->addItem(tr("mean with a +/-1 std band"), QStringLiteral("band"));
    m_seedMode->addItem(tr("all seeds as thin lines"), QStringLiteral("all"));
    m_seedMode->addItem(tr("mean only"), QStringLiteral("mean"));
    seedLabel->setBuddy(m_seedMode);
    connect(m_seedMode, &QComboBox::currentIndexChanged, this, &LiveView::refresh);
    seedLayout->addWidget(seedLabel);
    seedLayout->addWidget(m_seedMode);
    seedLayout->addStretch(1);
    m_seedRow->hide();
    v->addWidget(m_seedRow);
    auto* grid = new QGridLayout();
    m_accChart = new LineChart();
    m_accChart->setTitle(tr("Accuracy per epoch (dev solid, test dashed)"));
    m_accChart->setAxisTitles(tr("epoch"), tr("accuracy (%)"));
    m_accChart->setIntegerX(true);
    m_lossChart = new LineChart();
    m_lossChart->setTitle(tr("Training loss (per batch; dots: epoch mean)"));
    m_lossChart->setAxisTitles(tr("step"), tr("loss"));
    m_lossChart->setLogY(true);
    m_lossChart->setSmoothingControl(true);
    m_lossChart->setMaxPoints(1500);
    m_ratioChart = new LineChart();
    m_ratioChart->setTitle(tr("Backprop ratio per layer (k kept / n)"));
    m_ratioChart->setAxisTitles(tr("step"), tr("kept / n"));
    m_ratioChart->setLogY(true);
    m_ratioChart->setMaxPoints(1500);
    m_timeChart = new BarChart();
    m_timeChart->setTitle(tr("Time per epoch by phase (backprop: linear layers; legend: BP speedup over dense)"));
    m_timeChart->setValueTitle(tr("seconds per epoch"));
    m_timeChart->setLabelFormat(QStringLiteral("@value"));
    grid->addWidget(m_accChart, 0, 0);
    grid->addWidget(m_lossChart, 0, 1);
    grid->addWidget(m_ratioChart, 1, 0);
    grid->addWidget(m_timeChart, 1, 1);
    v->addLayout(grid, 1);
}

QList<ChartRef> LiveView::charts() const
{
    return {{QStringLiteral("accuracy"), m_accChart->title(), m_accChart, m_accChart},
            {QStringLiteral("loss"), m_lossChart->title(), m_lossChart, m_lossChart},
            {QStringLiteral("ratio"), m_ratioChart->title(), m_ratioChart, m_ratioChart},
            {QStringLiteral("timing"), m_timeChart->title(), m_timeChart, m_timeChart}};
}

void LiveView::showWarning(int runId, const QString& text)
{
    m_warningRun = runId;
    m_warningText->setText(tr("Warning from the engine: %1").arg(text));
    m_warningBanner->show();
}

void LiveView::dismissWarning()
{
    m_warningRun = 0;
    m_warningBanner->hide();
}

bool LiveView::isWarningShown() const
{
    return !m_warningBanner->isHidden();
}

void LiveView::refresh()
{
    if (m_warningRun && !runs()->record(m_warningRun)) dismissWarning();  // its run was removed
    QList<const RunRecord*> shown;
    for (int id : runs()->model()->shownIds())
        if (const RunRecord* r = runs()->record(id)) shown << r;
    const QList<QList<const RunRecord*>> groups = seedGroupsOf(shown);
    const QString mode = m_seedMode->currentData().toString();
    m_seedRow->setVisible(!groups.isEmpty());
    QMap<int, QString> groupOf;  // run id -> its group's legend, for the runs drawn as a group
    QMap<int, QColor> groupColor;  // run id -> its group's colour (the first seed's)
    for (const auto& g : groups)
        for (const RunRecord* r : g) {
            groupOf[r->id] = groupLegend(g);
            groupColor[r->id] = runColor(g.front()->id);
        }

    QStringList keep, keepBands;
    for (const RunRecord* r : shown) {
        const QColor c = runColor(r->id);
        const bool grouped = groupOf.contains(r->id);
        QList<QPointF> dev, test, lossEpoch;
        for (const EpochData& e : r->epochs) {
            dev << QPointF(e.epoch, e.dev);
            if (std::isfinite(e.test)) test << QPointF(e.epoch, e.test);
            lossEpoch << QPointF(double(e.epoch) * double(std::max<qint64>(1, r->start.batchesPerEpoch)), e.trainLoss);
        }
        const QString name = r->legend();
        if (!grouped || mode == QLatin1String("all")) {
            // A run of its own, or every seed of a group as a thin line under the group's entry.
            const QString entry = grouped ? groupOf[r->id] : name;
            const QColor rc = grouped ? groupColor[r->id] : c;
            const qreal w = grouped ? 1.0 : 2.0;
            m_accChart->setSeries(name + tr(" dev"), dev, {rc, Qt::SolidLine, w, !grouped, entry});
            m_accChart->setSeries(name + tr(" test"), test, {rc, Qt::DashLine, grouped ? 0.8 : 1.5, false, entry});
            m_lossChart->setSeries(name + tr(" batch"), r->batchLoss, {rc, Qt::SolidLine, grouped ? 1.0 : 1.5, false, entry, true});
            keep << name + tr(" dev") << name + tr(" test") << name + tr(" batch");
            if (!grouped) {
                m_lossChart->setSeries(name + tr(" epoch"), lossEpoch, {c.darker(140), Qt::DotLine, 1.5, true, name});
                keep << name + tr(" epoch");
            }
        }
        for (int l = 0; l < r->ratio.size(); ++l) {
            const QString layer = l < r->start.layers.size() ? r->start.layers[l].name : QStringLiteral("layer %1").arg(l + 1);
            const QString sname = QStringLiteral("%1 %2").arg(name, layer);
            QColor lc = c;
            if (l > 0) lc = l % 2 ? c.lighter(100 + 35 * l) : c.darker(100 + 30 * l);
            m_ratioChart->setSeries(sname, r->ratio[l], {lc, l == 0 ? Qt::SolidLine : Qt::DashLine, 1.5, false, name});
        }
    }
    // Seed groups: the mean over the seeds, with a band of -/+ one standard deviation.
    if (mode != QLatin1String("all")) {
        for (const auto& g : groups) {
            const QString name = groupLegend(g);
            const QColor c = runColor(g.front()->id);
            QList<QList<QPointF>> dev, test, loss;
            for (const RunRecord* r : g) {
                QList<QPointF> d, t;
                for (const EpochData& e : r->epochs) {
                    d << QPointF(e.epoch, e.dev);
                    if (std::isfinite(e.test)) t << QPointF(e.epoch, e.test);
                }
                dev << d;
                test << t;
                loss << r->batchLoss;
            }
            const GroupCurve gd = groupCurve(dev), gt = groupCurve(test), gl = groupCurve(loss);
            m_accChart->setSeries(name + tr(" dev"), gd.mean, {c, Qt::SolidLine, 2.0, true, name});
            m_accChart->setSeries(name + tr(" test"), gt.mean, {c, Qt::DashLine, 1.5, false, name});
            m_lossChart->setSeries(name + tr(" batch"), gl.mean, {c, Qt::SolidLine, 1.5, false, name, true});
            keep << name + tr(" dev") << name + tr(" test") << name + tr(" batch");
            if (mode == QLatin1String("band")) {
                m_accChart->setBand(name + tr(" dev band"), gd.lower, gd.upper, c, name);
                keepBands << name + tr(" dev band");
            }
        }
    }
    // Drop series of runs no longer shown.
    for (LineChart* chart : {m_accChart, m_lossChart}) {
        for (const QString& s : chart->seriesNames())
            if (!keep.contains(s)) chart->removeSeries(s);
    }
    for (const QString& b : m_accChart->bandNames())
        if (!keepBands.contains(b)) m_accChart->removeBand(b);
    for (const QString& s : m_ratioChart->seriesNames()) {
        bool ok = false;
        for (const RunRecord* r : shown)
            if (s.startsWith(r->legend() + QLatin1Char(' '))) ok = true;
        if (!ok) m_ratioChart->removeSeries(s);
    }

    QList<BarSetData> bars;
    for (const RunRecord* r : shown) {
        if (r->epochs.isEmpty()) continue;
        const double n = double(r->epochs.size());
        QString label = r->legend();
        if (std::isfinite(r->row.speedup) && r->mode() != QLatin1String("dense"))
            label += tr(" (%1x)").arg(r->row.speedup, 0, 'f', 1);
        bars.append({label, {r->totalForward() / n, r->totalBpLinear() / n, r->totalUpdate() / n}, runColor(r->id)});
    }
    m_timeChart->setLabelFormat(QStringLiteral("@value"));
    m_timeChart->setData({tr("forward"), tr("backprop"), tr("update")}, bars);
}

}  // namespace meprop
