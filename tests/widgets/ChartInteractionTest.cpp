// Charts a researcher can read and explore: legends with full names for many series (on screen
// and in exports), click to hide, TensorBoard's debiased EMA smoothing, zoom / pan / reset, hover
// tooltips, log/linear toggles, ticks and bar labels that do not overlap, exports at a chosen DPI.
#include "charts/BarChart.h"
#include "charts/ChartLegend.h"
#include "charts/ChartView.h"
#include "charts/LineChart.h"
#include "charts/Smoothing.h"

#include <QChart>
#include <QApplication>
#include <QFile>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QValueAxis>

#include <cmath>

using namespace meprop;

namespace {

QList<QPointF> ramp(int n, double slope = 1.0)
{
    QList<QPointF> p;
    for (int i = 0; i < n; ++i) p << QPointF(i + 1, 50 + slope * i);
    return p;
}

QString runName(int i)
{
    return QString("#%1 topk k=%2 seed 3").arg(i + 1).arg(10 * (i + 1));
}

}  // namespace

class ChartInteractionTest : public QObject {
    Q_OBJECT
private slots:
    void emaIsTensorBoardsDebiasedAverage()
    {
        const QList<QPointF> pts{{0, 1}, {1, 2}, {2, 3}};
        const QList<QPointF> s = emaSmoothed(pts, 0.5);
        // last = 0.5, 1.25, 2.125; debias 1 - 0.5^n = 0.5, 0.75, 0.875.
        QCOMPARE(s.size(), 3);
        QCOMPARE(s[0].y(), 1.0);  // the first point is never pulled towards 0
        QVERIFY(std::abs(s[1].y() - 1.25 / 0.75) < 1e-12);
        QVERIFY(std::abs(s[2].y() - 2.125 / 0.875) < 1e-12);
        QCOMPARE(s[2].x(), 2.0);
        QCOMPARE(emaSmoothed(pts, 0.0), pts);                                     // no smoothing
        QCOMPARE(emaSmoothed({{0, 4}, {1, 4}, {2, 4}}, 0.9).at(2).y(), 4.0);     // constant stays
        const QList<QPointF> gap = emaSmoothed({{0, 1}, {1, std::nan("")}, {2, 3}}, 0.5);
        QVERIFY(std::isnan(gap[1].y()));                                          // passes through
        QVERIFY(std::abs(gap[2].y() - 1.75 / 0.75) < 1e-12);                      // and is skipped
        QCOMPARE(thinnedTo(ramp(1000), 100).size(), 101);
        QCOMPARE(thinnedTo(ramp(1000), 100).back(), ramp(1000).back());
    }

    void chartSmoothingFollowsTheSlider()
    {
        LineChart chart;
        chart.setSmoothingControl(true);
        QList<QPointF> noisy;
        for (int i = 0; i < 200; ++i) noisy << QPointF(i, 1.0 + (i % 2 ? 0.5 : -0.5));
        chart.setSeries("loss", noisy, {QColor(Qt::red), Qt::SolidLine, 1.5, false, {}, true});
        chart.setSeries("raw", noisy);
        chart.setSmoothing(0.8);
        QCOMPARE(chart.seriesPoints("loss"), emaSmoothed(noisy, 0.8));
        QCOMPARE(chart.seriesPoints("raw"), noisy);  // not styled smooth
        chart.findChild<QSlider*>("smoothingSlider")->setValue(0);
        QCOMPARE(chart.smoothing(), 0.0);
        QCOMPARE(chart.seriesPoints("loss"), noisy);
    }

    void legendWithTwelveSeriesKeepsFullNames()
    {
        LineChart chart;
        chart.resize(900, 420);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        for (int i = 0; i < 12; ++i) {
            chart.setSeries(runName(i) + " dev", ramp(5, i), {QColor::fromHsv(i * 30, 200, 200), Qt::SolidLine, 2.0, true, runName(i)});
            chart.setSeries(runName(i) + " test", ramp(5, i * 0.9), {QColor::fromHsv(i * 30, 200, 200), Qt::DashLine, 1.5, false, runName(i)});
        }
        QApplication::processEvents();
        ChartLegend* legend = chart.legend();
        QCOMPARE(legend->entries().size(), 12);  // one per run: dev and test share it
        for (int i = 0; i < 12; ++i) QCOMPARE(legend->shownText(i), runName(i));
        // A narrow chart elides, but never below a readable width (12 characters).
        chart.resize(420, 300);
        QApplication::processEvents();
        for (int i = 0; i < 12; ++i) QVERIFY2(legend->shownText(i).size() >= 12, qPrintable(legend->shownText(i)));
        // The export always has the full names.
        QTemporaryDir dir;
        QString error;
        QVERIFY2(chart.exportSvg(dir.filePath("many.svg"), &error, QSize(900, 500)), qPrintable(error));
        QFile f(dir.filePath("many.svg"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray svg = f.readAll();
        for (int i = 0; i < 12; ++i) QVERIFY2(svg.contains(runName(i).toUtf8()), qPrintable(runName(i)));
        // Bigger on paper: the same layout at twice the resolution.
        const QImage image = chart.toImage(QSize(450, 300), 192);
        QCOMPARE(image.size(), QSize(900, 600));
        QVERIFY(std::abs(image.dotsPerMeterX() - 192 / 0.0254) < 2);
    }

    void clickingALegendEntryHidesItsSeries()
    {
        LineChart chart;
        chart.setSeries("a dev", ramp(4), {Qt::red, Qt::SolidLine, 2.0, false, "a"});
        chart.setSeries("a test", ramp(4, 2), {Qt::red, Qt::DashLine, 2.0, false, "a"});
        chart.setSeries("b", ramp(4, 10), {Qt::blue});
        QCOMPARE(chart.legend()->entries().size(), 2);
        const double top = chart.axisRange().bottom();
        chart.legend()->toggle(1);  // "b": the steepest
        QVERIFY(!chart.isSeriesVisible("b"));
        QVERIFY(chart.axisRange().bottom() < top);  // the axes follow what is shown
        chart.setSeries("b", ramp(6, 10));           // new data keeps it hidden
        QVERIFY(!chart.isSeriesVisible("b"));
        chart.legend()->toggle(0);
        QVERIFY(!chart.isSeriesVisible("a dev") && !chart.isSeriesVisible("a test"));
        chart.setEntryVisible("a", true);
        chart.setEntryVisible("b", true);
        QVERIFY(chart.isSeriesVisible("a test") && chart.isSeriesVisible("b"));
    }

    void zoomPanAndReset()
    {
        LineChart chart;
        chart.resize(640, 400);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.setSeries("loss", ramp(100));
        const QRectF full = chart.axisRange();
        chart.zoomTo(QRectF(QPointF(10, 60), QPointF(20, 70)));
        QVERIFY(chart.isZoomed());
        QCOMPARE(chart.axisRange().left(), 10.0);
        QCOMPARE(chart.axisRange().right(), 20.0);
        chart.setSeries("loss", ramp(200));  // live data does not undo the zoom
        QCOMPARE(chart.axisRange().right(), 20.0);
        chart.resetZoom();
        QVERIFY(!chart.isZoomed());
        QVERIFY(chart.axisRange().right() >= 200);
        // The wheel zooms around the cursor, a drag pans; the reset button brings it all back.
        const double width = chart.axisRange().width();
        chart.view()->zoomAround(chart.view()->rect().center(), 2.0);
        QVERIFY(chart.isZoomed());
        QVERIFY(std::abs(chart.axisRange().width() - width / 2) < width * 0.02);
        const double left = chart.axisRange().left();
        chart.view()->pan(QPointF(-50, 0));  // drag to the left: later steps come in
        QVERIFY(chart.axisRange().left() > left);
        auto* reset = chart.findChild<QToolButton*>("resetZoom");
        QVERIFY(reset->isEnabled());
        reset->click();
        QVERIFY(!chart.isZoomed());
        QVERIFY(chart.axisRange().left() <= full.left());
    }

    void hoverNamesTheSeriesAndThePoint()
    {
        LineChart chart;
        chart.setAxisTitles("epoch", "accuracy (%)");
        chart.setIntegerX(true);
        chart.resize(640, 400);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.setSeries("#3 topk k=20 dev", {{1, 80}, {2, 90}, {3, 95}});
        QApplication::processEvents();
        QChart* c = chart.view()->chart();
        const QPointF scene = c->mapToScene(c->mapToPosition(QPointF(2, 90)));
        const QPointF at = chart.view()->mapFromScene(scene);
        const QString tip = chart.tooltipAt(at + QPointF(3, -2));
        QVERIFY2(tip.contains("#3 topk k=20 dev") && tip.contains("epoch = 2") && tip.contains("accuracy = 90"), qPrintable(tip));
        QVERIFY(chart.tooltipAt(QPointF(2, 2)).isEmpty());  // outside the plot
    }

    void logToggleKeepsThePoints()
    {
        LineChart chart;
        chart.setSeries("ratio", {{1, 0.0}, {2, 0.1}, {3, 1.0}});
        chart.findChild<QToolButton*>("logY")->click();
        QVERIFY(chart.logY());
        QCOMPARE(chart.seriesPoints("ratio").size(), 2);  // 0 cannot be drawn on a log axis
        chart.findChild<QToolButton*>("logY")->click();
        QVERIFY(!chart.logY());
        QCOMPARE(chart.seriesPoints("ratio").size(), 3);  // and comes back
        chart.setLogX(true);
        QVERIFY(chart.findChild<QToolButton*>("logX")->isChecked());
    }

    void tickLabelsLeaveRoomBetweenThem()
    {
        LineChart chart;
        chart.resize(320, 260);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.setSeries("steps", {{0, 1}, {123456, 2}});
        QApplication::processEvents();
        chart.setSeries("steps", {{0, 1}, {123456, 2}});  // once laid out
        auto* x = qobject_cast<QValueAxis*>(chart.view()->chart()->axes(Qt::Horizontal).front());
        QVERIFY(x);
        const double ticks = (x->max() - x->min()) / x->tickInterval();
        const int label = QFontMetrics(x->labelsFont()).horizontalAdvance("123456");
        QVERIFY2(ticks * label < chart.view()->chart()->plotArea().width(),
                 qPrintable(QString("%1 ticks of %2 px in %3 px").arg(ticks).arg(label).arg(chart.view()->chart()->plotArea().width())));
    }

    void yLabelsShareTheirDecimals()
    {
        // Qt Charts sizes the label column from the end labels: "50" and "52.5" would elide to "5...".
        LineChart chart;
        chart.resize(500, 360);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.setSeries("dev", {{1, 54.2}, {2, 61.9}});
        QApplication::processEvents();
        chart.setSeries("dev", {{1, 54.2}, {2, 61.9}});
        auto* y = qobject_cast<QValueAxis*>(chart.view()->chart()->axes(Qt::Vertical).front());
        QVERIFY(y);
        const double step = y->tickInterval();
        QVERIFY(y->tickType() == QValueAxis::TicksDynamic);
        const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
        QVERIFY2(std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 || std::abs(mantissa - 5) < 1e-9, qPrintable(QString::number(step)));
        const QByteArray format = y->labelFormat().toLatin1();
        const int ticks = int(std::round((y->max() - y->min()) / step)) + 1;
        QVERIFY(ticks >= 2 && ticks <= 9);
        for (int i = 0; i < ticks; ++i) {
            const QString label = QString::asprintf(format.constData(), y->min() + i * step);
            QVERIFY2(std::abs(label.toDouble() - (y->min() + i * step)) < 1e-9, qPrintable(label + " for " + QString::number(y->min() + i * step)));
            QCOMPARE(label.section('.', 1).size(), QString::asprintf(format.constData(), y->min()).section('.', 1).size());
        }
    }

    void barLabelsOnlyWhereTheyFit()
    {
        BarChart chart;
        chart.resize(420, 260);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        QList<BarSetData> many;
        for (int i = 0; i < 12; ++i) many.append({runName(i), {0.1 * i, 0.2, 0.3}, QColor::fromHsv(i * 30, 200, 200)});
        chart.setData({"forward", "backprop", "update"}, many);
        QApplication::processEvents();
        chart.setData({"forward", "backprop", "update"}, many);
        QVERIFY(!chart.valueLabelsShown());  // 36 thin bars: the tooltip tells the value
        QVERIFY(chart.tooltipFor(runName(3), 0).contains("0.3"));
        QCOMPARE(chart.legend()->entries().size(), 12);
        chart.resize(1000, 700);
        QApplication::processEvents();
        chart.setData({"forward", "backprop", "update"}, {many[0], many[1]});
        QApplication::processEvents();
        chart.setData({"forward", "backprop", "update"}, {many[0], many[1]});
        QVERIFY(chart.valueLabelsShown());
        chart.legend()->toggle(1);
        QCOMPARE(chart.values(runName(1)).size(), 3);  // still known, just not drawn
        QVERIFY(!chart.legend()->entries()[1].visible);
    }
};

QTEST_MAIN(ChartInteractionTest)
#include "ChartInteractionTest.moc"
