#pragma once
// Where the workbench asks the engine about configurations: the key schema and presets as plain
// widget specs, JSON conversion (Qt <-> nlohmann), validation through the engine's own Config,
// GPU availability and the data sets found on this machine.
#include "ConfigPanel.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

namespace meprop {

struct GpuStatus;
// The engine's configKeys() as ConfigPanel fields. "data" becomes a folder field checked with
// checkDataFolder(); "device" gets its GPU choice greyed out, with gpu.reason, exactly when
// gpu.available is false. The first form asks gpuAvailability().
QList<FieldSpec> configFields();
QList<FieldSpec> configFields(const GpuStatus& gpu);
QList<PresetSpec> presetSpecs();
// The engine defaults for every key.
QJsonObject defaultConfig();

// Integer keys become JSON integers (the engine's getInt() insists), the rest as they are.
nlohmann::json toEngineJson(const QJsonObject& values);
QJsonObject fromEngineJson(const nlohmann::json& j);

// Empty when the engine accepts the values (Config::fromJson + validate()), otherwise its
// ConfigError message.
QString validateConfig(const QJsonObject& values);
// validateConfig() with the key the engine names (its messages say `key "k": ...`) split off, so
// that the config panel marks that field: {"k", "expected 1 <= k <= hidden (32) ..."}.
FieldProblem configProblem(const QJsonObject& values);
// Applies "key=value" settings (the CLI's --set syntax, typed and range-checked by the engine) on
// top of `values`. Returns false and sets *error on the first bad one.
bool applySettings(QJsonObject& values, const QStringList& settings, QString* error);
// Reads a config JSON file through the engine (ConfigError text in *error on failure).
bool loadConfigFile(const QString& path, QJsonObject* values, QString* error);

struct GpuStatus {
    bool available = false;
    QString reason;  // why not, for the greyed-out choice
    QString name;    // device name when available
};
// The single place that asks the engine whether a GPU can be used.
GpuStatus gpuAvailability();

// Data sets found on this machine, through the engine's one locator (data/DataFolders.h), as
// absolute paths: MNIST-format folders, and CoNLL-U folders (UD English EWT).
QStringList findImageDatasets();
QStringList findTextDatasets();
// Every folder the engine looks at for the data of `task` (image, pos, parse), found or not.
QStringList dataCandidates(const QString& task);
// Empty when the data of `task` can be read: image: `dir` holds the four MNIST files (raw or .gz);
// pos/parse: `dir` (empty: the folder found automatically) holds the train/dev/test CoNLL-U files,
// or the train_file/dev_file/test_file keys of `all` name existing files. Otherwise what is wrong,
// as one sentence naming the folder or file. An empty image `dir` is fine when a data set can be
// found automatically.
QString checkDataFolder(const QString& dir, const QString& task = QStringLiteral("image"), const QJsonObject& all = {});

}  // namespace meprop
