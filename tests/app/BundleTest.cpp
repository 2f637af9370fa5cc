// Bundles: a run record survives export and import; CLI-style folders import from metrics.csv;
// broken archives are refused with a reason; a failed write keeps the earlier file.
#include "Bundle.h"

#include <quazip/quazip.h>
#include <quazip/quazipfile.h>

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace meprop;

namespace {

RunRecord sampleRun(int epochs, const QString& mode)
{
    RunRecord r;
    r.id = 4;
    r.name = "run " + mode;
    r.config = QJsonObject{{"task", "image"}, {"mode", mode}, {"k", 20}, {"hidden", 500}, {"layers", 2}, {"epochs", epochs}};
    r.groupKind = GroupKind::Compare;
    r.groupId = 2;
    r.start.task = "image";
    r.start.metric = "accuracy";
    r.start.epochs = epochs;
    r.start.batchesPerEpoch = 100;
    r.start.layers = {{"hidden1", 500, 20}, {"output", 10, 10}};
    for (int e = 1; e <= epochs; ++e) {
        EpochData d;
        d.epoch = e;
        d.trainLoss = 1.0 / e;
        d.dev = 90 + e;
        d.test = 89 + e;
        d.forward = 0.5;
        d.bpLinear = 0.25 * e;
        d.bpOverall = 0.3 * e;
        d.update = 0.1;
        d.trainSeconds = 1.0;
        d.evalSeconds = 0.2;
        d.ratio = {0.04, 1.0};
        d.best = true;
        r.epochs << d;
    }
    for (int s = 1; s <= 300; ++s) r.batchLoss << QPointF(s, 2.0 / s);
    r.ratio = {{QPointF(1, 0.04), QPointF(2, 0.05)}, {QPointF(1, 1.0), QPointF(2, 1.0)}};
    r.summary = QJsonObject{{"dev_metric", 90 + epochs}, {"best_epoch", epochs}};
    r.warnings = {"training loss is rising"};
    r.row.state = RunState::Finished;
    r.row.elapsedSeconds = 12.5;
    return r;
}

bool writeZip(const QString& path, const QMap<QString, QByteArray>& files)
{
    QuaZip zip(path);
    if (!zip.open(QuaZip::mdCreate)) return false;
    for (auto it = files.begin(); it != files.end(); ++it) {
        QuaZipFile f(&zip);
        if (!f.open(QIODevice::WriteOnly, QuaZipNewInfo(it.key()))) return false;
        f.write(it.value());
        f.close();
    }
    zip.close();
    return true;
}

}  // namespace

class BundleTest : public QObject {
    Q_OBJECT
private slots:
    void roundTripOfOneRun()
    {
        QTemporaryDir dir;
        const RunRecord run = sampleRun(3, "topk");
        const QString zip = dir.filePath("b.zip");
        QString error;
        QVERIFY2(writeBundle(zip, {run}, {{"charts/accuracy.png", QByteArray("\x89PNG fake")}}, &error), qPrintable(error));
        QList<RunRecord> back;
        QMap<QString, QByteArray> files;
        QVERIFY2(readBundle(zip, &back, &error, &files), qPrintable(error));
        for (const char* f : {"config.json", "metrics.csv", "summary.json", "run.json", "manifest.json", "charts/accuracy.png"})
            QVERIFY2(files.contains(f), f);
        QCOMPARE(back.size(), 1);
        const RunRecord& r = back[0];
        QCOMPARE(r.name, run.name);
        QCOMPARE(r.config, run.config);
        QVERIFY(r.groupKind == GroupKind::Compare);
        QCOMPARE(r.groupId, 2);
        QCOMPARE(r.epochs.size(), 3);
        QCOMPARE(r.epochs[2].dev, 93.0);
        QCOMPARE(r.epochs[1].bpLinear, 0.5);
        QCOMPARE(r.epochs[0].ratio, (QList<double>{0.04, 1.0}));
        QCOMPARE(r.batchLoss.size(), 300);
        QCOMPARE(r.ratio.size(), 2);
        QCOMPARE(r.start.layers.size(), 2);
        QCOMPARE(r.start.layers[0].k, 20);
        QCOMPARE(r.summary.value("best_epoch").toInt(), 3);
        QCOMPARE(r.warnings, QStringList{"training loss is rising"});
        QCOMPARE(r.totalBpLinear(), run.totalBpLinear());
        QVERIFY(r.row.state == RunState::Finished);
        // metrics.csv has the engine's columns.
        QVERIFY(files["metrics.csv"].startsWith("epoch,train_loss,dev,test,fp_s,bp_linear_s,bp_overall_s,update_s,train_s,eval_s,backprop_ratio\n"));
    }

    void severalRunsGoIntoFolders()
    {
        QTemporaryDir dir;
        const QString zip = dir.filePath("many.zip");
        QString error;
        RunRecord failed = sampleRun(1, "dense");
        failed.row.state = RunState::Failed;
        failed.row.error = "bad data";
        QVERIFY2(writeBundle(zip, {sampleRun(2, "topk"), sampleRun(3, "random"), failed}, {}, &error), qPrintable(error));
        QList<RunRecord> back;
        QMap<QString, QByteArray> files;
        QVERIFY2(readBundle(zip, &back, &error, &files), qPrintable(error));
        QCOMPARE(back.size(), 3);
        QCOMPARE(back[1].mode(), QString("random"));
        QCOMPARE(back[2].epochs.size(), 1);
        QVERIFY(back[2].row.state == RunState::Failed);  // a failed run stays red after import
        QCOMPARE(back[2].row.error, QString("bad data"));
        QVERIFY(files.contains("runs/02/config.json"));
        QVERIFY(files.contains("config.json"));  // the first run also at the top
    }

    void cliFolderImportsFromMetricsCsv()
    {
        QTemporaryDir dir;
        const QString zip = dir.filePath("cli.zip");
        const QByteArray csv = "epoch,train_loss,dev,test,fp_s,bp_linear_s,bp_overall_s,update_s,train_s,eval_s,backprop_ratio\n"
                               "1,0.9,72.1,70.2,0.15,0.11,0.12,0.26,0.53,0.6,0.36\n"
                               "2,0.5,79.8,78.6,0.15,0.10,0.10,0.23,0.50,0.56,0.36\n";
        QVERIFY(writeZip(zip, {{"config.json", R"({"task":"image","mode":"topk","k":20})"}, {"metrics.csv", csv}, {"summary.json", "{}"}}));
        QList<RunRecord> back;
        QString error;
        QVERIFY2(readBundle(zip, &back, &error), qPrintable(error));
        QCOMPARE(back.size(), 1);
        QCOMPARE(back[0].epochs.size(), 2);
        QCOMPARE(back[0].epochs[1].dev, 79.8);
        QCOMPARE(back[0].epochs[0].bpLinear, 0.11);
        QVERIFY(back[0].row.state == RunState::Finished);
        QCOMPARE(back[0].k(), 20);
    }

    // A folder written by bench/authors-code/run.sh: fractional epochs (8 evaluations per epoch),
    // test only where the authors' code evaluated it, config.json in meprop's keys.
    void authorsRunFolderImportsAsARun()
    {
        QTemporaryDir dir;
        QVERIFY(QDir(dir.path()).mkpath("authors-topk-s1"));
        const QString folder = dir.filePath("authors-topk-s1");
        auto write = [&](const QString& name, const QByteArray& bytes) {
            QFile f(folder + "/" + name);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(bytes);
        };
        write("metrics.csv", "epoch,train_loss,dev,test\n0.125,1.2,71.5,70.9\n0.25,0.9,70.2,\n0.375,0.8,74.0,73.1\n");
        write("config.json", R"({"implementation":"authors-csharp","task":"image","mode":"topk","k":20,"batch":10,"limit":10000})");
        write("summary.json", R"({"implementation":"authors-csharp","dev_metric":74.0,"test_metric":73.1})");
        RunRecord r;
        QString error;
        QVERIFY2(readRunFolder(folder + "/metrics.csv", &r, &error), qPrintable(error));
        QCOMPARE(r.name, QString("authors-topk-s1"));
        QCOMPARE(r.epochs.size(), 3);
        QCOMPARE(r.epochs[0].epoch, 0.125);
        QCOMPARE(r.epochs[2].epoch, 0.375);
        QCOMPARE(r.epochs[1].trainLoss, 0.9);
        QVERIFY(std::isnan(r.epochs[1].test));
        QCOMPARE(r.bestDev(), 74.0);
        QCOMPARE(r.testAtBest(), 73.1);
        QVERIFY(r.row.state == RunState::Finished);
        QCOMPARE(r.start.batchesPerEpoch, qint64(1000));
        r.id = 7;
        QCOMPARE(r.legend(), QString("#7 authors topk k=20"));
        // Exported and read back, the fractional epochs and the missing test survive.
        const QByteArray csv = metricsCsv(r);
        QVERIFY2(csv.contains("\n0.25,0.9,70.2,,"), csv.constData());
        QList<EpochData> back;
        QVERIFY2(parseMetricsCsv(csv, &back, &error), qPrintable(error));
        QCOMPARE(back[0].epoch, 0.125);
        QVERIFY(std::isnan(back[1].test));
        RunRecord viaJson;
        QVERIFY2(fromJson(toJson(r), &viaJson, &error), qPrintable(error));
        QCOMPARE(viaJson.epochs[2].epoch, 0.375);
        QVERIFY(std::isnan(viaJson.epochs[1].test));

        // Without config.json and summary.json: still a run (stopped), named after its folder.
        QFile::remove(folder + "/config.json");
        QFile::remove(folder + "/summary.json");
        QVERIFY2(readRunFolder(folder + "/metrics.csv", &r, &error), qPrintable(error));
        QVERIFY(r.row.state == RunState::Stopped);
        QCOMPARE(r.epochs.size(), 3);
        // Missing or malformed: refused, naming the file.
        QVERIFY(!readRunFolder(dir.filePath("nope/metrics.csv"), &r, &error));
        QVERIFY2(error.contains("nope/metrics.csv"), qPrintable(error));
        write("metrics.csv", "epoch,dev\n1,\n");
        QVERIFY(!readRunFolder(folder + "/metrics.csv", &r, &error));
        QVERIFY2(error.contains("line 2"), qPrintable(error));
    }

    void badBundlesAreRefusedWithAReason()
    {
        QTemporaryDir dir;
        QList<RunRecord> runs;
        QString error;
        QVERIFY(!readBundle(dir.filePath("missing.zip"), &runs, &error));
        QVERIFY(error.contains("no such file"));

        const QString notZip = dir.filePath("not.zip");
        QFile f(notZip);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a zip archive");
        f.close();
        QVERIFY(!readBundle(notZip, &runs, &error));
        QVERIFY2(error.contains("not a zip"), qPrintable(error));

        const QString noConfig = dir.filePath("noconfig.zip");
        QVERIFY(writeZip(noConfig, {{"hello.txt", "hi"}}));
        QVERIFY(!readBundle(noConfig, &runs, &error));
        QVERIFY2(error.contains("no config.json"), qPrintable(error));

        const QString badCsv = dir.filePath("badcsv.zip");
        QVERIFY(writeZip(badCsv, {{"config.json", "{}"}, {"metrics.csv", "epoch,dev\n1,abc\n"}}));
        QVERIFY(!readBundle(badCsv, &runs, &error));
        QVERIFY2(error.contains("line 2") && error.contains("abc"), qPrintable(error));
        QVERIFY(runs.isEmpty());
    }

    void readsFromMemoryAsFromAFile()
    {
        QTemporaryDir dir;
        const QString zip = dir.filePath("m.zip");
        QString error;
        QVERIFY2(writeBundle(zip, {sampleRun(2, "topk")}, {}, &error), qPrintable(error));
        QFile f(zip);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray bytes = f.readAll();
        QBuffer buffer(&bytes);
        QList<RunRecord> runs;
        QVERIFY2(readBundle(&buffer, "memory.zip", &runs, &error), qPrintable(error));
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs[0].epochs.size(), 2);
        QByteArray junk("not a zip");
        QBuffer bad(&junk);
        QVERIFY(!readBundle(&bad, "junk.zip", &runs, &error));
        QVERIFY2(error.startsWith("junk.zip is not a zip"), qPrintable(error));
    }

    void metricsCsvOfEpochsWithDifferentExtrasReadsBack()
    {
        // Found by the bundle fuzz target: a run.json whose epochs carry different extra columns
        // exported a metrics.csv with ragged rows, which the import then refused.
        RunRecord r = sampleRun(2, "topk");
        r.epochs[1].extra = {{"dev_las", 70.0}};
        QList<EpochData> epochs;
        QString error;
        QVERIFY2(parseMetricsCsv(metricsCsv(r), &epochs, &error), qPrintable(error));
        QCOMPARE(epochs.size(), 2);
        QCOMPARE(epochs[1].extra.size(), 1);
        QCOMPARE(epochs[1].extra[0].second, 70.0);
        QVERIFY(std::isnan(epochs[0].extra[0].second));
    }

    void failedWriteKeepsTheEarlierFile()
    {
        QTemporaryDir dir;
        QString error;
        QVERIFY(!writeBundle(dir.filePath("empty.zip"), {}, {}, &error));
        QVERIFY(error.contains("no run"));
        QVERIFY(!QFile::exists(dir.filePath("empty.zip")));
        QVERIFY(!writeBundle("/nonexistent-folder/b.zip", {sampleRun(1, "topk")}, {}, &error));
        QVERIFY2(error.contains("/nonexistent-folder/b.zip"), qPrintable(error));
    }
};

QTEST_MAIN(BundleTest)
#include "BundleTest.moc"
