#include "MainWindow.h"

#include "Bundle.h"
#include "ConfigPanel.h"
#include "DownloadDialog.h"
#include "EngineBridge.h"
#include "ExperimentPlan.h"
#include "RunController.h"
#include "RunTableModel.h"
#include "RunTableView.h"
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
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSpinBox>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QThread>
#include <QTimer>

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

    m_table = new RunTableView(m_runs);
    connect(m_table, &QWidget::customContextMenuRequested, this, &MainWindow::showTableMenu);
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
    return m_table ? m_table->selectedRunIds() : QList<int>();
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

int MainWindow::parallelRuns() const
{
    if (m_parallel && m_parallel->value() > 0) return m_parallel->value();
    const int threads = std::max(1, configPanel()->value(QStringLiteral("threads")).toInt());
    return std::max(1, QThread::idealThreadCount() / threads);
}

void MainWindow::setParallelRuns(int n)
{
    if (m_parallel) m_parallel->setValue(std::max(0, n));
    m_runs->setParallelRuns(parallelRuns());
}

bool MainWindow::checkConfigAndParallel(QString* why)
{
    if (!checkConfig(why)) return false;
    m_runs->setParallelRuns(parallelRuns());  // auto follows the config's threads
    return true;
}

bool MainWindow::start(QString* why)
{
    if (!checkConfigAndParallel(why)) return false;
    if (seeds() <= 1) m_runs->enqueue(configPanel()->values());
    else startPlan(withSeeds({PlannedRun{toEngineJson(configPanel()->values()), std::string()}}, seeds()), GroupKind::None);
    if (!m_scripted) showView(QStringLiteral("live"));
    return true;
}

bool MainWindow::startCompare(QString* why)
{
    if (!checkConfigAndParallel(why)) return false;
    startPlan(withSeeds(comparePlan(toEngineJson(configPanel()->values())), seeds()), GroupKind::Compare);
    return true;
}

bool MainWindow::startSweep(const QList<int>& ks, QString* why)
{
    if (!checkConfigAndParallel(why)) return false;
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
    if (m_runs->runningCount() > 1) text += tr(" (%1 more running)").arg(m_runs->runningCount() - 1);
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

void MainWindow::selectRuns(const QList<int>& ids)
{
    m_table->selectRuns(ids);
}

void MainWindow::renameRun(int id, const QString& name)
{
    m_runs->rename(id, name);
    refreshAll();
}

void MainWindow::renameSelected()
{
    const QList<int> sel = selectedIds();
    if (!sel.isEmpty()) m_table->editName(sel.front());
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

// ---- scripted mode --------------------------------------------------------------------------

void MainWindow::runScript(const ScriptOptions& options)
{
    m_scripted = true;
    auto* script = new ScriptRunner(this, options);
    connect(script, &ScriptRunner::done, this, &MainWindow::scriptDone);
    script->start();
}

}  // namespace meprop
