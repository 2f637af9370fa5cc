#pragma once
// The scripted mode (--autorun, --screenshot, --export-bundle, --quit-when-done ...): starts the
// runs, takes the screenshot (mid-run or at the end), exports the bundle and reports an exit code
// through done(). Used for the documentation's screenshots and by the end-to-end tests.
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

namespace meprop {

class MainWindow;

struct ScriptOptions {
    bool autorun = false;
    bool compare = false;
    int seeds = 1;               // seeds 1..N per config (1: the config's own)
    QList<int> sweep;            // k values; empty: no sweep
    QString view;                // configure | live | compare | sweep | heatmap | runs
    QString screenshot;          // PNG of the whole window
    double screenshotAt = -1.0;  // take it when the (first) run reaches this progress (0..1)
    QString bundle;              // .zip of every run
    QStringList reproduce;       // with --autorun: run these tables in the Paper view (and write the report)
    QString budget = QStringLiteral("quick");  // of --reproduce
    bool seedsGiven = false;
    int parallel = -1;           // runs at once (0: auto; -1: as set)     // --seeds given (else --reproduce takes the budget's default)
    bool quitWhenDone = false;
};

class ScriptRunner : public QObject {
    Q_OBJECT
public:
    ScriptRunner(MainWindow* window, const ScriptOptions& options);

    // Starts the script; done(code) follows from the event loop: 0 fine, 1 a run or an output
    // failed (one line on stderr), 2 the config cannot start.
    void start();

signals:
    void done(int exitCode);

private:
    void finish();
    void startReproduce();
    void takeScreenshot();

    MainWindow* m_window;
    ScriptOptions m_options;
    bool m_shotTaken = false;
    bool m_finishing = false;
    int m_failures = 0;
    QString m_failure;
};

}  // namespace meprop
