// Seeds and groups: the group statistics from known series (the engine's stats), and a config
// run with several seeds drawn as its mean with a band, summarised in the results table and kept
// through a bundle.
#include "Bundle.h"
#include "MainWindow.h"
#include "ResultsTable.h"
#include "RunController.h"
#include "SeedGroups.h"
#include "TinyMnist.h"
#include "charts/LineChart.h"

#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace meprop;

class SeedGroupsTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_data = m_dir.filePath("data");
        QVERIFY(test::writeTinyMnist(m_data));
    }

    void groupCurveFromKnownSeries()
    {
        // Three seeds; the third has not reached epoch 3 yet.
        const QList<QList<QPointF>> members{{{1, 10}, {2, 20}, {3, 30}}, {{1, 12}, {2, 24}, {3, 34}}, {{1, 14}, {2, 22}}};
        const GroupCurve c = groupCurve(members);
        QCOMPARE(c.mean.size(), 3);
        QCOMPARE(c.mean[0], QPointF(1, 12));
        QCOMPARE(c.n, (QList<int>{3, 3, 2}));
        // Epoch 1: 10, 12, 14: sample std 2.
        QVERIFY(std::abs(c.lower[0].y() - 10.0) < 1e-12 && std::abs(c.upper[0].y() - 14.0) < 1e-12);
        // Epoch 2: 20, 24, 22: mean 22, std 2.
        QCOMPARE(c.mean[1].y(), 22.0);
        QVERIFY(std::abs(c.upper[1].y() - 24.0) < 1e-12);
        // Epoch 3: two members, 30 and 34: mean 32, std 2*sqrt(2).
        QCOMPARE(c.mean[2].y(), 32.0);
        QVERIFY(std::abs(c.upper[2].y() - (32.0 + 2.0 * std::sqrt(2.0))) < 1e-12);
        // One member alone: its curve, a band of zero width.
        const GroupCurve one = groupCurve({{{1, 5}, {2, 6}}});
        QCOMPARE(one.mean.size(), 2);
        QCOMPARE(one.lower[1].y(), 6.0);
        const GroupValue v = groupValue({1.0, 2.0, std::nan(""), 3.0});
        QCOMPARE(v.n, 3);
        QCOMPARE(v.mean, 2.0);
        QVERIFY(std::abs(v.stddev - 1.0) < 1e-12);
        QVERIFY(std::isnan(groupValue({4.0}).stddev));
        QVERIFY(std::isnan(groupValue({}).mean));
    }

    void seedsRunAsAGroupWithABand()
    {
        MainWindow w(m_dir.filePath("runs"));
        QString error;
        QVERIFY2(w.applySettings({"data=" + m_data, "hidden=32", "k=4", "dev_size=50", "batch=10", "epochs=2"}, &error), qPrintable(error));
        w.findChild<QSpinBox*>("seeds")->setValue(3);
        QCOMPARE(w.seeds(), 3);
        QSignalSpy idle(w.runs(), &RunController::idle);
        QVERIFY(w.start());
        const QList<int> ids = w.runs()->ids();
        QCOMPARE(ids.size(), 3);
        QList<int> seeds;
        for (int id : ids) {
            seeds << w.runs()->record(id)->config.value("seed").toInt();
            QCOMPARE(w.runs()->record(id)->seedGroup, w.runs()->record(ids.front())->seedGroup);
        }
        QCOMPARE(seeds, (QList<int>{1, 2, 3}));
        QVERIFY(w.runs()->record(ids.front())->seedGroup != 0);
        QTRY_VERIFY_WITH_TIMEOUT(idle.count() >= 1, 120000);
        w.showView("live");
        w.refreshAll();
        auto* acc = qobject_cast<LineChart*>(w.chartWidget("accuracy"));
        QList<const RunRecord*> members;
        for (int id : ids) members << w.runs()->record(id);
        const QString group = groupLegend(members);
        QCOMPARE(group, QString("#1-3 topk k=4 (3 seeds)"));
        QVERIFY2(acc->hasSeries(group + " dev"), qPrintable(acc->seriesNames().join(", ")));
        QVERIFY(!acc->hasSeries(members.front()->legend() + " dev"));  // the seeds are drawn as their mean
        QCOMPARE(acc->bandNames(), QStringList{group + " dev band"});
        const auto band = acc->bandPoints(group + " dev band");
        QCOMPARE(band.first.size(), 2);
        QList<double> epoch1;
        for (const RunRecord* r : members) epoch1 << r->epochs.front().dev;
        const GroupValue g = groupValue(epoch1);
        QVERIFY(std::abs(acc->seriesPoints(group + " dev").front().y() - g.mean) < 1e-9);
        QVERIFY(std::abs(band.second.front().y() - (g.mean + g.stddev)) < 1e-9);
        QCOMPARE(acc->legend()->entries().size(), 1);  // one entry for the group

        // The results table: three runs, then the group's mean and std rows.
        const ResultsTable t = resultsTable(members);
        QCOMPARE(t.rows.size(), 5);
        QVERIFY(t.headers.contains("seed"));
        QCOMPARE(t.rows[3][1], QString("mean (n=3)"));
        QCOMPARE(t.rows[4][1], QString("std (n=3)"));
        const int dev = t.headers.indexOf("best_dev (%)");
        QList<double> best;
        for (const RunRecord* r : members) best << r->bestDev();
        QVERIFY(std::abs(t.rows[3][dev].toDouble() - groupValue(best).mean) < 0.006);

        // A bundle keeps the group.
        const QString zip = m_dir.filePath("seeds.zip");
        QVERIFY2(w.exportBundle(zip, &error), qPrintable(error));
        MainWindow w2(m_dir.filePath("runs2"));
        QVERIFY2(w2.importBundle(zip, &error), qPrintable(error));
        const QList<int> imported = w2.runs()->ids();
        QCOMPARE(imported.size(), 3);
        QVERIFY(w2.runs()->record(imported[0])->seedGroup != 0);
        QCOMPARE(w2.runs()->record(imported[2])->seedGroup, w2.runs()->record(imported[0])->seedGroup);
    }

    void sweepWithSeedsHasErrorBarsPerK()
    {
        MainWindow w(m_dir.filePath("runs-sweep"));
        QString error;
        QVERIFY2(w.applySettings({"data=" + m_data, "hidden=32", "k=4", "dev_size=50", "batch=10", "epochs=1"}, &error), qPrintable(error));
        w.setSeeds(2);
        QSignalSpy idle(w.runs(), &RunController::idle);
        QVERIFY(w.startSweep({2, 8}));
        QCOMPARE(w.runs()->ids().size(), 6);  // dense, k=2, k=8, each with seeds 1 and 2
        QTRY_VERIFY_WITH_TIMEOUT(idle.count() >= 1, 120000);
        w.showView("sweep");
        w.refreshAll();
        auto* acc = qobject_cast<LineChart*>(w.chartWidget("sweep_accuracy"));
        QVERIFY(acc);
        const QString bars = acc->bandNames().value(0);
        QVERIFY2(bars.endsWith(" band"), qPrintable(acc->bandNames().join(", ")));
        const auto points = acc->bandPoints(bars);
        QCOMPARE(points.first.size(), 2);  // one bar per k
        int spread = 0;
        for (int i = 0; i < 2; ++i) {
            const int k = i == 0 ? 2 : 8;
            QList<double> best;
            for (int id : w.runs()->ids())
                if (const RunRecord* r = w.runs()->record(id); r->mode() != "dense" && r->k() == k) best << r->bestDev();
            const GroupValue g = groupValue(best);
            QCOMPARE(g.n, 2);
            QCOMPARE(points.first[i].x(), double(k));
            QVERIFY(std::abs(points.first[i].y() - (g.mean - g.stddev)) < 1e-9);
            QVERIFY(std::abs(points.second[i].y() - (g.mean + g.stddev)) < 1e-9);
            spread += g.stddev > 0;
        }
        QCOMPARE(acc->errorBarCount(), spread);  // a bar wherever the seeds differ
        QVERIFY(acc->title().contains("mean over seeds"));
    }

private:
    QTemporaryDir m_dir;
    QString m_data;
};

QTEST_MAIN(SeedGroupsTest)
#include "SeedGroupsTest.moc"
