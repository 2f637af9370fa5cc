#pragma once
// The workbench window: the config panel, the live charts, compare / k-sweep / weight-update
// views, the run table, exports, settings, and the scripted mode used for screenshots and tests.
#include "RunData.h"

#include <QList>
#include <QMap>
#include <QMainWindow>
#include <QSize>
#include <QString>
#include <QStringList>

#include <functional>

class QAction;
class QLabel;
class QLineEdit;
class QProgressBar;
class QProgressDialog;
class QSplitter;
class QTabWidget;
class QTableView;
class QTableWidget;
class QTimer;

namespace meprop {

class BarChart;
class ConfigPanel;
class DatasetDownloader;
struct DatasetInfo;
class LineChart;
class RunController;
class WeightHeatmap;

struct ScriptOptions {
    bool autorun = false;
    bool compare = false;
    QList<int> sweep;            // k values; empty: no sweep
    QString view;                // configure | live | compare | sweep | heatmap
    QString screenshot;          // PNG of the whole window
    double screenshotAt = -1.0;  // take it when the (first) run reaches this progress (0..1)
    QString bundle;              // .zip of every run
    bool quitWhenDone = false;
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // runsRoot: where runs write their files (empty: a folder under the app's data location).
    explicit MainWindow(const QString& runsRoot = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    ConfigPanel* configPanel() const { return m_config; }
    RunController* runs() const { return m_runs; }

    // Queues a run of the panel's config. False (and the reason in *why) when the config is invalid.
    bool start(QString* why = nullptr);
    bool startCompare(QString* why = nullptr);
    bool startSweep(const QList<int>& ks, QString* why = nullptr);
    void togglePause();
    void stopCurrent();

    // Loads the config panel from settings, files and --set texts; false and *error on bad input.
    bool applyPreset(const QString& name, QString* error);
    bool loadConfig(const QString& path, QString* error);
    bool applySettings(const QStringList& settings, QString* error);

    bool showView(const QString& name);  // configure | live | compare | sweep | heatmap
    static QStringList viewNames();

    bool exportBundle(const QString& path, QString* error);
    bool importBundle(const QString& path, QString* error);
    // A run folder's metrics.csv (CLI output, or the authors' code through bench/authors-code/run.sh).
    bool importMetrics(const QString& path, QString* error);
    bool exportTable(const QString& path, QString* error);  // .csv or .md by extension
    bool saveScreenshot(const QString& path, QString* error);
    // Chart ids for exports: accuracy, loss, ratio, timing, compare, compare_loss, sweep_accuracy,
    // sweep_speedup, heatmap.
    QStringList chartIds() const;
    bool exportChart(const QString& id, const QString& path, QString* error);  // .png or .svg
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

    // The last error shown (for tests; dialogs are not opened in scripted mode).
    QString lastError() const { return m_lastError; }
    bool restoreSettings();

signals:
    void scriptDone(int exitCode);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    struct Chart {
        QString id;
        QString title;
        std::function<bool(const QString&, QString*)> png;
        std::function<bool(const QString&, QString*)> svg;
        std::function<QImage()> image;
        QWidget* widget = nullptr;
    };

    void buildUi();
    void buildActions();
    QWidget* buildConfigureTab();
    QWidget* buildLiveTab();
    QWidget* buildCompareTab();
    QWidget* buildSweepTab();
    QWidget* buildHeatmapTab();
    void registerCharts();

    void scheduleRefresh();
    void refreshCurrent();
    void refreshLive();
    void refreshCompare();
    void refreshSweep();
    void refreshHeatmap();
    void updateActions();
    void updateStatus();
    void updateDatasetInfo();
    void onRunFailed(int id, const QString& message);
    void onWarning(int id, const QString& message);
    void onRunEnded(int id);
    void showError(const QString& title, const QString& message);
    void chooseDataFolder();
    void askDownload(const DatasetInfo& info);
    void onDownloadProgress(const QString& file, qint64 received, qint64 total);
    void closeDownloadDialog();
    void saveSettings();
    QList<const RunRecord*> shownRuns() const;
    QColor colorFor(int id) const;
    int latestGroup(GroupKind kind) const;
    int heatmapRunId() const;
    void finishScript();
    void takeScriptScreenshot();
    QString chooseSavePath(const QString& title, const QString& filters, const QString& suggested);

    RunController* m_runs = nullptr;
    ConfigPanel* m_config = nullptr;
    QTabWidget* m_tabs = nullptr;
    QSplitter* m_splitter = nullptr;
    QTableView* m_table = nullptr;
    LineChart* m_accChart = nullptr;
    LineChart* m_lossChart = nullptr;
    LineChart* m_ratioChart = nullptr;
    BarChart* m_timeChart = nullptr;
    LineChart* m_compareChart = nullptr;
    LineChart* m_compareLoss = nullptr;
    QTableWidget* m_compareTable = nullptr;
    LineChart* m_sweepAcc = nullptr;
    LineChart* m_sweepSpeed = nullptr;
    QTableWidget* m_sweepTable = nullptr;
    WeightHeatmap* m_heatmap = nullptr;
    QLabel* m_heatmapCaption = nullptr;
    QLabel* m_warningBanner = nullptr;
    QLabel* m_startReason = nullptr;
    QLabel* m_datasetInfo = nullptr;
    QLabel* m_statusText = nullptr;
    QProgressBar* m_statusProgress = nullptr;
    QLineEdit* m_sweepKs = nullptr;
    QTimer* m_refreshTimer = nullptr;

    DatasetDownloader* m_downloader = nullptr;
    QProgressDialog* m_downloadDialog = nullptr;
    QMap<QString, qint64> m_downloadReceived;  // file -> bytes so far
    qint64 m_downloadTotal = 0;                 // catalogue sizes summed; 0: unknown
    int m_downloadFiles = 0;

    QAction* m_startAct = nullptr;
    QAction* m_pauseAct = nullptr;
    QAction* m_stopAct = nullptr;
    QAction* m_compareAct = nullptr;
    QAction* m_sweepAct = nullptr;

    QList<Chart> m_charts;
    QString m_lastFolder;
    QString m_lastError;
    QString m_lastWarning;

    bool m_scripted = false;
    ScriptOptions m_script;
    bool m_scriptShotTaken = false;
    bool m_scriptFinishing = false;
    int m_scriptFailures = 0;
    QString m_scriptFailure;
};

}  // namespace meprop
