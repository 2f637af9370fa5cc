#include "ScriptRunner.h"

#include "MainWindow.h"
#include "RunController.h"
#include "views/PaperView.h"

#include <QTimer>

#include <cstdio>

namespace meprop {

ScriptRunner::ScriptRunner(MainWindow* window, const ScriptOptions& options) : QObject(window), m_window(window), m_options(options)
{
}

void ScriptRunner::start()
{
    const ScriptOptions& o = m_options;
    if (!o.view.isEmpty()) m_window->showView(o.view);
    m_window->setSeeds(o.seeds);
    if (o.parallel >= 0) {
        m_window->setParallelRuns(o.parallel);
        if (o.parallel > 0) m_window->paperView()->setParallelRuns(o.parallel);
    }
    if (!o.reproduce.isEmpty()) {
        startReproduce();
        return;
    }
    if (!o.autorun) {
        QTimer::singleShot(300, this, &ScriptRunner::finish);
        return;
    }
    RunController* runs = m_window->runs();
    connect(runs, &RunController::runFailed, this, [this, runs](int id, const QString& message) {
        ++m_failures;
        const RunRecord* r = runs->record(id);
        if (m_failure.isEmpty()) m_failure = tr("%1 failed: %2").arg(r ? r->name : QString::number(id), message);
    });
    connect(runs, &RunController::idle, this, &ScriptRunner::finish);
    if (o.screenshotAt >= 0 && !o.screenshot.isEmpty()) {
        connect(runs, &RunController::runChanged, this, [this, runs](int id) {
            const RunRecord* r = runs->record(id);
            if (m_shotTaken || !r || r->row.progress < m_options.screenshotAt || r->row.state != RunState::Running) return;
            m_shotTaken = true;
            // Let the charts catch up (they redraw on a 50 ms timer), then grab the window.
            QTimer::singleShot(120, this, &ScriptRunner::takeScreenshot);
        });
    }
    QString why;
    bool ok = false;
    if (o.compare) ok = m_window->startCompare(&why);
    else if (!o.sweep.isEmpty()) ok = m_window->startSweep(o.sweep, &why);
    else ok = m_window->start(&why);
    if (!ok) {
        std::fprintf(stderr, "meprop-workbench: cannot start: %s\n", qPrintable(why));
        // Queued: the caller may not have entered the event loop yet.
        QTimer::singleShot(0, this, [this] { emit done(2); });
    }
}

void ScriptRunner::startReproduce()
{
    const ScriptOptions& o = m_options;
    PaperView* paper = m_window->paperView();
    QString why;
    bool ok = paper->setBudget(o.budget, &why);
    if (ok) {
        paper->setTables(o.reproduce);
        paper->setSeeds(o.seedsGiven ? o.seeds : 0);
        if (!o.autorun) {  // shown, not run: the preview of the folder
            QTimer::singleShot(800, this, &ScriptRunner::finish);
            return;
        }
        connect(paper, &PaperView::runDone, this, [this](int code, const QString& message) {
            if (code == 2) {  // bad input or a folder of another plan: nothing ran
                std::fprintf(stderr, "meprop-workbench: cannot start: %s\n", qPrintable(message));
                emit done(2);
                return;
            }
            if (code != 0) {
                ++m_failures;
                if (m_failure.isEmpty()) m_failure = tr("reproduce: %1").arg(message);
            }
            finish();
        });
        ok = paper->startRuns(&why);
    }
    if (!ok) {
        std::fprintf(stderr, "meprop-workbench: cannot start: %s\n", qPrintable(why));
        QTimer::singleShot(0, this, [this] { emit done(2); });
    }
}

void ScriptRunner::takeScreenshot()
{
    QString error;
    if (!m_window->saveScreenshot(m_options.screenshot, &error)) {
        std::fprintf(stderr, "meprop-workbench: %s\n", qPrintable(error));
        ++m_failures;
    }
}

void ScriptRunner::finish()
{
    if (m_finishing) return;
    m_finishing = true;
    m_window->refreshAll();
    // One more turn of the event loop so that the charts lay out before the grab.
    QTimer::singleShot(150, this, [this] {
        int code = 0;
        QString error;
        if (!m_options.screenshot.isEmpty() && !m_shotTaken) {
            m_shotTaken = true;
            if (!m_window->saveScreenshot(m_options.screenshot, &error)) {
                std::fprintf(stderr, "meprop-workbench: %s\n", qPrintable(error));
                code = 1;
            }
        }
        if (!m_options.bundle.isEmpty()) {
            if (!m_window->exportBundle(m_options.bundle, &error)) {
                std::fprintf(stderr, "meprop-workbench: %s\n", qPrintable(error));
                code = 1;
            }
        }
        if (m_failures > 0) {
            if (!m_failure.isEmpty()) std::fprintf(stderr, "meprop-workbench: %s\n", qPrintable(m_failure.simplified()));
            code = 1;
        }
        emit done(code);
    });
}

}  // namespace meprop
