// Parallel runs: the runs of a group run at once, up to the "parallel runs" setting, and give the
// same numbers as one after the other (a run's numbers are fixed by its config and seed); pause and
// stop act on every running run; the window's setting (auto: cores / threads per run).
#include "EngineBridge.h"
#include "MainWindow.h"
#include "RunController.h"
#include "TinyMnist.h"

#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace meprop;

class ParallelRunsTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_data = m_dir.filePath("data");
        QVERIFY(test::writeTinyMnist(m_data));
    }

    void twoAtOnceGiveTheSameNumbersAsOneAfterTheOther()
    {
        const QList<QJsonObject> configs{config(1), config(2), config(3)};
        const Outcome parallel = runAll(configs, 2, "parallel");
        QCOMPARE(parallel.maxRunning, 2);  // two ran at the same time
        const Outcome sequential = runAll(configs, 1, "sequential");
        QCOMPARE(sequential.maxRunning, 1);
        QCOMPARE(parallel.records.size(), 3);
        for (int i = 0; i < 3; ++i) {
            const RunRecord& a = parallel.records[i];
            const RunRecord& b = sequential.records[i];
            QVERIFY(a.row.state == RunState::Finished);
            QVERIFY(b.row.state == RunState::Finished);
            QCOMPARE(a.epochs.size(), b.epochs.size());
            for (int e = 0; e < a.epochs.size(); ++e) {
                // Bit for bit: losses and accuracies of every epoch.
                QCOMPARE(a.epochs[e].trainLoss, b.epochs[e].trainLoss);
                QCOMPARE(a.epochs[e].dev, b.epochs[e].dev);
                QCOMPARE(a.epochs[e].test, b.epochs[e].test);
            }
            QCOMPARE(a.summary.value("best_dev_metric"), b.summary.value("best_dev_metric"));
            QCOMPARE(a.summary.value("test_metric"), b.summary.value("test_metric"));
        }
        QVERIFY(parallel.records[0].epochs.back().trainLoss != parallel.records[1].epochs.back().trainLoss);  // the seeds differ
    }

    void pauseAndStopActOnEveryRunningRun()
    {
        RunController c;
        c.setParallelRuns(2);
        QJsonObject slow = config(1);
        slow["epochs"] = 1000;
        const int a = c.enqueue(slow);
        slow["seed"] = 2;
        const int b = c.enqueue(slow);
        const int queued = c.enqueue(config(3));
        QCOMPARE(c.runningIds(), (QList<int>{a, b}));
        QCOMPARE(c.currentId(), a);
        QCOMPARE(c.queuedCount(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(c.record(a)->row.progress > 0 && c.record(b)->row.progress > 0, 30000);
        c.pause();
        QTRY_VERIFY_WITH_TIMEOUT(c.record(a)->row.state == RunState::Paused && c.record(b)->row.state == RunState::Paused, 30000);
        QVERIFY(c.isPaused());
        QString why;
        QVERIFY(!c.remove(b, false, &why));  // a running run stays
        QVERIFY(!why.isEmpty());
        c.resume();
        QTRY_VERIFY_WITH_TIMEOUT(c.record(a)->row.state == RunState::Running, 30000);
        QSignalSpy idle(&c, &RunController::idle);
        c.stopAll();
        QTRY_VERIFY_WITH_TIMEOUT(!c.isBusy(), 30000);
        QVERIFY(c.record(a)->row.state == RunState::Stopped);
        QVERIFY(c.record(b)->row.state == RunState::Stopped);
        QVERIFY(c.record(queued)->row.state == RunState::Stopped);  // dropped from the queue
        QVERIFY(idle.count() >= 1);
    }

    void theWindowsSettingDefaultsToCoresPerThreads()
    {
        MainWindow w(m_dir.filePath("runs-window"));
        auto* box = w.findChild<QSpinBox*>("parallelRuns");
        QVERIFY(box);
        QCOMPARE(box->value(), 0);  // auto
        QString error;
        QVERIFY2(w.applySettings({"threads=1"}, &error), qPrintable(error));
        QCOMPARE(w.parallelRuns(), std::max(1, QThread::idealThreadCount()));
        QVERIFY2(w.applySettings({"threads=" + QString::number(std::max(1, QThread::idealThreadCount()))}, &error), qPrintable(error));
        QCOMPARE(w.parallelRuns(), 1);
        w.setParallelRuns(3);
        QCOMPARE(w.parallelRuns(), 3);
        QCOMPARE(w.runs()->parallelRuns(), 3);
    }

private:
    struct Outcome {
        QList<RunRecord> records;
        int maxRunning = 0;
    };

    QJsonObject config(int seed) const
    {
        QJsonObject values = defaultConfig();
        QString error;
        const bool ok = applySettings(values, {"data=" + m_data, "hidden=32", "k=4", "dev_size=50", "batch=10", "epochs=2",
                                               "seed=" + QString::number(seed)}, &error);
        if (!ok) qFatal("%s", qPrintable(error));
        return values;
    }

    Outcome runAll(const QList<QJsonObject>& configs, int parallel, const QString& name)
    {
        RunController c;
        c.setRunsRoot(m_dir.filePath(name));
        c.setParallelRuns(parallel);
        Outcome out;
        connect(&c, &RunController::runStarted, this, [&] { out.maxRunning = std::max(out.maxRunning, c.runningCount()); });
        QSignalSpy idle(&c, &RunController::idle);
        QList<int> ids;
        for (const QJsonObject& cfg : configs) ids << c.enqueue(cfg);
        if (!idle.wait(120000)) qWarning("the runs did not end");
        for (int id : ids) out.records << *c.record(id);
        return out;
    }

    QTemporaryDir m_dir;
    QString m_data;
};

QTEST_MAIN(ParallelRunsTest)
#include "ParallelRunsTest.moc"
