#include "ReproduceWorker.h"

#include "core/Error.h"
#include "datasets/Catalogue.h"
#include "reproduce/Figures.h"
#include "reproduce/Plan.h"
#include "reproduce/Report.h"
#include "reproduce/Results.h"
#include "reproduce/Runner.h"
#include "reproduce/Session.h"
#include "reproduce/Shell.h"

#include <QElapsedTimer>

#include <algorithm>
#include <cmath>
#include <new>

namespace meprop {

namespace {

using namespace meprop::reproduce;

QString q(const std::string& s) { return QString::fromStdString(s); }

Plan planOf(const PaperRequest& request)
{
    if (request.tables.isEmpty()) throw ConfigError("no table chosen: tick at least one table or figure panel");
    if (request.dir.isEmpty()) throw ConfigError("no output folder chosen");
    PlanOptions o;
    o.budget = parseBudget(request.budget.toStdString(), "budget");
    if (request.seeds < 0) throw ConfigError("seeds " + std::to_string(request.seeds) + ": expected an integer >= 1");
    o.seeds = request.seeds;
    for (const QString& t : request.tables) o.tables.push_back(t.toStdString());
    const std::string dir = request.dir.toStdString();
    return buildPlan(o, findPlanContext(dir, [](const std::string& name) { return locateDataset(name); }));
}

PaperVerdict levelOf(CellLine::Level l)
{
    switch (l) {
    case CellLine::Level::Holds: return PaperVerdict::Holds;
    case CellLine::Level::Inconclusive: return PaperVerdict::Inconclusive;
    case CellLine::Level::Fails: return PaperVerdict::Fails;
    case CellLine::Level::None: break;
    }
    return PaperVerdict::None;
}

FigurePanel panelOf(const FigureData& f)
{
    FigurePanel p;
    p.id = q(f.id);
    p.title = q(f.title);
    p.xLabel = q(f.xLabel);
    p.yLabel = q(f.yLabel);
    p.logX = f.logX;
    for (const FigureSeries& s : f.series) {
        ErrorBarSeries e;
        e.name = q(s.name);
        e.horizontal = s.horizontal;
        for (const FigurePoint& pt : s.points) e.points.append({pt.x, pt.mean, pt.low, pt.high});
        p.series.append(e);
    }
    return p;
}

PaperTable tableOf(const Plan& plan, const TableSpec& t)
{
    PaperTable pt;
    pt.id = q(t.id);
    pt.title = q(t.title);
    pt.claim = q(t.claim);
    pt.figure = t.figure;
    pt.estimatedSeconds = plan.estimatedSeconds(t);
    std::vector<int> seen;
    for (const std::string& id : t.cells)
        for (int i : plan.runIndices(id))
            if (std::find(seen.begin(), seen.end(), i) == seen.end()) seen.push_back(i);
    pt.runs = static_cast<int>(seen.size());
    return pt;
}

// Every table of the paper at the request's budget and seeds (no rows: what the user can choose).
QList<PaperTable> catalogueOf(const PaperRequest& request)
{
    PaperRequest all = request;
    all.tables = QStringList{QStringLiteral("all")};
    if (all.dir.isEmpty()) all.dir = QStringLiteral("/");
    const Plan plan = planOf(all);
    QList<PaperTable> out;
    for (const TableSpec& t : plan.tables) out.append(tableOf(plan, t));
    return out;
}

PaperSnapshot snapshotOf(const Plan& plan, const std::string& dir)
{
    const Results res = collectResults(plan, dir);
    PaperSnapshot s;
    s.dir = q(dir);
    s.budget = q(toString(plan.budget));
    s.seeds = plan.seeds;
    s.runs = static_cast<int>(plan.runs.size());
    s.finished = res.finished;
    s.failed = res.failed;
    s.missing = res.missing;
    s.estimatedSeconds = plan.estimatedSeconds();
    for (const std::string& n : plan.notes) s.notes << q(n);
    for (const TableSpec& t : plan.tables) {
        PaperTable pt = tableOf(plan, t);
        for (const std::string& id : t.cells) {
            const CellStats& cs = res.cell(id);
            const CellLine l = cellLine(cs);
            PaperRow r;
            r.cell = q(id);
            r.group = q(cs.cell->group);
            r.label = q(cs.cell->label);
            r.baseline = cs.cell->baseline.empty();
            r.n = q(l.n);
            r.paper = q(l.paper);
            r.ours = q(l.ours);
            r.delta = q(l.delta);
            r.speedup = q(l.speedup);
            r.verdict = q(l.verdict);
            r.level = levelOf(l.level);
            pt.rows.append(r);
        }
        s.tables.append(pt);
    }
    for (const FigureData& f : figureData(res)) s.panels.append(panelOf(f));
    return s;
}

PaperProgress progressOf(const RunnerProgress& p)
{
    PaperProgress o;
    o.total = p.total;
    o.finishedBefore = p.finishedBefore;
    o.done = p.done;
    o.failed = p.failed;
    for (const auto& [id, fraction] : p.running)
        o.running << QStringLiteral("%1 (%2 %)").arg(q(id)).arg(std::lround(fraction * 100));
    o.etaSeconds = p.etaSeconds;
    o.lastFinished = q(p.lastFinished);
    o.lastMessage = q(p.lastMessage);
    return o;
}

// What the error of a whole plan says, as the CLI's one line.
template <class F>
bool guarded(F&& body, QString* message, int* code)
{
    try {
        body();
        return true;
    } catch (const Cancelled&) {
        *code = 130;
        *message = QStringLiteral("stopped");
    } catch (const ConfigError& e) {
        *code = 2;
        *message = q(e.what());
    } catch (const Error& e) {
        *code = 2;
        *message = q(e.what());
    } catch (const std::bad_alloc&) {
        *code = 2;
        *message = QStringLiteral("out of memory (model or data too large for this machine)");
    } catch (const std::exception& e) {
        *code = 1;
        *message = QStringLiteral("internal error: ") + q(e.what());
    }
    return false;
}

}  // namespace

ReproduceWorker::ReproduceWorker(QObject* parent) : QObject(parent) {}

void ReproduceWorker::preview(const PaperRequest& request)
{
    QString message;
    int code = 0;
    PaperSnapshot s;
    const bool ok = guarded(
        [&] {
            const QList<PaperTable> catalogue = catalogueOf(request);
            if (request.tables.isEmpty()) {
                s.dir = request.dir;
                s.budget = request.budget;
            } else {
                s = snapshotOf(planOf(request), request.dir.toStdString());
            }
            s.catalogue = catalogue;
        },
        &message, &code);
    if (ok) emit snapshot(s);
    else emit failed(message);
}

void ReproduceWorker::run(const PaperRequest& request)
{
    // m_stop is not cleared here: a stop asked before this run began is this run's (see the header).
    QString message;
    int code = 0;
    const bool ok = guarded(
        [&] {
            const Plan plan = planOf(request);
            const std::string dir = request.dir.toStdString();
            checkForConflicts(plan, dir);  // one line, nothing run or written
            const SessionInfo started = beginSession(plan);
            m_last = LastRun{request.dir, q(started.started), q(started.loadStart), 0, 0, 0.0};
            PaperSnapshot first = snapshotOf(plan, dir);
            first.catalogue = catalogueOf(request);
            emit snapshot(first);
            QElapsedTimer sinceProgress;
            sinceProgress.start();
            RunnerOptions ro;
            ro.jobs = std::max(1, request.jobs);
            ro.stop = [this] { return m_stop.load(); };
            ro.progress = [&](const RunnerProgress& p) {  // serialised by the runner
                if (!p.lastFinished.empty()) {
                    emit progress(progressOf(p));
                    emit snapshot(snapshotOf(plan, dir));
                } else if (sinceProgress.elapsed() >= 100) {
                    sinceProgress.restart();
                    emit progress(progressOf(p));
                }
            };
            const RunnerResult rr = runPlan(plan, dir, ro);
            m_last.executed = rr.executed;
            m_last.skipped = rr.skipped;
            m_last.wallSeconds = rr.wallSeconds;
            emit snapshot(snapshotOf(plan, dir));
            if (rr.interrupted) {
                code = 130;
                message = QStringLiteral("stopped: %1 of %2 runs finished; Run again to continue (finished runs are skipped)")
                              .arg(rr.skipped + rr.executed - rr.failed)
                              .arg(rr.total);
            } else if (rr.failed > 0) {
                code = 1;
                message = QStringLiteral("%1 run(s) failed (see results.csv and runs/<run>/reproduce.json)").arg(rr.failed);
            } else {
                message = QStringLiteral("%1 runs executed, %2 already finished, in %3 s").arg(rr.executed).arg(rr.skipped).arg(rr.wallSeconds, 0, 'f', 1);
            }
        },
        &message, &code);
    (void)ok;
    emit runDone(code, message);
}

void ReproduceWorker::writeReport(const PaperRequest& request, const QString& figuresNote)
{
    QString message;
    int code = 0;
    QString summary;
    const bool ok = guarded(
        [&] {
            const Plan plan = planOf(request);
            const std::string dir = request.dir.toStdString();
            SessionInfo session = beginSession(plan);
            const std::string tables = tablesArg(plan);
            session.command = "meprop reproduce " + tables + " " + session.reproduceArgs + " --jobs " + std::to_string(std::max(1, request.jobs)) +
                              " --out " + shellQuote(dir) + "    # as run from the workbench's Paper view";
            session.jobs = std::max(1, request.jobs);
            if (m_last.dir == request.dir) {  // the report of the run just made: its start, load and counts
                session.started = m_last.started.toStdString();
                session.loadStart = m_last.loadStart.toStdString();
                session.executed = m_last.executed;
                session.skipped = m_last.skipped;
                session.wallSeconds = m_last.wallSeconds;
            }
            const std::string note = figuresNote.toStdString();
            const ReportOutcome out = writeReportFiles(plan, dir, session, [&note](const std::string&) { return note; });
            summary = QStringLiteral("%1 runs: %2 finished, %3 failed, %4 missing; %5")
                          .arg(out.runs)
                          .arg(out.finished)
                          .arg(out.failed)
                          .arg(out.missing)
                          .arg(q(out.verdicts));
        },
        &message, &code);
    if (ok) emit reportWritten(request.dir, summary);
    else emit failed(message);
}

}  // namespace meprop
