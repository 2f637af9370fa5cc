// Resume in the workbench: a run stopped after an epoch continues from its checkpoint through the
// worker, the controller (a folder, or a stopped run of the session) and File > Resume run folder,
// and ends with exactly the epochs of an uninterrupted run; folders without a resumable run are
// refused with the reason.
#include "MainWindow.h"
#include "RunController.h"
#include "TinyMnist.h"
#include "TrainingWorker.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace meprop;

namespace {

QJsonObject tinyConfig(const QString& data, int epochs)
{
    return QJsonObject{{"task", "image"}, {"data", data},     {"hidden", 32},     {"layers", 2},    {"mode", "random"}, {"k", 4},
                       {"batch", 10},     {"epochs", epochs}, {"dev_size", 50},   {"seed", 5},      {"lr", 0.003},      {"dropout", 0.2}};
}

QByteArray json(const QJsonObject& o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

struct Harness {
    QThread thread;
    QPointer<TrainingWorker> worker = new TrainingWorker();
    Harness()
    {
        worker->moveToThread(&thread);
        QObject::connect(&thread, &QThread::finished, worker.data(), &QObject::deleteLater);
        thread.start();
    }
    ~Harness()
    {
        if (worker) worker->stop(worker->currentId());
        thread.quit();
        thread.wait(10000);
    }
};

QList<EpochData> epochsOf(const QSignalSpy& spy)
{
    QList<EpochData> out;
    for (const auto& args : spy) out.append(args.at(1).value<EpochData>());
    return out;
}

void compareEpochs(const QList<EpochData>& a, const QList<EpochData>& b)
{
    QCOMPARE(a.size(), b.size());
    for (int i = 0; i < a.size(); ++i) {
        QCOMPARE(a[i].epoch, b[i].epoch);
        QCOMPARE(a[i].trainLoss, b[i].trainLoss);  // exact: the resumed run continues bit for bit
        QCOMPARE(a[i].dev, b[i].dev);
        QCOMPARE(a[i].test, b[i].test);
    }
}

}  // namespace

class ResumeRunTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qRegisterMetaType<StartData>();
        qRegisterMetaType<BatchData>();
        qRegisterMetaType<EpochData>();
        qRegisterMetaType<QList<HeatmapLayer>>();
        QVERIFY(m_dir.isValid());
        m_data = m_dir.filePath("data");
        QVERIFY(test::writeTinyMnist(m_data));
        // The uninterrupted reference.
        Harness h;
        QSignalSpy epochs(h.worker, &TrainingWorker::epochDone), finished(h.worker, &TrainingWorker::finished);
        QMetaObject::invokeMethod(h.worker, "run", Qt::QueuedConnection, Q_ARG(int, 1), Q_ARG(QByteArray, json(tinyConfig(m_data, 4))),
                                  Q_ARG(QString, m_dir.filePath("ref")));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1, 60000);
        m_reference = epochsOf(epochs);
        QCOMPARE(m_reference.size(), 4);
    }

    // A run stopped after epoch 2 in `out` (deterministically: the stop is set on the training
    // thread as epoch 2 is reported, so the trainer stops before the first batch of epoch 3).
    void stopAfterEpochTwo(const QString& out)
    {
        Harness h;
        QObject::connect(
            h.worker, &TrainingWorker::epochDone, h.worker,
            [w = h.worker.data()](int, const EpochData& e) {
                if (e.epoch == 2) w->stop(w->currentId());
            },
            Qt::DirectConnection);
        QSignalSpy stopped(h.worker, &TrainingWorker::stopped), finished(h.worker, &TrainingWorker::finished);
        QMetaObject::invokeMethod(h.worker, "run", Qt::QueuedConnection, Q_ARG(int, 2), Q_ARG(QByteArray, json(tinyConfig(m_data, 4))),
                                  Q_ARG(QString, out));
        QTRY_VERIFY_WITH_TIMEOUT(stopped.count() == 1, 60000);
        QCOMPARE(finished.count(), 0);
        QVERIFY(QFile::exists(out + "/checkpoint.bin"));
        QVERIFY(!QFile::exists(out + "/summary.json"));
    }

    void workerResumesAStoppedRun()
    {
        const QString out = m_dir.filePath("worker");
        stopAfterEpochTwo(out);
        QVERIFY(RunController::isResumable(out));
        Harness h;
        QSignalSpy started(h.worker, &TrainingWorker::started), epochs(h.worker, &TrainingWorker::epochDone),
            finished(h.worker, &TrainingWorker::finished), failed(h.worker, &TrainingWorker::failed);
        QMetaObject::invokeMethod(h.worker, "resumeRun", Qt::QueuedConnection, Q_ARG(int, 3), Q_ARG(QString, out));
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() == 1, 60000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(1).toString()));
        compareEpochs(epochsOf(epochs), m_reference);  // epochs 1-2 replayed from the checkpoint, 3-4 trained
        QVERIFY(QFile::exists(out + "/summary.json"));
        QVERIFY(!QFile::exists(out + "/checkpoint.bin"));
        QVERIFY(!RunController::isResumable(out));
    }

    void controllerResumesAFolderAndAStoppedRun()
    {
        const QString out = m_dir.filePath("folder");
        stopAfterEpochTwo(out);
        RunController c;
        c.setRunsRoot(m_dir.filePath("runs"));
        QSignalSpy idle(&c, &RunController::idle);
        QString error;
        const int id = c.enqueueResume(out, &error);
        QVERIFY2(id > 0, qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(idle.count() >= 1, 60000);
        const RunRecord* r = c.record(id);
        QVERIFY(r);
        QVERIFY(r->row.state == RunState::Finished);
        QCOMPARE(r->outDir, out);  // in its own folder, not a new one under the runs root
        QCOMPARE(r->config.value("mode").toString(), QString("random"));
        compareEpochs(r->epochs, m_reference);
        QVERIFY(!QDir(m_dir.filePath("runs")).exists() || QDir(m_dir.filePath("runs")).isEmpty());

        // Nothing left to resume in it now; nor in a folder without a checkpoint.
        QCOMPARE(c.enqueueResume(out, &error), 0);
        QVERIFY2(error.contains("nothing to resume"), qPrintable(error));
        QCOMPARE(c.enqueueResume(m_dir.filePath("data"), &error), 0);
        QVERIFY2(error.contains("no checkpoint"), qPrintable(error));

        // A run of this session stopped after its first checkpoint goes on in its own record.
        QSignalSpy changed(&c, &RunController::runChanged), ended(&c, &RunController::runEnded);
        const int run = c.enqueue(tinyConfig(m_data, 4));
        // One stop, at the end of the first epoch. (Requests belong to a run and the controller
        // clears them before it hands a record to the worker again, so the stop does not also
        // cancel the continuation below.)
        bool stopSent = false;
        connect(&c, &RunController::runChanged, this, [&c, run, &stopSent](int changedId) {
            const RunRecord* rec = c.record(changedId);
            if (!stopSent && changedId == run && rec && rec->epochs.size() == 1 && rec->row.state == RunState::Running) {
                stopSent = true;
                c.stop();
            }
        });
        QTRY_VERIFY_WITH_TIMEOUT(ended.count() >= 1, 60000);
        if (c.record(run)->row.state == RunState::Finished) QSKIP("the run finished before the stop arrived");
        QVERIFY(c.record(run)->row.state == RunState::Stopped);
        QVERIFY(!c.requeueFromCheckpoint(id, &error));  // a finished run is not requeued
        if (!RunController::isResumable(c.record(run)->outDir)) QSKIP("stopped before the end of the first epoch");
        QVERIFY2(c.requeueFromCheckpoint(run, &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(c.record(run)->row.state == RunState::Finished, 60000);
        compareEpochs(c.record(run)->epochs, m_reference);
    }

    void mainWindowResumesAFolder()
    {
        const QString out = m_dir.filePath("window");
        stopAfterEpochTwo(out);
        MainWindow w(m_dir.filePath("runs"));
        QAction* action = nullptr;
        for (QAction* a : w.findChildren<QAction*>())
            if (a->text() == "&Resume run folder...") action = a;
        QVERIFY2(action, "File > Resume run folder... is missing");
        QString error;
        QVERIFY(!w.resumeFolder(m_dir.filePath("data"), &error));
        QVERIFY2(error.contains("no run to resume"), qPrintable(error));
        QVERIFY2(w.resumeFolder(out, &error), qPrintable(error));
        QSignalSpy idle(w.runs(), &RunController::idle);
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(out + "/summary.json"), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(!w.runs()->isBusy(), 60000);
        const RunRecord* r = w.runs()->record(w.runs()->ids().last());
        QVERIFY(r->row.state == RunState::Finished);
        compareEpochs(r->epochs, m_reference);
    }

private:
    QTemporaryDir m_dir;
    QString m_data;
    QList<EpochData> m_reference;
};

QTEST_MAIN(ResumeRunTest)
#include "ResumeRunTest.moc"
