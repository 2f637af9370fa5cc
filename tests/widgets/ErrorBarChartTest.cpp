// ErrorBarChart: one bar per point with an interval, axes that hold every interval, a horizontal
// baseline, log x, and exports that write a real SVG/PNG.
#include "charts/ErrorBarChart.h"

#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace meprop;

namespace {

QList<ErrorBarSeries> sample()
{
    ErrorBarSeries meprop{QStringLiteral("meProp"), {{1, 97.5, 97.0, 98.0}, {2, 97.8, 97.6, 98.1}, {4, 97.9, 97.9, 97.9}}, false, {}};
    ErrorBarSeries dense{QStringLiteral("MLP (h=500)"), {{0, 97.7, 97.4, 98.0}}, true, {}};
    return {meprop, dense};
}

}  // namespace

class ErrorBarChartTest : public QObject {
    Q_OBJECT
private slots:
    void barsForEveryIntervalAndAxesThatHoldThem()
    {
        ErrorBarChart chart;
        chart.setData(sample());
        QCOMPARE(chart.seriesCount(), 2);
        QCOMPARE(chart.errorBarCount(), 2);  // the third point has no spread
        const QRectF r = chart.axisRange();
        QVERIFY(r.top() <= 97.0);   // top() is the minimum y here (unflipped rect)
        QVERIFY(r.bottom() >= 98.1);
        QVERIFY(r.left() < 1.0 && r.right() > 4.0);
    }

    void yBoundsHoldWhateverTheIntervalsReach()
    {
        ErrorBarChart chart;
        QList<ErrorBarSeries> s = sample();
        s[0].points.append({8, 60, -40, 160});  // a 2-seed interval wider than the scale
        chart.setData(s);
        QVERIFY(chart.axisRange().top() < 0.0 && chart.axisRange().bottom() > 100.0);
        chart.setYBounds(std::pair<double, double>{0.0, 100.0});
        QVERIFY(chart.axisRange().top() >= 0.0);
        QVERIFY(chart.axisRange().bottom() <= 100.0);
        QVERIFY(chart.axisRange().bottom() >= 98.1);  // the intervals inside the bounds still fit
        QCOMPARE(chart.errorBarCount(), 3);
        chart.setYBounds(std::nullopt);
        QVERIFY(chart.axisRange().top() < 0.0);
    }

    void logXDropsNonPositivePoints()
    {
        ErrorBarChart chart;
        chart.setLogX(true);
        QList<ErrorBarSeries> s = sample();
        s[0].points.append({0.0, 50, 40, 60});  // dropped on a log axis
        chart.setData(s);
        QCOMPARE(chart.errorBarCount(), 2);
        QVERIFY(chart.axisRange().left() > 0.0);
        QVERIFY(chart.axisRange().top() > 90.0);  // nor is its interval in the y range
    }

    void exportsSvgAndPng()
    {
        QTemporaryDir dir;
        ErrorBarChart chart;
        chart.setTitle(QStringLiteral("Figure 4 (left)"));
        chart.setAxisTitles(QStringLiteral("backprop ratio (%)"), QStringLiteral("test accuracy (%)"));
        chart.setData(sample());
        QString error;
        QVERIFY2(chart.exportSvg(dir.filePath("f.svg"), &error, QSize(600, 400)), qPrintable(error));
        QVERIFY2(chart.exportPng(dir.filePath("f.png"), &error, QSize(600, 400)), qPrintable(error));
        QFile svg(dir.filePath("f.svg"));
        QVERIFY(svg.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&svg);
        int elements = 0;
        while (!xml.atEnd())
            if (xml.readNext() == QXmlStreamReader::StartElement) ++elements;
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(elements > 10);
        const QImage png(dir.filePath("f.png"));
        QCOMPARE(png.size(), QSize(600, 400));
        // The series colour is drawn.
        int blue = 0;
        for (int y = 0; y < png.height(); ++y)
            for (int x = 0; x < png.width(); ++x) {
                const QColor c = png.pixelColor(x, y);
                blue += c.blue() > 150 && c.red() < 90 && c.green() < 160;
            }
        QVERIFY(blue > 50);
        QVERIFY(!chart.exportPng(QStringLiteral("/nonexistent-dir/f.png"), &error));
        QVERIFY(error.contains(QStringLiteral("/nonexistent-dir/f.png")));
    }
};

QTEST_MAIN(ErrorBarChartTest)
#include "ErrorBarChartTest.moc"
