// Fuzz target `bundle`: the workbench's run-bundle import (app/Bundle.*: QuaZip, manifest.json,
// run.json, config.json, metrics.csv, summary.json) and what the window derives from an imported run.
// Input: a mode byte, then
//   mode even: the bytes of a .zip, read as they are;
//   mode odd:  entries (a name byte count, the name, a 2-byte content length, the content; repeated)
//              that this harness zips first, so the files inside a bundle are fuzzed directly
//              (QuaZip is a system library without coverage instrumentation; the zip layer
//              itself is fuzzed by the even mode).
// Properties: a refused bundle says why in one line that starts with its name; an imported run
// survives what the window does with it (legend, totals, ratios, curves, re-export as run.json and
// metrics.csv, which read back).
#include "FuzzSupport.h"

#include "Bundle.h"
#include "charts/Smoothing.h"

#include <quazip/quazip.h>
#include <quazip/quazipfile.h>

#include <QBuffer>

#include <cmath>

namespace {

using namespace meprop;

QByteArray zipEntries(fuzz::Input& in)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    QuaZip zip(&buffer);
    if (!zip.open(QuaZip::mdCreate)) fuzz::violated("test harness: cannot create a zip");
    for (int i = 0; i < 64; ++i) {
        const std::uint8_t nameLength = in.byte();
        if (nameLength == 0) break;
        std::string name;
        for (std::uint8_t k = 0; k < nameLength; ++k) name += static_cast<char>(in.byte());
        const std::string_view content = in.part();
        QuaZipFile file(&zip);
        if (!file.open(QIODevice::WriteOnly, QuaZipNewInfo(QString::fromUtf8(name.data(), qsizetype(name.size())))))
            continue;  // a name QuaZip refuses
        file.write(content.data(), qint64(content.size()));
        file.close();
    }
    zip.close();
    return bytes;
}

void useRun(const RunRecord& r)
{
    (void)r.legend();
    (void)r.mode();
    (void)r.k();
    (void)r.totalBpLinear();
    (void)r.totalForward();
    (void)r.totalUpdate();
    (void)r.bestDev();
    (void)r.testAtBest();
    (void)configSummary(r.config);
    for (const EpochData& e : r.epochs) (void)r.backpropRatio(e);
    (void)thinnedTo(emaSmoothed(r.batchLoss, 0.9), 500);
    for (const auto& layer : r.ratio) (void)thinnedTo(layer, 500);
    (void)toJson(r);  // with the weight-update history

    // Export again (a bundle of imported runs): run.json and metrics.csv must read back.
    RunRecord again;
    QString error;
    fuzz::require(fromJson(toJson(r), &again, &error), "run.json of an imported run does not read back", error.toStdString());
    fuzz::require(again.epochs.size() == r.epochs.size(), "run.json of an imported run reads back to another epoch count");
    QList<EpochData> epochs;
    fuzz::require(parseMetricsCsv(metricsCsv(r), &epochs, &error), "metrics.csv of an imported run does not read back",
                  error.toStdString());
    fuzz::require(epochs.size() == r.epochs.size(), "metrics.csv of an imported run reads back to another epoch count");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fuzz::Input in(data, size);
    const std::uint8_t mode = in.byte();
    QByteArray bytes;
    if (mode % 2 == 0) {
        const std::string_view rest = in.rest();
        bytes = QByteArray(rest.data(), qsizetype(rest.size()));
    } else {
        bytes = zipEntries(in);
    }
    QBuffer device(&bytes);
    QList<RunRecord> runs;
    QString error;
    QMap<QString, QByteArray> files;
    const QString name = QStringLiteral("fuzz.zip");
    if (!readBundle(&device, name, &runs, &error, &files)) {
        fuzz::requireClearMessage(error.toStdString(), "fuzz.zip");
        fuzz::require(error.startsWith(name), "error does not start with the bundle's name", error.toStdString());
        return 0;
    }
    fuzz::require(!runs.isEmpty(), "a bundle without runs was accepted");
    for (const RunRecord& r : runs) useRun(r);
    return 0;
}
