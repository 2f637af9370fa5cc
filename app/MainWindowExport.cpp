// MainWindow's exports and imports: charts (PNG/SVG), the results table (CSV/Markdown), run
// bundles (the selected runs or all, with charts and results), metrics.csv imports, screenshots.
#include "MainWindow.h"

#include "Bundle.h"
#include "ResultsTable.h"
#include "RunController.h"
#include "charts/ChartExport.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>

namespace meprop {

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

}  // namespace meprop
