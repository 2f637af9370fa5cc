#include "Bundle.h"

#include "charts/ChartExport.h"
#include "core/Error.h"

#include <quazip/quazip.h>
#include <quazip/quazipfile.h>

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <cmath>
#include <limits>

namespace meprop {

namespace {

// Text from the bundle (an entry name, a folder from manifest.json, a CSV cell) made safe for a
// one-line message (the engine's escaping: control characters as \n, \xHH, ...).
QString shown(const QString& text)
{
    return QString::fromStdString(escaped(text.toStdString()));
}

QString shown(const QByteArray& text)
{
    return QString::fromStdString(escaped(text.toStdString()));
}

bool fail(QString* error, const QString& message)
{
    if (error) *error = message;
    return false;
}

// QuaZip's error codes (zlib's minizip, plus UNZ_OPENERROR) as what the user can do about them.
QString zipProblem(int code)
{
    switch (code) {
    case UNZ_OPENERROR: return QStringLiteral("is not a zip archive (or cannot be opened): choose a .zip exported by meProp Workbench, or a zipped run folder");
    case UNZ_BADZIPFILE: return QStringLiteral("is not a zip archive or is damaged: export the bundle again, or zip the run folder");
    case UNZ_CRCERROR: return QStringLiteral("is damaged (a checksum does not match): copy or export it again");
    case UNZ_ERRNO: return QStringLiteral("cannot be read or written: check that the file exists, that the disk is not full and that you may access it");
    case UNZ_PARAMERROR:
    case UNZ_INTERNALERROR: return QStringLiteral("cannot be processed (zip library error %1): export the bundle again").arg(code);
    default: return QStringLiteral("cannot be processed as a zip archive (error %1): export it again").arg(code);
    }
}

QByteArray readLocal(const QString& dir, const QString& name)
{
    if (dir.isEmpty()) return {};
    QFile f(QDir(dir).filePath(name));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString num(double v)
{
    return std::isnan(v) ? QString() : QString::number(v, 'g', 8);  // empty: not measured
}

// The files of one run, named relative to its folder in the bundle.
QMap<QString, QByteArray> runFiles(const RunRecord& r)
{
    QMap<QString, QByteArray> f;
    // Prefer the engine's own files (what the CLI would have written); fall back to the record.
    QByteArray config = readLocal(r.outDir, QStringLiteral("config.json"));
    if (config.isEmpty()) config = QJsonDocument(r.config).toJson(QJsonDocument::Indented);
    f[QStringLiteral("config.json")] = config;
    QByteArray metrics = readLocal(r.outDir, QStringLiteral("metrics.csv"));
    if (metrics.isEmpty()) metrics = metricsCsv(r);
    f[QStringLiteral("metrics.csv")] = metrics;
    QByteArray summary = readLocal(r.outDir, QStringLiteral("summary.json"));
    if (summary.isEmpty() && !r.summary.isEmpty()) summary = QJsonDocument(r.summary).toJson(QJsonDocument::Indented);
    if (!summary.isEmpty()) f[QStringLiteral("summary.json")] = summary;
    f[QStringLiteral("run.json")] = QJsonDocument(toJson(r)).toJson(QJsonDocument::Compact);
    return f;
}

bool recordFromFiles(const QString& where, const QMap<QString, QByteArray>& files, const QString& prefix, RunRecord* r,
                     QString* error)
{
    const QByteArray runJson = files.value(prefix + QStringLiteral("run.json"));
    if (!runJson.isEmpty()) {
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(runJson, &pe);
        if (!doc.isObject()) return fail(error, QStringLiteral("%1: %2run.json: %3").arg(where, shown(prefix), pe.errorString()));
        QString e;
        if (!fromJson(doc.object(), r, &e)) return fail(error, QStringLiteral("%1: %2%3").arg(where, shown(prefix), e));
        return true;
    }
    const QByteArray config = files.value(prefix + QStringLiteral("config.json"));
    if (config.isEmpty()) return fail(error, QStringLiteral("%1: not a meProp bundle (no %2config.json)").arg(where, shown(prefix)));
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(config, &pe);
    if (!doc.isObject()) return fail(error, QStringLiteral("%1: %2config.json: %3").arg(where, shown(prefix), pe.errorString()));
    r->config = doc.object();
    const QByteArray metrics = files.value(prefix + QStringLiteral("metrics.csv"));
    if (metrics.isEmpty()) return fail(error, QStringLiteral("%1: no %2metrics.csv").arg(where, shown(prefix)));
    QString e;
    if (!parseMetricsCsv(metrics, &r->epochs, &e)) return fail(error, QStringLiteral("%1: %2metrics.csv: %3").arg(where, shown(prefix), e));
    const QByteArray summary = files.value(prefix + QStringLiteral("summary.json"));
    if (!summary.isEmpty()) r->summary = QJsonDocument::fromJson(summary).object();
    r->start.task = r->config.value(QStringLiteral("task")).toString();
    r->start.epochs = r->config.value(QStringLiteral("epochs")).toInt();
    r->row.state = summary.isEmpty() ? RunState::Stopped : RunState::Finished;
    r->name = QFileInfo(where).completeBaseName();
    return true;
}

}  // namespace


QList<RunFolderInfo> scanRunsFolder(const QString& root)
{
    QList<RunFolderInfo> out;
    const QDir base(root);
    for (const QFileInfo& sub : base.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Time)) {
        const QDir d(sub.absoluteFilePath());
        if (!QFileInfo::exists(d.filePath(QStringLiteral("config.json")))) continue;
        RunFolderInfo info;
        info.dir = sub.absoluteFilePath();
        info.name = sub.fileName();
        info.modified = sub.lastModified();
        const QJsonObject config = QJsonDocument::fromJson(readLocal(info.dir, QStringLiteral("config.json"))).object();
        info.valid = !config.isEmpty();
        info.summary = info.valid ? configSummary(config) : QStringLiteral("(config.json unreadable)");
        info.plannedEpochs = config.value(QStringLiteral("epochs")).toInt();
        QList<EpochData> epochs;
        QString ignored;
        if (parseMetricsCsv(readLocal(info.dir, QStringLiteral("metrics.csv")), &epochs, &ignored)) {
            info.epochs = static_cast<int>(epochs.size());
            for (const EpochData& e : epochs)
                if (!(info.bestDev >= e.dev)) info.bestDev = e.dev;
        }
        const QJsonObject runJson = QJsonDocument::fromJson(readLocal(info.dir, QStringLiteral("run.json"))).object();
        if (!runJson.value(QStringLiteral("name")).toString().isEmpty()) info.name = runJson.value(QStringLiteral("name")).toString();
        if (QFileInfo::exists(d.filePath(QStringLiteral("summary.json")))) info.state = QStringLiteral("finished");
        else if (QFileInfo::exists(d.filePath(QStringLiteral("checkpoint.bin")))) info.state = QStringLiteral("resumable");
        else if (runJson.value(QStringLiteral("state")).toString() == QLatin1String("failed")) info.state = QStringLiteral("failed");
        else if (!runJson.isEmpty()) info.state = QStringLiteral("stopped");
        else info.state = QStringLiteral("incomplete");
        out << info;
    }
    return out;
}

QByteArray metricsCsv(const RunRecord& r)
{
    QString text = QStringLiteral("epoch,train_loss,dev,test,fp_s,bp_linear_s,bp_overall_s,update_s,train_s,eval_s,backprop_ratio");
    // The extra columns of every epoch, in the order first seen (the engine's epochs all have the
    // same; an edited or foreign run.json may not): a missing value is written as an empty cell.
    QStringList extras;
    for (const EpochData& e : r.epochs)
        for (const auto& [name, value] : e.extra)
            if (!extras.contains(name)) extras << name;
    for (const QString& name : extras) text += QLatin1Char(',') + name;
    text += QLatin1Char('\n');
    for (const EpochData& e : r.epochs) {
        const double ratio = e.ratio.isEmpty() ? 0.0 : r.backpropRatio(e);
        QStringList cells{num(e.epoch), num(e.trainLoss), num(e.dev), num(e.test), num(e.forward), num(e.bpLinear),
                          num(e.bpOverall), num(e.update), num(e.trainSeconds), num(e.evalSeconds), num(ratio)};
        for (const QString& name : extras) {
            double v = std::numeric_limits<double>::quiet_NaN();
            for (const auto& [n, value] : e.extra)
                if (n == name) v = value;
            cells << num(v);
        }
        text += cells.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return text.toUtf8();
}

bool parseMetricsCsv(const QByteArray& text, QList<EpochData>* epochs, QString* error)
{
    const QList<QByteArray> lines = text.split('\n');
    if (lines.isEmpty() || lines.front().trimmed().isEmpty()) return fail(error, QStringLiteral("line 1: no header"));
    const QList<QByteArray> header = lines.front().trimmed().split(',');
    auto col = [&](const char* name) { return header.indexOf(QByteArray(name)); };
    const int cEpoch = col("epoch"), cDev = col("dev");
    if (cEpoch < 0 || cDev < 0) return fail(error, QStringLiteral("line 1: expected the columns epoch and dev"));
    const int cLoss = col("train_loss"), cTest = col("test"), cFp = col("fp_s"), cBp = col("bp_linear_s"),
              cBpo = col("bp_overall_s"), cUp = col("update_s"), cTr = col("train_s"), cEv = col("eval_s"),
              cRatio = col("backprop_ratio");
    static const QList<QByteArray> known{"epoch", "train_loss", "dev", "test", "fp_s", "bp_linear_s", "bp_overall_s",
                                         "update_s", "train_s", "eval_s", "backprop_ratio"};
    epochs->clear();
    for (int i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty()) continue;
        const QList<QByteArray> cells = line.split(',');
        if (cells.size() != header.size())
            return fail(error, QStringLiteral("line %1: %2 fields, expected %3").arg(i + 1).arg(cells.size()).arg(header.size()));
        QList<double> v;
        for (int c = 0; c < cells.size(); ++c) {
            // An empty cell: not measured (the authors' code evaluates test only when dev improves).
            if (cells[c].trimmed().isEmpty() && c != cEpoch && c != cDev) {
                v << std::nan("");
                continue;
            }
            bool ok = false;
            v << cells[c].toDouble(&ok);
            if (!ok)
                return fail(error, QStringLiteral("line %1, column %2: \"%3\" is not a number")
                                       .arg(i + 1)
                                       .arg(shown(header[c]), shown(cells[c])));
        }
        auto at = [&](int c) { return c >= 0 ? v[c] : 0.0; };
        EpochData e;
        e.epoch = at(cEpoch);
        e.trainLoss = at(cLoss);
        e.dev = at(cDev);
        e.test = at(cTest);
        e.forward = at(cFp);
        e.bpLinear = at(cBp);
        e.bpOverall = at(cBpo);
        e.update = at(cUp);
        e.trainSeconds = at(cTr);
        e.evalSeconds = at(cEv);
        if (cRatio >= 0) e.ratio << v[cRatio];
        for (int c = 0; c < header.size(); ++c)
            if (!known.contains(header[c])) e.extra.append({QString::fromUtf8(header[c]), v[c]});
        epochs->append(e);
    }
    double best = -1;
    for (EpochData& e : *epochs)
        if (e.dev > best) {
            best = e.dev;
            e.best = true;
        }
    return true;
}

bool readRunFolder(const QString& path, RunRecord* run, QString* error)
{
    const QFileInfo info(path);
    const QString dir = info.isDir() ? info.absoluteFilePath() : info.absolutePath();
    const QString metricsPath = info.isDir() ? QDir(dir).filePath(QStringLiteral("metrics.csv")) : path;
    QFile f(metricsPath);
    if (!f.open(QIODevice::ReadOnly)) return fail(error, QStringLiteral("%1: cannot read (%2)").arg(metricsPath, f.errorString()));
    const QByteArray metrics = f.readAll();
    if (metrics.isEmpty()) return fail(error, QStringLiteral("%1: empty file").arg(metricsPath));
    QMap<QString, QByteArray> files;
    files[QStringLiteral("metrics.csv")] = metrics;
    const QByteArray config = readLocal(dir, QStringLiteral("config.json"));
    files[QStringLiteral("config.json")] = config.isEmpty() ? QByteArray("{}") : config;
    const QByteArray summary = readLocal(dir, QStringLiteral("summary.json"));
    if (!summary.isEmpty()) files[QStringLiteral("summary.json")] = summary;
    // The workbench's own record of the run (curves, weight-update history), when it ran it.
    const QByteArray runJson = readLocal(dir, QStringLiteral("run.json"));
    if (!runJson.isEmpty()) files[QStringLiteral("run.json")] = runJson;
    RunRecord r;
    if (!recordFromFiles(metricsPath, files, QString(), &r, error)) return false;
    if (runJson.isEmpty()) {
        r.name = QFileInfo(dir).fileName();
        // A checkpoint and no summary: resumable (meprop train --resume), shown as stopped.
        if (summary.isEmpty() && QFileInfo::exists(QDir(dir).filePath(QStringLiteral("checkpoint.bin")))) r.row.state = RunState::Stopped;
    }
    // Where the batch-loss axis puts each evaluation's mean loss: batches per epoch from the config.
    const double limit = r.config.value(QStringLiteral("limit")).toDouble(), batch = r.config.value(QStringLiteral("batch")).toDouble();
    if (r.start.batchesPerEpoch == 0 && limit > 0 && batch > 0) r.start.batchesPerEpoch = qint64(std::ceil(limit / batch));
    // The folder it came from: the Runs browser marks it as loaded and Delete may remove it. The
    // workbench writes nothing into it.
    r.outDir = dir;
    *run = r;
    return true;
}

bool writeBundle(const QString& zipPath, const QList<RunRecord>& runs, const QMap<QString, QByteArray>& extra, QString* error)
{
    if (runs.isEmpty()) return fail(error, QStringLiteral("cannot write %1: no run to export").arg(zipPath));
    QMap<QString, QByteArray> entries = extra;
    QJsonArray dirs;
    const QMap<QString, QByteArray> first = runFiles(runs.front());
    for (auto it = first.begin(); it != first.end(); ++it) entries[it.key()] = it.value();
    if (runs.size() > 1) {
        for (int i = 0; i < runs.size(); ++i) {
            const QString dir = QStringLiteral("runs/%1/").arg(i + 1, 2, 10, QLatin1Char('0'));
            dirs.append(dir);
            const QMap<QString, QByteArray> f = runFiles(runs[i]);
            for (auto it = f.begin(); it != f.end(); ++it) entries[dir + it.key()] = it.value();
        }
    } else {
        dirs.append(QString());
    }
    const QJsonObject manifest{{QStringLiteral("format"), QStringLiteral("meprop-workbench-bundle")},
                               {QStringLiteral("version"), 1},
                               {QStringLiteral("runs"), dirs}};
    entries[QStringLiteral("manifest.json")] = QJsonDocument(manifest).toJson(QJsonDocument::Indented);

    // Build the archive in memory, then write it in one atomic step.
    QByteArray bytes;
    {
        QBuffer buffer(&bytes);
        QuaZip zip(&buffer);
        if (!zip.open(QuaZip::mdCreate)) return fail(error, QStringLiteral("cannot create %1: the bundle %2").arg(zipPath, zipProblem(zip.getZipError())));
        for (auto it = entries.begin(); it != entries.end(); ++it) {
            QuaZipFile file(&zip);
            if (!file.open(QIODevice::WriteOnly, QuaZipNewInfo(it.key()))) {
                return fail(error, QStringLiteral("cannot add %1 to %2: the bundle %3").arg(it.key(), zipPath, zipProblem(file.getZipError())));
            }
            if (file.write(it.value()) != it.value().size()) return fail(error, QStringLiteral("cannot write %1 into %2").arg(it.key(), zipPath));
            file.close();
            if (file.getZipError() != 0) return fail(error, QStringLiteral("cannot finish %1 in %2: the bundle %3").arg(it.key(), zipPath, zipProblem(file.getZipError())));
        }
        zip.close();
        if (zip.getZipError() != 0) return fail(error, QStringLiteral("cannot finish %1: the bundle %2").arg(zipPath, zipProblem(zip.getZipError())));
    }
    return saveFileAtomically(zipPath, bytes, error);
}

bool readBundle(const QString& zipPath, QList<RunRecord>* runs, QString* error, QMap<QString, QByteArray>* filesOut)
{
    if (!QFileInfo::exists(zipPath)) return fail(error, QStringLiteral("%1: no such file").arg(zipPath));
    QFile file(zipPath);
    return readBundle(&file, zipPath, runs, error, filesOut);
}

bool readBundle(QIODevice* device, const QString& zipPath, QList<RunRecord>* runs, QString* error, QMap<QString, QByteArray>* filesOut)
{
    QuaZip zip(device);
    if (!zip.open(QuaZip::mdUnzip)) return fail(error, QStringLiteral("%1 %2").arg(zipPath, zipProblem(zip.getZipError())));
    QMap<QString, QByteArray> files;
    for (bool more = zip.goToFirstFile(); more; more = zip.goToNextFile()) {
        QuaZipFile file(&zip);
        const QString name = zip.getCurrentFileName();
        if (name.endsWith(QLatin1Char('/'))) continue;
        if (!file.open(QIODevice::ReadOnly)) return fail(error, QStringLiteral("%1: %2 inside it %3").arg(zipPath, shown(name), zipProblem(file.getZipError())));
        files[name] = file.readAll();
        file.close();
        if (file.getZipError() != 0) return fail(error, QStringLiteral("%1: %2 is corrupt (CRC or data error)").arg(zipPath, shown(name)));
    }
    if (zip.getZipError() != 0) return fail(error, QStringLiteral("%1 %2").arg(zipPath, zipProblem(zip.getZipError())));
    zip.close();

    QStringList dirs{QString()};
    if (files.contains(QStringLiteral("manifest.json"))) {
        const QJsonObject m = QJsonDocument::fromJson(files.value(QStringLiteral("manifest.json"))).object();
        if (m.value(QStringLiteral("format")).toString() != QLatin1String("meprop-workbench-bundle"))
            return fail(error, QStringLiteral("%1: manifest.json is not a meprop-workbench-bundle manifest").arg(zipPath));
        dirs.clear();
        for (const QJsonValue& v : m.value(QStringLiteral("runs")).toArray()) dirs << v.toString();
        if (dirs.isEmpty()) return fail(error, QStringLiteral("%1: manifest.json lists no runs").arg(zipPath));
    }
    QList<RunRecord> out;
    for (const QString& dir : dirs) {
        RunRecord r;
        if (!recordFromFiles(zipPath, files, dir, &r, error)) return false;
        out << r;
    }
    *runs = out;
    if (filesOut) *filesOut = files;
    return true;
}

}  // namespace meprop
