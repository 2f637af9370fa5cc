#pragma once
// The workbench window, a thin shell: the tabs (one WorkbenchView each), the run table
// (RunTableView), the status bar and the operations the menus, tests and the scripted mode call.
// The views draw themselves from the RunController's records (the Paper view from its own
// ReproduceController); the experiment plans come from plan/ExperimentPlan, the scripted mode is
// ScriptRunner and the download dialog DownloadDialog. Implemented by concept: MainWindow.cpp (the
// shell, runs, status), MainWindowMenus.cpp (menus and tool bar), MainWindowExport.cpp (exports
// and imports), MainWindowSettings.cpp (settings, quitting, the first window size).
#include "RunData.h"
#include "ScriptRunner.h"
#include "views/WorkbenchView.h"

#include <QList>
#include <QMainWindow>
#include <QSize>
#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

class QAction;
class QLabel;
class QLineEdit;
class QProgressBar;
class QSpinBox;
class QSplitter;
class QTabWidget;
class QTimer;

namespace meprop {

class CompareView;
class ConfigPanel;
class ConfigureView;
class DownloadDialog;
struct DatasetInfo;
class HeatmapView;
class LiveView;
class PaperView;
struct PlannedRun;
class RunController;
class RunsBrowser;
class RunTableView;
class SweepView;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // runsRoot: where runs write their files (empty: a folder under the app's data location).
    explicit MainWindow(const QString& runsRoot = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    ConfigPanel* configPanel() const;
    RunController* runs() const { return m_runs; }
    PaperView* paperView() const { return m_paper; }

    // Queues a run of the panel's config. False (and the reason in *why) when the config is invalid.
    bool start(QString* why = nullptr);
    bool startCompare(QString* why = nullptr);
    bool startSweep(const QList<int>& ks, QString* why = nullptr);
    // Seeds per config for Start, Compare and k sweep (1: the config's own seed).
    int seeds() const;
    void setSeeds(int n);
    // Runs at once: the "parallel" box, or with it on auto (0) the cores / the config's threads.
    int parallelRuns() const;
    void setParallelRuns(int n);  // 0: auto
    void togglePause();
    void stopCurrent();

    // Loads the config panel from settings, files and --set texts; false and *error on bad input.
    bool applyPreset(const QString& name, QString* error);
    bool loadConfig(const QString& path, QString* error);
    bool applySettings(const QStringList& settings, QString* error);

    bool showView(const QString& name);  // configure | live | compare | sweep | heatmap | runs | paper
    static QStringList viewNames();

    // The runs selected in the run table (every run when none is selected) with the charts and the
    // results table.
    bool exportBundle(const QString& path, QString* error);
    bool importBundle(const QString& path, QString* error);
    // File > Resume run folder: queues the continuation of the run in `folder` from its checkpoint
    // (a folder with checkpoint.bin and no summary.json). False with the reason otherwise.
    bool resumeFolder(const QString& folder, QString* error);
    // A run folder's metrics.csv (CLI output, or the authors' code through bench/authors-code/run.sh).
    bool importMetrics(const QString& path, QString* error);
    // Every run of the table: a column per varied config key, plain numbers (ResultsTable).
    bool exportTable(const QString& path, QString* error);  // .csv or .md by extension

    // Run management. Selects rows of the run table (by run id), as a click does.
    void selectRuns(const QList<int>& ids);
    QList<int> selectedRunIds() const { return selectedIds(); }
    void renameRun(int id, const QString& name);
    // Removes runs from the session (and with removeFolders their run folders); the running one is
    // refused. False and the reasons in *error when one could not be removed.
    bool deleteRuns(const QList<int>& ids, bool removeFolders, QString* error);
    // Loads run folders (from the Runs browser) into the run table and the charts.
    bool loadRunFolders(const QStringList& dirs, QString* error);
    // Where new runs go and the Runs browser looks.
    void setRunsRoot(const QString& dir);
    bool saveScreenshot(const QString& path, QString* error);
    // Chart ids for exports: accuracy, loss, ratio, timing, compare, compare_loss, sweep_accuracy,
    // sweep_speedup, heatmap.
    QStringList chartIds() const;
    // .png or .svg; `size` (layout pixels, empty: as on screen) and `dpi` as ExportableChart.
    bool exportChart(const QString& id, const QString& path, QString* error, QSize size = {}, double dpi = 96.0);
    // The widget drawing chart `id` (LineChart, BarChart or WeightHeatmap), for tests.
    QWidget* chartWidget(const QString& id) const;

    // Downloads the files of `info` (a catalogue entry with mirrors) into `folder` with a
    // cancellable progress dialog; on success the config panel's data folder becomes `folder`,
    // a failure shows one message naming the file and the URLs tried. Returns at once; false
    // (with the reason shown) when a download is already running.
    bool downloadDataset(const DatasetInfo& info, const QString& folder);

    // Redraws every view now (exports and screenshots call it).
    void refreshAll();

    // Scripted mode (--autorun etc.): runs, screenshots, exports and quits with the exit code.
    void runScript(const ScriptOptions& options);
    bool isScripted() const { return m_scripted; }

    // What closing the window with runs in progress does; asked with a message box unless a test
    // sets the answer (setQuitAnswer).
    enum class QuitChoice { Cancel, StopRuns, QuitWhenDone };
    void setQuitAnswer(std::function<QuitChoice(int running, int queued)> answer) { m_quitAnswer = std::move(answer); }
    bool quitsWhenDone() const { return m_quitWhenDone; }

    // The first-start window size for a screen whose available area is `available`: about 80 % of
    // it, at least 1280 x 800 where the screen is that large, never larger than the screen.
    static QSize initialSize(const QSize& available);

    // The last error shown (for tests; dialogs are not opened in scripted mode).
    QString lastError() const { return m_lastError; }
    bool restoreSettings();

signals:
    void scriptDone(int exitCode);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildUi();
    void buildActions();
    QList<WorkbenchView*> views() const;
    QList<ChartRef> charts() const;
    QList<int> selectedIds() const;
    void startPlan(const std::vector<PlannedRun>& plan, GroupKind kind);
    bool checkConfig(QString* why);
    bool checkConfigAndParallel(QString* why);

    void scheduleRefresh();
    void refreshCurrent();
    void updateActions();
    void updateStatus();
    // A message in the status bar for `ms` milliseconds (then the run status again).
    void showStatus(const QString& text, int ms = 0);
    void onRunFailed(int id, const QString& message);
    void onWarning(int id, const QString& message);
    void onRunEnded(int id);
    void showError(const QString& title, const QString& message);
    void chooseDataFolder();
    void askDownload(const DatasetInfo& info);
    void saveSettings();
    void askDeleteSelected();
    void renameSelected();
    void showTableMenu(const QPoint& pos);
    void chooseRunsRoot();
    QuitChoice askQuit(int running, int queued);
    QString chooseSavePath(const QString& title, const QString& filters, const QString& suggested);

    RunController* m_runs = nullptr;
    QTabWidget* m_tabs = nullptr;
    QSplitter* m_splitter = nullptr;
    RunTableView* m_table = nullptr;
    ConfigureView* m_configure = nullptr;
    LiveView* m_live = nullptr;
    CompareView* m_compare = nullptr;
    SweepView* m_sweep = nullptr;
    HeatmapView* m_heatmap = nullptr;
    RunsBrowser* m_runsBrowser = nullptr;
    PaperView* m_paper = nullptr;
    QLabel* m_statusText = nullptr;
    QProgressBar* m_statusProgress = nullptr;
    QLineEdit* m_sweepKs = nullptr;
    QSpinBox* m_seeds = nullptr;
    QSpinBox* m_parallel = nullptr;
    QTimer* m_refreshTimer = nullptr;
    QTimer* m_flashTimer = nullptr;
    QString m_flash;
    DownloadDialog* m_download = nullptr;

    QAction* m_startAct = nullptr;
    QAction* m_pauseAct = nullptr;
    QAction* m_stopAct = nullptr;
    QAction* m_compareAct = nullptr;
    QAction* m_sweepAct = nullptr;

    QString m_lastFolder;
    QSize m_exportSize{1200, 750};
    double m_exportDpi = 96.0;
    QString m_lastError;
    QString m_lastWarning;
    bool m_scripted = false;
    bool m_runsRootGiven = false;  // --runs-dir: not replaced by the saved setting
    bool m_quitWhenDone = false;
    std::function<QuitChoice(int, int)> m_quitAnswer;
};

}  // namespace meprop
