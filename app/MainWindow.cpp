#include "MainWindow.h"

#include "Bundle.h"
#include "ConfigPanel.h"
#include "DatasetDownloader.h"
#include "EngineBridge.h"
#include "ProgressDelegate.h"
#include "RunController.h"
#include "RunTableModel.h"
#include "WeightHeatmap.h"
#include "charts/BarChart.h"
#include "charts/ChartExport.h"
#include "charts/LineChart.h"
#include "datasets/Catalogue.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QProgressDialog>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace meprop {

namespace {

const QStringList kViews{QStringLiteral("configure"), QStringLiteral("live"), QStringLiteral("compare"),
                         QStringLiteral("sweep"), QStringLiteral("heatmap")};

QColor modeColor(const QString& mode)
{
    if (mode == QLatin1String("dense")) return QColor(90, 90, 90);
    if (mode == QLatin1String("random")) return QColor(230, 120, 20);
    if (mode == QLatin1String("unified")) return QColor(150, 60, 170);
    return QColor(31, 119, 180);
}

QString fmt(double v, int decimals = 2)
{
    return std::isfinite(v) ? QString::number(v, 'f', decimals) : QStringLiteral("-");
}

void setTableRow(QTableWidget* t, int row, const QStringList& cells)
{
    for (int c = 0; c < cells.size(); ++c) {
        auto* item = new QTableWidgetItem(cells[c]);
        item->setFlags(item->flags() & ~Qt::ItemIsEditable);
        if (c > 0) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        t->setItem(row, c, item);
    }
}

}  // namespace

MainWindow::MainWindow(const QString& runsRoot, QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("meProp Workbench"));
    setWindowIcon(QIcon(QStringLiteral(":/meprop/meprop-workbench.svg")));
    m_runs = new RunController(this);
    QString root = runsRoot;
    if (root.isEmpty())
        root = QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).filePath(QStringLiteral("runs"));
    m_runs->setRunsRoot(root);

    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(50);  // at most ~20 redraws per second
    connect(m_refreshTimer, &QTimer::timeout, this, &MainWindow::refreshCurrent);

    buildUi();
    buildActions();
    registerCharts();

    connect(m_runs, &RunController::runChanged, this, &MainWindow::scheduleRefresh);
    connect(m_runs, &RunController::runAdded, this, &MainWindow::scheduleRefresh);
    connect(m_runs, &RunController::busyChanged, this, &MainWindow::updateActions);
    connect(m_runs, &RunController::runFailed, this, &MainWindow::onRunFailed);
    connect(m_runs, &RunController::warning, this, &MainWindow::onWarning);
    connect(m_runs, &RunController::runEnded, this, &MainWindow::onRunEnded);
    connect(m_runs->model(), &RunTableModel::shownChanged, this, &MainWindow::scheduleRefresh);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::refreshCurrent);
    updateActions();
    updateStatus();
}

MainWindow::~MainWindow() = default;

// ---- UI -------------------------------------------------------------------------------------

void MainWindow::buildUi()
{
    m_tabs = new QTabWidget();
    m_tabs->addTab(buildConfigureTab(), tr("Configure"));
    m_tabs->addTab(buildLiveTab(), tr("Live"));
    m_tabs->addTab(buildCompareTab(), tr("Compare"));
    m_tabs->addTab(buildSweepTab(), tr("k sweep"));
    m_tabs->addTab(buildHeatmapTab(), tr("Weight updates"));

    m_table = new QTableView();
    m_table->setObjectName(QStringLiteral("runTable"));
    m_table->setModel(m_runs->model());
    m_table->setItemDelegateForColumn(RunTableModel::Progress, new ProgressDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionResizeMode(RunTableModel::Config, QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(RunTableModel::Time, QHeaderView::ResizeToContents);
    m_table->setColumnWidth(RunTableModel::Show, 46);
    m_table->setColumnWidth(RunTableModel::Name, 110);
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
    m_statusProgress = new QProgressBar();
    m_statusProgress->setRange(0, 1000);
    m_statusProgress->setMaximumWidth(220);
    m_statusProgress->setTextVisible(true);
    statusBar()->addWidget(m_statusText, 1);
    statusBar()->addPermanentWidget(m_statusProgress);
}

QWidget* MainWindow::buildConfigureTab()
{
    auto* page = new QWidget();
    auto* layout = new QHBoxLayout(page);
    m_config = new ConfigPanel();
    m_config->setObjectName(QStringLiteral("configPanel"));
    m_config->setSchema(configFields());
    m_config->setPresets(presetSpecs());
    m_config->setCrossValidator([](const QJsonObject& v) { return validateConfig(v); });
    connect(m_config, &ConfigPanel::validityChanged, this, &MainWindow::updateActions);
    connect(m_config, &ConfigPanel::valuesChanged, this, [this] {
        updateActions();
        updateDatasetInfo();
    });
    layout->addWidget(m_config, 3);

    auto* side = new QVBoxLayout();
    auto* data = new QGroupBox(tr("Data sets"));
    auto* dataLayout = new QVBoxLayout(data);
    m_datasetInfo = new QLabel();
    m_datasetInfo->setWordWrap(true);
    m_datasetInfo->setTextFormat(Qt::RichText);
    dataLayout->addWidget(m_datasetInfo);
    const QStringList found = findImageDatasets();
    for (const QString& dir : found) {
        auto* use = new QPushButton(tr("Use %1").arg(QDir::toNativeSeparators(dir)));
        use->setToolTip(tr("Set data to this folder"));
        connect(use, &QPushButton::clicked, this, [this, dir] { m_config->setValue(QStringLiteral("data"), dir); });
        dataLayout->addWidget(use);
    }
    side->addWidget(data);

    auto* device = new QGroupBox(tr("Device"));
    auto* deviceLayout = new QVBoxLayout(device);
    const GpuStatus gpu = gpuAvailability();
    auto* gpuLabel = new QLabel(gpu.available ? tr("GPU: %1").arg(gpu.name) : tr("GPU: unavailable (%1). Training runs on the CPU.").arg(gpu.reason));
    gpuLabel->setWordWrap(true);
    deviceLayout->addWidget(gpuLabel);
    side->addWidget(device);

    auto* run = new QGroupBox(tr("Run"));
    auto* runLayout = new QVBoxLayout(run);
    m_startReason = new QLabel();
    m_startReason->setObjectName(QStringLiteral("startReason"));
    m_startReason->setWordWrap(true);
    runLayout->addWidget(m_startReason);
    side->addWidget(run);
    side->addStretch(1);
    layout->addLayout(side, 2);
    updateDatasetInfo();
    return page;
}

QWidget* MainWindow::buildLiveTab()
{
    auto* page = new QWidget();
    auto* v = new QVBoxLayout(page);
    v->setContentsMargins(2, 2, 2, 2);
    m_warningBanner = new QLabel();
    m_warningBanner->setObjectName(QStringLiteral("warningBanner"));
    m_warningBanner->setWordWrap(true);
    m_warningBanner->setStyleSheet(QStringLiteral("background: #fff3cd; color: #664d03; border: 1px solid #e0c060; padding: 4px;"));
    m_warningBanner->hide();
    v->addWidget(m_warningBanner);
    auto* grid = new QGridLayout();
    m_accChart = new LineChart();
    m_accChart->setTitle(tr("Accuracy per epoch"));
    m_accChart->setAxisTitles(tr("epoch"), tr("accuracy (%)"));
    m_accChart->setIntegerX(true);
    m_lossChart = new LineChart();
    m_lossChart->setTitle(tr("Training loss (per batch, smoothed; dots: epoch mean)"));
    m_lossChart->setAxisTitles(tr("step"), tr("loss (log scale)"));
    m_lossChart->setLogY(true);
    m_ratioChart = new LineChart();
    m_ratioChart->setTitle(tr("Backprop ratio per layer (k kept / n)"));
    m_ratioChart->setAxisTitles(tr("step"), tr("kept / n (log scale)"));
    m_ratioChart->setLogY(true);
    m_timeChart = new BarChart();
    m_timeChart->setTitle(tr("Time per epoch by phase"));
    m_timeChart->setValueTitle(tr("seconds per epoch"));
    m_timeChart->setLabelFormat(QStringLiteral("@value"));
    grid->addWidget(m_accChart, 0, 0);
    grid->addWidget(m_lossChart, 0, 1);
    grid->addWidget(m_ratioChart, 1, 0);
    grid->addWidget(m_timeChart, 1, 1);
    v->addLayout(grid, 1);
    return page;
}

QWidget* MainWindow::buildCompareTab()
{
    auto* page = new QWidget();
    auto* v = new QVBoxLayout(page);
    v->setContentsMargins(2, 2, 2, 2);
    auto* charts = new QHBoxLayout();
    m_compareChart = new LineChart();
    m_compareChart->setTitle(tr("top-k vs random vs dense: dev accuracy (solid), test (dashed)"));
    m_compareChart->setAxisTitles(tr("epoch"), tr("accuracy (%)"));
    m_compareChart->setIntegerX(true);
    m_compareLoss = new LineChart();
    m_compareLoss->setTitle(tr("Training loss (per batch, smoothed)"));
    m_compareLoss->setAxisTitles(tr("step"), tr("loss (log scale)"));
    m_compareLoss->setLogY(true);
    charts->addWidget(m_compareChart, 3);
    charts->addWidget(m_compareLoss, 2);
    v->addLayout(charts, 3);
    m_compareTable = new QTableWidget(0, 8);
    m_compareTable->setObjectName(QStringLiteral("compareTable"));
    m_compareTable->setHorizontalHeaderLabels({tr("Run"), tr("Mode"), tr("k"), tr("Best dev (%)"), tr("Test (%)"),
                                               tr("BP time (s)"), tr("BP speedup"), tr("Backprop ratio")});
    m_compareTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_compareTable->verticalHeader()->hide();
    m_compareTable->verticalHeader()->setDefaultSectionSize(m_compareTable->fontMetrics().height() + 6);
    v->addWidget(m_compareTable, 1);
    return page;
}

QWidget* MainWindow::buildSweepTab()
{
    auto* page = new QWidget();
    auto* v = new QVBoxLayout(page);
    v->setContentsMargins(2, 2, 2, 2);
    auto* charts = new QHBoxLayout();
    m_sweepAcc = new LineChart();
    m_sweepAcc->setTitle(tr("Accuracy against k"));
    m_sweepAcc->setAxisTitles(tr("k (log scale)"), tr("accuracy (%)"));
    m_sweepAcc->setLogX(true);
    m_sweepSpeed = new LineChart();
    m_sweepSpeed->setTitle(tr("Backprop speedup over dense against k"));
    m_sweepSpeed->setAxisTitles(tr("k (log scale)"), tr("speedup (x)"));
    m_sweepSpeed->setLogX(true);
    m_sweepSpeed->setYIncludesZero(true);
    charts->addWidget(m_sweepAcc);
    charts->addWidget(m_sweepSpeed);
    v->addLayout(charts, 3);
    m_sweepTable = new QTableWidget(0, 6);
    m_sweepTable->setObjectName(QStringLiteral("sweepTable"));
    m_sweepTable->setHorizontalHeaderLabels({tr("Run"), tr("k"), tr("Best dev (%)"), tr("Test (%)"), tr("BP time (s)"), tr("BP speedup")});
    m_sweepTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_sweepTable->verticalHeader()->hide();
    m_sweepTable->verticalHeader()->setDefaultSectionSize(m_sweepTable->fontMetrics().height() + 6);
    v->addWidget(m_sweepTable, 1);
    return page;
}

QWidget* MainWindow::buildHeatmapTab()
{
    auto* page = new QWidget();
    auto* v = new QVBoxLayout(page);
    v->setContentsMargins(2, 2, 2, 2);
    m_heatmapCaption = new QLabel();
    m_heatmapCaption->setWordWrap(true);
    v->addWidget(m_heatmapCaption);
    m_heatmap = new WeightHeatmap();
    v->addWidget(m_heatmap, 1);
    return page;
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
        const QByteArray text = QByteArray::fromStdString(toEngineJson(m_config->values()).dump(2) + "\n");
        if (!saveFileAtomically(path, text, &error)) showError(tr("Cannot save the config"), error);
    });
    saveCfg->setShortcut(QKeySequence::Save);
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
    file->addAction(tr("&Export run bundle..."), this, [this] {
        const QString path = chooseSavePath(tr("Export run bundle"), tr("Run bundle (*.zip)"), QStringLiteral("meprop-runs.zip"));
        if (path.isEmpty()) return;
        QString error;
        if (!exportBundle(path, &error)) showError(tr("Cannot export the bundle"), error);
        else statusBar()->showMessage(tr("Saved %1").arg(path), 5000);
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
        for (const Chart& c : std::as_const(m_charts)) {
            chartMenu->addAction(c.title, this, [this, id = c.id] {
                const QString path = chooseSavePath(tr("Export chart"), tr("PNG image (*.png);;SVG drawing (*.svg)"), id + QStringLiteral(".png"));
                if (path.isEmpty()) return;
                QString error;
                if (!exportChart(id, path, &error)) showError(tr("Cannot export the chart"), error);
            });
        }
    });
    file->addSeparator();
    file->addAction(tr("Choose &data folder..."), this, &MainWindow::chooseDataFolder);
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
        for (const QString& part : m_sweepKs->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            bool ok = false;
            const int k = part.trimmed().toInt(&ok);
            if (!ok || k < 1) {
                showError(tr("Cannot start the sweep"), tr("k list: \"%1\" is not a positive integer").arg(part.trimmed()));
                return;
            }
            ks << k;
        }
        QString why;
        if (!startSweep(ks, &why)) showError(tr("Cannot start the sweep"), why);
        else showView(QStringLiteral("sweep"));
    });
    runMenu->addSeparator();
    runMenu->addAction(tr("Stop &all"), m_runs, &RunController::stopAll);

    tb->addAction(m_startAct);
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

void MainWindow::registerCharts()
{
    auto line = [this](const QString& id, LineChart* c) {
        m_charts.append({id, c->title(), [c](const QString& p, QString* e) { return c->exportPng(p, e); },
                         [c](const QString& p, QString* e) { return c->exportSvg(p, e); }, [c] { return c->toImage(); }, c});
    };
    line(QStringLiteral("accuracy"), m_accChart);
    line(QStringLiteral("loss"), m_lossChart);
    line(QStringLiteral("ratio"), m_ratioChart);
    m_charts.append({QStringLiteral("timing"), m_timeChart->title(),
                     [this](const QString& p, QString* e) { return m_timeChart->exportPng(p, e); },
                     [this](const QString& p, QString* e) { return m_timeChart->exportSvg(p, e); },
                     [this] { return m_timeChart->toImage(); }, m_timeChart});
    line(QStringLiteral("compare"), m_compareChart);
    line(QStringLiteral("compare_loss"), m_compareLoss);
    line(QStringLiteral("sweep_accuracy"), m_sweepAcc);
    line(QStringLiteral("sweep_speedup"), m_sweepSpeed);
    m_charts.append({QStringLiteral("heatmap"), tr("Which weights get updated"),
                     [this](const QString& p, QString* e) { return m_heatmap->exportPng(p, e); },
                     [this](const QString& p, QString* e) { return m_heatmap->exportSvg(p, e); },
                     [this] { return m_heatmap->toImage(); }, m_heatmap});
}

// ---- runs -----------------------------------------------------------------------------------

bool MainWindow::start(QString* why)
{
    m_config->revalidate();  // the data folder may have changed on disk
    if (!m_config->isValid()) {
        if (why) *why = m_config->firstError();
        return false;
    }
    m_runs->enqueue(m_config->values());
    if (!m_scripted) showView(QStringLiteral("live"));
    return true;
}

bool MainWindow::startCompare(QString* why)
{
    m_config->revalidate();
    if (!m_config->isValid()) {
        if (why) *why = m_config->firstError();
        return false;
    }
    const QJsonObject base = m_config->values();
    const int group = m_runs->newGroupId();
    for (const char* mode : {"topk", "random", "dense"}) {
        QJsonObject c = base;
        c[QStringLiteral("mode")] = QString::fromLatin1(mode);
        m_runs->enqueue(c, GroupKind::Compare, group, QStringLiteral("compare %1 %2").arg(group).arg(QLatin1String(mode)));
    }
    return true;
}

bool MainWindow::startSweep(const QList<int>& ks, QString* why)
{
    m_config->revalidate();
    if (!m_config->isValid()) {
        if (why) *why = m_config->firstError();
        return false;
    }
    if (ks.isEmpty()) {
        if (why) *why = tr("the k list is empty");
        return false;
    }
    const QJsonObject base = m_config->values();
    QString mode = base.value(QStringLiteral("mode")).toString();
    if (mode == QLatin1String("dense")) mode = QStringLiteral("topk");
    // Every k must be valid for the engine (k <= hidden ...) before anything is queued.
    for (int k : ks) {
        QJsonObject c = base;
        c[QStringLiteral("mode")] = mode;
        c[QStringLiteral("k")] = k;
        const QString err = validateConfig(c);
        if (!err.isEmpty()) {
            if (why) *why = tr("k = %1: %2").arg(k).arg(err);
            return false;
        }
    }
    const int group = m_runs->newGroupId();
    QJsonObject dense = base;
    dense[QStringLiteral("mode")] = QStringLiteral("dense");
    m_runs->enqueue(dense, GroupKind::Sweep, group, QStringLiteral("sweep %1 dense").arg(group));
    for (int k : ks) {
        QJsonObject c = base;
        c[QStringLiteral("mode")] = mode;
        c[QStringLiteral("k")] = k;
        m_runs->enqueue(c, GroupKind::Sweep, group, QStringLiteral("sweep %1 k=%2").arg(group).arg(k));
    }
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
    if (m_scripted) {
        ++m_scriptFailures;
        if (m_scriptFailure.isEmpty()) m_scriptFailure = tr("%1 failed: %2").arg(name, message);
    }
    showError(tr("Run failed"), tr("%1 failed:\n%2").arg(name, message));
}

void MainWindow::onWarning(int id, const QString& message)
{
    const RunRecord* r = m_runs->record(id);
    m_lastWarning = tr("%1: %2").arg(r ? r->name : QString::number(id), message);
    m_warningBanner->setText(tr("Warning from the engine: %1").arg(m_lastWarning));
    m_warningBanner->show();
    statusBar()->showMessage(tr("Warning: %1").arg(m_lastWarning), 10000);
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
    statusBar()->showMessage(message, 10000);
    if (m_scripted) return;  // scripted runs report on stderr; a modal box would block them
    auto* box = new QMessageBox(QMessageBox::Critical, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

// ---- data sets ------------------------------------------------------------------------------

void MainWindow::chooseDataFolder()
{
    const QString current = m_config->value(QStringLiteral("data")).toString();
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Choose the data folder"), current.isEmpty() ? m_lastFolder : current);
    if (dir.isEmpty()) return;
    m_config->setValue(QStringLiteral("data"), dir);
    showView(QStringLiteral("configure"));
}

void MainWindow::askDownload(const DatasetInfo& info)
{
    const QString name = QString::fromStdString(info.name);
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Download %1").arg(name));
    auto* form = new QFormLayout(&dialog);
    auto* about = new QLabel(tr("%1\n%2; licence: %3\nFrom %4")
                                 .arg(QString::fromStdString(info.description), DatasetDownloader::describeSize(info),
                                      QString::fromStdString(info.licence), QString::fromStdString(info.mirrors.front())));
    about->setWordWrap(true);
    form->addRow(about);
    auto* row = new QHBoxLayout();
    auto* edit = new QLineEdit(DatasetDownloader::defaultFolder(info));
    edit->setMinimumWidth(360);
    auto* browse = new QPushButton(tr("Browse..."));
    connect(browse, &QPushButton::clicked, &dialog, [&dialog, edit] {
        const QString dir = QFileDialog::getExistingDirectory(&dialog, tr("Download into"), edit->text());
        if (!dir.isEmpty()) edit->setText(dir);
    });
    row->addWidget(edit, 1);
    row->addWidget(browse);
    form->addRow(tr("Folder:"), row);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Download"));
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted || edit->text().trimmed().isEmpty()) return;
    downloadDataset(info, edit->text().trimmed());
}

bool MainWindow::downloadDataset(const DatasetInfo& info, const QString& folder)
{
    if (!m_downloader) {
        m_downloader = new DatasetDownloader(this);
        connect(m_downloader, &DatasetDownloader::fileStarted, this, [this](int index, int count, const QString& file, const QString& url) {
            if (m_downloadDialog)
                m_downloadDialog->setLabelText(tr("Downloading %1 (%2 of %3)\nfrom %4").arg(file).arg(index + 1).arg(count).arg(url));
            statusBar()->showMessage(tr("Downloading %1 from %2").arg(file, url));
        });
        connect(m_downloader, &DatasetDownloader::progress, this, &MainWindow::onDownloadProgress);
        connect(m_downloader, &DatasetDownloader::finished, this, [this](const QString& dir) {
            closeDownloadDialog();
            m_config->setValue(QStringLiteral("data"), dir);
            updateDatasetInfo();
            statusBar()->showMessage(tr("Downloaded and verified into %1; data now points there").arg(dir), 10000);
        });
        connect(m_downloader, &DatasetDownloader::failed, this, [this](const QString& message) {
            closeDownloadDialog();
            showError(tr("Download failed"), message);
        });
        connect(m_downloader, &DatasetDownloader::cancelled, this, [this] {
            closeDownloadDialog();
            statusBar()->showMessage(tr("Download cancelled; no partial file was kept"), 10000);
        });
    }
    if (m_downloader->isRunning()) {
        showError(tr("Download"), tr("A download is already running; wait for it or cancel it first."));
        return false;
    }
    m_downloadReceived.clear();
    m_downloadTotal = 0;
    m_downloadFiles = static_cast<int>(info.files.size());
    for (const DatasetFile& f : info.files) {
        if (f.size == 0) {
            m_downloadTotal = 0;
            break;
        }
        m_downloadTotal += static_cast<qint64>(f.size);
    }
    if (!m_scripted) {
        m_downloadDialog = new QProgressDialog(tr("Downloading %1...").arg(QString::fromStdString(info.name)), tr("Cancel"), 0,
                                               m_downloadTotal > 0 ? 1000 : 0, this);
        m_downloadDialog->setWindowTitle(tr("Download %1").arg(QString::fromStdString(info.name)));
        m_downloadDialog->setAttribute(Qt::WA_DeleteOnClose);
        m_downloadDialog->setAutoClose(false);
        m_downloadDialog->setAutoReset(false);
        m_downloadDialog->setMinimumDuration(0);
        m_downloadDialog->setWindowModality(Qt::WindowModal);
        connect(m_downloadDialog, &QProgressDialog::canceled, m_downloader, &DatasetDownloader::cancel);
        m_downloadDialog->setValue(0);
    }
    m_downloader->start(info, folder);
    return true;
}

void MainWindow::onDownloadProgress(const QString& file, qint64 received, qint64 total)
{
    m_downloadReceived[file] = received;
    if (!m_downloadDialog) return;
    if (m_downloadTotal > 0) {
        qint64 sum = 0;
        for (qint64 v : std::as_const(m_downloadReceived)) sum += v;
        m_downloadDialog->setValue(static_cast<int>(std::min<qint64>(1000, sum * 1000 / m_downloadTotal)));
    } else if (total > 0) {
        m_downloadDialog->setMaximum(1000);
        m_downloadDialog->setValue(static_cast<int>(received * 1000 / total));
    }
}

void MainWindow::closeDownloadDialog()
{
    if (!m_downloadDialog) return;
    QProgressDialog* dialog = m_downloadDialog;
    m_downloadDialog = nullptr;
    disconnect(dialog, nullptr, m_downloader, nullptr);  // closing a QProgressDialog emits canceled()
    dialog->close();
}

// ---- config ---------------------------------------------------------------------------------

bool MainWindow::applyPreset(const QString& name, QString* error)
{
    if (!m_config->applyPreset(name)) {
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
    m_config->setValues(values, true);
    return true;
}

bool MainWindow::applySettings(const QStringList& settings, QString* error)
{
    QJsonObject values = m_config->values();
    if (!meprop::applySettings(values, settings, error)) return false;
    m_config->setValues(values);
    return true;
}

void MainWindow::updateActions()
{
    const bool valid = m_config->isValid();
    const QString reason = valid ? QString() : m_config->firstError();
    for (QAction* a : {m_startAct, m_compareAct, m_sweepAct}) {
        a->setEnabled(valid);
        a->setToolTip(valid ? a->text().remove(QLatin1Char('&')) : tr("Disabled: %1").arg(reason));
    }
    if (valid && m_runs->isBusy()) m_startAct->setToolTip(tr("Queue a run of this config after the current one"));
    m_pauseAct->setEnabled(m_runs->isBusy());
    m_stopAct->setEnabled(m_runs->isBusy());
    if (m_startReason) {
        m_startReason->setText(valid ? tr("Ready to start: %1").arg(configSummary(m_config->values()))
                                     : tr("<b>Start is disabled:</b> %1").arg(reason.toHtmlEscaped()));
        m_startReason->setStyleSheet(valid ? QStringLiteral("color: #1b5e20;") : QStringLiteral("color: #b00020;"));
    }
}

void MainWindow::updateDatasetInfo()
{
    if (!m_datasetInfo) return;
    const QStringList found = findImageDatasets();
    const QString data = m_config->value(QStringLiteral("data")).toString();
    QString text;
    if (found.isEmpty()) text = tr("No MNIST-format data set was found automatically. Choose a folder with the four MNIST files.");
    else text = tr("Found automatically:<br>%1").arg(found.join(QStringLiteral("<br>")).toHtmlEscaped().replace(QStringLiteral("&lt;br&gt;"), QStringLiteral("<br>")));
    if (data.isEmpty() && !found.isEmpty()) text += tr("<br><br><i>data</i> is empty: the engine uses %1.").arg(found.front().toHtmlEscaped());
    else if (!data.isEmpty()) {
        const QString problem = checkDataFolder(data);
        text += problem.isEmpty() ? tr("<br><br><span style='color:#1b5e20'>%1 holds an MNIST-format data set.</span>").arg(data.toHtmlEscaped())
                                  : tr("<br><br><span style='color:#b00020'>%1</span>").arg(problem.toHtmlEscaped());
    }
    m_datasetInfo->setText(text);
}

// ---- drawing --------------------------------------------------------------------------------

void MainWindow::scheduleRefresh()
{
    updateStatus();
    if (!m_refreshTimer->isActive()) m_refreshTimer->start();
}

void MainWindow::refreshCurrent()
{
    switch (m_tabs->currentIndex()) {
    case 1: refreshLive(); break;
    case 2: refreshCompare(); break;
    case 3: refreshSweep(); break;
    case 4: refreshHeatmap(); break;
    default: break;
    }
    updateStatus();
}

void MainWindow::refreshAll()
{
    refreshLive();
    refreshCompare();
    refreshSweep();
    refreshHeatmap();
    updateStatus();
}

QColor MainWindow::colorFor(int id) const
{
    static const QList<QColor> palette{QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44), QColor(214, 39, 40),
                                       QColor(148, 103, 189), QColor(140, 86, 75), QColor(227, 119, 194), QColor(127, 127, 127),
                                       QColor(188, 189, 34), QColor(23, 190, 207)};
    return palette[(id - 1) % palette.size()];
}

QList<const RunRecord*> MainWindow::shownRuns() const
{
    QList<const RunRecord*> out;
    for (int id : m_runs->model()->shownIds())
        if (const RunRecord* r = m_runs->record(id)) out << r;
    return out;
}

void MainWindow::refreshLive()
{
    const QList<const RunRecord*> runs = shownRuns();
    QStringList keep;
    for (const RunRecord* r : runs) {
        const QColor c = colorFor(r->id);
        QList<QPointF> dev, test, lossEpoch;
        for (const EpochData& e : r->epochs) {
            dev << QPointF(e.epoch, e.dev);
            if (std::isfinite(e.test)) test << QPointF(e.epoch, e.test);
            lossEpoch << QPointF(double(e.epoch) * double(std::max<qint64>(1, r->start.batchesPerEpoch)), e.trainLoss);
        }
        const QString name = r->legend();
        m_accChart->setSeries(name + tr(" dev"), dev, {c, Qt::SolidLine, 2.0, true});
        m_accChart->setSeries(name + tr(" test"), test, {c, Qt::DashLine, 1.5, false});
        m_lossChart->setSeries(name + tr(" batch"), smoothed(r->batchLoss, 0.05, 1500), {c, Qt::SolidLine, 1.5, false});
        m_lossChart->setSeries(name + tr(" epoch"), lossEpoch, {c.darker(140), Qt::DotLine, 1.5, true});
        keep << name + tr(" dev") << name + tr(" test") << name + tr(" batch") << name + tr(" epoch");
        for (int l = 0; l < r->ratio.size(); ++l) {
            const QString layer = l < r->start.layers.size() ? r->start.layers[l].name : QStringLiteral("layer %1").arg(l + 1);
            const QString sname = QStringLiteral("%1 %2").arg(name, layer);
            QColor lc = c;
            if (l > 0) lc = l % 2 ? c.lighter(100 + 35 * l) : c.darker(100 + 30 * l);
            m_ratioChart->setSeries(sname, thinned(r->ratio[l], 1500), {lc, l == 0 ? Qt::SolidLine : Qt::DashLine, 1.5, false});
        }
    }
    // Drop series of runs no longer shown.
    for (LineChart* chart : {m_accChart, m_lossChart}) {
        for (const QString& s : chart->seriesNames())
            if (!keep.contains(s)) chart->removeSeries(s);
    }
    for (const QString& s : m_ratioChart->seriesNames()) {
        bool ok = false;
        for (const RunRecord* r : runs)
            if (s.startsWith(r->legend() + QLatin1Char(' '))) ok = true;
        if (!ok) m_ratioChart->removeSeries(s);
    }

    QList<BarSetData> bars;
    for (const RunRecord* r : runs) {
        if (r->epochs.isEmpty()) continue;
        const double n = double(r->epochs.size());
        QString label = r->legend();
        if (std::isfinite(r->row.speedup) && r->mode() != QLatin1String("dense"))
            label += tr(" (BP %1x vs dense)").arg(r->row.speedup, 0, 'f', 1);
        bars.append({label, {r->totalForward() / n, r->totalBpLinear() / n, r->totalUpdate() / n}, colorFor(r->id)});
    }
    m_timeChart->setLabelFormat(QStringLiteral("@value"));
    m_timeChart->setData({tr("forward"), tr("backprop (linear)"), tr("update")}, bars);
}

int MainWindow::latestGroup(GroupKind kind) const
{
    // The group of the selected run when it is one of `kind`, else the newest.
    const QModelIndexList sel = m_table->selectionModel() ? m_table->selectionModel()->selectedRows() : QModelIndexList();
    if (!sel.isEmpty())
        if (const RunRecord* r = m_runs->record(sel.front().data(RunTableModel::IdRole).toInt()); r && r->groupKind == kind)
            return r->groupId;
    int group = 0;
    for (int id : m_runs->ids()) {
        const RunRecord* r = m_runs->record(id);
        if (r && r->groupKind == kind) group = r->groupId;
    }
    return group;
}

void MainWindow::refreshCompare()
{
    const int group = latestGroup(GroupKind::Compare);
    QList<const RunRecord*> runs;
    for (int id : m_runs->ids())
        if (const RunRecord* r = m_runs->record(id); r && r->groupKind == GroupKind::Compare && r->groupId == group) runs << r;
    m_compareChart->clearSeries();
    m_compareLoss->clearSeries();
    m_compareTable->setRowCount(static_cast<int>(runs.size()));
    int row = 0;
    for (const RunRecord* r : runs) {
        const QColor c = modeColor(r->mode());
        QList<QPointF> dev, test;
        for (const EpochData& e : r->epochs) {
            dev << QPointF(e.epoch, e.dev);
            if (std::isfinite(e.test)) test << QPointF(e.epoch, e.test);
        }
        m_compareChart->setSeries(r->legend() + tr(" dev"), dev, {c, Qt::SolidLine, 2.0, true});
        m_compareChart->setSeries(r->legend() + tr(" test"), test, {c, Qt::DashLine, 1.5, false});
        m_compareLoss->setSeries(r->legend(), smoothed(r->batchLoss, 0.05, 1500), {c, Qt::SolidLine, 1.5, false});
        const double ratio = r->epochs.isEmpty() ? std::nan("") : r->backpropRatio(r->epochs.back());
        setTableRow(m_compareTable, row++,
                    {r->name + QStringLiteral(" (") + toString(r->row.state) + QLatin1Char(')'), r->mode(),
                     r->mode() == QLatin1String("dense") ? QStringLiteral("-") : QString::number(r->k()), fmt(r->bestDev()),
                     fmt(r->testAtBest()), fmt(r->epochs.isEmpty() ? std::nan("") : r->totalBpLinear(), 3),
                     std::isfinite(r->row.speedup) ? QStringLiteral("%1x").arg(r->row.speedup, 0, 'f', 1) : QStringLiteral("-"),
                     fmt(ratio, 3)});
    }
}

void MainWindow::refreshSweep()
{
    const int group = latestGroup(GroupKind::Sweep);
    QList<const RunRecord*> runs;
    const RunRecord* dense = nullptr;
    for (int id : m_runs->ids())
        if (const RunRecord* r = m_runs->record(id); r && r->groupKind == GroupKind::Sweep && r->groupId == group) {
            if (r->mode() == QLatin1String("dense")) dense = r;
            else runs << r;
        }
    std::sort(runs.begin(), runs.end(), [](const RunRecord* a, const RunRecord* b) { return a->k() < b->k(); });
    QList<QPointF> dev, test, speed;
    double kMin = 1e9, kMax = 0;
    for (const RunRecord* r : runs) {
        kMin = std::min(kMin, double(r->k()));
        kMax = std::max(kMax, double(r->k()));
        if (r->epochs.isEmpty()) continue;
        dev << QPointF(r->k(), r->bestDev());
        test << QPointF(r->k(), r->testAtBest());
        if (dense && !dense->epochs.isEmpty() && r->totalBpLinear() > 0) speed << QPointF(r->k(), dense->totalBpLinear() / r->totalBpLinear());
    }
    const QString mode = runs.isEmpty() ? QStringLiteral("topk") : runs.front()->mode();
    m_sweepAcc->clearSeries();
    m_sweepSpeed->clearSeries();
    m_sweepAcc->setSeries(tr("%1 best dev").arg(mode), dev, {QColor(31, 119, 180), Qt::SolidLine, 2.0, true});
    m_sweepAcc->setSeries(tr("%1 test at best dev").arg(mode), test, {QColor(44, 160, 44), Qt::DashLine, 2.0, true});
    if (dense && !dense->epochs.isEmpty() && kMax > 0)
        m_sweepAcc->setSeries(tr("dense best dev"), {QPointF(kMin, dense->bestDev()), QPointF(kMax, dense->bestDev())},
                              {QColor(90, 90, 90), Qt::DotLine, 2.0, false});
    m_sweepSpeed->setSeries(tr("%1 BP speedup over dense").arg(mode), speed, {QColor(214, 39, 40), Qt::SolidLine, 2.0, true});
    if (kMax > 0) m_sweepSpeed->setSeries(tr("1x (dense)"), {QPointF(kMin, 1.0), QPointF(kMax, 1.0)}, {QColor(90, 90, 90), Qt::DotLine, 1.5, false});

    QList<const RunRecord*> all = runs;
    if (dense) all.prepend(dense);
    m_sweepTable->setRowCount(static_cast<int>(all.size()));
    int row = 0;
    for (const RunRecord* r : all) {
        const bool isDense = r->mode() == QLatin1String("dense");
        double sp = std::nan("");
        if (dense && !dense->epochs.isEmpty() && !r->epochs.isEmpty() && r->totalBpLinear() > 0) sp = dense->totalBpLinear() / r->totalBpLinear();
        setTableRow(m_sweepTable, row++,
                    {r->name + QStringLiteral(" (") + toString(r->row.state) + QLatin1Char(')'),
                     isDense ? tr("dense") : QString::number(r->k()), fmt(r->bestDev()), fmt(r->testAtBest()),
                     fmt(r->epochs.isEmpty() ? std::nan("") : r->totalBpLinear(), 3),
                     std::isfinite(sp) ? QStringLiteral("%1x").arg(sp, 0, 'f', 1) : QStringLiteral("-")});
    }
}

int MainWindow::heatmapRunId() const
{
    const QModelIndexList sel = m_table->selectionModel() ? m_table->selectionModel()->selectedRows() : QModelIndexList();
    if (!sel.isEmpty()) return sel.front().data(RunTableModel::IdRole).toInt();
    if (m_runs->currentId()) return m_runs->currentId();
    int last = 0;
    for (int id : m_runs->ids())
        if (const RunRecord* r = m_runs->record(id); r && !r->heatmap.isEmpty()) last = id;
    return last;
}

void MainWindow::refreshHeatmap()
{
    const RunRecord* r = m_runs->record(heatmapRunId());
    if (!r || r->heatmap.isEmpty()) {
        m_heatmap->setTitle(r ? tr("Which weights get updated: %1").arg(r->legend()) : tr("Which weights get updated"));
        m_heatmap->clear();
        m_heatmapCaption->setText(r ? tr("%1 has no update data (imported runs keep only their charts).").arg(r->name)
                                    : tr("Select a run in the table (or start one) to see which rows of each layer get a gradient."));
        return;
    }
    m_heatmap->setTitle(tr("Which weights get updated: %1").arg(r->legend()));
    m_heatmap->setLayers(r->heatmap);
    m_heatmapCaption->setText(tr("%1 (%2): each row is a neuron (a row of the weight matrix), each column a training step; "
                                 "blue where the row got a gradient. Right: cumulative updates per neuron, sorted.")
                                  .arg(r->name, toString(r->row.state)));
}

void MainWindow::updateStatus()
{
    const int id = m_runs->currentId();
    const RunRecord* r = m_runs->record(id);
    if (!r) {
        m_statusText->setText(m_runs->ids().isEmpty() ? tr("Ready") : tr("Idle: %1 run(s) in this session").arg(m_runs->ids().size()));
        m_statusProgress->setValue(0);
        return;
    }
    QString text = tr("%1: %2, %3").arg(r->name, toString(r->row.state), r->row.summary);
    if (!r->epochs.isEmpty()) text += tr(", epoch %1/%2, best dev %3 %").arg(r->epochs.size()).arg(r->start.epochs).arg(fmt(r->bestDev()));
    if (m_runs->queuedCount() > 0) text += tr(" (%1 queued)").arg(m_runs->queuedCount());
    m_statusText->setText(text);
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
    for (const Chart& c : m_charts) ids << c.id;
    return ids;
}

QWidget* MainWindow::chartWidget(const QString& id) const
{
    for (const Chart& c : m_charts)
        if (c.id == id) return c.widget;
    return nullptr;
}

bool MainWindow::exportChart(const QString& id, const QString& path, QString* error)
{
    refreshAll();
    for (const Chart& c : std::as_const(m_charts)) {
        if (c.id != id) continue;
        const QString ext = QFileInfo(path).suffix().toLower();
        if (ext == QLatin1String("svg")) return c.svg(path, error);
        if (ext == QLatin1String("png")) return c.png(path, error);
        if (error) *error = tr("%1: choose a .png or .svg file name").arg(path);
        return false;
    }
    if (error) *error = tr("no chart named %1 (known: %2)").arg(id, chartIds().join(QStringLiteral(", ")));
    return false;
}

bool MainWindow::exportTable(const QString& path, QString* error)
{
    const QString ext = QFileInfo(path).suffix().toLower();
    if (ext == QLatin1String("csv")) return saveFileAtomically(path, m_runs->model()->toCsv().toUtf8(), error);
    if (ext == QLatin1String("md") || ext == QLatin1String("markdown"))
        return saveFileAtomically(path, m_runs->model()->toMarkdown().toUtf8(), error);
    if (error) *error = tr("%1: choose a .csv or .md file name").arg(path);
    return false;
}

bool MainWindow::exportBundle(const QString& path, QString* error)
{
    QList<RunRecord> runs;
    // The selected run alone when one is selected in the table, otherwise every run.
    const QModelIndexList sel = m_table->selectionModel()->selectedRows();
    if (!sel.isEmpty() && !m_scripted) {
        if (const RunRecord* r = m_runs->record(sel.front().data(RunTableModel::IdRole).toInt())) runs << *r;
    } else {
        for (int id : m_runs->ids())
            if (const RunRecord* r = m_runs->record(id)) runs << *r;
    }
    if (runs.isEmpty()) {
        if (error) *error = tr("nothing to export: the run table is empty");
        return false;
    }
    refreshAll();
    QMap<QString, QByteArray> files;
    const QString tmp = QDir::temp().filePath(QStringLiteral("meprop-export-%1").arg(QCoreApplication::applicationPid()));
    QDir().mkpath(tmp);
    for (const Chart& c : std::as_const(m_charts)) {
        for (const char* ext : {"png", "svg"}) {
            const QString f = QDir(tmp).filePath(c.id + QLatin1Char('.') + QLatin1String(ext));
            QString e;
            const bool ok = QLatin1String(ext) == QLatin1String("png") ? c.png(f, &e) : c.svg(f, &e);
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
    files[QStringLiteral("results.csv")] = m_runs->model()->toCsv().toUtf8();
    files[QStringLiteral("results.md")] = m_runs->model()->toMarkdown().toUtf8();
    return writeBundle(path, runs, files, error);
}

bool MainWindow::importBundle(const QString& path, QString* error)
{
    QList<RunRecord> runs;
    if (!readBundle(path, &runs, error)) return false;
    // Groups of the bundle get fresh ids so they do not merge with this session's.
    QMap<int, int> groups;
    for (RunRecord& r : runs) {
        if (r.groupKind != GroupKind::None) {
            if (!groups.contains(r.groupId)) groups[r.groupId] = m_runs->newGroupId();
            r.groupId = groups[r.groupId];
        }
        if (r.name.isEmpty()) r.name = QFileInfo(path).completeBaseName();
        m_runs->addImported(r);
    }
    refreshAll();
    statusBar()->showMessage(tr("Imported %1 run(s) from %2").arg(runs.size()).arg(path), 5000);
    return true;
}

bool MainWindow::importMetrics(const QString& path, QString* error)
{
    RunRecord r;
    if (!readRunFolder(path, &r, error)) return false;
    m_runs->addImported(r);
    refreshAll();
    statusBar()->showMessage(tr("Imported %1 from %2").arg(r.name, path), 5000);
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
    m_sweepKs->setText(s.value(QStringLiteral("sweepKs"), m_sweepKs->text()).toString());
    const QByteArray cfg = s.value(QStringLiteral("lastConfig")).toByteArray();
    if (!cfg.isEmpty()) {
        const QJsonDocument doc = QJsonDocument::fromJson(cfg);
        if (doc.isObject()) m_config->setValues(doc.object(), true);
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
    s.setValue(QStringLiteral("sweepKs"), m_sweepKs->text());
    s.setValue(QStringLiteral("lastConfig"), QJsonDocument(m_config->values()).toJson(QJsonDocument::Compact));
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (!m_scripted) saveSettings();
    if (m_downloader) m_downloader->cancel();
    m_runs->stopAll();
    event->accept();
}

// ---- scripted mode --------------------------------------------------------------------------

void MainWindow::runScript(const ScriptOptions& o)
{
    m_scripted = true;
    m_script = o;
    if (!o.view.isEmpty()) showView(o.view);
    auto fail = [this](const QString& why) {
        std::fprintf(stderr, "meprop-workbench: cannot start: %s\n", qPrintable(why));
        // Queued: the caller may not have entered the event loop yet.
        QTimer::singleShot(0, this, [this] { emit scriptDone(2); });
    };
    if (!o.autorun) {
        QTimer::singleShot(300, this, &MainWindow::finishScript);
        return;
    }
    connect(m_runs, &RunController::idle, this, &MainWindow::finishScript);
    if (o.screenshotAt >= 0 && !o.screenshot.isEmpty()) {
        connect(m_runs, &RunController::runChanged, this, [this](int id) {
            const RunRecord* r = m_runs->record(id);
            if (m_scriptShotTaken || !r || r->row.progress < m_script.screenshotAt || r->row.state != RunState::Running) return;
            m_scriptShotTaken = true;
            // Let the charts catch up (they redraw on a 50 ms timer), then grab the window.
            QTimer::singleShot(120, this, &MainWindow::takeScriptScreenshot);
        });
    }
    QString why;
    bool ok = false;
    if (o.compare) ok = startCompare(&why);
    else if (!o.sweep.isEmpty()) ok = startSweep(o.sweep, &why);
    else ok = start(&why);
    if (!ok) fail(why);
}

void MainWindow::takeScriptScreenshot()
{
    QString error;
    if (!saveScreenshot(m_script.screenshot, &error)) {
        std::fprintf(stderr, "meprop-workbench: %s\n", qPrintable(error));
        ++m_scriptFailures;
    }
}

void MainWindow::finishScript()
{
    if (m_scriptFinishing) return;
    m_scriptFinishing = true;
    refreshAll();
    // One more turn of the event loop so that the charts lay out before the grab.
    QTimer::singleShot(150, this, [this] {
        int code = 0;
        QString error;
        if (!m_script.screenshot.isEmpty() && !m_scriptShotTaken) {
            m_scriptShotTaken = true;
            if (!saveScreenshot(m_script.screenshot, &error)) {
                std::fprintf(stderr, "meprop-workbench: %s\n", qPrintable(error));
                code = 1;
            }
        }
        if (!m_script.bundle.isEmpty()) {
            if (!exportBundle(m_script.bundle, &error)) {
                std::fprintf(stderr, "meprop-workbench: %s\n", qPrintable(error));
                code = 1;
            }
        }
        if (m_scriptFailures > 0) {
            if (!m_scriptFailure.isEmpty()) std::fprintf(stderr, "meprop-workbench: %s\n", qPrintable(m_scriptFailure.simplified()));
            code = 1;
        }
        emit scriptDone(code);
    });
}

}  // namespace meprop
