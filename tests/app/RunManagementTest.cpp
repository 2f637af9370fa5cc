// Runs you can manage: rename, delete (keeping or removing the run folder), sort, multi-select,
// export the selected runs and import them back with everything (curves, heat-map history,
// speedup, name), the Runs folder tab listing earlier and CLI run folders, and the results table
// with a column per varied config key.
#include "Bundle.h"
#include "ConfigPanel.h"
#include "MainWindow.h"
#include "ResultsTable.h"
#include "RunController.h"
#include "RunTableModel.h"
#include "TinyMnist.h"
#include "WeightHeatmap.h"
#include "charts/LineChart.h"
#include "views/RunsBrowser.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTreeView>
#include <QTemporaryDir>
#include <QTest>
#include <QWidget>

using namespace meprop;

class RunManagementTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_data = m_dir.filePath("data");
        QVERIFY(test::writeTinyMnist(m_data));
        // One compare (top-k, random, dense) shared by the tests below.
        m_runsRoot = m_dir.filePath("runs");
        m_window = new MainWindow(m_runsRoot);
        QString error;
        QVERIFY2(m_window->applySettings({"data=" + m_data, "hidden=32", "k=4", "dev_size=50", "batch=10", "seed=3", "epochs=2"}, &error),
                 qPrintable(error));
        QSignalSpy idle(m_window->runs(), &RunController::idle);
        QVERIFY(m_window->startCompare());
        QTRY_VERIFY_WITH_TIMEOUT(idle.count() >= 1, 120000);
        for (int id : m_window->runs()->ids()) QVERIFY(m_window->runs()->record(id)->row.state == RunState::Finished);
    }

    void cleanupTestCase() { delete m_window; }

    void renameSelectExportImportRoundTrip()
    {
        MainWindow& w = *m_window;
        RunController* runs = w.runs();
        // Rename through the table's editor, as a user does (F2 / double click on the name).
        const QModelIndex name = runs->model()->index(runs->model()->rowOf(1), RunTableModel::Name);
        QVERIFY(runs->model()->flags(name) & Qt::ItemIsEditable);
        QVERIFY(runs->model()->setData(name, "baseline top-k", Qt::EditRole));
        QCOMPARE(runs->record(1)->name, QString("baseline top-k"));
        QCOMPARE(runs->record(1)->legend(), QString("#1 baseline top-k"));
        w.showView("live");
        w.refreshAll();
        auto* acc = qobject_cast<LineChart*>(w.chartWidget("accuracy"));
        QVERIFY2(acc->hasSeries("#1 baseline top-k dev"), qPrintable(acc->seriesNames().join(", ")));

        // Multi-select two runs and export just those.
        w.selectRuns({1, 3});
        QCOMPARE(w.selectedRunIds().size(), 2);
        const QString zip = m_dir.filePath("two.zip");
        QString error;
        QVERIFY2(w.exportBundle(zip, &error), qPrintable(error));
        QList<RunRecord> inZip;
        QVERIFY2(readBundle(zip, &inZip, &error), qPrintable(error));
        QCOMPARE(inZip.size(), 2);
        QCOMPARE(inZip[0].name, QString("baseline top-k"));
        QCOMPARE(inZip[1].mode(), QString("dense"));

        // A single top-k run without its dense baseline keeps its speedup too.
        w.selectRuns({1});
        const QString one = m_dir.filePath("one.zip");
        QVERIFY2(w.exportBundle(one, &error), qPrintable(error));

        MainWindow w2(m_dir.filePath("runs2"));
        QVERIFY2(w2.importBundle(zip, &error), qPrintable(error));
        QCOMPARE(w2.runs()->ids().size(), 2);
        const RunRecord* r = w2.runs()->record(w2.runs()->ids().front());
        const RunRecord* orig = runs->record(1);
        QCOMPARE(r->name, orig->name);
        QVERIFY(r->renamed);
        QCOMPARE(r->epochs.size(), orig->epochs.size());
        QCOMPARE(r->bestDev(), orig->bestDev());
        // The heat map history came back, byte for byte.
        QCOMPARE(r->heatmap.size(), orig->heatmap.size());
        QVERIFY(!r->heatmap.isEmpty());
        QCOMPARE(r->heatmap[0].neurons, 32);
        QCOMPARE(r->heatmap[0].lit, orig->heatmap[0].lit);
        QCOMPARE(r->heatmap[0].counts, orig->heatmap[0].counts);
        QCOMPARE(r->row.speedup, orig->row.speedup);
        w2.selectRuns({r->id});
        w2.refreshAll();
        QCOMPARE(qobject_cast<WeightHeatmap*>(w2.chartWidget("heatmap"))->layers().size(), orig->heatmap.size());

        MainWindow w3(m_dir.filePath("runs3"));
        QVERIFY2(w3.importBundle(one, &error), qPrintable(error));
        QCOMPARE(w3.runs()->ids().size(), 1);
        QCOMPARE(w3.runs()->record(w3.runs()->ids().front())->row.speedup, orig->row.speedup);  // no dense run here
    }

    void sortByAnyColumn()
    {
        MainWindow& w = *m_window;
        auto* table = w.findChild<QTreeView*>("runTable");
        QVERIFY(table);
        for (int column : {int(RunTableModel::BestDev), int(RunTableModel::Speedup), int(RunTableModel::Name), int(RunTableModel::BpTime)}) {
            table->sortByColumn(column, Qt::DescendingOrder);
            QAbstractItemModel* m = table->model();
            for (int row = 1; row < m->rowCount(); ++row) {
                const QVariant a = m->index(row - 1, column).data(RunTableModel::SortRole);
                const QVariant b = m->index(row, column).data(RunTableModel::SortRole);
                QVERIFY2(QVariant::compare(a, b) != QPartialOrdering::Less, qPrintable(QString("column %1 row %2").arg(column).arg(row)));
            }
        }
        // Selection by id still works through the sorted view.
        w.selectRuns({2});
        QCOMPARE(w.selectedRunIds(), QList<int>{2});
        table->sortByColumn(-1, Qt::AscendingOrder);
    }

    void resultsTableHasTheVariedKeysAndPlainNumbers()
    {
        QList<const RunRecord*> runs;
        for (int id : m_window->runs()->ids()) runs << m_window->runs()->record(id);
        const ResultsTable t = resultsTable(runs);
        QVERIFY2(t.headers.contains("mode"), qPrintable(t.headers.join(",")));
        QVERIFY(!t.headers.contains("hidden"));  // the same in every run
        QVERIFY(!t.headers.contains("seed"));
        const int bp = t.headers.indexOf("bp_linear (s)"), speed = t.headers.indexOf("bp_speedup (x)"), dev = t.headers.indexOf("best_dev (%)");
        QVERIFY(bp > 0 && speed > 0 && dev > 0);
        for (const QStringList& row : t.rows) {
            bool ok = false;
            row[bp].toDouble(&ok);
            QVERIFY2(ok, qPrintable(row[bp]));  // "0.123", not "0.123 s"
            row[dev].toDouble(&ok);
            QVERIFY2(ok, qPrintable(row[dev]));
        }
        QCOMPARE(t.rows[2][speed].toDouble(), 1.0);  // the dense run against itself
        QVERIFY(toCsv(t).startsWith("run,state,mode,"));
        QString error;
        QVERIFY2(m_window->exportTable(m_dir.filePath("results.md"), &error), qPrintable(error));
        QFile f(m_dir.filePath("results.md"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("| run | state | mode |"));
    }

    void runsFolderListsEarlierAndCliRuns()
    {
        // A CLI run folder (no run.json) and a resumable one (a checkpoint, no summary).
        const QString cli = m_runsRoot + "/cli-run";
        QVERIFY(QDir().mkpath(cli));
        QFile::copy(m_window->runs()->record(2)->outDir + "/config.json", cli + "/config.json");
        QFile::copy(m_window->runs()->record(2)->outDir + "/metrics.csv", cli + "/metrics.csv");
        const QString resumable = m_runsRoot + "/killed-run";
        QVERIFY(QDir().mkpath(resumable));
        QFile::copy(cli + "/config.json", resumable + "/config.json");
        QFile::copy(cli + "/metrics.csv", resumable + "/metrics.csv");
        QFile cp(resumable + "/checkpoint.bin");
        QVERIFY(cp.open(QIODevice::WriteOnly));
        cp.write("x");
        cp.close();

        MainWindow later(m_runsRoot);  // a later launch on the same runs folder
        later.showView("runs");
        auto* browser = later.findChild<RunsBrowser*>();
        QVERIFY(browser);
        browser->rescan();
        QCOMPARE(browser->folders().size(), 5);
        QList<RunFolderInfo> infos = scanRunsFolder(m_runsRoot);
        QStringList states;
        for (const RunFolderInfo& i : infos) states << QFileInfo(i.dir).fileName() + "=" + i.state;
        QVERIFY2(states.contains("killed-run=resumable"), qPrintable(states.join(" ")));
        QVERIFY2(states.contains("cli-run=incomplete"), qPrintable(states.join(" ")));
        QCOMPARE(states.filter("=finished").size(), 3);
        QString error;
        QVERIFY2(later.loadRunFolders(browser->folders(), &error), qPrintable(error));
        QCOMPARE(later.runs()->ids().size(), 5);
        int withHeatmap = 0;
        for (int id : later.runs()->ids()) withHeatmap += !later.runs()->record(id)->heatmap.isEmpty();
        QCOMPARE(withHeatmap, 3);  // the workbench's own runs, from their run.json
        QFile::remove(resumable + "/checkpoint.bin");
    }

    void deleteKeepsOrRemovesTheFolder()
    {
        MainWindow& w = *m_window;
        RunController* runs = w.runs();
        const QString keep = runs->record(2)->outDir, drop = runs->record(3)->outDir;
        QVERIFY(QFileInfo::exists(keep + "/config.json") && QFileInfo::exists(drop + "/config.json"));
        // The warning banner of a run goes with it.
        emit runs->warning(2, "loss is diverging");
        auto* banner = w.findChild<QWidget*>("warningBanner");
        QVERIFY(!banner->isHidden());
        QString error;
        QVERIFY2(w.deleteRuns({2}, false, &error), qPrintable(error));
        QVERIFY(QFileInfo::exists(keep + "/config.json"));
        QVERIFY(banner->isHidden());
        QVERIFY2(w.deleteRuns({3}, true, &error), qPrintable(error));
        QVERIFY(!QFileInfo::exists(drop));
        QCOMPARE(runs->ids(), QList<int>{1});
        QCOMPARE(runs->model()->rowCount(), 1);
        // A running run is refused with the reason.
        QString more;
        QVERIFY(w.applySettings({"epochs=50"}, &more));
        QVERIFY(w.start());
        const int running = runs->currentId();
        QVERIFY(!w.deleteRuns({running}, false, &error));
        QVERIFY2(error.contains("stop it first"), qPrintable(error));
        QSignalSpy idle(runs, &RunController::idle);
        runs->stopAll();
        QTRY_VERIFY_WITH_TIMEOUT(idle.count() >= 1, 30000);
        QVERIFY2(w.deleteRuns({running}, true, &error), qPrintable(error));
    }

private:
    QTemporaryDir m_dir;
    QString m_data;
    QString m_runsRoot;
    MainWindow* m_window = nullptr;
};

QTEST_MAIN(RunManagementTest)
#include "RunManagementTest.moc"
