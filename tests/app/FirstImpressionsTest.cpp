// What a new user meets first: the window size on first start, every control reachable at
// 1024x700, validation marking the offending field, the Data sets panel following the task, the
// warning banner that can be dismissed, bundle errors in words, and the question before quitting
// with runs in progress.
#include "ConfigPanel.h"
#include "MainWindow.h"
#include "RunController.h"
#include "TinyMnist.h"

#include <QApplication>
#include <QFile>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace meprop;

class FirstImpressionsTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_data = m_dir.filePath("data");
        QVERIFY(test::writeTinyMnist(m_data));
    }

    void windowSizeOnFirstStart()
    {
        QCOMPARE(MainWindow::initialSize({1920, 1080}), QSize(1536, 864));
        QCOMPARE(MainWindow::initialSize({2560, 1440}), QSize(2048, 1152));
        QCOMPARE(MainWindow::initialSize({1440, 900}), QSize(1280, 800));  // 80 % would be below 1280x800
        QCOMPARE(MainWindow::initialSize({1024, 700}), QSize(1024, 700));  // never larger than the screen
        MainWindow w(m_dir.filePath("runs"));
        QCOMPARE(w.size(), MainWindow::initialSize(QGuiApplication::primaryScreen()->availableGeometry().size()));
    }

    void everyConfigControlFitsAt1024x700()
    {
        MainWindow w(m_dir.filePath("runs"));
        w.resize(1024, 700);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        w.showView("configure");
        // A long message must not widen the form beyond its column either.
        w.configPanel()->setValue("data", m_dir.filePath("a-folder-with-a-rather-long-name-that-does-not-exist/and/deeper/still"));
        QApplication::processEvents();
        auto* browse = w.findChild<QPushButton*>("data_browse");
        QVERIFY(browse && browse->isVisible());
        auto* scroll = w.configPanel()->findChild<QScrollArea*>();
        QVERIFY(scroll);
        const QRect viewport(scroll->viewport()->mapTo(&w, QPoint(0, 0)), scroll->viewport()->size());
        const QRect button(browse->mapTo(&w, QPoint(0, 0)), browse->size());
        QVERIFY2(viewport.contains(button), qPrintable(QString("Browse at %1,%2 %3x%4 outside the form's %5 px")
                                                           .arg(button.x()).arg(button.y()).arg(button.width()).arg(button.height())
                                                           .arg(viewport.right())));
        QVERIFY(!scroll->horizontalScrollBar()->isVisible());
    }

    void validationMarksTheOffendingField()
    {
        MainWindow w(m_dir.filePath("runs"));
        QString error;
        QVERIFY2(w.applySettings({"data=" + m_data, "hidden=32", "k=64"}, &error), qPrintable(error));
        ConfigPanel* p = w.configPanel();
        QVERIFY(!p->isValid());
        QCOMPARE(p->firstErrorKey(), QString("k"));
        QVERIFY2(p->message("k").contains("hidden (32)"), qPrintable(p->message("k")));
        QVERIFY(p->message("hidden").isEmpty());
        QVERIFY(p->errors().value(QString()).isEmpty());  // not a message of the whole form
        auto* k = qobject_cast<QLineEdit*>(p->editor("k"));
        QVERIFY(k->styleSheet().contains("border"));
        QVERIFY(!w.findChild<QLabel*>("crossMessage")->isVisibleTo(p));
        QVERIFY2(p->firstError().startsWith("k: "), qPrintable(p->firstError()));
        QString why;
        QVERIFY(!w.start(&why));
        QVERIFY2(why.startsWith("k: "), qPrintable(why));
        p->setValue("k", 4);
        QVERIFY(p->isValid());
        QVERIFY(k->styleSheet().isEmpty());
    }

    void dataSetsFollowTheTask()
    {
        MainWindow w(m_dir.filePath("runs"));
        QString error;
        QVERIFY(w.applySettings({"data=" + m_data, "task=pos"}, &error));
        ConfigPanel* p = w.configPanel();
        // An MNIST folder is no data for the tagger: the data field says so, Start is disabled.
        QVERIFY(!p->isValid());
        QVERIFY2(p->message("data").contains("-train.conllu"), qPrintable(p->message("data")));
        auto* info = w.findChild<QLabel*>("datasetInfo");
        QVERIFY2(info->text().contains("UD English EWT"), qPrintable(info->text()));
        QVERIFY2(info->text().contains("Start is disabled"), qPrintable(info->text()));
        // A folder holding the three split files is fine, for pos and for parse.
        const QString text = m_dir.filePath("text");
        QVERIFY(QDir().mkpath(text));
        for (const char* split : {"train", "dev", "test"})
            QVERIFY(QFile::copy(QString(MEPROP_SOURCE_DIR) + "/tests/data/parse/" + split + ".conllu",
                                text + "/tiny-" + split + ".conllu"));
        p->setValue("data", text);
        QVERIFY2(p->isValid(), qPrintable(p->firstError()));
        p->setValue("task", "parse");
        QVERIFY2(p->isValid(), qPrintable(p->firstError()));
        QVERIFY2(info->text().contains(text), qPrintable(info->text()));
        // A missing override file is named.
        p->setValue("test_file", m_dir.filePath("nowhere.conllu"));
        QVERIFY(!p->isValid());
        QVERIFY2(p->message("data").contains("nowhere.conllu"), qPrintable(p->message("data")));
        // Back to images: the MNIST check again.
        p->setValue("test_file", "");
        p->setValue("task", "image");
        QVERIFY(!p->isValid());
        QVERIFY2(p->message("data").contains("lacks"), qPrintable(p->message("data")));
    }

    void warningBannerCanBeDismissed()
    {
        MainWindow w(m_dir.filePath("runs"));
        configure(w, 1);
        QSignalSpy idle(w.runs(), &RunController::idle);
        QVERIFY(w.start());
        QTRY_VERIFY_WITH_TIMEOUT(idle.count() >= 1, 60000);
        emit w.runs()->warning(w.runs()->ids().front(), "loss is diverging");
        auto* banner = w.findChild<QWidget*>("warningBanner");
        QVERIFY(!banner->isHidden());
        QVERIFY(w.findChild<QLabel*>("warningText")->text().contains("loss is diverging"));
        w.findChild<QToolButton*>("dismissWarning")->click();
        QVERIFY(banner->isHidden());
    }

    void bundleErrorsSayWhatToDo()
    {
        MainWindow w(m_dir.filePath("runs"));
        const QString notZip = m_dir.filePath("notes.zip");
        QFile f(notZip);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("plain text, not an archive");
        f.close();
        QString error;
        QVERIFY(!w.importBundle(notZip, &error));
        QVERIFY2(!error.contains("QuaZip"), qPrintable(error));
        QVERIFY2(error.contains("notes.zip") && error.contains("choose a .zip"), qPrintable(error));
    }

    void quittingWithARunAsksFirst()
    {
        MainWindow w(m_dir.filePath("runs"));
        configure(w, 50);
        w.show();
        int asked = 0;
        MainWindow::QuitChoice answer = MainWindow::QuitChoice::Cancel;
        w.setQuitAnswer([&](int, int) {
            ++asked;
            return answer;
        });
        QSignalSpy idle(w.runs(), &RunController::idle);
        QVERIFY(w.start());
        QVERIFY(w.runs()->isBusy());
        // Cancel: nothing happens.
        QVERIFY(!w.close());
        QCOMPARE(asked, 1);
        QVERIFY(w.isVisible());
        QVERIFY(w.runs()->isBusy());
        // Quit when done: the window stays until the run ends, then closes by itself.
        answer = MainWindow::QuitChoice::QuitWhenDone;
        QVERIFY(!w.close());
        QVERIFY(w.quitsWhenDone());
        QVERIFY(w.isVisible());
        w.runs()->stop();
        QTRY_VERIFY_WITH_TIMEOUT(!w.isVisible(), 30000);
        QCOMPARE(asked, 2);

        // Stop runs: closes at once and stops the run.
        MainWindow w2(m_dir.filePath("runs"));
        configure(w2, 50);
        w2.show();
        w2.setQuitAnswer([](int, int) { return MainWindow::QuitChoice::StopRuns; });
        QSignalSpy idle2(w2.runs(), &RunController::idle);
        QVERIFY(w2.start());
        QVERIFY(w2.close());
        QTRY_VERIFY_WITH_TIMEOUT(idle2.count() >= 1, 30000);
        QVERIFY(w2.runs()->record(w2.runs()->ids().front())->row.state == RunState::Stopped);
        // Nothing running: no question.
        int asked3 = 0;
        MainWindow w3(m_dir.filePath("runs"));
        w3.show();
        w3.setQuitAnswer([&](int, int) {
            ++asked3;
            return MainWindow::QuitChoice::Cancel;
        });
        QVERIFY(w3.close());
        QCOMPARE(asked3, 0);
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

    QTemporaryDir m_dir;
    QString m_data;
};

QTEST_MAIN(FirstImpressionsTest)
#include "FirstImpressionsTest.moc"
