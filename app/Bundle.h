#pragma once
// Run bundles (.zip through QuaZip) and the other files the workbench writes, all atomically
// (QSaveFile: a failed export leaves an earlier file untouched and says why).
//
// Bundle layout:
//   manifest.json                 {"format": "meprop-workbench-bundle", "version": 1, "runs": [dirs]}
//   config.json, metrics.csv, summary.json, run.json     the first run (the engine's files as written)
//   runs/01/..., runs/02/...      every run, when the bundle holds several
//   charts/<name>.png, .svg       the chart images;  results.csv, results.md   the run table
// run.json is the workbench's full record (curves, timings, state); a folder without it (e.g. a
// zipped CLI output folder with config.json + metrics.csv [+ summary.json]) imports too.
#include "RunData.h"

#include <QByteArray>
#include <QDateTime>
#include <QIODevice>
#include <QList>
#include <QMap>
#include <QString>

#include <limits>

namespace meprop {

// The engine's metrics.csv text for a record's epochs (same columns as the trainer writes).
QByteArray metricsCsv(const RunRecord& run);
// Parses metrics.csv into epochs (columns found by name). False and *error naming the line on a
// malformed file.
bool parseMetricsCsv(const QByteArray& text, QList<EpochData>* epochs, QString* error);

// A run folder as the CLI, the workbench or bench/authors-code/run.sh writes it. `path` is the
// folder or its metrics.csv (required), with config.json and summary.json beside it when present
// (an empty config otherwise), and the workbench's run.json when present (then the full record:
// curves, weight-update history, name). Without run.json the run is named after the folder.
// run->outDir is the folder. False and *error naming the file on a missing or malformed one.
bool readRunFolder(const QString& path, RunRecord* run, QString* error);

// `files`: extra entries (path in the zip -> bytes), e.g. charts and the results table.
bool writeBundle(const QString& zipPath, const QList<RunRecord>& runs, const QMap<QString, QByteArray>& files, QString* error);

// What the Runs browser lists about a folder without loading all of it.
struct RunFolderInfo {
    QString dir;
    QString name;           // run.json's name, else the folder's
    QString summary;        // configSummary() of config.json
    QString state;          // "finished", "resumable" (checkpoint, no summary), "stopped", "failed", "incomplete"
    int epochs = 0;         // rows of metrics.csv
    int plannedEpochs = 0;  // config's epochs
    double bestDev = std::numeric_limits<double>::quiet_NaN();
    QDateTime modified;
    bool valid = false;     // has a readable config.json
};
// One entry per subfolder of `root` that holds a config.json, newest first.
QList<RunFolderInfo> scanRunsFolder(const QString& root);

// Reads every run of a bundle. `files` (optional) receives the other entries.
bool readBundle(const QString& zipPath, QList<RunRecord>* runs, QString* error, QMap<QString, QByteArray>* files = nullptr);
// The same from an open-able device (a QFile, or a QBuffer holding the bytes); `zipPath` names it in
// messages and becomes the name of a run imported from a folder without run.json.
bool readBundle(QIODevice* device, const QString& zipPath, QList<RunRecord>* runs, QString* error,
                QMap<QString, QByteArray>* files = nullptr);

}  // namespace meprop
