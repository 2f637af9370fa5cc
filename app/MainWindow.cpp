#include "MainWindow.h"

#include "Bundle.h"
#include "ChartExportDialog.h"
#include "ConfigPanel.h"
#include "DownloadDialog.h"
#include "EngineBridge.h"
#include "ExperimentPlan.h"
#include "ProgressDelegate.h"
#include "RunController.h"
#include "ResultsTable.h"
#include "RunTableModel.h"
#include "RunTreeModel.h"
#include "charts/ChartExport.h"
#include "datasets/Catalogue.h"
#include "views/CompareView.h"
#include "views/ConfigureView.h"
#include "views/HeatmapView.h"
#include "views/LiveView.h"
#include "views/PaperView.h"
#include "views/RunsBrowser.h"
#include "views/SweepView.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSpinBox>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTreeView>
#include <QTimer>
#include <QToolBar>

#include <algorithm>
#include <cmath>

namespace meprop {

namespace {

const QStringList kViews{QStringLiteral("configure"), QStringLiteral("live"), QStringLiteral("compare"),
                         QStringLiteral("sweep"), QStringLiteral("heatmap"), QStringLiteral("runs"), QStringLiteral("paper")};

}  // namespace

MainWindow::MainWindow(const QString& runsRoot, QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("meProp Workbench"));
    setWindowIcon(QIcon(QStringLiteral(":/meprop/meprop-workbench.svg")));
    m_runs = new RunController(this);
    QString root = runsRoot;
    m_runsRootGiven = !runsRoot.isEmpty();
    if (root.isEmpty())
        root = QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).filePath(QStringLiteral("runs"));
    m_runs->setRunsRoot(root);

    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(50);  // at most ~20 redraws per second
    connect(m_refreshTimer, &QTimer::timeout, this, &MainWindow::refreshCurrent);

    buildUi();
    buildActions();
    if (const QScreen* screen = QGuiApplication::primaryScreen()) resize(initialSize(screen->availableGeometry().size()));

    connect(m_runs, &RunController::runChanged, this, &MainWindow::scheduleRefresh);
    connect(m_runs, &RunController::runAdded, this, &MainWindow::scheduleRefresh);
    connect(m_runs, &RunController::busyChanged, this, &MainWindow::updateActions);
    connect(m_runs, &RunController::runFailed, this, &MainWindow::onRunFailed);
    connect(m_runs, &RunController::warning, this, &MainWindow::onWarning);
    connect(m_runs, &RunController::runEnded, this, &MainWindow::onRunEnded);
    connect(m_runs->model(), &RunTableModel::shownChanged, this, &MainWindow::scheduleRefresh);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::refreshCurrent);
    // The Paper view has tables of its own; the run table would only take its room.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] { m_table->setVisible(m_tabs->currentWidget() != m_paper); });
    updateActions();
    updateStatus();
}

MainWindow::~MainWindow() = default;

ConfigPanel* MainWindow::configPanel() const
{
    return m_configure->configPanel();
}

// ---- UI -------------------------------------------------------------------------------------

void MainWindow::buildUi()
{
    const ViewContext context{m_runs, [this] { return selectedIds(); }};
    m_configure = new ConfigureView(context);
    m_live = new LiveView(context);
    m_compare = new CompareView(context);
    m_sweep = new SweepView(context);
    m_heatmap = new HeatmapView(context);
    m_runsBrowser = new RunsBrowser(context);
    m_paper = new PaperView(context);
    connect(m_runsBrowser, &RunsBrowser::loadRequested, this, [this](const QStringList& dirs) {
        QString error;
        if (!loadRunFolders(dirs, &error)) showError(tr("Cannot load the run"), error);
    });
    connect(m_runsBrowser, &RunsBrowser::chooseFolderRequested, this, &MainWindow::chooseRunsRoot);
    connect(configPanel(), &ConfigPanel::validityChanged, this, &MainWindow::updateActions);
    connect(configPanel(), &ConfigPanel::valuesChanged, this, &MainWindow::updateActions);

    m_tabs = new QTabWidget();
    m_tabs->addTab(m_configure, tr("Configure"));
    m_tabs->addTab(m_live, tr("Live"));
    m_tabs->addTab(m_compare, tr("Compare"));
    m_tabs->addTab(m_sweep, tr("k sweep"));
    m_tabs->addTab(m_heatmap, tr("Weight updates"));
    m_tabs->addTab(m_runsBrowser, tr("Runs folder"));
    m_tabs->addTab(m_paper, tr("Paper"));

    m_table = new QTreeView();
    m_table->setObjectName(QStringLiteral("runTable"));
    m_tree = new RunTreeModel(m_runs, this);
    m_sorted = new QSortFilterProxyModel(this);
    m_sorted->setSourceModel(m_tree);
    m_sorted->setSortRole(RunTableModel::SortRole);
    m_table->setModel(m_sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder);  // the order queued until a header is clicked
    m_table->setItemDelegateForColumn(RunTableModel::Progress, new ProgressDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::SelectedClicked);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, &MainWindow::showTableMenu);
    m_table->setUniformRowHeights(true);
    m_table->setRootIsDecorated(true);  // a seed group expands into its seeds
    m_table->setIndentation(14);
    m_table->header()->setStretchLastSection(true);
    m_table->header()->setSectionResizeMode(RunTableModel::Config, QHeaderView::Stretch);
    m_table->header()->setSectionResizeMode(RunTableModel::Time, QHeaderView::ResizeToContents);
    m_table->setColumnWidth(RunTableModel::Show, 60);
    m_table->setColumnWidth(RunTableModel::Name, 150);
    m_table->setColumnWidth(RunTableModel::Progress, 110);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::scheduleRefresh);

    m_splitter = new QSplitter(Qt::Vertical);
    m_splitter->addWidget(m_tabs);
    m_splitter->addWidget(m_table);
    m_splitter->setStretchFactor(0, 4);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({640, 180});
    setCentralWidget(m_splitter);

    m_statusText = new QLabel(tr("Ready"));
    m_statusText->setObjectName(QStringLiteral("statusText"));
    m_statusText->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_flashTimer = new QTimer(this);
    m_flashTimer->setSingleShot(true);
    connect(m_flashTimer, &QTimer::timeout, this, &MainWindow::updateStatus);
    m_statusProgress = new QProgressBar();
    m_statusProgress->setRange(0, 1000);
    m_statusProgress->setMaximumWidth(220);
    m_statusProgress->setTextVisible(true);
    statusBar()->addWidget(m_statusText, 1);
    statusBar()->addPermanentWidget(m_statusProgress);
}

void MainWindow::buildActions()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    auto* runMenu = menuBar()->addMenu(tr("&Run"));
    auto* viewMenu = menuBar()->addMenu(tr("&View"));
    auto* help = menuBar()->addMenu(tr("&Help"));
    auto* tb = addToolBar(tr("Run"));
    tb->setObjectName(QStringLiteral("runToolBar"));
    tb->setToolButtonStyle(Qt::ToolButtonTextOnly);

    auto* openCfg = file->addAction(tr("&Open config..."), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open config"), m_lastFolder, tr("Config JSON (*.json)"));
        if (path.isEmpty()) return;
        m_lastFolder = QFileInfo(path).absolutePath();
        QString error;
        if (!loadConfig(path, &error)) showError(tr("Cannot open the config"), error);
    });
    openCfg->setShortcut(QKeySequence::Open);
    auto* saveCfg = file->addAction(tr("&Save config as..."), this, [this] {
        const QString path = chooseSavePath(tr("Save config"), tr("Config JSON (*.json)"), QStringLiteral("config.json"));
        if (path.isEmpty()) return;
        QString error;
        const QByteArray text = QByteArray::fromStdString(toEngineJson(configPanel()->values()).dump(2) + "\n");
        if (!saveFileAtomically(path, text, &error)) showError(tr("Cannot save the config"), error);
    });
    saveCfg->setShortcut(QKeySequence::Save);
    file->addAction(tr("&Resume run folder..."), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Resume the run in a folder"), m_runs->runsRoot());
        if (dir.isEmpty()) return;
        QString error;
        if (!resumeFolder(dir, &error)) showError(tr("Cannot resume the run"), error);
    })->setStatusTip(tr("Continue a stopped, failed or killed run from the checkpoint of its last finished epoch"));
    file->addSeparator();
    file->addAction(tr("&Import run bundle..."), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Import run bundle"), m_lastFolder, tr("Run bundle (*.zip)"));
        if (path.isEmpty()) return;
        m_lastFolder = QFileInfo(path).absolutePath();
        QString error;
        if (!importBundle(path, &error)) showError(tr("Cannot import the bundle"), error);
    });
    file->addAction(tr("Import &metrics.csv..."), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Import metrics.csv"), m_lastFolder, tr("Run metrics (*.csv)"));
        if (path.isEmpty()) return;
        m_lastFolder = QFileInfo(path).absolutePath();
        QString error;
        if (!importMetrics(path, &error)) showError(tr("Cannot import the metrics"), error);
    });
    file->addAction(tr("&Export run bundle (selected runs, or all)..."), this, [this] {
        const QString path = chooseSavePath(tr("Export run bundle"), tr("Run bundle (*.zip)"), QStringLiteral("meprop-runs.zip"));
        if (path.isEmpty()) return;
        QString error;
        if (!exportBundle(path, &error)) showError(tr("Cannot export the bundle"), error);
        else showStatus(tr("Saved %1").arg(path), 5000);
    });
    file->addAction(tr("Export results &table..."), this, [this] {
        const QString path = chooseSavePath(tr("Export results table"), tr("CSV (*.csv);;Markdown (*.md)"), QStringLiteral("results.csv"));
        if (path.isEmpty()) return;
        QString error;
        if (!exportTable(path, &error)) showError(tr("Cannot export the table"), error);
    });
    auto* chartMenu = file->addMenu(tr("Export &chart"));
    connect(chartMenu, &QMenu::aboutToShow, this, [this, chartMenu] {
        chartMenu->clear();
        for (const ChartRef& c : charts()) {
            chartMenu->addAction(c.title, this, [this, id = c.id] {
                const QString path = chooseSavePath(tr("Export chart"), tr("PNG image (*.png);;SVG drawing (*.svg)"), id + QStringLiteral(".png"));
                if (path.isEmpty()) return;
                ChartExportDialog dialog(m_exportSize, m_exportDpi, this);
                if (dialog.exec() != QDialog::Accepted) return;
                m_exportSize = dialog.exportSize();
                m_exportDpi = dialog.dpi();
                QString error;
                if (!exportChart(id, path, &error, m_exportSize, m_exportDpi)) showError(tr("Cannot export the chart"), error);
                else showStatus(tr("Saved %1").arg(path), 5000);
            });
        }
    });
    file->addSeparator();
    file->addAction(tr("Choose &data folder..."), this, &MainWindow::chooseDataFolder);
    file->addAction(tr("Choose &runs folder..."), this, &MainWindow::chooseRunsRoot);
    for (const DatasetInfo& info : datasetCatalogue()) {
        if (info.mirrors.empty()) continue;
        const QString name = info.name == "mnist" ? QStringLiteral("&MNIST") : QString::fromStdString(info.name);
        auto* a = file->addAction(tr("Download %1...").arg(name), this, [this, &info] { askDownload(info); });
        a->setToolTip(QString::fromStdString(info.description));
        a->setStatusTip(a->toolTip());
    }
    file->addSeparator();
    auto* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    m_startAct = runMenu->addAction(tr("&Start"), this, [this] {
        QString why;
        if (!start(&why)) showError(tr("Cannot start"), why);
    });
    m_startAct->setShortcut(Qt::CTRL | Qt::Key_R);
    m_pauseAct = runMenu->addAction(tr("&Pause"), this, &MainWindow::togglePause);
    m_stopAct = runMenu->addAction(tr("S&top"), this, &MainWindow::stopCurrent);
    runMenu->addSeparator();
    m_compareAct = runMenu->addAction(tr("&Compare top-k / random / dense"), this, [this] {
        QString why;
        if (!startCompare(&why)) showError(tr("Cannot start the comparison"), why);
        else showView(QStringLiteral("compare"));
    });
    m_compareAct->setToolTip(tr("Queue three runs of this config with the same seed: top-k, random-k and dense"));
    m_sweepAct = runMenu->addAction(tr("k s&weep"), this, [this] {
        QList<int> ks;
        try {
            for (int k : parseKList(m_sweepKs->text().toStdString())) ks << k;
        } catch (const std::exception& e) {
            showError(tr("Cannot start the sweep"), QString::fromStdString(e.what()));
            return;
        }
        QString why;
        if (!startSweep(ks, &why)) showError(tr("Cannot start the sweep"), why);
        else showView(QStringLiteral("sweep"));
    });
    runMenu->addSeparator();
    runMenu->addAction(tr("Stop &all"), m_runs, &RunController::stopAll);
    runMenu->addSeparator();
    auto* rename = runMenu->addAction(tr("Re&name run..."), this, &MainWindow::renameSelected);
    rename->setShortcut(Qt::Key_F2);
    auto* del = runMenu->addAction(tr("&Delete runs..."), this, &MainWindow::askDeleteSelected);
    del->setShortcut(QKeySequence::Delete);
    del->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_table->addAction(del);

    tb->addAction(m_startAct);
    auto* seedsLabel = new QLabel(tr(" seeds "));
    m_seeds = new QSpinBox();
    m_seeds->setObjectName(QStringLiteral("seeds"));
    m_seeds->setRange(1, 20);
    m_seeds->setValue(1);
    m_seeds->setToolTip(tr("Run every config of Start, Compare and k sweep with seeds 1..N: drawn as the mean with a +/-1 std band"));
    seedsLabel->setToolTip(m_seeds->toolTip());
    tb->addWidget(seedsLabel);
    tb->addWidget(m_seeds);
    tb->addAction(m_pauseAct);
    tb->addAction(m_stopAct);
    tb->addSeparator();
    tb->addAction(m_compareAct);
    tb->addAction(m_sweepAct);
    m_sweepKs = new QLineEdit(QStringLiteral("5,10,20,50,100,200"));
    m_sweepKs->setObjectName(QStringLiteral("sweepKs"));
    m_sweepKs->setToolTip(tr("k values of the sweep, comma separated"));
    m_sweepKs->setMaximumWidth(160);
    tb->addWidget(m_sweepKs);

    for (int i = 0; i < kViews.size(); ++i) {
        auto* a = viewMenu->addAction(m_tabs->tabText(i), this, [this, i] { m_tabs->setCurrentIndex(i); });
        a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
    }
    help->addAction(tr("&About meProp Workbench"), this, [this] {
        QMessageBox::about(this, tr("About meProp Workbench"),
                           tr("<h3>meProp Workbench %1</h3>"
                              "<p>Train networks with sparsified back propagation and watch what it does: accuracy, "
                              "backprop time, and which weights get updated.</p>"
                              "<p>Xu Sun, Xuancheng Ren, Shuming Ma, Houfeng Wang. <i>meProp: Sparsified Back "
                              "Propagation for Accelerated Deep Learning with Reduced Overfitting.</i> Proceedings of "
                              "the 34th International Conference on Machine Learning (ICML), PMLR 70, 2017. "
                              "arXiv:1706.06197.</p>"
                              "<p>Built with Qt %2.</p>")
                               .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion())));
    });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

QList<WorkbenchView*> MainWindow::views() const
{
    return {m_configure, m_live, m_compare, m_sweep, m_heatmap, m_runsBrowser, m_paper};
}

QList<ChartRef> MainWindow::charts() const
{
    QList<ChartRef> out;
    for (const WorkbenchView* v : views()) out += v->charts();
    return out;
}

QList<int> MainWindow::selectedIds() const
{
    QList<int> ids;
    if (!m_table || !m_table->selectionModel()) return ids;
    // A group row stands for its seeds.
    for (const QModelIndex& i : m_table->selectionModel()->selectedRows())
        for (int id : m_tree->runIds(m_sorted->mapToSource(i)))
            if (!ids.contains(id)) ids << id;
    return ids;
}

// ---- runs -----------------------------------------------------------------------------------

bool MainWindow::checkConfig(QString* why)
{
    configPanel()->revalidate();  // the data folder may have changed on disk
    if (configPanel()->isValid()) return true;
    if (why) *why = configPanel()->firstError();
    return false;
}

void MainWindow::startPlan(const std::vector<PlannedRun>& plan, GroupKind kind)
{
    const int group = kind == GroupKind::None ? 0 : m_runs->newGroupId();
    const QString prefix = kind == GroupKind::Compare ? QStringLiteral("compare") : kind == GroupKind::Sweep ? QStringLiteral("sweep") : QStringLiteral("seeds");
    // The runs of one config with seeds 1..N ("topk seed 1", "topk seed 2", ...) form a seed group.
    QMap<QString, int> seedGroups;
    for (const PlannedRun& p : plan) {
        const QString label = QString::fromStdString(p.label);
        int seedGroup = 0;
        if (label.contains(QLatin1String("seed "))) {
            const QString base = label.section(QStringLiteral("seed "), 0, 0).trimmed();
            if (!seedGroups.contains(base)) seedGroups[base] = m_runs->newGroupId();
            seedGroup = seedGroups[base];
        }
        const QString name = kind == GroupKind::None ? QStringLiteral("%1 %2 %3").arg(prefix).arg(seedGroup).arg(label)
                                                     : QStringLiteral("%1 %2 %3").arg(prefix).arg(group).arg(label);
        m_runs->enqueue(fromEngineJson(p.config), kind, group, name, seedGroup);
    }
}

int MainWindow::seeds() const
{
    return m_seeds ? m_seeds->value() : 1;
}

void MainWindow::setSeeds(int n)
{
    if (m_seeds) m_seeds->setValue(std::max(1, n));
}

bool MainWindow::start(QString* why)
{
    if (!checkConfig(why)) return false;
    if (seeds() <= 1) m_runs->enqueue(configPanel()->values());
    else startPlan(withSeeds({PlannedRun{toEngineJson(configPanel()->values()), std::string()}}, seeds()), GroupKind::None);
    if (!m_scripted) showView(QStringLiteral("live"));
    return true;
}

bool MainWindow::startCompare(QString* why)
{
    if (!checkConfig(why)) return false;
    startPlan(withSeeds(comparePlan(toEngineJson(configPanel()->values())), seeds()), GroupKind::Compare);
    return true;
}

bool MainWindow::startSweep(const QList<int>& ks, QString* why)
{
    if (!checkConfig(why)) return false;
    std::vector<PlannedRun> plan;
    try {
        plan = sweepPlan(toEngineJson(configPanel()->values()), std::vector<int>(ks.begin(), ks.end()));
    } catch (const std::exception& e) {
        if (why) *why = QString::fromStdString(e.what());
        return false;
    }
    startPlan(withSeeds(plan, seeds()), GroupKind::Sweep);
    return true;
}

void MainWindow::togglePause()
{
    if (!m_runs->isBusy()) return;
    if (m_runs->isPaused() || m_pauseAct->text() == tr("&Resume")) {
        m_runs->resume();
        m_pauseAct->setText(tr("&Pause"));
    } else {
        m_runs->pause();
        m_pauseAct->setText(tr("&Resume"));
    }
}

void MainWindow::stopCurrent()
{
    m_runs->stop();
    m_pauseAct->setText(tr("&Pause"));
}

void MainWindow::onRunFailed(int id, const QString& message)
{
    const RunRecord* r = m_runs->record(id);
    const QString name = r ? r->name : QString::number(id);
    showError(tr("Run failed"), tr("%1 failed:\n%2").arg(name, message));
}

void MainWindow::onWarning(int id, const QString& message)
{
    const RunRecord* r = m_runs->record(id);
    m_lastWarning = tr("%1: %2").arg(r ? r->name : QString::number(id), message);
    m_live->showWarning(id, m_lastWarning);
    showStatus(tr("Warning: %1").arg(m_lastWarning), 10000);
}

void MainWindow::onRunEnded(int)
{
    if (!m_runs->isBusy()) m_pauseAct->setText(tr("&Pause"));
    updateActions();
    scheduleRefresh();
}

void MainWindow::showError(const QString& title, const QString& message)
{
    m_lastError = message;
    showStatus(message, 10000);
    if (m_scripted) return;  // scripted runs report on stderr; a modal box would block them
    auto* box = new QMessageBox(QMessageBox::Critical, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

// ---- data sets ------------------------------------------------------------------------------

bool MainWindow::resumeFolder(const QString& folder, QString* error)
{
    if (!RunController::isResumable(folder)) {
        *error = tr("%1 holds no run to resume: resuming needs a checkpoint (written at the end of every epoch) and no "
                    "summary.json (a finished run)").arg(folder);
        return false;
    }
    return m_runs->enqueueResume(folder, error) != 0;
}

void MainWindow::chooseDataFolder()
{
    const QString current = configPanel()->value(QStringLiteral("data")).toString();
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose the data folder"), current.isEmpty() ? m_lastFolder : current);
    if (dir.isEmpty()) return;
    configPanel()->setValue(QStringLiteral("data"), dir);
    showView(QStringLiteral("configure"));
}

void MainWindow::askDownload(const DatasetInfo& info)
{
    const QString folder = DownloadDialog::askFolder(this, info);
    if (!folder.isEmpty()) downloadDataset(info, folder);
}

bool MainWindow::downloadDataset(const DatasetInfo& info, const QString& folder)
{
    if (!m_download) {
        m_download = new DownloadDialog(this);
        connect(m_download, &DownloadDialog::status, this, [this](const QString& text) { showStatus(text); });
        connect(m_download, &DownloadDialog::finished, this, [this](const QString& dir) {
            configPanel()->setValue(QStringLiteral("data"), dir);
            m_configure->updateDatasetInfo();
            showStatus(tr("Downloaded and verified into %1; data now points there").arg(dir), 10000);
        });
        connect(m_download, &DownloadDialog::failed, this, [this](const QString& message) { showError(tr("Download failed"), message); });
        connect(m_download, &DownloadDialog::cancelled, this,
                [this] { showStatus(tr("Download cancelled; no partial file was kept"), 10000); });
    }
    QString why;
    if (!m_download->start(info, folder, m_scripted, &why)) {
        showError(tr("Download"), why);
        return false;
    }
    return true;
}

// ---- config ---------------------------------------------------------------------------------

bool MainWindow::applyPreset(const QString& name, QString* error)
{
    if (!configPanel()->applyPreset(name)) {
        QStringList names;
        for (const PresetSpec& p : presetSpecs()) names << p.name;
        if (error) *error = tr("unknown preset \"%1\" (known: %2)").arg(name, names.join(QStringLiteral(", ")));
        return false;
    }
    return true;
}

bool MainWindow::loadConfig(const QString& path, QString* error)
{
    QJsonObject values;
    if (!loadConfigFile(path, &values, error)) return false;
    configPanel()->setValues(values, true);
    return true;
}

bool MainWindow::applySettings(const QStringList& settings, QString* error)
{
    QJsonObject values = configPanel()->values();
    if (!meprop::applySettings(values, settings, error)) return false;
    configPanel()->setValues(values);
    return true;
}

void MainWindow::updateActions()
{
    const bool valid = configPanel()->isValid();
    const QString reason = valid ? QString() : configPanel()->firstError();
    for (QAction* a : {m_startAct, m_compareAct, m_sweepAct}) {
        if (!a) continue;
        a->setEnabled(valid);
        a->setToolTip(valid ? a->text().remove(QLatin1Char('&')) : tr("Disabled: %1").arg(reason));
    }
    if (!m_startAct) return;
    if (valid && m_runs->isBusy()) m_startAct->setToolTip(tr("Queue a run of this config after the current one"));
    m_pauseAct->setEnabled(m_runs->isBusy());
    m_stopAct->setEnabled(m_runs->isBusy());
    m_configure->setStartState(valid, reason);
}

// ---- drawing --------------------------------------------------------------------------------

void MainWindow::scheduleRefresh()
{
    updateStatus();
    if (!m_refreshTimer->isActive()) m_refreshTimer->start();
}

void MainWindow::refreshCurrent()
{
    if (auto* v = qobject_cast<WorkbenchView*>(m_tabs->currentWidget()); v && v != m_configure) v->refresh();
    updateStatus();
}

void MainWindow::refreshAll()
{
    for (WorkbenchView* v : views())
        if (v != m_configure) v->refresh();
    updateStatus();
}

void MainWindow::showStatus(const QString& text, int ms)
{
    // In our own label (QStatusBar's temporary messages can draw over the normal widgets).
    m_flash = text;
    m_statusText->setText(text);
    m_statusText->setToolTip(text);
    m_flashTimer->start(ms > 0 ? ms : 15000);
}

void MainWindow::updateStatus()
{
    auto setText = [this](const QString& t) {
        if (!m_flashTimer->isActive()) m_statusText->setText(t);  // unless a message is showing
    };
    const int id = m_runs->currentId();
    const RunRecord* r = m_runs->record(id);
    if (!r) {
        setText(m_runs->ids().isEmpty() ? tr("Ready") : tr("Idle: %1 run(s) in this session").arg(m_runs->ids().size()));
        m_statusProgress->setValue(0);
        return;
    }
    QString text = tr("%1: %2, %3").arg(r->name, toString(r->row.state), r->row.summary);
    if (!r->epochs.isEmpty()) text += tr(", epoch %1/%2, best dev %3 %").arg(r->epochs.size()).arg(r->start.epochs).arg(WorkbenchView::fmt(r->bestDev()));
    if (m_runs->queuedCount() > 0) text += tr(" (%1 queued)").arg(m_runs->queuedCount());
    setText(text);
    m_statusProgress->setValue(int(std::lround(r->row.progress * 1000)));
    m_statusProgress->setFormat(QStringLiteral("%1 %").arg(std::lround(r->row.progress * 100)));
}

bool MainWindow::showView(const QString& name)
{
    const int i = static_cast<int>(kViews.indexOf(name));
    if (i < 0) return false;
    m_tabs->setCurrentIndex(i);
    return true;
}

QStringList MainWindow::viewNames()
{
    return kViews;
}

// ---- export ---------------------------------------------------------------------------------

QStringList MainWindow::chartIds() const
{
    QStringList ids;
    for (const ChartRef& c : charts()) ids << c.id;
    return ids;
}

QWidget* MainWindow::chartWidget(const QString& id) const
{
    for (const ChartRef& c : charts())
        if (c.id == id) return c.widget;
    return nullptr;
}

bool MainWindow::exportChart(const QString& id, const QString& path, QString* error, QSize size, double dpi)
{
    refreshAll();
    for (const ChartRef& c : charts()) {
        if (c.id != id) continue;
        const QString ext = QFileInfo(path).suffix().toLower();
        if (ext == QLatin1String("svg")) return c.chart->exportSvg(path, error, size, dpi);
        if (ext == QLatin1String("png")) return c.chart->exportPng(path, error, size, dpi);
        if (error) *error = tr("%1: choose a .png or .svg file name").arg(path);
        return false;
    }
    if (error) *error = tr("no chart named %1 (known: %2)").arg(id, chartIds().join(QStringLiteral(", ")));
    return false;
}

bool MainWindow::exportTable(const QString& path, QString* error)
{
    const QString ext = QFileInfo(path).suffix().toLower();
    QList<const RunRecord*> all;
    for (int id : m_runs->ids())
        if (const RunRecord* r = m_runs->record(id)) all << r;
    const ResultsTable table = resultsTable(all);
    if (ext == QLatin1String("csv")) return saveFileAtomically(path, toCsv(table).toUtf8(), error);
    if (ext == QLatin1String("md") || ext == QLatin1String("markdown")) return saveFileAtomically(path, toMarkdown(table).toUtf8(), error);
    if (error) *error = tr("%1: choose a .csv or .md file name").arg(path);
    return false;
}

bool MainWindow::exportBundle(const QString& path, QString* error)
{
    QList<RunRecord> runs;
    // The selected runs when some are selected in the table (in the session's order), otherwise every run.
    const QList<int> sel = m_scripted ? QList<int>() : selectedIds();
    for (int id : m_runs->ids())
        if (const RunRecord* r = m_runs->record(id); r && (sel.isEmpty() || sel.contains(id))) runs << *r;
    if (runs.isEmpty()) {
        if (error) *error = tr("nothing to export: the run table is empty");
        return false;
    }
    refreshAll();
    QMap<QString, QByteArray> files;
    const QString tmp = QDir::temp().filePath(QStringLiteral("meprop-export-%1").arg(QCoreApplication::applicationPid()));
    QDir().mkpath(tmp);
    for (const ChartRef& c : charts()) {
        for (const char* ext : {"png", "svg"}) {
            const QString f = QDir(tmp).filePath(c.id + QLatin1Char('.') + QLatin1String(ext));
            QString e;
            const bool ok = QLatin1String(ext) == QLatin1String("png") ? c.chart->exportPng(f, &e) : c.chart->exportSvg(f, &e);
            if (!ok) {
                if (error) *error = e;
                QDir(tmp).removeRecursively();
                return false;
            }
            QFile file(f);
            if (file.open(QIODevice::ReadOnly)) files[QStringLiteral("charts/") + QFileInfo(f).fileName()] = file.readAll();
        }
    }
    QDir(tmp).removeRecursively();
    QList<const RunRecord*> exported;
    for (const RunRecord& r : std::as_const(runs)) exported << &r;
    const ResultsTable table = resultsTable(exported);
    files[QStringLiteral("results.csv")] = toCsv(table).toUtf8();
    files[QStringLiteral("results.md")] = toMarkdown(table).toUtf8();
    return writeBundle(path, runs, files, error);
}

bool MainWindow::importBundle(const QString& path, QString* error)
{
    QList<RunRecord> runs;
    if (!readBundle(path, &runs, error)) return false;
    // Groups of the bundle get fresh ids so they do not merge with this session's.
    QMap<int, int> groups, seedGroups;
    for (RunRecord& r : runs) {
        if (r.groupKind != GroupKind::None) {
            if (!groups.contains(r.groupId)) groups[r.groupId] = m_runs->newGroupId();
            r.groupId = groups[r.groupId];
        }
        if (r.seedGroup != 0) {
            if (!seedGroups.contains(r.seedGroup)) seedGroups[r.seedGroup] = m_runs->newGroupId();
            r.seedGroup = seedGroups[r.seedGroup];
        }
        if (r.name.isEmpty()) r.name = QFileInfo(path).completeBaseName();
        m_runs->addImported(r);
    }
    refreshAll();
    showStatus(tr("Imported %1 run(s) from %2").arg(runs.size()).arg(path), 5000);
    return true;
}

void MainWindow::selectRuns(const QList<int>& ids)
{
    m_table->clearSelection();
    for (int id : ids) {
        const QModelIndex i = m_sorted->mapFromSource(m_tree->indexOfRun(id));
        if (!i.isValid()) continue;
        if (i.parent().isValid()) m_table->expand(i.parent());
        m_table->selectionModel()->select(i, QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
}

void MainWindow::renameRun(int id, const QString& name)
{
    m_runs->rename(id, name);
    refreshAll();
}

void MainWindow::renameSelected()
{
    const QList<int> sel = selectedIds();
    if (sel.isEmpty()) return;
    const QModelIndex name = m_sorted->mapFromSource(m_tree->indexOfRun(sel.front(), RunTableModel::Name));
    if (name.parent().isValid()) m_table->expand(name.parent());
    m_table->edit(name);
}

bool MainWindow::deleteRuns(const QList<int>& ids, bool removeFolders, QString* error)
{
    QStringList problems;
    for (int id : ids) {
        QString e;
        if (!m_runs->remove(id, removeFolders, &e)) problems << e;
    }
    refreshAll();
    if (!problems.isEmpty() && error) *error = problems.join(QLatin1Char('\n'));
    return problems.isEmpty();
}

void MainWindow::askDeleteSelected()
{
    const QList<int> ids = selectedIds();
    if (ids.isEmpty()) return;
    int folders = 0;
    for (int id : ids)
        if (const RunRecord* r = m_runs->record(id); r && !r->outDir.isEmpty() && QFileInfo::exists(r->outDir)) ++folders;
    QMessageBox box(QMessageBox::Question, tr("Delete runs"), tr("Remove %n run(s) from the table?", nullptr, int(ids.size())),
                    QMessageBox::NoButton, this);
    QPushButton* keep = box.addButton(tr("Remove, keep the folders"), QMessageBox::AcceptRole);
    QPushButton* drop = nullptr;
    if (folders > 0) {
        box.setInformativeText(tr("%n of them have a run folder (config.json, metrics.csv, ...). Keep it on disk (the Runs "
                                  "folder tab can load it again), or delete it too?", nullptr, folders));
        drop = box.addButton(tr("Remove and delete the folders"), QMessageBox::DestructiveRole);
    }
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(keep);
    box.exec();
    if (box.clickedButton() != keep && (!drop || box.clickedButton() != drop)) return;
    QString error;
    if (!deleteRuns(ids, box.clickedButton() == drop, &error)) showError(tr("Some runs were not removed"), error);
}

void MainWindow::showTableMenu(const QPoint& pos)
{
    const QList<int> ids = selectedIds();
    QMenu menu(this);
    menu.addAction(tr("Rename..."), this, &MainWindow::renameSelected)->setEnabled(ids.size() == 1);
    menu.addAction(tr("Delete %n run(s)...", nullptr, int(ids.size())), this, &MainWindow::askDeleteSelected)->setEnabled(!ids.isEmpty());
    menu.addAction(tr("Export %n run(s) as a bundle...", nullptr, int(ids.size())), this, [this] {
        const QString path = chooseSavePath(tr("Export run bundle"), tr("Run bundle (*.zip)"), QStringLiteral("meprop-runs.zip"));
        if (path.isEmpty()) return;
        QString error;
        if (!exportBundle(path, &error)) showError(tr("Cannot export the bundle"), error);
        else showStatus(tr("Saved %1").arg(path), 5000);
    })->setEnabled(!ids.isEmpty());
    menu.addSeparator();
    menu.addAction(tr("Show in the charts"), this, [this, ids] {
        for (int id : ids) m_runs->model()->setShown(id, true);
    });
    menu.addAction(tr("Hide from the charts"), this, [this, ids] {
        for (int id : ids) m_runs->model()->setShown(id, false);
    });
    menu.exec(m_table->viewport()->mapToGlobal(pos));
}

bool MainWindow::loadRunFolders(const QStringList& dirs, QString* error)
{
    QStringList problems;
    int loaded = 0;
    for (const QString& dir : dirs) {
        RunRecord r;
        QString e;
        if (!readRunFolder(dir, &r, &e)) {
            problems << e;
            continue;
        }
        r.groupKind = GroupKind::None;  // a loaded folder is a run of its own
        r.groupId = 0;
        r.seedGroup = 0;
        m_runs->addImported(r);
        ++loaded;
    }
    refreshAll();
    m_runsBrowser->rescan();
    if (loaded > 0) showStatus(tr("Loaded %n run(s) from the runs folder", nullptr, loaded), 5000);
    if (!problems.isEmpty() && error) *error = problems.join(QLatin1Char('\n'));
    return problems.isEmpty();
}

void MainWindow::setRunsRoot(const QString& dir)
{
    if (dir.isEmpty()) return;
    QDir().mkpath(dir);
    m_runs->setRunsRoot(dir);
    m_runsBrowser->rescan();
    m_paper->setRunsRoot(dir);
}

void MainWindow::chooseRunsRoot()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose the runs folder"), m_runs->runsRoot());
    if (dir.isEmpty()) return;
    setRunsRoot(dir);
    m_runsRootGiven = false;  // remembered from now on
    showStatus(tr("New runs are written to %1").arg(dir), 8000);
}

bool MainWindow::importMetrics(const QString& path, QString* error)
{
    RunRecord r;
    if (!readRunFolder(path, &r, error)) return false;
    m_runs->addImported(r);
    refreshAll();
    showStatus(tr("Imported %1 from %2").arg(r.name, path), 5000);
    return true;
}

bool MainWindow::saveScreenshot(const QString& path, QString* error)
{
    refreshAll();
    QApplication::processEvents();
    return savePng(grab().toImage(), path, error);
}

QString MainWindow::chooseSavePath(const QString& title, const QString& filters, const QString& suggested)
{
    const QString path = QFileDialog::getSaveFileName(this, title, QDir(m_lastFolder.isEmpty() ? QDir::homePath() : m_lastFolder).filePath(suggested), filters);
    if (!path.isEmpty()) m_lastFolder = QFileInfo(path).absolutePath();
    return path;
}

// ---- settings -------------------------------------------------------------------------------

bool MainWindow::restoreSettings()
{
    QSettings s;
    if (s.contains(QStringLiteral("window/geometry"))) restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    if (s.contains(QStringLiteral("window/state"))) restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    if (s.contains(QStringLiteral("window/splitter"))) m_splitter->restoreState(s.value(QStringLiteral("window/splitter")).toByteArray());
    m_lastFolder = s.value(QStringLiteral("lastFolder")).toString();
    if (!m_runsRootGiven && s.contains(QStringLiteral("runsRoot"))) setRunsRoot(s.value(QStringLiteral("runsRoot")).toString());
    m_sweepKs->setText(s.value(QStringLiteral("sweepKs"), m_sweepKs->text()).toString());
    const QByteArray cfg = s.value(QStringLiteral("lastConfig")).toByteArray();
    if (!cfg.isEmpty()) {
        const QJsonDocument doc = QJsonDocument::fromJson(cfg);
        if (doc.isObject()) configPanel()->setValues(doc.object(), true);
    }
    m_tabs->setCurrentIndex(s.value(QStringLiteral("window/tab"), 0).toInt());
    return !cfg.isEmpty();
}

void MainWindow::saveSettings()
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("window/splitter"), m_splitter->saveState());
    s.setValue(QStringLiteral("window/tab"), m_tabs->currentIndex());
    s.setValue(QStringLiteral("lastFolder"), m_lastFolder);
    if (!m_runsRootGiven) s.setValue(QStringLiteral("runsRoot"), m_runs->runsRoot());
    s.setValue(QStringLiteral("sweepKs"), m_sweepKs->text());
    s.setValue(QStringLiteral("lastConfig"), QJsonDocument(configPanel()->values()).toJson(QJsonDocument::Compact));
}

MainWindow::QuitChoice MainWindow::askQuit(int running, int queued)
{
    if (m_quitAnswer) return m_quitAnswer(running, queued);
    QMessageBox box(QMessageBox::Question, tr("Runs in progress"),
                    queued > 0 ? tr("A run is in progress and %1 more are queued.").arg(queued) : tr("A run is in progress."),
                    QMessageBox::NoButton, this);
    box.setInformativeText(tr("Stop them now (a stopped run keeps its folder with its checkpoint of the last finished epoch; "
                              "File > Resume run folder continues it), or keep them running and quit when the last one is done?"));
    QPushButton* stop = box.addButton(tr("Stop runs and quit"), QMessageBox::DestructiveRole);
    QPushButton* later = box.addButton(tr("Quit when done"), QMessageBox::AcceptRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(later);
    box.exec();
    if (box.clickedButton() == stop) return QuitChoice::StopRuns;
    if (box.clickedButton() == later) return QuitChoice::QuitWhenDone;
    return QuitChoice::Cancel;
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_runs->isBusy() && !m_scripted) {
        switch (askQuit(1, m_runs->queuedCount())) {
        case QuitChoice::Cancel:
            m_quitWhenDone = false;
            event->ignore();
            return;
        case QuitChoice::QuitWhenDone:
            if (!m_quitWhenDone) {
                m_quitWhenDone = true;
                connect(m_runs, &RunController::idle, this, [this] {
                    if (m_quitWhenDone) close();
                }, Qt::QueuedConnection);
            }
            showStatus(tr("The workbench quits when the runs are done"));
            event->ignore();
            return;
        case QuitChoice::StopRuns: break;
        }
    }
    if (!m_scripted) saveSettings();
    if (m_download) m_download->cancel();
    m_runs->stopAll();
    event->accept();
}

QSize MainWindow::initialSize(const QSize& available)
{
    if (available.isEmpty()) return QSize(1280, 800);
    const int w = std::min(available.width(), std::max(int(available.width() * 0.8), 1280));
    const int h = std::min(available.height(), std::max(int(available.height() * 0.8), 800));
    return QSize(w, h);
}

// ---- scripted mode --------------------------------------------------------------------------

void MainWindow::runScript(const ScriptOptions& options)
{
    m_scripted = true;
    auto* script = new ScriptRunner(this, options);
    connect(script, &ScriptRunner::done, this, &MainWindow::scriptDone);
    script->start();
}

}  // namespace meprop
