// The scripted mode end to end, driving the real meprop-workbench executable offscreen on a tiny
// MNIST-format data set: run, screenshot, bundle, exit code; failures exit non-zero with one line.
#include "Bundle.h"
#include "TinyMnist.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

using namespace meprop;

class ScriptedModeTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_data = m_dir.filePath("data");
        QVERIFY(test::writeTinyMnist(m_data));
    }

    void autorunScreenshotBundleAndQuit()
    {
        const QString png = m_dir.filePath("live.png"), zip = m_dir.filePath("run.zip");
        const Result r = run(tiny(2) + QStringList{"--autorun", "--view", "live", "--screenshot", png, "--export-bundle", zip,
                                                   "--quit-when-done"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QImage image(png);
        QCOMPARE(image.size(), QSize(1200, 800));
        QList<RunRecord> runs;
        QMap<QString, QByteArray> files;
        QString error;
        QVERIFY2(readBundle(zip, &runs, &error, &files), qPrintable(error));
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].epochs.size(), 2);
        for (const char* f : {"config.json", "metrics.csv", "summary.json", "charts/accuracy.png", "charts/accuracy.svg",
                              "charts/heatmap.png", "results.csv", "results.md"})
            QVERIFY2(files.contains(f), f);
        // The engine's own files went into the bundle (summary.json is the trainer's).
        QVERIFY(files["summary.json"].contains("\"bp_linear_s\""));
        QVERIFY(!QImage::fromData(files["charts/accuracy.png"]).isNull());
    }

    void compareAndSweepFromTheCommandLine()
    {
        const QString zip = m_dir.filePath("compare.zip");
        Result r = run(tiny(1) + QStringList{"--autorun", "--compare", "--view", "compare", "--export-bundle", zip, "--quit-when-done"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QList<RunRecord> runs;
        QString error;
        QVERIFY2(readBundle(zip, &runs, &error), qPrintable(error));
        QCOMPARE(runs.size(), 3);
        QCOMPARE(runs[2].mode(), QString("dense"));

        const QString zip2 = m_dir.filePath("sweep.zip");
        r = run(tiny(1) + QStringList{"--autorun", "--sweep", "2,8", "--export-bundle", zip2, "--quit-when-done"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(readBundle(zip2, &runs, &error), qPrintable(error));
        QCOMPARE(runs.size(), 3);
        QCOMPARE(runs[2].k(), 8);
    }

    void seedsFromTheCommandLine()
    {
        const QString zip = m_dir.filePath("seeds.zip");
        const Result r = run(tiny(1) + QStringList{"--autorun", "--seeds", "2", "--export-bundle", zip, "--quit-when-done"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QList<RunRecord> runs;
        QMap<QString, QByteArray> files;
        QString error;
        QVERIFY2(readBundle(zip, &runs, &error, &files), qPrintable(error));
        QCOMPARE(runs.size(), 2);
        QCOMPARE(runs[0].config.value("seed").toInt(), 1);
        QCOMPARE(runs[1].config.value("seed").toInt(), 2);
        QVERIFY2(files["results.csv"].contains("mean (n=2)") && files["results.md"].contains("std (n=2)"), files["results.csv"].constData());
        QCOMPARE(run(tiny(1) + QStringList{"--autorun", "--seeds", "0", "--quit-when-done"}).code, 2);
    }

    void failedRunExitsNonZeroWithOneLine()
    {
        const QString bad = m_dir.filePath("bad");
        QVERIFY(test::writeTinyMnist(bad));
        QFile f(bad + "/t10k-labels-idx1-ubyte");
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("garbage");
        f.close();
        QStringList args = tiny(1);
        args.replace(args.indexOf("data=" + m_data), "data=" + bad);
        const Result r = run(args + QStringList{"--autorun", "--quit-when-done"});
        QCOMPARE(r.code, 1);
        const QStringList lines = ourLines(r.err);
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines[0].contains("t10k-labels-idx1-ubyte"), qPrintable(lines[0]));
    }

    void badArgumentsExitWithOneLine()
    {
        Result r = run(tiny(1) + QStringList{"--set", "lr=fast", "--autorun", "--quit-when-done"});
        QCOMPARE(r.code, 2);
        QCOMPARE(ourLines(r.err).size(), 1);
        QVERIFY(ourLines(r.err)[0].contains("lr"));
        r = run({"--preset", "no-such-preset", "--quit-when-done"});
        QCOMPARE(r.code, 2);
        QVERIFY(ourLines(r.err)[0].contains("no-such-preset"));
        r = run({"--view", "nowhere", "--quit-when-done"});
        QCOMPARE(r.code, 2);
        // A config the panel rejects never starts.
        r = run(tiny(1) + QStringList{"--set", "k=500", "--autorun", "--quit-when-done"});
        QCOMPARE(r.code, 2);
        QVERIFY2(ourLines(r.err)[0].contains("cannot start"), qPrintable(r.err));
    }

    void reproduceFromTheCommandLine()
    {
        // The Paper view run by the scripted mode: the reproduction folder under --runs-dir.
        const QString data = m_dir.filePath("data-smoke"), runs = m_dir.filePath("paper"), png = m_dir.filePath("paper.png");
        QVERIFY(test::writeTinyMnist(data, 1100, 120));
        const Result r = run({"--reproduce", "table6", "--budget", "smoke", "--seeds", "2", "--autorun", "--view", "paper", "--screenshot", png,
                              "--quit-when-done", "--runs-dir", runs, "--size", "1024x700"},
                             {{"MEPROP_IMAGE_DATA", data}});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(QImage(png).size(), QSize(1024, 700));
        const QDir out(runs + "/reproduce-smoke");
        for (const char* f : {"results.csv", "cells.csv", "report.md", "report.html", "plan.json", "runs/table6-l5-k50-s2/summary.json"})
            QVERIFY2(QFile::exists(out.filePath(f)), f);
        // Bad input: one line, exit 2.
        Result bad = run({"--reproduce", "table99", "--budget", "smoke", "--autorun", "--quit-when-done", "--runs-dir", runs}, {{"MEPROP_IMAGE_DATA", data}});
        QCOMPARE(bad.code, 2);
        QCOMPARE(ourLines(bad.err).size(), 1);
        QVERIFY2(ourLines(bad.err)[0].contains("table99"), qPrintable(bad.err));
        bad = run({"--reproduce", "table6", "--budget", "huge", "--autorun", "--quit-when-done"});
        QCOMPARE(bad.code, 2);
        QVERIFY2(ourLines(bad.err)[0].contains("--budget huge"), qPrintable(bad.err));
    }

    void configureViewWithoutARun()
    {
        const QString png = m_dir.filePath("configure.png");
        const Result r = run(tiny(1) + QStringList{"--view", "configure", "--screenshot", png, "--quit-when-done"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(!QImage(png).isNull());
    }

private:
    struct Result {
        int code = -1;
        QString err;
    };

    QStringList tiny(int epochs) const
    {
        return {"--set", "data=" + m_data, "--set", "hidden=32", "--set", "k=4", "--set", "dev_size=50", "--set",
                "epochs=" + QString::number(epochs), "--runs-dir", m_dir.filePath("runs"), "--size", "1200x800"};
    }

    Result run(const QStringList& args, const QList<QPair<QString, QString>>& extraEnv = {})
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const auto& [k, v] : extraEnv) env.insert(k, v);
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("XDG_CONFIG_HOME", m_dir.filePath("config"));
        env.insert("XDG_DATA_HOME", m_dir.filePath("share"));
        p.setProcessEnvironment(env);
        p.start(MEPROP_WORKBENCH_EXE, args);
        if (!p.waitForFinished(180000)) {
            p.kill();
            p.waitForFinished();
            return {-2, "timed out"};
        }
        Result r;
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

    // stderr lines the app wrote (Qt's platform notes aside).
    static QStringList ourLines(const QString& err)
    {
        QStringList out;
        for (const QString& l : err.split('\n', Qt::SkipEmptyParts))
            if (l.startsWith("meprop-workbench:")) out << l;
        return out;
    }

    QTemporaryDir m_dir;
    QString m_data;
};

QTEST_MAIN(ScriptedModeTest)
#include "ScriptedModeTest.moc"
