// TrainingWorker and RunController on a real (tiny) training run: progress signals, throttling,
// pause / resume / stop mid-epoch without a hang or a leaked worker, engine errors as signals.
#include "RunController.h"
#include "RunTableModel.h"
#include "TinyMnist.h"
#include "TrainingWorker.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace meprop;

namespace {

QJsonObject tinyConfig(const QString& data, int epochs)
{
    return QJsonObject{{"task", "image"}, {"data", data},   {"hidden", 32},   {"layers", 2},   {"mode", "topk"},
                       {"k", 4},          {"batch", 10},    {"epochs", epochs}, {"dev_size", 50}, {"seed", 3},
                       {"lr", 0.001}};
}

QByteArray json(const QJsonObject& o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// A worker on its own thread, as RunController sets it up.
struct Harness {
    QThread thread;
    QPointer<TrainingWorker> worker = new TrainingWorker();
    int lastId = 0;
    Harness()
    {
        worker->moveToThread(&thread);
        QObject::connect(&thread, &QThread::finished, worker.data(), &QObject::deleteLater);
        thread.start();
    }
    void run(int id, const QByteArray& config, const QString& out = {})
    {
        lastId = id;
        QMetaObject::invokeMethod(worker, "run", Qt::QueuedConnection, Q_ARG(int, id), Q_ARG(QByteArray, config), Q_ARG(QString, out));
    }
    bool shutDown()
    {
        if (worker) worker->stop(lastId);
        thread.quit();
        const bool joined = thread.wait(10000);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        return joined;
    }
    ~Harness() { shutDown(); }
};

}  // namespace

class TrainingWorkerTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        qRegisterMetaType<StartData>();
        qRegisterMetaType<BatchData>();
        qRegisterMetaType<EpochData>();
        qRegisterMetaType<QList<HeatmapLayer>>();
        QVERIFY(m_dir.isValid());
        QVERIFY(test::writeTinyMnist(m_dir.filePath("data")));
    }

    void runReportsProgressAndWritesFiles()
    {
        Harness h;
        QSignalSpy started(h.worker, &TrainingWorker::started), batches(h.worker, &TrainingWorker::batches),
            epochs(h.worker, &TrainingWorker::epochDone), selection(h.worker, &TrainingWorker::selection),
            finished(h.worker, &TrainingWorker::finished), failed(h.worker, &TrainingWorker::failed);
        const QString out = m_dir.filePath("run1");
        h.run(1, json(tinyConfig(m_dir.filePath("data"), 3)), out);
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() >= 1, 60000);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(started.count(), 1);
        const StartData info = started.at(0).at(1).value<StartData>();
        QCOMPARE(info.task, QString("image"));
        QCOMPARE(info.batchesPerEpoch, 15);  // 200 - 50 dev = 150 training images / batch 10
        QCOMPARE(info.layers.size(), 3);
        QCOMPARE(epochs.count(), 3);
        // Every batch's loss arrives exactly once, however the updates were grouped.
        qsizetype points = 0;
        for (const auto& args : batches) points += args.at(1).value<BatchData>().loss.size();
        QCOMPARE(points, 45);
        QVERIFY(selection.count() >= 1);
        const QList<HeatmapLayer> layers = selection.last().at(1).value<QList<HeatmapLayer>>();
        QCOMPARE(layers.size(), 3);
        QCOMPARE(layers[0].neurons, 32);
        const QJsonObject summary = QJsonDocument::fromJson(finished.at(0).at(1).toByteArray()).object();
        QVERIFY(summary.contains("dev_metric"));
        for (const char* f : {"config.json", "metrics.csv", "summary.json"}) QVERIFY2(QFile::exists(out + "/" + f), f);
        const EpochData last = epochs.last().at(1).value<EpochData>();
        QVERIFY(last.dev > 10.0);  // learnable: better than chance
        QVERIFY(h.shutDown());
        QVERIFY(h.worker.isNull());  // no leaked worker
    }

    void updatesAreThrottled()
    {
        Harness h;
        h.worker->setThrottleMs(10000);
        QSignalSpy batches(h.worker, &TrainingWorker::batches), finished(h.worker, &TrainingWorker::finished);
        h.run(2, json(tinyConfig(m_dir.filePath("data"), 4)));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() >= 1, 60000);
        // 60 batches, but only the flushes at epoch ends (and possibly the first batch) cross over.
        QVERIFY2(batches.count() <= 4 + 1, qPrintable(QString::number(batches.count())));
    }

    void pauseResumeAndStopMidEpoch()
    {
        Harness h;
        h.worker->setThrottleMs(5);
        QSignalSpy batches(h.worker, &TrainingWorker::batches), paused(h.worker, &TrainingWorker::pausedChanged),
            stopped(h.worker, &TrainingWorker::stopped), finished(h.worker, &TrainingWorker::finished);
        h.run(3, json(tinyConfig(m_dir.filePath("data"), 5000)));
        QTRY_VERIFY_WITH_TIMEOUT(batches.count() >= 1, 30000);
        h.worker->pause(99);  // another run's request: nothing happens
        QTest::qWait(100);
        QCOMPARE(paused.count(), 0);
        h.worker->pause(3);
        QTRY_VERIFY_WITH_TIMEOUT(paused.count() >= 1, 10000);
        QCOMPARE(paused.at(0).at(1).toBool(), true);
        QVERIFY(h.worker->isPaused());
        QTest::qWait(100);
        const auto before = batches.count();
        QTest::qWait(400);
        QCOMPARE(batches.count(), before);  // nothing moves while paused
        h.worker->resume(99);
        QTest::qWait(100);
        QCOMPARE(batches.count(), before);
        h.worker->resume(3);
        QTRY_VERIFY_WITH_TIMEOUT(paused.count() >= 2, 10000);
        QCOMPARE(paused.at(1).at(1).toBool(), false);
        QTRY_VERIFY_WITH_TIMEOUT(batches.count() > before, 10000);
        // Stop in the middle of the run: the trainer polls between batches.
        QElapsedTimer t;
        t.start();
        h.worker->stop(3);
        QTRY_VERIFY_WITH_TIMEOUT(stopped.count() == 1, 10000);
        QVERIFY2(t.elapsed() < 5000, "stop took too long");
        QCOMPARE(finished.count(), 0);
        QVERIFY(h.shutDown());
        QVERIFY(h.worker.isNull());
    }

    void stopWhilePaused()
    {
        Harness h;
        QSignalSpy batches(h.worker, &TrainingWorker::batches), paused(h.worker, &TrainingWorker::pausedChanged),
            stopped(h.worker, &TrainingWorker::stopped);
        h.run(4, json(tinyConfig(m_dir.filePath("data"), 5000)));
        QTRY_VERIFY_WITH_TIMEOUT(batches.count() >= 1, 30000);
        h.worker->pause(4);
        QTRY_VERIFY_WITH_TIMEOUT(paused.count() >= 1, 10000);
        h.worker->stop(4);
        QTRY_VERIFY_WITH_TIMEOUT(stopped.count() == 1, 10000);
        QVERIFY(h.shutDown());
    }

    void engineErrorsArriveAsSignals()
    {
        Harness h;
        QSignalSpy failed(h.worker, &TrainingWorker::failed), finished(h.worker, &TrainingWorker::finished);
        // Missing data folder.
        h.run(5, json(tinyConfig(m_dir.filePath("nowhere"), 1)));
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 1, 30000);
        QCOMPARE(failed.at(0).at(0).toInt(), 5);
        QVERIFY2(failed.at(0).at(1).toString().contains("nowhere"), qPrintable(failed.at(0).at(1).toString()));
        // Corrupt file: wrong magic number.
        const QString bad = m_dir.filePath("bad");
        QVERIFY(test::writeTinyMnist(bad));
        QFile f(bad + "/train-images-idx3-ubyte");
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.write(QByteArray(4, '\x07'));
        f.close();
        h.run(6, json(tinyConfig(bad, 1)));
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 2, 30000);
        QVERIFY2(failed.at(1).at(1).toString().contains("train-images-idx3-ubyte"), qPrintable(failed.at(1).at(1).toString()));
        // Bad config value and broken JSON.
        QJsonObject c = tinyConfig(m_dir.filePath("data"), 1);
        c["k"] = 64;  // > hidden
        h.run(7, json(c));
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 3, 30000);
        QVERIFY2(failed.at(2).at(1).toString().contains("k"), qPrintable(failed.at(2).at(1).toString()));
        h.run(8, QByteArray("{\"task\": "));
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 4, 30000);
        QVERIFY(failed.at(3).at(1).toString().contains("JSON"));
        QCOMPARE(finished.count(), 0);
        // The worker keeps working after errors.
        h.run(9, json(tinyConfig(m_dir.filePath("data"), 1)));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() >= 1, 60000);
    }

    void controllerQueuesRunsAndMarksFailures()
    {
        RunController c;
        c.setRunsRoot(m_dir.filePath("runs"));
        QSignalSpy idle(&c, &RunController::idle), failed(&c, &RunController::runFailed);
        const int a = c.enqueue(tinyConfig(m_dir.filePath("data"), 2));
        QJsonObject dense = tinyConfig(m_dir.filePath("data"), 2);
        dense["mode"] = "dense";
        const int b = c.enqueue(dense);
        const int bad = c.enqueue(tinyConfig(m_dir.filePath("nowhere"), 1));
        QCOMPARE(c.model()->rowCount(), 3);
        QVERIFY(c.model()->run(b)->state == RunState::Queued);
        QTRY_VERIFY_WITH_TIMEOUT(idle.count() >= 1, 120000);
        QVERIFY(c.model()->run(a)->state == RunState::Finished);
        QVERIFY(c.model()->run(b)->state == RunState::Finished);
        QVERIFY(c.model()->run(bad)->state == RunState::Failed);
        QCOMPARE(failed.count(), 1);
        QVERIFY(!c.model()->run(bad)->error.isEmpty());
        QCOMPARE(c.record(a)->epochs.size(), 2);
        QCOMPARE(c.model()->run(a)->progress, 1.0);
        // The top-k run's speedup is measured against the dense run of the same config.
        QCOMPARE(c.denseBaseline(a), c.record(b));
        QVERIFY(std::isfinite(c.model()->run(a)->speedup));
        QCOMPARE(c.model()->run(b)->speedup, 1.0);
    }

    // The stop and pause requests belong to a run (issue 10): one that arrives after its run ended
    // leaves the next run alone. Before, the worker kept one flag for whatever ran next.
    void lateStopOrPauseDoesNotTouchTheNextRun()
    {
        Harness h;
        QSignalSpy finished(h.worker, &TrainingWorker::finished), stopped(h.worker, &TrainingWorker::stopped),
            paused(h.worker, &TrainingWorker::pausedChanged);
        h.run(10, json(tinyConfig(m_dir.filePath("data"), 1)));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 60000);
        h.worker->stop(10);   // Stop pressed as run 10 finished
        h.worker->pause(10);  // and Pause
        h.run(11, json(tinyConfig(m_dir.filePath("data"), 2)));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2, 60000);
        QCOMPARE(finished.at(1).at(0).toInt(), 11);
        QCOMPARE(stopped.count(), 0);
        QCOMPARE(paused.count(), 0);
        // A request for a run handed over but not yet begun still counts.
        h.worker->stop(12);
        h.run(12, json(tinyConfig(m_dir.filePath("data"), 1)));
        QTRY_VERIFY_WITH_TIMEOUT(stopped.count() == 1, 60000);
        QCOMPARE(stopped.at(0).at(0).toInt(), 12);
    }

    // The same race through the controller, as the GUI has it: run A has finished on the worker
    // thread but the controller has not processed that yet (its queued signal waits for the event
    // loop), so A is still "current" when the user presses Stop, or Pause. Run B must not be
    // cancelled or paused.
    void stopOrPausePressedAsARunFinishesLeavesTheQueuedRunAlone()
    {
        for (const bool pauseInstead : {false, true}) {
            RunController c;
            c.setRunsRoot(m_dir.filePath(pauseInstead ? "race-pause" : "race-stop"));
            QSignalSpy idle(&c, &RunController::idle);
            const int a = c.enqueue(tinyConfig(m_dir.filePath("data"), 1));
            const int b = c.enqueue(tinyConfig(m_dir.filePath("data"), 1));
            const QString summaryA = c.record(a)->outDir + "/summary.json";
            // Block the GUI thread (no events processed) until A has written its summary, then give
            // the worker time to return from run(A).
            QElapsedTimer t;
            t.start();
            while (!QFile::exists(summaryA) && t.elapsed() < 60000) QThread::msleep(2);
            QVERIFY(QFile::exists(summaryA));
            QThread::msleep(200);
            QCOMPARE(c.currentId(), a);
            if (pauseInstead)
                c.pause();
            else
                c.stop();
            QTRY_VERIFY_WITH_TIMEOUT(idle.count() >= 1, 60000);
            QVERIFY(c.model()->run(a)->state == RunState::Finished);
            QVERIFY2(c.model()->run(b)->state == RunState::Finished, pauseInstead ? "B was paused" : "B was cancelled");
            QVERIFY(QFile::exists(c.record(b)->outDir + "/summary.json"));
        }
    }

    void destroyingTheControllerMidRunDoesNotHang()
    {
        auto* c = new RunController();
        QSignalSpy changed(c, &RunController::runChanged);
        const int id = c->enqueue(tinyConfig(m_dir.filePath("data"), 5000));
        QTRY_VERIFY_WITH_TIMEOUT(c->record(id) && c->record(id)->batchLoss.size() > 0, 30000);
        c->pause();
        QTest::qWait(50);
        QElapsedTimer t;
        t.start();
        delete c;  // stops the paused run and joins the thread
        QVERIFY2(t.elapsed() < 5000, "the controller took too long to stop");
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TrainingWorkerTest)
#include "TrainingWorkerTest.moc"
