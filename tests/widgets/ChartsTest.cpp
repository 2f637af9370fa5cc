// LineChart and BarChart: series updates, axes that follow the data, and PNG/SVG export that
// writes a real picture of the data or fails with a reason.
#include "charts/BarChart.h"
#include "charts/LineChart.h"

#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>

using namespace meprop;

namespace {

// Number of pixels close to `color` (the series pen is antialiased, so allow some slack).
int pixelsNear(const QImage& image, const QColor& color)
{
    int n = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (std::abs(c.red() - color.red()) < 30 && std::abs(c.green() - color.green()) < 30 &&
                std::abs(c.blue() - color.blue()) < 30)
                ++n;
        }
    return n;
}

}  // namespace

class ChartsTest : public QObject {
    Q_OBJECT
private slots:
    void seriesAreReplacedByName()
    {
        LineChart chart;
        chart.setSeries("dev", {{1, 90}, {2, 95}});
        chart.setSeries("test", {{1, 89}});
        QCOMPARE(chart.seriesNames(), (QStringList{"dev", "test"}));
        chart.setSeries("dev", {{1, 90}, {2, 95}, {3, 97}});
        QCOMPARE(chart.seriesNames().size(), 2);
        QCOMPARE(chart.seriesPoints("dev").size(), 3);
        chart.removeSeries("test");
        QVERIFY(!chart.hasSeries("test"));
        chart.clearSeries();
        QVERIFY(chart.seriesNames().isEmpty());
    }

    void axesFollowTheData()
    {
        LineChart chart;
        chart.setSeries("loss", {{0, 2.5}, {400, 0.3}});
        const QRectF r = chart.axisRange();
        QVERIFY(r.left() <= 0 && r.right() >= 400);
        QVERIFY(r.top() <= 0.3 && r.bottom() >= 2.5);
        chart.setSeries("loss", {{0, 0.2}, {1000, 0.1}});
        QVERIFY(chart.axisRange().right() >= 1000);
        QVERIFY(chart.axisRange().bottom() < 1.0);
        chart.setYRange(std::make_pair(0.0, 1.0));
        QCOMPARE(chart.axisRange().top(), 0.0);
        QCOMPARE(chart.axisRange().bottom(), 1.0);
        // Non-finite points are dropped instead of breaking the axes.
        chart.setSeries("nan", {{1, std::numeric_limits<double>::quiet_NaN()}, {2, 0.5}});
        QCOMPARE(chart.seriesPoints("nan").size(), 1);
    }

    void logAxisDropsNonPositiveX()
    {
        LineChart chart;
        chart.setLogX(true);
        chart.setSeries("acc", {{0, 1}, {10, 90}, {100, 95}, {500, 96}});
        QCOMPARE(chart.seriesPoints("acc").size(), 3);
        QVERIFY(chart.axisRange().left() < 10 && chart.axisRange().right() > 500);
    }

    void logYDropsNonPositiveYAndSpansDecades()
    {
        LineChart chart;
        chart.setLogY(true);
        chart.setSeries("ratio", {{1, 0.02}, {2, 0.0}, {3, 1.0}});
        QCOMPARE(chart.seriesPoints("ratio").size(), 2);
        const QRectF r = chart.axisRange();
        QVERIFY(r.top() < 0.01 && r.top() > 0.009);  // just below the power of ten under the data
        QVERIFY(r.bottom() >= 1.0 && r.bottom() <= 2.0);
    }

    void pngShowsTheSeries()
    {
        QTemporaryDir dir;
        LineChart chart;
        chart.setTitle("Accuracy");
        chart.setAxisTitles("epoch", "accuracy (%)");
        const QColor red(220, 20, 20);
        chart.setSeries("dev", {{1, 80}, {2, 90}, {3, 95}, {4, 96}}, {red, Qt::SolidLine, 3.0, true});
        const QString png = dir.filePath("chart.png");
        QString error;
        QVERIFY2(chart.exportPng(png, &error, QSize(640, 400)), qPrintable(error));
        QImage image(png);
        QCOMPARE(image.size(), QSize(640, 400));
        QVERIFY2(pixelsNear(image, red) > 200, "the series is not visible in the PNG");
    }

    void svgIsWritten()
    {
        QTemporaryDir dir;
        LineChart chart;
        chart.setTitle("Loss");
        chart.setSeries("train", {{1, 2}, {2, 1}});
        const QString svg = dir.filePath("chart.svg");
        QString error;
        QVERIFY2(chart.exportSvg(svg, &error), qPrintable(error));
        QFile f(svg);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.contains("<svg"));
        QVERIFY(text.contains("<title>Loss</title>"));
        QVERIFY(text.contains("<path") || text.contains("<polyline"));
    }

    void exportToAMissingFolderFailsWithAReason()
    {
        LineChart chart;
        chart.setSeries("a", {{0, 0}, {1, 1}});
        QString error;
        QVERIFY(!chart.exportPng("/nonexistent-dir/x.png", &error));
        QVERIFY2(error.contains("/nonexistent-dir/x.png"), qPrintable(error));
        error.clear();
        QVERIFY(!chart.exportSvg("/nonexistent-dir/x.svg", &error));
        QVERIFY(error.contains("x.svg"));
    }

    void failedExportKeepsTheOldFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("keep.png");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("old");
        f.close();
        // A null image cannot be encoded: the earlier file must survive untouched.
        QString error;
        QVERIFY(!savePng(QImage(), path, &error));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("old"));
    }

    void errorBarsFollowTheirSeries()
    {
        LineChart c;
        c.resize(600, 400);
        c.setLogX(true);
        c.setSeries("acc", {{5, 90}, {20, 92}, {100, 95}});
        // Three k values; the middle one has no spread (one seed or equal values): no bar there.
        c.setErrorBars("acc bars", {{5, 88}, {20, 92}, {100, 94}}, {{5, 92}, {20, 92}, {100, 99}}, Qt::red, "acc");
        QCOMPARE(c.errorBarCount(), 2);
        QCOMPARE(c.bandNames(), QStringList{"acc bars"});
        QCOMPARE(c.legend()->entries().size(), 1);  // the bars belong to the series' entry
        const QRectF r = c.axisRange();
        QVERIFY2(r.bottom() >= 99 && r.top() <= 88, qPrintable(QString("%1 %2").arg(r.top()).arg(r.bottom())));  // the bars are in range
        // Replacing keeps one set; hiding the entry hides them; a linear axis redraws them.
        c.setErrorBars("acc bars", {{5, 89}}, {{5, 91}}, Qt::red, "acc");
        QCOMPARE(c.errorBarCount(), 1);
        c.setLogX(false);
        QCOMPARE(c.errorBarCount(), 1);
        c.setEntryVisible("acc", false);
        QVERIFY(!c.isSeriesVisible("acc"));
        const QImage hidden = c.toImage(QSize(300, 200));
        c.setEntryVisible("acc", true);
        QVERIFY(c.toImage(QSize(300, 200)) != hidden);
        c.removeBand("acc bars");
        QCOMPARE(c.errorBarCount(), 0);
        c.setErrorBars("b", {{1, 1}}, {{1, 2}}, Qt::blue);
        c.clearSeries();
        QCOMPARE(c.errorBarCount(), 0);
    }

    void barsUpdateInPlaceOrRebuild()
    {
        BarChart chart;
        const QStringList cats{"forward", "backprop", "update"};
        chart.setData(cats, {{"dense", {1.0, 4.0, 0.5}, {}}, {"topk", {1.0, 0.4, 0.5}, {}}});
        QCOMPARE(chart.setNames(), (QStringList{"dense", "topk"}));
        QCOMPARE(chart.values("topk"), (QList<double>{1.0, 0.4, 0.5}));
        QVERIFY(chart.valueMax() >= 4.0);
        chart.setData(cats, {{"dense", {1.0, 8.0, 0.5}, {}}, {"topk", {1.0, 0.2, 0.5}, {}}});
        QCOMPARE(chart.values("dense").at(1), 8.0);
        QVERIFY(chart.valueMax() >= 8.0);
        chart.setData(cats, {{"random", {1.0, 0.3}, {}}});  // short: padded with 0
        QCOMPARE(chart.setNames(), QStringList{"random"});
        QCOMPARE(chart.values("random"), (QList<double>{1.0, 0.3, 0.0}));
    }

    void barPngShowsBars()
    {
        QTemporaryDir dir;
        BarChart chart;
        const QColor green(20, 160, 40);
        chart.setData({"forward", "backprop"}, {{"dense", {2.0, 3.0}, green}});
        const QString png = dir.filePath("bars.png");
        QString error;
        QVERIFY2(chart.exportPng(png, &error, QSize(500, 350)), qPrintable(error));
        QVERIFY(pixelsNear(QImage(png), green) > 1000);
        QVERIFY2(chart.exportSvg(dir.filePath("bars.svg"), &error), qPrintable(error));
    }
};

QTEST_MAIN(ChartsTest)
#include "ChartsTest.moc"
