#pragma once
// Plain, Qt-typed copies of what a training run reports, made on the training thread and handed to
// the GUI thread through queued signals (no engine object crosses threads), and the per-run record
// the window draws from. RunRecord <-> JSON is the bundle's run.json.
#include "RunTableModel.h"
#include "WeightHeatmap.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QPair>
#include <QPointF>
#include <QString>

#include <limits>

namespace meprop {

struct LayerData {
    QString name;
    int width = 0;
    int k = 0;       // rows kept per example, all blocks together
    int blocks = 1;  // gate blocks selected in separately (LSTM: 4)
};

struct StartData {
    QString task;
    QString metric;
    int epochs = 0;
    qint64 trainExamples = 0;
    qint64 batchesPerEpoch = 0;
    QList<LayerData> layers;
};

// Batches since the previous update (throttled to ~20 per second).
struct BatchData {
    int epoch = 0;
    qint64 batch = 0;  // 0-based, of the latest batch
    qint64 batchesPerEpoch = 0;
    qint64 step = 0;
    double examplesPerSecond = 0.0;
    QList<QPointF> loss;            // (step, batch loss)
    QList<QList<QPointF>> ratio;    // per layer: (step, kept / width)
};

// One evaluation (per epoch, or several per epoch with evals_per_epoch).
struct EpochData {
    double epoch = 0.0;  // epochs of training done, e.g. 1.25; the epoch number with one evaluation per epoch
    double trainLoss = 0.0;
    double dev = 0.0;
    double test = 0.0;  // NaN where the run did not evaluate test (imported authors' runs)
    double forward = 0.0, bpLinear = 0.0, bpOverall = 0.0, update = 0.0;  // seconds in this epoch
    double trainSeconds = 0.0, evalSeconds = 0.0;
    QList<double> ratio;  // per layer, mean over the epoch
    QList<QPair<QString, double>> extra;
    bool best = false;
};

enum class GroupKind { None, Compare, Sweep };

struct RunRecord {
    int id = 0;
    QString name;
    QJsonObject config;
    QString outDir;
    bool resume = false;  // continues the run in outDir from its checkpoint (not in bundles)
    GroupKind groupKind = GroupKind::None;
    int groupId = 0;
    int seedGroup = 0;  // runs of one config with seeds 1..N share it (0: none)
    StartData start;
    QList<EpochData> epochs;
    QList<QPointF> batchLoss;
    QList<QList<QPointF>> ratio;
    QList<HeatmapLayer> heatmap;
    QJsonObject summary;
    QStringList warnings;
    bool renamed = false;  // the user named it: legends show the name
    double savedSpeedup = std::numeric_limits<double>::quiet_NaN();  // from a bundle/folder, used when its dense run is absent
    RunRow row;  // the table's view of the run (state, progress, times)

    QString mode() const { return config.value(QStringLiteral("mode")).toString(); }
    int k() const { return config.value(QStringLiteral("k")).toInt(); }
    // "#3 topk k=20" (dense: "#3 dense"; an imported run of the authors' C# code: "#3 authors topk
    // k=20"), or "#3 <name>" once renamed: names the run in legends.
    QString legend() const;
    // Sums over the finished epochs.
    double totalBpLinear() const;
    double totalForward() const;
    double totalUpdate() const;
    double bestDev() const;     // NaN when no epoch
    double testAtBest() const;  // NaN when no epoch
    // Kept rows over all rows of the linear layers in epoch e, weighted by layer width as the
    // engine's summary does (an unweighted mean when the widths are unknown, e.g. an old bundle).
    double backpropRatio(const EpochData& e) const;
};

// One-line summary of a config for the run table, e.g. "image 2x500 topk k=20 adam lr=0.001 b=10".
QString configSummary(const QJsonObject& config);

// run.json: everything but the live-only fields, including the weight-update history (heatmap).
QJsonObject toJson(const RunRecord& run);
// Throws nothing: returns false and sets *error on a malformed object.
bool fromJson(const QJsonObject& json, RunRecord* run, QString* error);

}  // namespace meprop

Q_DECLARE_METATYPE(meprop::StartData)
Q_DECLARE_METATYPE(meprop::BatchData)
Q_DECLARE_METATYPE(meprop::EpochData)
Q_DECLARE_METATYPE(QList<meprop::HeatmapLayer>)
