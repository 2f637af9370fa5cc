// meprop-figures, the real executable: renders every panel of a figures.json as SVG + PNG; bad input
// is one line and exit 2.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

class FiguresToolTest : public QObject {
    Q_OBJECT
private:
    static int run(const QStringList& args, QString* err = nullptr)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(MEPROP_FIGURES_EXE), args);
        if (!p.waitForFinished(60000)) return -1;
        if (err) *err = QString::fromLocal8Bit(p.readAllStandardError());
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }

private slots:
    void rendersEveryPanel()
    {
        QTemporaryDir dir;
        QFile json(dir.filePath("figures.json"));
        QVERIFY(json.open(QIODevice::WriteOnly));
        json.write(R"JSON([{"id": "fig4-left", "title": "Figure 4 (left)", "x_label": "backprop ratio (%)", "y_label": "test accuracy (%)",
                       "log_x": true, "series": [
                         {"name": "MLP (h=500)", "horizontal": true, "points": [{"x": 0, "mean": 97.8, "low": 97.5, "high": 98.1, "n": 3}]},
                         {"name": "meProp", "horizontal": false, "points": [{"x": 1, "mean": 97.5, "low": 97.0, "high": 98.0, "n": 3},
                                                                            {"x": 4, "mean": 98.0, "low": 97.7, "high": 98.3, "n": 3}]}]},
                      {"id": "fig4-right", "title": "right", "x_label": "x", "y_label": "y", "log_x": false, "series": []}])JSON");
        json.close();
        QString err;
        QCOMPARE(run({json.fileName(), dir.filePath("out")}, &err), 0);
        for (const char* id : {"fig4-left", "fig4-right"}) {
            QFile svg(dir.filePath(QStringLiteral("out/%1.svg").arg(id)));
            QVERIFY(svg.open(QIODevice::ReadOnly));
            QXmlStreamReader xml(&svg);
            while (!xml.atEnd()) xml.readNext();
            QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
            QCOMPARE(QImage(dir.filePath(QStringLiteral("out/%1.png").arg(id))).size(), QSize(900, 560));
        }
    }

    void badInputIsOneLine()
    {
        QTemporaryDir dir;
        QFile broken(dir.filePath("broken.json"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("[{\"id\": ");
        broken.close();
        QString err;
        QCOMPARE(run({broken.fileName(), dir.filePath("out")}, &err), 2);
        QVERIFY2(err.contains(QStringLiteral("not valid JSON")), qPrintable(err));
        QCOMPARE(err.count(QLatin1Char('\n')), 1);
        QCOMPARE(run({dir.filePath("missing.json"), dir.filePath("out")}, &err), 2);
        QVERIFY(err.contains(QStringLiteral("cannot open")));
        QCOMPARE(run({}, &err), 2);
    }
};

QTEST_MAIN(FiguresToolTest)
#include "FiguresToolTest.moc"
