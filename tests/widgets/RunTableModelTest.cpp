// RunTableModel: rows by id, failed rows red, the overlay check box, CSV/Markdown export.
#include "RunTableModel.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QSignalSpy>
#include <QTest>

using namespace meprop;

class RunTableModelTest : public QObject {
    Q_OBJECT
private slots:
    void addUpdateRemove()
    {
        RunTableModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        RunRow a;
        a.id = 7;
        a.name = "run 1";
        a.summary = "image topk k=20";
        QCOMPARE(m.addRun(a), 0);
        a.progress = 0.5;
        a.state = RunState::Running;
        a.bestDev = 91.234;
        a.elapsedSeconds = 75;
        a.etaSeconds = 75;
        QVERIFY(m.updateRun(a));
        QCOMPARE(m.data(m.index(0, RunTableModel::State), Qt::DisplayRole).toString(), QString("running"));
        QCOMPARE(m.data(m.index(0, RunTableModel::BestDev), Qt::DisplayRole).toString(), QString("91.23"));
        QCOMPARE(m.data(m.index(0, RunTableModel::Test), Qt::DisplayRole).toString(), QString("-"));
        QCOMPARE(m.data(m.index(0, RunTableModel::Time), Qt::DisplayRole).toString(), QString("1:15 / ETA 1:15"));
        QCOMPARE(m.data(m.index(0, RunTableModel::Progress), RunTableModel::ProgressRole).toDouble(), 0.5);
        RunRow missing;
        missing.id = 99;
        QVERIFY(!m.updateRun(missing));
        QVERIFY(m.removeRun(7));
        QCOMPARE(m.rowCount(), 0);
    }

    void failedRowsAreRedWithTheirMessage()
    {
        RunTableModel m;
        RunRow a;
        a.id = 1;
        a.state = RunState::Failed;
        a.error = "train-images-idx3-ubyte: wrong magic number";
        m.addRun(a);
        const QBrush bg = m.data(m.index(0, RunTableModel::Name), Qt::BackgroundRole).value<QBrush>();
        QVERIFY(bg.color().red() > 200 && bg.color().green() < 220);
        QCOMPARE(m.data(m.index(0, RunTableModel::Name), Qt::ToolTipRole).toString(), a.error);
    }

    void overlayCheckBox()
    {
        RunTableModel m;
        RunRow a;
        a.id = 1;
        RunRow b;
        b.id = 2;
        m.addRun(a);
        m.addRun(b);
        QCOMPARE(m.shownIds(), (QList<int>{1, 2}));
        QSignalSpy spy(&m, &RunTableModel::shownChanged);
        QVERIFY(m.flags(m.index(0, RunTableModel::Show)) & Qt::ItemIsUserCheckable);
        QVERIFY(m.setData(m.index(0, RunTableModel::Show), Qt::Unchecked, Qt::CheckStateRole));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(m.shownIds(), QList<int>{2});
        m.setShown(1, true);
        QCOMPARE(m.shownIds(), (QList<int>{1, 2}));
    }

    void exportsAsCsvAndMarkdown()
    {
        RunTableModel m;
        RunRow a;
        a.id = 1;
        a.name = "dense, baseline";
        a.summary = "image dense";
        a.state = RunState::Finished;
        a.progress = 1.0;
        a.bestDev = 97.5;
        a.test = 97.25;
        a.bpSeconds = 12.5;
        a.speedup = 1.0;
        m.addRun(a);
        const QString csv = m.toCsv();
        const QStringList lines = csv.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QVERIFY(lines[0].startsWith("Name,Config,State,Progress,Best dev,Test,BP time,Speedup"));
        QVERIFY2(lines[1].startsWith("\"dense, baseline\",image dense,finished,100 %,97.50,97.25,12.5 s,1.0x"), qPrintable(lines[1]));
        const QString md = m.toMarkdown();
        QVERIFY(md.startsWith("| Name | Config |"));
        QVERIFY(md.contains("| --- | --- |"));
        QVERIFY(md.contains("| dense, baseline | image dense | finished |"));
    }

    void durations()
    {
        QCOMPARE(RunTableModel::formatDuration(5), QString("5 s"));
        QCOMPARE(RunTableModel::formatDuration(125), QString("2:05"));
        QCOMPARE(RunTableModel::formatDuration(3 * 3600 + 7 * 60), QString("3h 07m"));
        QCOMPARE(RunTableModel::formatDuration(std::numeric_limits<double>::quiet_NaN()), QString("-"));
    }
};

QTEST_MAIN(RunTableModelTest)
#include "RunTableModelTest.moc"
