// meprop-figures: renders the figure panels that `meprop reproduce` writes (DIR/figures/figures.json)
// with Qt Charts, as DIR/figures/<panel>.svg and .png, error bars included. `meprop reproduce` runs it
// (offscreen) when it finds it beside itself.
//   meprop-figures FIGURES.json OUTDIR [--width W] [--height H]
// Exit codes: 0 written; 2 bad input (one line on stderr); 1 a file could not be written.
#include "charts/FigurePanels.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QJsonDocument>

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
    QList<meprop::FigurePanel> panels;
    QString why;
    if (!meprop::figurePanelsFromJson(doc, args[0], &panels, &why)) return badInput(why);
    if (!QDir().mkpath(args[1])) return badInput(args[1] + QStringLiteral(": cannot create the folder"));

    int written = 0;
    for (const meprop::FigurePanel& panel : std::as_const(panels)) {
        const QString base = QDir(args[1]).filePath(panel.id);
        int bars = 0;
        if (!meprop::renderFigurePanel(panel, base, size, &why, &bars)) {
            std::fprintf(stderr, "meprop-figures: %s\n", qPrintable(why));
            return 1;
        }
        std::printf("wrote %s.svg and %s.png (%d error bars)\n", qPrintable(base), qPrintable(base), bars);
        ++written;
    }
    if (written == 0) return badInput(args[0] + QStringLiteral(": no panel"));
    return 0;
}
