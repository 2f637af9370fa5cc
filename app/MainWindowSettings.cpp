// MainWindow's memory and its end: the settings saved between launches (geometry, tab, folders,
// the sweep's k list, the last config), the question when closing with runs in progress, and the
// size of the first window.
#include "MainWindow.h"

#include "ConfigPanel.h"
#include "DownloadDialog.h"
#include "RunController.h"
#include "views/PaperView.h"

#include <QCloseEvent>
#include <QJsonDocument>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>

#include <algorithm>

namespace meprop {

bool MainWindow::restoreSettings()
{
    QSettings s;
    if (s.contains(QStringLiteral("window/geometry"))) restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    if (s.contains(QStringLiteral("window/state"))) restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    if (s.contains(QStringLiteral("window/splitter"))) m_splitter->restoreState(s.value(QStringLiteral("window/splitter")).toByteArray());
    m_lastFolder = s.value(QStringLiteral("lastFolder")).toString();
    if (!m_runsRootGiven && s.contains(QStringLiteral("runsRoot"))) setRunsRoot(s.value(QStringLiteral("runsRoot")).toString());
    m_sweepKs->setText(s.value(QStringLiteral("sweepKs"), m_sweepKs->text()).toString());
    m_parallel->setValue(s.value(QStringLiteral("parallelRuns"), 0).toInt());
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
    s.setValue(QStringLiteral("parallelRuns"), m_parallel->value());
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
    // Training runs, and a reproduction in the Paper view, count as runs in progress.
    const bool paperBusy = m_paper->isBusy();
    if ((m_runs->isBusy() || paperBusy) && !m_scripted) {
        switch (askQuit(m_runs->runningCount() + (paperBusy ? 1 : 0), m_runs->queuedCount())) {
        case QuitChoice::Cancel:
            m_quitWhenDone = false;
            event->ignore();
            return;
        case QuitChoice::QuitWhenDone:
            if (!m_quitWhenDone) {
                m_quitWhenDone = true;
                auto closeWhenDone = [this] {
                    if (m_quitWhenDone && !m_runs->isBusy() && !m_paper->isBusy()) close();
                };
                connect(m_runs, &RunController::idle, this, closeWhenDone, Qt::QueuedConnection);
                connect(m_paper, &PaperView::runDone, this, closeWhenDone, Qt::QueuedConnection);
            }
            showStatus(tr("The workbench quits when the runs are done"));
            event->ignore();
            return;
        case QuitChoice::StopRuns: break;
        }
    }
    if (!m_scripted) saveSettings();
    if (m_download) m_download->cancel();
    m_paper->stopRuns();  // finished runs stay; Run in the Paper view continues the folder later
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

}  // namespace meprop
