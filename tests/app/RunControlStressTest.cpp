// Run control under stress (issue 10): start / pause / resume / stop / stop-all at random moments,
// hundreds of times, over a queue of 50 tiny runs, and windows closed in the middle of runs. No hang
// (every wait is bounded), no crash, and every run ends in a state that matches its folder:
//   finished  <=> summary.json, with every epoch in metrics.csv
//   stopped   -> no summary.json; the epochs it completed, and only those, in metrics.csv
//   failed    -> no summary.json
//   never started (dropped by stop-all) -> no folder.
// Leaks are the AddressSanitizer build's job (cmake --preset asan; LeakSanitizer runs at exit).
// MEPROP_STRESS_SCALE=N multiplies the number of actions, runs and windows (default 1: a few
// seconds); MEPROP_STRESS_SEED picks another random sequence.
#include "MainWindow.h"
#include "RunController.h"
#include "RunTableModel.h"
#include "TinyMnist.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <random>

using namespace meprop;

namespace {

int envInt(const char* name, int fallback)
{
    bool ok = false;
    const int v = qEnvironmentVariableIntValue(name, &ok);
    return ok && v > 0 ? v : fallback;
}

QJsonObject tinyConfig(const QString& data, int epochs, int seed)
{
    return QJsonObject{{"task", "image"}, {"data", data},       {"hidden", 16},  {"layers", 1},      {"mode", "topk"},
                       {"k", 4},          {"batch", 10},        {"epochs", epochs}, {"dev_size", 50}, {"seed", seed},
                       {"lr", 0.001}};
}

int countLines(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return -1;
    return int(f.readAll().count('\n'));
}

const char* stateName(RunState s)
{
    switch (s) {
    case RunState::Queued: return "queued";
    case RunState::Running: return "running";
    case RunState::Paused: return "paused";
    case RunState::Finished: return "finished";
    case RunState::Stopped: return "stopped";
    case RunState::Failed: return "failed";
    }
    return "?";
}

// Empty when the run's end state and its folder agree, else what is wrong.
QString checkRun(const RunController& c, int id)
{
    const RunRecord* r = c.record(id);
    if (!r) return QStringLiteral("no record");
    const RunState state = r->row.state;
    if (c.model()->run(id) == nullptr || c.model()->run(id)->state != state) return QStringLiteral("table row out of step");
    const QString dir = r->outDir;
    const bool hasSummary = !dir.isEmpty() && QFile::exists(dir + "/summary.json");
    const int epochs = r->config.value("epochs").toInt();
    const int csvRows = dir.isEmpty() ? -1 : countLines(dir + "/metrics.csv") - 1;  // minus the header
    switch (state) {
    case RunState::Finished: {
        if (!hasSummary) return QStringLiteral("finished without summary.json");
        QFile f(dir + "/summary.json");
        if (!f.open(QIODevice::ReadOnly)) return QStringLiteral("summary.json unreadable");
        const QJsonObject s = QJsonDocument::fromJson(f.readAll()).object();
        if (s.value("epochs").toInt() != epochs) return QStringLiteral("summary.json of another config");
        if (csvRows != epochs || r->epochs.size() != epochs) return QStringLiteral("finished with %1 epochs in metrics.csv").arg(csvRows);
        return {};
    }
    case RunState::Stopped:
        if (hasSummary) return QStringLiteral("stopped but summary.json exists");
        if (dir.isEmpty()) return r->epochs.isEmpty() ? QString() : QStringLiteral("epochs without a folder");
        if (csvRows != r->epochs.size() && !(r->epochs.isEmpty() && csvRows < 0))  // no epoch: no metrics.csv
            return QStringLiteral("stopped after %1 epochs but metrics.csv has %2").arg(r->epochs.size()).arg(csvRows);
        return {};
    case RunState::Failed: return hasSummary ? QStringLiteral("failed but summary.json exists") : QString();
    default: return QStringLiteral("did not end: %1").arg(stateName(state));
    }
}

}  // namespace

class RunControlStressTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_data = m_dir.filePath("data");
        QVERIFY(test::writeTinyMnist(m_data, 120, 30));
        m_scale = envInt("MEPROP_STRESS_SCALE", 1);
        m_seed = static_cast<unsigned>(envInt("MEPROP_STRESS_SEED", 20170806));
    }

    void randomControlOfQueuedRuns()
    {
        const int actions = 500 * m_scale, queued = 50 * m_scale;
        std::mt19937 rng(m_seed);
        RunController c;
        c.setRunsRoot(m_dir.filePath("stress"));
        c.setThrottleMs(2);
        int seed = 0;
        auto enqueueOne = [&] {
            ++seed;
            // One run in twelve fails (no data folder there); the others train 1 to 3 epochs.
            const QString data = rng() % 12 == 0 ? m_dir.filePath("nowhere") : m_data;
            c.enqueue(tinyConfig(data, 1 + int(rng() % 3), seed));
        };
        for (int i = 0; i < queued; ++i) enqueueOne();

        // A run may end stopped only if a stop was asked while it was current (or, for stop-all,
        // queued), and be paused only if a pause was: requests belong to a run.
        QSet<int> stopAsked, pauseAsked, wasPaused;
        connect(&c, &RunController::runChanged, this, [&](int id) {
            if (const RunRecord* r = c.record(id); r && r->row.state == RunState::Paused) wasPaused.insert(id);
        });
        std::map<QString, int> done;
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < actions; ++i) {
            const unsigned pick = rng() % 100;
            if (pick < 25) {
                pauseAsked.insert(c.currentId());
                c.pause();
                ++done["pause"];
            } else if (pick < 50) {
                c.resume();
                ++done["resume"];
            } else if (pick < 70) {
                stopAsked.insert(c.currentId());
                c.stop();
                ++done["stop"];
            } else if (pick < 90) {
                enqueueOne();
                ++done["start"];
            } else if (pick < 92) {
                stopAsked.insert(c.currentId());
                for (int id : c.ids())
                    if (c.record(id)->row.state == RunState::Queued) stopAsked.insert(id);
                c.stopAll();
                ++done["stop-all"];
            } else {
                ++done["wait"];
            }
            // Random moments: back to back (no event processed in between), or after a short while.
            const unsigned wait = rng() % 4 == 0 ? 0u : rng() % 12;
            if (wait > 0) QTest::qWait(int(wait));
        }
        // Let everything still queued run out; a paused run is resumed.
        QElapsedTimer drain;
        drain.start();
        while ((c.isBusy() || c.queuedCount() > 0) && drain.elapsed() < 300000) {
            c.resume();
            QTest::qWait(20);
        }
        QVERIFY2(!c.isBusy() && c.queuedCount() == 0, "the queue did not drain: a hang");

        std::map<QString, int> states;
        for (int id : c.ids()) {
            const QString problem = checkRun(c, id);
            QVERIFY2(problem.isEmpty(), qPrintable(QStringLiteral("run %1: %2").arg(id).arg(problem)));
            if (c.record(id)->row.state == RunState::Stopped)
                QVERIFY2(stopAsked.contains(id), qPrintable(QStringLiteral("run %1 stopped without a stop of its own").arg(id)));
            if (wasPaused.contains(id))
                QVERIFY2(pauseAsked.contains(id), qPrintable(QStringLiteral("run %1 paused without a pause of its own").arg(id)));
            ++states[stateName(c.record(id)->row.state)];
        }
        QString summary = QStringLiteral("%1 actions in %2 s (").arg(actions).arg(double(clock.elapsed()) / 1000.0, 0, 'f', 1);
        for (const auto& [k, v] : done) summary += QStringLiteral("%1 %2, ").arg(k).arg(v);
        summary.chop(2);
        summary += QStringLiteral("); %1 runs:").arg(c.ids().size());
        for (const auto& [k, v] : states) summary += QStringLiteral(" %1 %2").arg(k).arg(v);
        qInfo("%s", qPrintable(summary));
        QVERIFY(states["finished"] > 0);
        QVERIFY(states["stopped"] > 0);
    }

    // Closing the window mid-run (stopping the runs, or quitting when they are done) stops the run
    // and the queue or lets them finish, and joins the training thread: the window's destruction
    // returns promptly and no folder holds a summary of an unfinished run.
    void closingTheWindowMidRun()
    {
        const int windows = 12 * m_scale;
        std::mt19937 rng(m_seed + 1);
        int closedMidRun = 0, folders = 0, summaries = 0;
        for (int i = 0; i < windows; ++i) {
            const QString root = m_dir.filePath(QStringLiteral("windows/%1").arg(i));
            auto* w = new MainWindow(root);
            // Closing mid-run asks (stop, quit when done, cancel): this test closes to stop.
            w->setQuitAnswer([](int, int) { return MainWindow::QuitChoice::StopRuns; });
            QString error;
            QVERIFY2(w->applySettings({"data=" + m_data, "hidden=16", "layers=1", "k=4", "dev_size=50", "batch=10",
                                       "seed=" + QString::number(i + 1), "epochs=" + QString::number(1 + int(rng() % 3))},
                                      &error),
                     qPrintable(error));
            w->show();
            QVERIFY(rng() % 2 ? w->start() : w->startCompare());  // one run, or three queued
            const bool paused = rng() % 3 == 0;
            if (paused) w->togglePause();
            QTest::qWait(int(rng() % 60));
            const bool busy = w->runs()->isBusy();
            closedMidRun += busy ? 1 : 0;
            // The window asks what to do with running runs: stop them (two times in three) or quit
            // when they are done.
            const bool stopRuns = rng() % 3 != 0;
            w->setQuitAnswer([stopRuns](int, int) {
                return stopRuns ? MainWindow::QuitChoice::StopRuns : MainWindow::QuitChoice::QuitWhenDone;
            });
            QElapsedTimer t;
            t.start();
            w->close();
            if (!stopRuns) {
                if (paused) w->togglePause();  // resume (the pause may still be on its way), or it waits for ever
                QTRY_VERIFY_WITH_TIMEOUT(!w->isVisible(), 60000);  // closes itself when the last run ends
            }
            QVERIFY(!w->isVisible());
            t.restart();
            delete w;
            QVERIFY2(t.elapsed() < 10000, "closing the window took too long: a hang");
            // The controller is gone with the window: read the folders back.
            for (const QFileInfo& run : QDir(root).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot)) {
                ++folders;
                const QString dir = run.absoluteFilePath();
                if (!QFile::exists(dir + "/summary.json")) continue;
                ++summaries;
                QFile f(dir + "/config.json");
                QVERIFY(f.open(QIODevice::ReadOnly));
                const int epochs = QJsonDocument::fromJson(f.readAll()).object().value("epochs").toInt();
                QCOMPARE(countLines(dir + "/metrics.csv") - 1, epochs);  // a summary only after every epoch
            }
        }
        qInfo("%d windows closed (%d mid-run): %d run folders, %d with a summary", windows, closedMidRun, folders, summaries);
        QVERIFY(closedMidRun > 0);
    }

private:
    QTemporaryDir m_dir;
    QString m_data;
    int m_scale = 1;
    unsigned m_seed = 1;
};

QTEST_MAIN(RunControlStressTest)
#include "RunControlStressTest.moc"
