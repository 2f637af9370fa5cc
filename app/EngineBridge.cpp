#include "EngineBridge.h"
#include "backend/Device.h"

#include "core/Error.h"
#include "data/DataFolders.h"
#include "data/Mnist.h"
#include "train/Config.h"
#include "train/ConfigKeys.h"
#include "train/Presets.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>

#include <cmath>

namespace meprop {

namespace {

QJsonValue toQt(const nlohmann::json& v)
{
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_number_integer()) return static_cast<double>(v.get<long long>());
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) return QString::fromStdString(v.get<std::string>());
    if (v.is_null()) return QJsonValue();
    return QJsonDocument::fromJson(QByteArray::fromStdString(nlohmann::json{{"v", v}}.dump())).object().value("v");
}

// "topk" -> "topk"; the key list keeps the engine's order.
FieldSpec::Type toFieldType(const KeySpec& k)
{
    switch (k.type) {
    case KeySpec::Type::Int: return FieldSpec::Type::Int;
    case KeySpec::Type::Float: return FieldSpec::Type::Float;
    case KeySpec::Type::Choice: return FieldSpec::Type::Choice;
    case KeySpec::Type::Bool: return FieldSpec::Type::Bool;
    case KeySpec::Type::String: return FieldSpec::Type::String;
    }
    return FieldSpec::Type::String;
}

}  // namespace

QList<FieldSpec> configFields()
{
    return configFields(gpuAvailability());
}

QList<FieldSpec> configFields(const GpuStatus& gpu)
{
    QList<FieldSpec> out;
    for (const KeySpec& k : configKeys()) {
        FieldSpec f;
        f.key = QString::fromStdString(k.name);
        f.type = toFieldType(k);
        f.defaultValue = toQt(k.defaultValue);
        f.min = k.min;
        f.max = k.max;
        for (const auto& c : k.choices) f.choices << QString::fromStdString(c);
        f.help = QString::fromStdString(k.help);
        if (k.tasks != "all") f.tasks = QString::fromStdString(k.tasks).split(QLatin1Char(','), Qt::SkipEmptyParts);
        if (k.name == "data") {
            f.type = FieldSpec::Type::Folder;
            // The MNIST file check applies to the image task; the text tasks read CoNLL-U files.
            // MNIST files for the image task, the CoNLL-U split files for pos and parse.
            f.check = [](const QJsonValue& v, const QJsonObject& all) {
                return checkDataFolder(v.toString(), all.value(QStringLiteral("task")).toString(), all);
            };
        }
        if (k.name == "device") {
            for (const QString& c : f.choices)
                if (c != QLatin1String("cpu") && !gpu.available) f.disabledChoices.insert(c, gpu.reason);
        }
        out << f;
    }
    return out;
}

QList<PresetSpec> presetSpecs()
{
    QList<PresetSpec> out;
    for (const Preset& p : presets())
        out << PresetSpec{QString::fromStdString(p.name), QString::fromStdString(p.description), fromEngineJson(p.values)};
    return out;
}

QJsonObject defaultConfig()
{
    return fromEngineJson(Config().json());
}

nlohmann::json toEngineJson(const QJsonObject& values)
{
    nlohmann::json j = nlohmann::json::object();
    for (auto it = values.begin(); it != values.end(); ++it) {
        const std::string key = it.key().toStdString();
        const QJsonValue& v = it.value();
        const KeySpec* spec = findKey(key);
        if (v.isDouble()) {
            const double d = v.toDouble();
            if (spec && spec->type == KeySpec::Type::Int && d == std::floor(d) && std::abs(d) < 9.1e15)
                j[key] = static_cast<long long>(d);
            else j[key] = d;
        } else if (v.isBool()) j[key] = v.toBool();
        else if (v.isString()) j[key] = v.toString().toStdString();
        else if (v.isNull()) j[key] = nullptr;
        else j[key] = nlohmann::json::parse(QJsonDocument(QJsonObject{{"v", v}}).toJson().toStdString())["v"];
    }
    return j;
}

QJsonObject fromEngineJson(const nlohmann::json& j)
{
    QJsonObject o;
    if (!j.is_object()) return o;
    for (auto it = j.begin(); it != j.end(); ++it) o.insert(QString::fromStdString(it.key()), toQt(it.value()));
    return o;
}

QString validateConfig(const QJsonObject& values)
{
    try {
        Config c = Config::fromJson(toEngineJson(values), "config panel");
        c.validate();
        return {};
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
}

FieldProblem configProblem(const QJsonObject& values)
{
    const QString message = validateConfig(values);
    static const QRegularExpression keyed(QStringLiteral("^(?:[^\"]*: )?key \"([A-Za-z0-9_]+)\": (.*)$"));
    if (const auto m = keyed.match(message); m.hasMatch()) return {m.captured(1), m.captured(2)};
    return {QString(), message};
}

bool applySettings(QJsonObject& values, const QStringList& settings, QString* error)
{
    try {
        Config c = Config::fromJson(toEngineJson(values), "config");
        for (const QString& s : settings) {
            const int eq = s.indexOf(QLatin1Char('='));
            if (eq <= 0) throw ConfigError("--set " + s.toStdString() + ": expected key=value");
            c.setFromString(s.left(eq).trimmed().toStdString(), s.mid(eq + 1).toStdString(), "--set");
        }
        values = fromEngineJson(c.json());
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
}

bool loadConfigFile(const QString& path, QJsonObject* values, QString* error)
{
    try {
        *values = fromEngineJson(Config::fromFile(path.toStdString()).json());
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
}

GpuStatus gpuAvailability()
{
    // The one place the workbench asks the engine about the GPU (engine/backend/Device.h).
    const meprop::DeviceInfo info = meprop::cudaDeviceInfo();
    GpuStatus s;
    s.available = info.available;
    s.reason = QString::fromStdString(info.available ? std::string() : info.reason);
    s.name = QString::fromStdString(meprop::describe(info));
    return s;
}

namespace {

QStringList toQStringList(const std::vector<std::string>& v)
{
    QStringList out;
    for (const std::string& s : v) {
        const QString abs = QFileInfo(QString::fromStdString(s)).absoluteFilePath();
        if (!out.contains(abs)) out << abs;
    }
    return out;
}

bool isTextTask(const QString& task)
{
    return task == QLatin1String("pos") || task == QLatin1String("parse");
}

}  // namespace

QStringList findImageDatasets()
{
    return toQStringList(findImageDataFolders());
}

QStringList findTextDatasets()
{
    return toQStringList(findTextDataFolders());
}

QStringList dataCandidates(const QString& task)
{
    return toQStringList(isTextTask(task) ? textDataCandidates() : imageDataCandidates());
}

QString checkDataFolder(const QString& dir, const QString& task, const QJsonObject& all)
{
    if (isTextTask(task)) {
        // The split files may be given one by one (train_file, dev_file, test_file override data).
        QStringList missing;
        bool allFiles = true;
        for (const char* split : {"train", "dev", "test"}) {
            const QString file = all.value(QLatin1String(split) + QStringLiteral("_file")).toString().trimmed();
            if (file.isEmpty()) allFiles = false;
            else if (!QFileInfo(file).isFile()) missing << QStringLiteral("%1_file %2 does not exist").arg(QLatin1String(split), file);
        }
        if (!missing.isEmpty()) return missing.join(QStringLiteral("; "));
        if (allFiles) return {};
        try {
            const std::string folder = dir.trimmed().isEmpty() ? defaultTextDataDir() : dir.toStdString();
            for (const char* split : {"train", "dev", "test"})
                if (all.value(QLatin1String(split) + QStringLiteral("_file")).toString().trimmed().isEmpty()) conlluSplitFile(folder, split);
            return {};
        } catch (const std::exception& e) {
            return QString::fromStdString(e.what());
        }
    }
    if (dir.trimmed().isEmpty())
        return findImageDatasets().isEmpty()
                   ? QStringLiteral("no MNIST-format data set found on this machine: choose a folder holding the four MNIST files")
                   : QString();
    const QFileInfo info(dir);
    if (!info.exists()) return QStringLiteral("folder %1 does not exist").arg(dir);
    if (!info.isDir()) return QStringLiteral("%1 is not a folder").arg(dir);
    QStringList missing;
    for (const std::string& name : mnistFileNames()) {
        const QString f = QDir(dir).filePath(QString::fromStdString(name));
        if (!QFileInfo::exists(f) && !QFileInfo::exists(f + QStringLiteral(".gz"))) missing << QString::fromStdString(name);
    }
    if (!missing.isEmpty())
        return QStringLiteral("%1 lacks %2 (raw or .gz)").arg(dir, missing.join(QStringLiteral(", ")));
    return {};
}

}  // namespace meprop
