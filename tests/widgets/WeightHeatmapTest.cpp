// HeatmapHistory turns per-step selections into a neurons x steps buffer; WeightHeatmap paints it.
#include "WeightHeatmap.h"

#include <QImage>
#include <QTemporaryDir>
#include <QTest>

using namespace meprop;

class WeightHeatmapTest : public QObject {
    Q_OBJECT
private slots:
    void historyBuildsTheLitBuffer()
    {
        HeatmapHistory h(3);
        h.add(1, 0, "hidden1", 4, 2, {0, 2}, {1, 0, 1, 0});
        h.add(2, 0, "hidden1", 4, 2, {2, 3, 99, -1}, {1, 0, 2, 1});
        const auto layers = h.layers();
        QCOMPARE(layers.size(), 1);
        const HeatmapLayer& l = layers[0];
        QCOMPARE(l.neurons, 4);
        QCOMPARE(l.steps, 2);
        QCOMPARE(l.lastStep, 2L);
        auto lit = [&](int n, int s) { return static_cast<unsigned char>(l.lit[n * l.steps + s]) == 255; };
        QVERIFY(lit(0, 0) && !lit(0, 1));
        QVERIFY(!lit(1, 0) && !lit(1, 1));
        QVERIFY(lit(2, 0) && lit(2, 1));
        QVERIFY(!lit(3, 0) && lit(3, 1));
        QCOMPARE(l.counts, (QList<quint64>{1, 0, 2, 1}));
    }

    void historyKeepsOnlyTheLatestSteps()
    {
        HeatmapHistory h(3);
        for (long s = 1; s <= 10; ++s) h.add(s, 0, "out", 2, 1, {int(s % 2)}, {});
        const auto l = h.layers().at(0);
        QCOMPARE(l.steps, 3);
        QCOMPARE(l.lastStep, 10L);
        // Steps 8, 9, 10 lit rows 0, 1, 0.
        QCOMPARE(static_cast<unsigned char>(l.lit[0 * 3 + 0]), 255);
        QCOMPARE(static_cast<unsigned char>(l.lit[1 * 3 + 1]), 255);
        QCOMPARE(static_cast<unsigned char>(l.lit[0 * 3 + 2]), 255);
        QCOMPARE(static_cast<unsigned char>(l.lit[1 * 3 + 0]), 0);
    }

    void imageMarksLitCells()
    {
        HeatmapHistory h(2);
        h.add(1, 0, "hidden1", 3, 1, {1}, {0, 1, 0});
        h.add(2, 0, "hidden1", 3, 1, {2}, {0, 1, 1});
        WeightHeatmap w;
        w.setLayers(h.layers());
        const QImage img = w.layerImage(0);
        QCOMPARE(img.size(), QSize(2, 3));
        QVERIFY(img.pixelColor(0, 1) != img.pixelColor(0, 0));  // lit vs unlit
        QCOMPARE(img.pixelColor(1, 2), img.pixelColor(0, 1));
        QCOMPARE(img.pixelColor(1, 1), img.pixelColor(0, 0));
    }

    void exportsPaintTheMap()
    {
        HeatmapHistory h(50);
        for (long s = 1; s <= 50; ++s) {
            std::vector<int> rows;
            for (int r = 0; r < 20; ++r)
                if ((r + s) % 3 == 0) rows.push_back(r);
            QList<quint64> counts;
            for (int r = 0; r < 20; ++r) counts << quint64(r * s);
            h.add(s, 0, "hidden1", 20, 5, rows, counts);
            h.add(s, 1, "output", 10, 10, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, QList<quint64>(10, quint64(s)));
        }
        WeightHeatmap w;
        w.setTitle("Which weights get updated");
        w.setLayers(h.layers());
        QTemporaryDir dir;
        QString error;
        QVERIFY2(w.exportPng(dir.filePath("h.png"), &error, QSize(800, 500)), qPrintable(error));
        const QImage img(dir.filePath("h.png"));
        QCOMPARE(img.size(), QSize(800, 500));
        int dark = 0;
        for (int y = 0; y < img.height(); y += 2)
            for (int x = 0; x < img.width(); x += 2) dark += img.pixelColor(x, y).blue() > 120 && img.pixelColor(x, y).red() < 80;
        QVERIFY2(dark > 1000, "lit cells are not visible");
        QVERIFY2(w.exportSvg(dir.filePath("h.svg"), &error), qPrintable(error));
        QVERIFY(!w.exportPng("/nonexistent/h.png", &error));
    }

    void lstmGateBlocksGetTheirKPerBlock()
    {
        HeatmapHistory h(4);
        h.add(1, 0, "lstm.fwd", 200, 20, {0, 60, 120, 180}, QList<quint64>(200, 1), 4);
        h.add(1, 1, "output", 44, 5, {1, 2}, QList<quint64>(44, 1));
        WeightHeatmap w;
        w.setCountUnit("token");
        w.setLayers(h.layers());
        QCOMPARE(w.layers()[0].blocks, 4);
        const QString head = w.layerHeader(0);
        QVERIFY2(head.contains("4 blocks") && head.contains("k = 5 per block") && head.contains("20 rows per token"), qPrintable(head));
        QVERIFY2(w.layerHeader(1).contains("k = 5 per token") && !w.layerHeader(1).contains("block"), qPrintable(w.layerHeader(1)));
    }

    void neuronRangeZoomsAndScrolls()
    {
        WeightHeatmap w;
        QCOMPARE(w.rangeFrom(), 0.0);
        QCOMPARE(w.rangeTo(), 1.0);
        w.zoomRows(4.0, 0.5);  // a quarter of the rows, around the middle
        QVERIFY(std::abs(w.rangeTo() - w.rangeFrom() - 0.25) < 1e-9);
        QVERIFY(w.rangeFrom() < 0.5 && w.rangeTo() > 0.5);
        w.zoomRows(4.0, 0.0);  // at the top edge the range stays inside the layer
        QVERIFY(w.rangeFrom() >= 0.0);
        w.setNeuronRange(0.9, 1.4);
        QCOMPARE(w.rangeTo(), 1.0);
        w.zoomRows(0.01, 0.5);  // zooming out never shows more than all rows
        QCOMPARE(w.rangeFrom(), 0.0);
        QCOMPARE(w.rangeTo(), 1.0);
    }
};

QTEST_MAIN(WeightHeatmapTest)
#include "WeightHeatmapTest.moc"
