// MainWindow's menus and tool bar: File (configs, bundles, exports, data and runs folders,
// downloads), Run (start, pause, stop, compare, sweep, rename, delete), View (one entry per tab),
// Help. Each action calls the window's public operations.
#include "MainWindow.h"

#include "ChartExportDialog.h"
#include "ConfigPanel.h"
#include "EngineBridge.h"
#include "ExperimentPlan.h"
#include "RunController.h"
#include "RunTableView.h"
#include "charts/ChartExport.h"
#include "datasets/Catalogue.h"

#include <QAction>
#include <QThread>
#include <QApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSpinBox>
#include <QTabWidget>
#include <QToolBar>

namespace meprop {

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
    auto* parallelLabel = new QLabel(tr(" parallel "));
    m_parallel = new QSpinBox();
    m_parallel->setObjectName(QStringLiteral("parallelRuns"));
    m_parallel->setRange(0, 64);
    m_parallel->setValue(0);
    m_parallel->setSpecialValueText(tr("auto"));
    m_parallel->setToolTip(tr("Runs of a compare, sweep or seed group at once (auto: the cores / the config's threads). "
                              "A run's numbers depend only on its config and seed, not on what runs beside it; its timings do: "
                              "for backprop times and speedups use 1."));
    parallelLabel->setToolTip(m_parallel->toolTip());
    connect(m_parallel, &QSpinBox::valueChanged, this, [this] { m_runs->setParallelRuns(parallelRuns()); });
    tb->addWidget(parallelLabel);
    tb->addWidget(m_parallel);
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

    for (int i = 0; i < m_tabs->count(); ++i) {
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

}  // namespace meprop
