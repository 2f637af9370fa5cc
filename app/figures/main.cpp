// meprop-figures: renders the figure panels that `meprop reproduce` writes (DIR/figures/figures.json)
// with Qt Charts, as DIR/figures/<panel>.svg and .png, error bars included. `meprop reproduce` runs it
// (offscreen) when it finds it beside itself.
//   meprop-figures FIGURES.json OUTDIR [--width W] [--height H]
// Exit codes: 0 written; 2 bad input (one line on stderr); 1 a file could not be written.
#include "charts/ErrorBarChart.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace {

// Qt's own notes (XDG_RUNTIME_DIR, offscreen platform) are not ours to print: only real errors.
void quietQt(QtMsgType type, const QMessageLogContext&, const QString& message)
{
    if (type == QtCriticalMsg || type == QtFatalMsg) std::fprintf(stderr, "meprop-figures: Qt: %s\n", qPrintable(message));
}

int badInput(const QString& message)
{
    std::fprintf(stderr, "meprop-figures: %s\n", qPrintable(message));
    return 2;
}

}  // namespace

int main(int argc, char** argv)
{
    qInstallMessageHandler(quietQt);
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("meprop-figures"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Render meprop reproduce's figure panels (figures.json) as SVG and PNG with Qt Charts"));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("figures.json"), QStringLiteral("the panels, as written by meprop reproduce"));
    parser.addPositionalArgument(QStringLiteral("outdir"), QStringLiteral("where <panel>.svg and <panel>.png go"));
    QCommandLineOption width(QStringLiteral("width"), QStringLiteral("pixels (default 900)"), QStringLiteral("W"), QStringLiteral("900"));
    QCommandLineOption height(QStringLiteral("height"), QStringLiteral("pixels (default 560)"), QStringLiteral("H"), QStringLiteral("560"));
    parser.addOption(width);
    parser.addOption(height);
    parser.process(app);
    const QStringList args = parser.positionalArguments();
    if (args.size() != 2) return badInput(QStringLiteral("expected FIGURES.json OUTDIR (see --help)"));
    bool okW = false, okH = false;
    const QSize size(parser.value(width).toInt(&okW), parser.value(height).toInt(&okH));
    if (!okW || !okH || size.width() < 100 || size.height() < 100 || size.width() > 10000 || size.height() > 10000)
        return badInput(QStringLiteral("--width/--height: expected 100 to 10000 pixels"));

    QFile file(args[0]);
    if (!file.open(QIODevice::ReadOnly)) return badInput(args[0] + QStringLiteral(": cannot open (") + file.errorString() + QStringLiteral(")"));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        return badInput(args[0] + QStringLiteral(": not valid JSON (at byte %1: %2)").arg(error.offset).arg(error.errorString()));
    if (!doc.isArray()) return badInput(args[0] + QStringLiteral(": expected a JSON array of panels"));
    if (!QDir().mkpath(args[1])) return badInput(args[1] + QStringLiteral(": cannot create the folder"));

    int written = 0;
    for (const QJsonValue& v : doc.array()) {
        const QJsonObject panel = v.toObject();
        const QString id = panel.value(QStringLiteral("id")).toString();
        if (id.isEmpty() || id.contains(QLatin1Char('/')) || id.startsWith(QLatin1Char('.')))
            return badInput(args[0] + QStringLiteral(": a panel without a plain \"id\""));
        QList<meprop::ErrorBarSeries> series;
        for (const QJsonValue& sv : panel.value(QStringLiteral("series")).toArray()) {
            const QJsonObject so = sv.toObject();
            meprop::ErrorBarSeries s;
            s.name = so.value(QStringLiteral("name")).toString();
            s.horizontal = so.value(QStringLiteral("horizontal")).toBool();
            for (const QJsonValue& pv : so.value(QStringLiteral("points")).toArray()) {
                const QJsonObject po = pv.toObject();
                for (const char* key : {"x", "mean", "low", "high"})
                    if (!po.value(QLatin1String(key)).isDouble())
                        return badInput(args[0] + QStringLiteral(": panel %1, series \"%2\": a point without a number \"%3\"").arg(id, s.name, key));
                s.points.append({po.value(QStringLiteral("x")).toDouble(), po.value(QStringLiteral("mean")).toDouble(),
                                 po.value(QStringLiteral("low")).toDouble(), po.value(QStringLiteral("high")).toDouble()});
            }
            series.append(s);
        }
        meprop::ErrorBarChart chart;
        chart.setTitle(panel.value(QStringLiteral("title")).toString());
        chart.setAxisTitles(panel.value(QStringLiteral("x_label")).toString(), panel.value(QStringLiteral("y_label")).toString());
        chart.setLogX(panel.value(QStringLiteral("log_x")).toBool());
        chart.setData(series);
        QString why;
        const QString base = QDir(args[1]).filePath(id);
        if (!chart.exportSvg(base + QStringLiteral(".svg"), &why, size) || !chart.exportPng(base + QStringLiteral(".png"), &why, size)) {
            std::fprintf(stderr, "meprop-figures: %s\n", qPrintable(why));
            return 1;
        }
        std::printf("wrote %s.svg and %s.png (%d error bars)\n", qPrintable(base), qPrintable(base), chart.errorBarCount());
        ++written;
    }
    if (written == 0) return badInput(args[0] + QStringLiteral(": no panel"));
    return 0;
}
