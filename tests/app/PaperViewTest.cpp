// The Paper view filling from a smoke plan (Table 6 and Figure 4 left, 2 seeds, tiny MNIST): the
// catalogue of tables arrives from the engine, the rows appear before anything ran, Run executes the
// plan on the reproduction thread, every cell gets its numbers and the compared ones their verdict
// and colour, the panel gets points with error bars, the CLI's report files are written, and a
// second Run of the same folder resumes it (runs nothing). Bad input is one line, nothing run. A stop
// belongs to the run it was asked for, even before the reproduction thread began it; quitting asks.
#include "MainWindow.h"
#include "ReproduceController.h"
#include "ReproduceWorker.h"
#include "TinyMnist.h"
#include "charts/ErrorBarChart.h"
#include "views/PaperView.h"

#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <cstdlib>

using namespace meprop;

class PaperViewTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        const QString data = m_dir.filePath(QStringLiteral("data"));
        QVERIFY(test::writeTinyMnist(data, 1100, 120));  // smoke keeps 500 training images and 500 for dev
        qputenv("MEPROP_IMAGE_DATA", data.toUtf8());  // the plan's data, as for `meprop reproduce`
    }

    void fillsFromASmokePlanAndWritesTheReport()
    {
        PaperView view(ViewContext{});
        view.resize(1200, 800);
        const QString out = m_dir.filePath(QStringLiteral("repro"));
        QString why;
        QVERIFY(view.setBudget(QStringLiteral("smoke"), &why));
        QVERIFY(!view.setBudget(QStringLiteral("huge"), &why));
        QVERIFY(why.contains(QStringLiteral("smoke, quick or paper")));
        view.setSeeds(2);
        view.setParallelRuns(2);
        view.setOutputFolder(out);
        view.setTables({QStringLiteral("table6"), QStringLiteral("fig4-left")});

        // The engine's catalogue: a choice per table and panel of the paper.
        QTRY_VERIFY_WITH_TIMEOUT(view.findChild<QCheckBox*>(QStringLiteral("paper-table8")) != nullptr, 30000);
        QVERIFY(view.findChild<QCheckBox*>(QStringLiteral("paper-table6"))->isChecked());
        QVERIFY(!view.findChild<QCheckBox*>(QStringLiteral("paper-table1"))->isChecked());
        QCOMPARE(view.tables(), (QStringList{QStringLiteral("table6"), QStringLiteral("fig4-left")}));

        // The preview: every row of both tables, nothing finished yet.
        QTableWidget* t = view.resultsTable();
        QTRY_VERIFY_WITH_TIMEOUT(t->rowCount() > 5, 30000);
        const int rows = t->rowCount();
        QCOMPARE(cellText(t, QStringLiteral("meProp (k=30)"), 6), QStringLiteral("–"));
        QCOMPARE(cellText(t, QStringLiteral("meProp (k=30)"), 2), QStringLiteral("98.08"));  // the paper's number
        QVERIFY(view.statusText().contains(QStringLiteral("0 already finished")));

        QSignalSpy done(&view, &PaperView::runDone);
        QVERIFY(view.startRuns(&why));
        QVERIFY(view.isBusy());
        QVERIFY(!view.startRuns(&why));  // one at a time
        QVERIFY(done.wait(120000));
        QCOMPARE(done.front().at(0).toInt(), 0);
        QVERIFY(!view.isBusy());

        // Every cell filled; the compared ones with a verdict and its colour; baselines without.
        QCOMPARE(t->rowCount(), rows);
        int verdicts = 0;
        for (int r = 0; r < t->rowCount(); ++r) {
            if (t->columnSpan(r, 0) > 1) continue;  // a table's title row
            QCOMPARE(t->item(r, 1)->text(), QStringLiteral("2"));
            QVERIFY2(t->item(r, 3)->text().contains(QStringLiteral(" ± ")), qPrintable(t->item(r, 3)->text()));
            const QString verdict = t->item(r, 6)->text();
            if (t->item(r, 4)->text() == QStringLiteral("baseline")) {
                QCOMPARE(verdict, QStringLiteral("–"));
            } else {
                QVERIFY2(verdict.startsWith(QStringLiteral("acc. ")), qPrintable(verdict));
                QVERIFY(t->item(r, 6)->toolTip().startsWith(QStringLiteral("accuracy: ")));  // the report's words
                QVERIFY(t->item(r, 4)->text().contains(QLatin1Char('[')));  // delta [CI]
                QVERIFY(t->item(r, 0)->background().color().isValid() && t->item(r, 0)->background().style() != Qt::NoBrush);
                ++verdicts;
            }
        }
        QVERIFY(verdicts >= 2 + 4);  // Table 6's two meProp rows, Figure 4 left's k points
        // Figure 4 left: shown, with error bars over the two seeds; the other panels not chosen.
        QVERIFY(view.panel(QStringLiteral("fig4-left"))->isVisibleTo(&view));
        QVERIFY(!view.panel(QStringLiteral("fig4-middle"))->isVisibleTo(&view));
        QVERIFY(view.panel(QStringLiteral("fig4-left"))->seriesCount() >= 2);
        QVERIFY(view.panel(QStringLiteral("fig4-left"))->errorBarCount() > 0);

        // The CLI's report files, the runs and the panels rendered with Qt Charts.
        for (const char* f : {"plan.json", "results.csv", "cells.csv", "report.md", "report.html", "figures/figures.json",
                              "figures/fig4-left.csv", "figures/fig4-left.png", "figures/fig4-left.svg", "runs/table6-l2-k30-s2/summary.json"})
            QVERIFY2(QFile::exists(QDir(out).filePath(QLatin1String(f))), f);
        QFile md(QDir(out).filePath(QStringLiteral("report.md")));
        QVERIFY(md.open(QIODevice::ReadOnly));
        const QByteArray report = md.readAll();
        QVERIFY(report.contains("reproduce table6 --budget smoke --seeds 2"));  // the re-run command, as the CLI's
        QVERIFY(report.contains("rendered with Qt Charts by the workbench"));
        QVERIFY(view.statusText().contains(QStringLiteral("Report written")));

        // The same folder again: everything is there, nothing runs.
        done.clear();
        QVERIFY(view.startRuns(&why));
        QVERIFY(done.wait(60000));
        QCOMPARE(done.front().at(0).toInt(), 0);
        QVERIFY2(done.front().at(1).toString().startsWith(QStringLiteral("0 runs executed")), qPrintable(done.front().at(1).toString()));

        // Export report on demand writes the files again.
        QFile::remove(QDir(out).filePath(QStringLiteral("cells.csv")));
        QFile::remove(QDir(out).filePath(QStringLiteral("figures/fig4-left.png")));
        QSignalSpy written(&view, &PaperView::reportWritten);
        QVERIFY(view.exportReport(&why));
        QVERIFY(written.wait(30000));
        QVERIFY(QFile::exists(QDir(out).filePath(QStringLiteral("cells.csv"))));
        QVERIFY(QFile::exists(QDir(out).filePath(QStringLiteral("figures/fig4-left.png"))));

        // A view that has not shown this folder yet exports it too: the panels come first.
        PaperView other(ViewContext{});
        QVERIFY(other.setBudget(QStringLiteral("smoke"), &why));
        other.setSeeds(2);
        other.setOutputFolder(out);
        other.setTables({QStringLiteral("table6"), QStringLiteral("fig4-left")});
        QFile::remove(QDir(out).filePath(QStringLiteral("figures/fig4-left.svg")));
        QSignalSpy written2(&other, &PaperView::reportWritten);
        QVERIFY(other.exportReport(&why));
        QVERIFY(written2.wait(30000));
        QVERIFY(QFile::exists(QDir(out).filePath(QStringLiteral("figures/fig4-left.svg"))));
    }

    void aFolderOfAnotherPlanIsRefusedInOneLine()
    {
        PaperView view(ViewContext{});
        const QString out = m_dir.filePath(QStringLiteral("other"));
        // A run folder with the plan's run id but another configuration.
        QVERIFY(QDir().mkpath(QDir(out).filePath(QStringLiteral("runs/table6-l2-dense-s1"))));
        QFile cfg(QDir(out).filePath(QStringLiteral("runs/table6-l2-dense-s1/config.json")));
        QVERIFY(cfg.open(QIODevice::WriteOnly));
        cfg.write("{\"epochs\": 99}");
        cfg.close();
        QString why;
        QVERIFY(view.setBudget(QStringLiteral("smoke"), &why));
        view.setOutputFolder(out);
        view.setTables({QStringLiteral("table6")});
        QSignalSpy done(&view, &PaperView::runDone);
        QVERIFY(view.startRuns(&why));
        QVERIFY(done.wait(30000));
        QCOMPARE(done.front().at(0).toInt(), 2);
        const QString message = done.front().at(1).toString();
        QVERIFY2(message.contains(QStringLiteral("table6-l2-dense-s1")) && !message.contains(QLatin1Char('\n')), qPrintable(message));
        QVERIFY(!QFile::exists(QDir(out).filePath(QStringLiteral("runs/table6-l2-k30-s1"))));  // nothing ran
        QVERIFY(view.statusText().startsWith(QStringLiteral("Cannot run")));
    }

    // Stop pressed (or the window closed) just after Run: the controller has handed the run over but
    // the reproduction thread has not begun it yet (busy with a preview, or not yet scheduled). The
    // stop still stops that run, with nothing run; and it does not stop the next one.
    void aStopBeforeTheRunBeginsStopsThatRun()
    {
        PaperRequest r;
        r.tables = QStringList{QStringLiteral("table6")};
        r.budget = QStringLiteral("smoke");
        r.seeds = 1;
        r.dir = m_dir.filePath(QStringLiteral("stop-early"));
        auto summaries = [&r] {
            int n = 0;
            for (const QString& run : QDir(QDir(r.dir).filePath(QStringLiteral("runs"))).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
                n += QFile::exists(QDir(r.dir).filePath(QStringLiteral("runs/%1/summary.json").arg(run))) ? 1 : 0;
            return n;
        };
        {
            // The worker on this thread, its slots called directly: the stop comes, deterministically,
            // after the hand-over (clearStop(), as ReproduceController::start()) and before run().
            ReproduceWorker worker;
            QSignalSpy done(&worker, &ReproduceWorker::runDone);
            worker.clearStop();
            worker.stop();
            worker.run(r);
            QCOMPARE(done.size(), 1);
            QCOMPARE(done.front().at(0).toInt(), 130);
            QVERIFY2(done.front().at(1).toString().startsWith(QStringLiteral("stopped: 0 of")), qPrintable(done.front().at(1).toString()));
            QCOMPARE(summaries(), 0);
        }
        // The controller: stopped right after start (begun or not), then the next start runs to the end.
        ReproduceController c;
        QSignalSpy done(&c, &ReproduceController::runDone);
        QVERIFY(c.start(r));
        c.stop();
        QVERIFY(done.wait(30000));
        QCOMPARE(done.front().at(0).toInt(), 130);
        done.clear();
        QVERIFY(c.start(r));
        QVERIFY(done.wait(120000));
        QCOMPARE(done.front().at(0).toInt(), 0);
        QVERIFY2(done.front().at(1).toString().contains(QStringLiteral("runs executed")), qPrintable(done.front().at(1).toString()));
        QVERIFY(summaries() > 0);
    }

    void quittingDuringAReproductionAsksFirst()
    {
        MainWindow w(m_dir.filePath(QStringLiteral("quit-runs")));
        w.show();
        PaperView* view = w.paperView();
        QString why;
        QVERIFY(view->setBudget(QStringLiteral("smoke"), &why));
        view->setParallelRuns(1);
        view->setTables({QStringLiteral("fig4-left"), QStringLiteral("fig4-middle"), QStringLiteral("fig4-right")});  // 52 runs
        int asked = 0;
        MainWindow::QuitChoice answer = MainWindow::QuitChoice::Cancel;
        w.setQuitAnswer([&](int running, int) {
            ++asked;
            if (running < 1) qWarning("the reproduction is not counted as running");
            return answer;
        });
        QSignalSpy done(view, &PaperView::runDone);
        QVERIFY(view->startRuns(&why));
        QVERIFY(!w.close());  // Cancel: it goes on
        QCOMPARE(asked, 1);
        QVERIFY(view->isBusy());
        answer = MainWindow::QuitChoice::StopRuns;
        QVERIFY(w.close());
        QCOMPARE(asked, 2);
        QVERIFY(done.wait(30000));
        QCOMPARE(done.front().at(0).toInt(), 130);  // stopped; a later Run continues the folder
    }

private:
    // The text of `column` in the first row whose label ends with `label`.
    static QString cellText(QTableWidget* t, const QString& label, int column)
    {
        for (int r = 0; r < t->rowCount(); ++r)
            if (t->item(r, 0) && t->item(r, 0)->text().endsWith(label) && t->item(r, column)) return t->item(r, column)->text();
        return QStringLiteral("(no row %1)").arg(label);
    }

    QTemporaryDir m_dir;
};

QTEST_MAIN(PaperViewTest)
#include "PaperViewTest.moc"
