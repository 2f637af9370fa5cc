// meprop-workbench: the Qt front end over the engine's Trainer. With --autorun and friends it runs
// without a person (screenshots, bundles, tests): see --help.
#include "MainWindow.h"

#include "ConfigPanel.h"
#include "core/Parallel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QRegularExpression>

#include <cstdio>

using namespace meprop;

namespace {

int fail(const QString& message)
{
    std::fprintf(stderr, "meprop-workbench: %s\n", qPrintable(message));
    return 2;
}

}  // namespace

// The worker threads' OpenMP loops wait passively, as in the CLI (core/Parallel.h): the workbench
// shares the cores with its own GUI thread.
MEPROP_PASSIVE_OPENMP_WAIT

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("meprop"));
    QApplication::setApplicationName(QStringLiteral("meprop-workbench"));
    QApplication::setApplicationVersion(QStringLiteral(MEPROP_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("meProp Workbench: train with sparsified back propagation and watch it."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption preset(QStringLiteral("preset"), QStringLiteral("Start from the engine preset NAME."), QStringLiteral("NAME"));
    const QCommandLineOption config(QStringLiteral("config"), QStringLiteral("Load a config JSON file."), QStringLiteral("FILE"));
    const QCommandLineOption set(QStringLiteral("set"), QStringLiteral("Set one config key (repeatable), as in the CLI."), QStringLiteral("key=value"));
    const QCommandLineOption autorun(QStringLiteral("autorun"), QStringLiteral("Start the run at once."));
    const QCommandLineOption compare(QStringLiteral("compare"), QStringLiteral("With --autorun: queue top-k, random and dense runs of the config."));
    const QCommandLineOption sweep(QStringLiteral("sweep"), QStringLiteral("With --autorun: run a k sweep over K1,K2,... (plus the dense baseline)."), QStringLiteral("K1,K2,..."));
    const QCommandLineOption seeds(QStringLiteral("seeds"), QStringLiteral("With --autorun: run each config with seeds 1..N (a seed group: mean and std)."), QStringLiteral("N"));
    const QCommandLineOption reproduce(QStringLiteral("reproduce"), QStringLiteral("With --autorun: reproduce the paper's TABLE,... (table1..table8, fig4-left, fig4-middle, fig4-right, all) in the Paper view, into DIR/reproduce-<budget> (DIR: --runs-dir), and write the report there."), QStringLiteral("TABLE,..."));
    const QCommandLineOption budget(QStringLiteral("budget"), QStringLiteral("Budget of --reproduce: smoke, quick (default) or paper."), QStringLiteral("B"));
    const QCommandLineOption parallel(QStringLiteral("parallel"), QStringLiteral("Runs at once (0: auto, the cores / the config's threads; default). Timings are cleanest with 1."), QStringLiteral("N"));
    const QCommandLineOption view(QStringLiteral("view"), QStringLiteral("Tab to show: configure, live, compare, sweep, heatmap, runs or paper."), QStringLiteral("VIEW"));
    const QCommandLineOption shot(QStringLiteral("screenshot"), QStringLiteral("Save a PNG of the whole window when done."), QStringLiteral("FILE.png"));
    const QCommandLineOption shotAt(QStringLiteral("screenshot-at"), QStringLiteral("Take the screenshot mid-run, when the first run reaches FRACTION (0..1) of its batches."), QStringLiteral("FRACTION"));
    const QCommandLineOption bundle(QStringLiteral("export-bundle"), QStringLiteral("Save a run bundle (.zip) of every run when done."), QStringLiteral("FILE.zip"));
    const QCommandLineOption importB(QStringLiteral("import-bundle"), QStringLiteral("Import a run bundle into the run table at start (repeatable)."), QStringLiteral("FILE.zip"));
    const QCommandLineOption quit(QStringLiteral("quit-when-done"), QStringLiteral("Quit when the runs are done (exit code 1 and one line on stderr if one failed)."));
    const QCommandLineOption runsDir(QStringLiteral("runs-dir"), QStringLiteral("Folder for the runs' files (default: the app's data folder)."), QStringLiteral("DIR"));
    const QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size, e.g. 1400x900."), QStringLiteral("WxH"));
    for (const auto& o : {preset, config, set, autorun, compare, seeds, sweep, reproduce, budget, parallel, view, shot, shotAt, bundle, importB, quit, runsDir, size}) parser.addOption(o);
    parser.process(app);

    if (!parser.positionalArguments().isEmpty()) return fail(QStringLiteral("unexpected argument \"%1\" (see --help)").arg(parser.positionalArguments().front()));
    ScriptOptions script;
    script.autorun = parser.isSet(autorun);
    script.compare = parser.isSet(compare);
    script.view = parser.value(view);
    script.screenshot = parser.value(shot);
    script.bundle = parser.value(bundle);
    script.quitWhenDone = parser.isSet(quit);
    if (!script.view.isEmpty() && !MainWindow::viewNames().contains(script.view))
        return fail(QStringLiteral("--view %1: expected one of %2").arg(script.view, MainWindow::viewNames().join(QStringLiteral(", "))));
    if (parser.isSet(sweep)) {
        for (const QString& part : parser.value(sweep).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            bool ok = false;
            const int k = part.trimmed().toInt(&ok);
            if (!ok || k < 1) return fail(QStringLiteral("--sweep: \"%1\" is not a positive integer").arg(part));
            script.sweep << k;
        }
        if (script.sweep.isEmpty()) return fail(QStringLiteral("--sweep: expected K1,K2,..."));
    }
    if (parser.isSet(seeds)) {
        bool ok = false;
        script.seeds = parser.value(seeds).toInt(&ok);
        if (!ok || script.seeds < 1 || script.seeds > 20) return fail(QStringLiteral("--seeds: expected an integer in [1, 20]"));
    }
    if (parser.isSet(reproduce)) {
        for (const QString& part : parser.value(reproduce).split(QLatin1Char(','), Qt::SkipEmptyParts)) script.reproduce << part.trimmed();
        if (script.reproduce.isEmpty()) return fail(QStringLiteral("--reproduce: expected TABLE,... (e.g. table6,fig4-left)"));
        if (script.compare || !script.sweep.isEmpty()) return fail(QStringLiteral("--reproduce cannot be combined with --compare or --sweep"));
    }
    script.seedsGiven = parser.isSet(seeds);
    if (parser.isSet(parallel)) {
        bool ok = false;
        script.parallel = parser.value(parallel).toInt(&ok);
        if (!ok || script.parallel < 0 || script.parallel > 64) return fail(QStringLiteral("--parallel: expected an integer in [0, 64]"));
    }
    if (parser.isSet(budget)) {
        script.budget = parser.value(budget);
        if (script.budget != QLatin1String("smoke") && script.budget != QLatin1String("quick") && script.budget != QLatin1String("paper"))
            return fail(QStringLiteral("--budget %1: expected smoke, quick or paper").arg(script.budget));
        if (script.reproduce.isEmpty()) return fail(QStringLiteral("--budget goes with --reproduce"));
    }
    if (script.compare && !script.sweep.isEmpty()) return fail(QStringLiteral("--compare and --sweep cannot be combined"));
    if (parser.isSet(shotAt)) {
        bool ok = false;
        script.screenshotAt = parser.value(shotAt).toDouble(&ok);
        if (!ok || script.screenshotAt < 0 || script.screenshotAt > 1) return fail(QStringLiteral("--screenshot-at: expected a fraction in [0, 1]"));
    }
    const bool scripted = script.autorun || script.quitWhenDone || !script.screenshot.isEmpty() || !script.bundle.isEmpty();

    MainWindow window(parser.value(runsDir));
    if (!scripted) window.restoreSettings();
    QString error;
    if (parser.isSet(preset) && !window.applyPreset(parser.value(preset), &error)) return fail(QStringLiteral("--preset: %1").arg(error));
    if (parser.isSet(config) && !window.loadConfig(parser.value(config), &error)) return fail(error);
    if (parser.isSet(set) && !window.applySettings(parser.values(set), &error)) return fail(error);
    for (const QString& zip : parser.values(importB))
        if (!window.importBundle(zip, &error)) return fail(error);

    QSize windowSize(1440, 900);
    if (parser.isSet(size)) {
        const auto m = QRegularExpression(QStringLiteral("^(\\d+)x(\\d+)$")).match(parser.value(size));
        if (!m.hasMatch()) return fail(QStringLiteral("--size: expected WxH, e.g. 1400x900"));
        windowSize = QSize(m.captured(1).toInt(), m.captured(2).toInt());
    }
    if (scripted || parser.isSet(size)) window.resize(windowSize);
    window.show();

    if (scripted) {
        QObject::connect(&window, &MainWindow::scriptDone, &app, [&](int code) {
            if (script.quitWhenDone || code == 2) QCoreApplication::exit(code);
        });
        window.runScript(script);
    }
    return QApplication::exec();
}
