// The main window in-process: Start follows the config panel's validity (with the reason), the
// GPU choice is greyed out exactly when the engine has no device, live charts fill from a run, compare and sweep queue their runs and
// fill their views, and a bundle exported from one window imports into another.
#include "ConfigPanel.h"
#include "EngineBridge.h"
#include "MainWindow.h"
#include "RunController.h"
#include "RunTableModel.h"
#include "TinyMnist.h"
#include "WeightHeatmap.h"
#include "charts/BarChart.h"
#include "charts/LineChart.h"

#include "backend/Device.h"

#include <QAction>

#include <algorithm>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QDir>
#include <QFile>
#include <QTest>

using namespace meprop;

class MainWindowTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_data = m_dir.filePath("data");
        QVERIFY(test::writeTinyMnist(m_data));
    }

    void startFollowsValidity()
    {
        MainWindow w(m_dir.filePath("runs"));
        QString error;
        QVERIFY2(w.applySettings({"data=" + m_data, "hidden=32", "k=4", "dev_size=50", "epochs=1"}, &error), qPrintable(error));
        QAction* start = findAction(w, "&Start");
        QVERIFY(start);
        QVERIFY(start->isEnabled());
        auto* hidden = qobject_cast<QLineEdit*>(w.configPanel()->editor("hidden"));
        hidden->setText("3x");
        QVERIFY(!start->isEnabled());
        QVERIFY2(start->toolTip().contains("hidden"), qPrintable(start->toolTip()));
        auto* reason = w.findChild<QLabel*>("startReason");
        QVERIFY(reason->text().contains("Start is disabled"));
        hidden->setText("32");
        QVERIFY(start->isEnabled());
        // A cross-key rule of the engine (k <= hidden).
        w.configPanel()->setValue("k", 64);
        QVERIFY(!start->isEnabled());
        QString why;
        QVERIFY(!w.start(&why));
        QVERIFY(!why.isEmpty());
        w.configPanel()->setValue("k", 4);
        // A data folder without the MNIST files.
        w.configPanel()->setValue("data", m_dir.path());
        QVERIFY(!start->isEnabled());
        QVERIFY2(w.configPanel()->message("data").contains("lacks"), qPrintable(w.configPanel()->message("data")));
        w.configPanel()->setValue("data", m_data);
        QVERIFY(start->isEnabled());
        // --set errors come from the engine with the key named.
        QVERIFY(!w.applySettings({"lr=fast"}, &error));
        QVERIFY2(error.contains("lr"), qPrintable(error));
    }

    // The rule, not this machine: the cuda choice is greyed out, with the engine's reason as its
    // tooltip, exactly when the engine reports no usable device (backend/Device.h). (It asserted
    // "greyed out" before, which fails on any machine with a GPU.)
    void gpuChoiceIsGreyedOutExactlyWhenTheEngineHasNoDevice()
    {
        MainWindow w(m_dir.filePath("runs"));
        auto* box = qobject_cast<QComboBox*>(w.configPanel()->editor("device"));
        QVERIFY(box);
        const int cuda = box->findText("cuda");
        QVERIFY(cuda >= 0);
        const DeviceInfo device = cudaDeviceInfo();
        const QModelIndex item = box->model()->index(cuda, 0);
        const bool enabled = box->model()->flags(item) & Qt::ItemIsEnabled;
        const QString tip = item.data(Qt::ToolTipRole).toString();
        QCOMPARE(enabled, device.available);
        if (device.available) {
            QVERIFY2(tip.isEmpty(), qPrintable(tip));
        } else {
            QVERIFY(!device.reason.empty());
            QCOMPARE(tip, QString::fromStdString(device.reason));
        }
        // cpu is always there and enabled.
        QVERIFY(box->model()->flags(box->model()->index(box->findText("cpu"), 0)) & Qt::ItemIsEnabled);
        // Choosing an unavailable device is an error the panel names; an available one is fine.
        w.configPanel()->setValue("device", "cuda");
        QCOMPARE(w.configPanel()->message("device").isEmpty(), device.available);
        w.configPanel()->setValue("device", "cpu");
    }

    // Both sides of that rule on any machine: the fields built for a machine with a device and for
    // one without.
    void deviceFieldFollowsTheGpuStatus()
    {
        for (const bool available : {true, false}) {
            GpuStatus gpu;
            gpu.available = available;
            gpu.reason = available ? QString() : QStringLiteral("no CUDA device here");
            const QList<FieldSpec> fields = configFields(gpu);
            const auto it = std::find_if(fields.begin(), fields.end(), [](const FieldSpec& f) { return f.key == "device"; });
            QVERIFY(it != fields.end());
            QVERIFY(it->choices.contains("cuda"));
            QCOMPARE(it->disabledChoices.contains("cuda"), !available);
            if (!available) QCOMPARE(it->disabledChoices.value("cuda"), gpu.reason);
            QVERIFY(!it->disabledChoices.contains("cpu"));
        }
    }

    void liveChartsFillFromARun()
    {
        MainWindow w(m_dir.filePath("runs"));
        configure(w, 3);
        QSignalSpy idle(w.runs(), &RunController::idle);
        QVERIFY(w.start());
        QTRY_VERIFY_WITH_TIMEOUT(idle.count() >= 1, 60000);
        w.refreshAll();
        auto* acc = qobject_cast<LineChart*>(w.chartWidget("accuracy"));
        QVERIFY(acc);
        const int id = w.runs()->ids().front();
        const QString legend = w.runs()->record(id)->legend();
        QCOMPARE(legend, QString("#1 topk k=4"));
        QCOMPARE(acc->seriesPoints(legend + " dev").size(), 3);
        QCOMPARE(acc->seriesPoints(legend + " test").size(), 3);
        auto* loss = qobject_cast<LineChart*>(w.chartWidget("loss"));
        QVERIFY(loss->seriesPoints(legend + " batch").size() > 10);
        auto* ratio = qobject_cast<LineChart*>(w.chartWidget("ratio"));
        QCOMPARE(ratio->seriesNames().size(), 3);  // hidden1, hidden2, output
        const QList<QPointF> r = ratio->seriesPoints(legend + " hidden1");
        QVERIFY(!r.isEmpty());
        QVERIFY(r.back().y() > 0 && r.back().y() <= 1.0);
        auto* bars = qobject_cast<BarChart*>(w.chartWidget("timing"));
        QCOMPARE(bars->setNames().size(), 1);
        QVERIFY(bars->values(bars->setNames().front()).at(1) > 0);
        auto* heat = qobject_cast<WeightHeatmap*>(w.chartWidget("heatmap"));
        QCOMPARE(heat->layers().size(), 3);
        QCOMPARE(heat->layers().front().neurons, 32);
        // Unchecking the run removes it from the overlays.
        w.runs()->model()->setShown(id, false);
        w.refreshAll();
        QVERIFY(acc->seriesNames().isEmpty());
    }

    void compareAndSweepFillTheirViews()
    {
        MainWindow w(m_dir.filePath("runs"));
        configure(w, 2);
        QSignalSpy idle(w.runs(), &RunController::idle);
        QVERIFY(w.startCompare());
        QCOMPARE(w.runs()->ids().size(), 3);
        QStringList modes;
        for (int id : w.runs()->ids()) {
            modes << w.runs()->record(id)->mode();
            QCOMPARE(w.runs()->record(id)->config.value("seed").toInt(), 3);
        }
        QCOMPARE(modes, (QStringList{"topk", "random", "dense"}));
        QTRY_VERIFY_WITH_TIMEOUT(idle.count() >= 1, 120000);
        w.refreshAll();
        auto* compare = qobject_cast<LineChart*>(w.chartWidget("compare"));
        QCOMPARE(compare->seriesNames().size(), 6);
        auto* table = w.findChild<QTableWidget*>("compareTable");
        QCOMPARE(table->rowCount(), 3);
        QCOMPARE(table->item(2, 1)->text(), QString("dense"));
        QCOMPARE(table->item(2, 6)->text(), QString("1.0x"));

        QVERIFY(w.startSweep({2, 8, 16}));
        QCOMPARE(w.runs()->ids().size(), 3 + 4);  // dense + 3 k values
        QTRY_VERIFY_WITH_TIMEOUT(idle.count() >= 2, 120000);
        w.refreshAll();
        auto* acc = qobject_cast<LineChart*>(w.chartWidget("sweep_accuracy"));
        const QList<QPointF> pts = acc->seriesPoints("topk best dev");
        QCOMPARE(pts.size(), 3);
        QCOMPARE(pts[0].x(), 2.0);
        QCOMPARE(pts[2].x(), 16.0);
        auto* speed = qobject_cast<LineChart*>(w.chartWidget("sweep_speedup"));
        QCOMPARE(speed->seriesPoints("topk speedup").size(), 3);
        QCOMPARE(w.findChild<QTableWidget*>("sweepTable")->rowCount(), 4);
        QString why;
        QVERIFY(!w.startSweep({2, 999}, &why));  // k > hidden: nothing is queued
        QVERIFY2(why.contains("999"), qPrintable(why));
        QCOMPARE(w.runs()->ids().size(), 7);
    }

    void bundleRoundTripThroughTheWindow()
    {
        const QString zip = m_dir.filePath("session.zip");
        double dev = 0;
        {
            MainWindow w(m_dir.filePath("runs"));
            configure(w, 2);
            QSignalSpy idle(w.runs(), &RunController::idle);
            QVERIFY(w.startCompare());
            QTRY_VERIFY_WITH_TIMEOUT(idle.count() >= 1, 120000);
            for (int id : w.runs()->ids()) QVERIFY2(w.runs()->record(id)->row.state == RunState::Finished, qPrintable(w.runs()->record(id)->row.error));
            dev = w.runs()->record(1)->bestDev();
            QString error;
            QVERIFY2(w.exportBundle(zip, &error), qPrintable(error));
            QVERIFY2(w.exportTable(m_dir.filePath("t.md"), &error), qPrintable(error));
            QVERIFY2(w.exportTable(m_dir.filePath("t.csv"), &error), qPrintable(error));
            QVERIFY(!w.exportTable(m_dir.filePath("t.txt"), &error));
            QVERIFY2(w.exportChart("compare", m_dir.filePath("c.svg"), &error), qPrintable(error));
            QVERIFY(!w.exportChart("compare", "/nonexistent/c.png", &error));
            QVERIFY(error.contains("/nonexistent/c.png"));
        }
        MainWindow w2(m_dir.filePath("runs2"));
        QString error;
        QVERIFY2(w2.importBundle(zip, &error), qPrintable(error));
        QCOMPARE(w2.runs()->model()->rowCount(), 3);
        const RunRow* row = w2.runs()->model()->run(w2.runs()->ids().front());
        QVERIFY(row->state == RunState::Finished);
        QCOMPARE(row->bestDev, dev);
        w2.refreshAll();
        auto* compare = qobject_cast<LineChart*>(w2.chartWidget("compare"));
        QCOMPARE(compare->seriesNames().size(), 6);
        QVERIFY(std::isfinite(w2.runs()->model()->run(w2.runs()->ids().front())->speedup));
        QVERIFY(!w2.importBundle(m_dir.filePath("t.md"), &error));
        QVERIFY2(error.contains("t.md"), qPrintable(error));
    }

    // File > Import metrics.csv: a run of the authors' code (bench/authors-code/run.sh) overlays the
    // charts; its test points exist only where their code evaluated test.
    void importsAnAuthorsMetricsCsv()
    {
        QVERIFY(QDir(m_dir.path()).mkpath("authors-topk-s1"));
        const QString folder = m_dir.filePath("authors-topk-s1");
        QFile csv(folder + "/metrics.csv");
        QVERIFY(csv.open(QIODevice::WriteOnly));
        csv.write("epoch,train_loss,dev,test\n0.5,1.7,55.2,54.0\n1,2.3,48.9,\n1.5,1.1,60.3,59.8\n");
        csv.close();
        QFile config(folder + "/config.json");
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write(R"({"implementation":"authors-csharp","task":"image","mode":"topk","k":20,"batch":10,"limit":1000})");
        config.close();
        MainWindow w(m_dir.filePath("runs-import"));
        QString error;
        QVERIFY2(w.importMetrics(folder + "/metrics.csv", &error), qPrintable(error));
        QCOMPARE(w.runs()->model()->rowCount(), 1);
        const RunRecord* r = w.runs()->record(w.runs()->ids().front());
        QCOMPARE(r->name, QString("authors-topk-s1"));
        w.refreshAll();
        auto* acc = qobject_cast<LineChart*>(w.chartWidget("accuracy"));
        QCOMPARE(acc->seriesPoints(r->legend() + " dev").size(), 3);
        QCOMPARE(acc->seriesPoints(r->legend() + " test").size(), 2);
        QCOMPARE(acc->seriesPoints(r->legend() + " dev")[1], QPointF(1.0, 48.9));
        QVERIFY(!w.importMetrics(m_dir.filePath("missing/metrics.csv"), &error));
        QVERIFY2(error.contains("missing/metrics.csv"), qPrintable(error));
    }

private:
    void configure(MainWindow& w, int epochs)
    {
        QString error;
        QVERIFY2(w.applySettings({"data=" + m_data, "hidden=32", "k=4", "dev_size=50", "batch=10", "seed=3",
                                  "epochs=" + QString::number(epochs)},
                                 &error),
                 qPrintable(error));
        QVERIFY2(w.configPanel()->isValid(), qPrintable(w.configPanel()->firstError()));
    }

    static QAction* findAction(QWidget& w, const QString& text)
    {
        for (QAction* a : w.findChildren<QAction*>())
            if (a->text() == text) return a;
        return nullptr;
    }

    QTemporaryDir m_dir;
    QString m_data;
};

QTEST_MAIN(MainWindowTest)
#include "MainWindowTest.moc"
