#include "RunData.h"

#include "charts/Smoothing.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <limits>

namespace meprop {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QJsonArray pointsToJson(const QList<QPointF>& pts)
{
    QJsonArray a;
    for (const QPointF& p : pts) a.append(QJsonArray{p.x(), p.y()});
    return a;
}

QList<QPointF> pointsFromJson(const QJsonArray& a)
{
    QList<QPointF> pts;
    pts.reserve(a.size());
    for (const QJsonValue& v : a) {
        const QJsonArray p = v.toArray();
        if (p.size() == 2) pts.append(QPointF(p[0].toDouble(), p[1].toDouble()));
    }
    return pts;
}

QString groupName(GroupKind g)
{
    return g == GroupKind::Compare ? QStringLiteral("compare") : g == GroupKind::Sweep ? QStringLiteral("sweep") : QString();
}

}  // namespace

QString RunRecord::legend() const
{
    if (renamed && !name.isEmpty()) return QStringLiteral("#%1 %2").arg(id).arg(name);
    const QString m = mode();
    QString s = QStringLiteral("#%1 %2").arg(id).arg(m);
    if (config.value(QStringLiteral("implementation")).toString() == QLatin1String("authors-csharp"))
        s = QStringLiteral("#%1 authors %2").arg(id).arg(m);
    if (m != QLatin1String("dense")) s += QStringLiteral(" k=%1").arg(k());
    return s;
}

double RunRecord::totalBpLinear() const
{
    double s = 0;
    for (const EpochData& e : epochs) s += e.bpLinear;
    return s;
}

double RunRecord::totalForward() const
{
    double s = 0;
    for (const EpochData& e : epochs) s += e.forward;
    return s;
}

double RunRecord::totalUpdate() const
{
    double s = 0;
    for (const EpochData& e : epochs) s += e.update;
    return s;
}

double RunRecord::bestDev() const
{
    double best = kNaN;
    for (const EpochData& e : epochs)
        if (std::isnan(best) || e.dev > best) best = e.dev;
    return best;
}

double RunRecord::testAtBest() const
{
    double best = kNaN, test = kNaN;
    for (const EpochData& e : epochs)
        if (std::isnan(best) || e.dev > best) {
            best = e.dev;
            test = e.test;
        }
    return test;
}

double RunRecord::backpropRatio(const EpochData& e) const
{
    if (e.ratio.isEmpty()) return std::nan("");
    double kept = 0.0, rows = 0.0;
    const bool widths = start.layers.size() == e.ratio.size();
    for (qsizetype i = 0; i < e.ratio.size(); ++i) {
        const double w = widths ? double(start.layers[i].width) : 1.0;
        kept += e.ratio[i] * w;
        rows += w;
    }
    return rows > 0.0 ? kept / rows : std::nan("");
}

QString configSummary(const QJsonObject& c)
{
    auto num = [&](const char* key) { return QString::number(c.value(QLatin1String(key)).toDouble(), 'g', 6); };
    const QString task = c.value(QStringLiteral("task")).toString();
    QString s = task;
    if (task != QLatin1String("pos")) s += QStringLiteral(" %1x%2").arg(num("layers"), num("hidden"));
    else s += QStringLiteral(" h=%1").arg(num("hidden"));
    const QString mode = c.value(QStringLiteral("mode")).toString();
    s += QLatin1Char(' ') + mode;
    if (mode != QLatin1String("dense")) s += QStringLiteral(" k=%1").arg(num("k"));
    s += QStringLiteral(" %1 lr=%2 b=%3 e=%4").arg(c.value(QStringLiteral("optimizer")).toString(), num("lr"), num("batch"), num("epochs"));
    if (c.value(QStringLiteral("limit")).toDouble() > 0) s += QStringLiteral(" n=%1").arg(num("limit"));
    if (c.value(QStringLiteral("dropout")).toDouble() > 0) s += QStringLiteral(" drop=%1").arg(num("dropout"));
    const QString device = c.value(QStringLiteral("device")).toString();
    if (!device.isEmpty() && device != QLatin1String("cpu")) s += QLatin1Char(' ') + device;
    return s;
}

QJsonObject toJson(const RunRecord& r)
{
    QJsonObject o;
    o[QStringLiteral("format")] = QStringLiteral("meprop-workbench-run");
    o[QStringLiteral("version")] = 1;
    o[QStringLiteral("name")] = r.name;
    o[QStringLiteral("config")] = r.config;
    o[QStringLiteral("group")] = groupName(r.groupKind);
    o[QStringLiteral("group_id")] = r.groupId;
    o[QStringLiteral("seed_group")] = r.seedGroup;
    o[QStringLiteral("state")] = toString(r.row.state);
    o[QStringLiteral("error")] = r.row.error;
    o[QStringLiteral("elapsed_s")] = r.row.elapsedSeconds;
    QJsonObject start;
    start[QStringLiteral("task")] = r.start.task;
    start[QStringLiteral("metric")] = r.start.metric;
    start[QStringLiteral("epochs")] = r.start.epochs;
    start[QStringLiteral("train_examples")] = double(r.start.trainExamples);
    start[QStringLiteral("batches_per_epoch")] = double(r.start.batchesPerEpoch);
    QJsonArray layers;
    for (const LayerData& l : r.start.layers)
        layers.append(QJsonObject{{QStringLiteral("name"), l.name}, {QStringLiteral("width"), l.width}, {QStringLiteral("k"), l.k},
                                  {QStringLiteral("blocks"), l.blocks}});
    start[QStringLiteral("layers")] = layers;
    o[QStringLiteral("start")] = start;
    QJsonArray epochs;
    for (const EpochData& e : r.epochs) {
        QJsonObject j{{QStringLiteral("epoch"), e.epoch},          {QStringLiteral("train_loss"), e.trainLoss},
                      {QStringLiteral("dev"), e.dev},              {QStringLiteral("test"), e.test},
                      {QStringLiteral("fp_s"), e.forward},         {QStringLiteral("bp_linear_s"), e.bpLinear},
                      {QStringLiteral("bp_overall_s"), e.bpOverall}, {QStringLiteral("update_s"), e.update},
                      {QStringLiteral("train_s"), e.trainSeconds}, {QStringLiteral("eval_s"), e.evalSeconds},
                      {QStringLiteral("best"), e.best}};
        QJsonArray ratio;
        for (double v : e.ratio) ratio.append(v);
        j[QStringLiteral("backprop_ratio")] = ratio;
        QJsonObject extra;
        for (const auto& [k, v] : e.extra) extra[k] = v;
        j[QStringLiteral("extra")] = extra;
        epochs.append(j);
    }
    o[QStringLiteral("epochs")] = epochs;
    o[QStringLiteral("batch_loss")] = pointsToJson(thinnedTo(r.batchLoss, 4000));
    QJsonArray ratio;
    for (const auto& layer : r.ratio) ratio.append(pointsToJson(thinnedTo(layer, 4000)));
    o[QStringLiteral("ratio")] = ratio;
    o[QStringLiteral("summary")] = r.summary;
    o[QStringLiteral("warnings")] = QJsonArray::fromStringList(r.warnings);
    o[QStringLiteral("renamed")] = r.renamed;
    if (std::isfinite(r.row.speedup)) o[QStringLiteral("speedup")] = r.row.speedup;
    QJsonArray heat;
    for (const HeatmapLayer& l : r.heatmap) {
        QJsonArray counts;
        for (quint64 c : l.counts) counts.append(double(c));
        heat.append(QJsonObject{{QStringLiteral("name"), l.name},
                                {QStringLiteral("neurons"), l.neurons},
                                {QStringLiteral("k"), l.k},
                                {QStringLiteral("blocks"), l.blocks},
                                {QStringLiteral("steps"), l.steps},
                                {QStringLiteral("last_step"), double(l.lastStep)},
                                // neurons x steps bytes of 0/255 compress well.
                                {QStringLiteral("lit_zlib_base64"), QString::fromLatin1(qCompress(l.lit).toBase64())},
                                {QStringLiteral("counts"), counts}});
    }
    o[QStringLiteral("heatmap")] = heat;
    return o;
}

bool fromJson(const QJsonObject& o, RunRecord* r, QString* error)
{
    auto fail = [&](const QString& m) {
        if (error) *error = m;
        return false;
    };
    if (o.value(QStringLiteral("format")).toString() != QLatin1String("meprop-workbench-run"))
        return fail(QStringLiteral("run.json: \"format\" is not \"meprop-workbench-run\""));
    if (!o.value(QStringLiteral("config")).isObject()) return fail(QStringLiteral("run.json: \"config\" must be an object"));
    if (!o.value(QStringLiteral("epochs")).isArray()) return fail(QStringLiteral("run.json: \"epochs\" must be an array"));
    r->name = o.value(QStringLiteral("name")).toString();
    r->config = o.value(QStringLiteral("config")).toObject();
    const QString group = o.value(QStringLiteral("group")).toString();
    r->groupKind = group == QLatin1String("compare") ? GroupKind::Compare : group == QLatin1String("sweep") ? GroupKind::Sweep : GroupKind::None;
    r->groupId = o.value(QStringLiteral("group_id")).toInt();
    r->seedGroup = o.value(QStringLiteral("seed_group")).toInt();
    const QJsonObject s = o.value(QStringLiteral("start")).toObject();
    r->start.task = s.value(QStringLiteral("task")).toString();
    r->start.metric = s.value(QStringLiteral("metric")).toString();
    r->start.epochs = s.value(QStringLiteral("epochs")).toInt();
    r->start.trainExamples = qint64(s.value(QStringLiteral("train_examples")).toDouble());
    r->start.batchesPerEpoch = qint64(s.value(QStringLiteral("batches_per_epoch")).toDouble());
    r->start.layers.clear();
    for (const QJsonValue& v : s.value(QStringLiteral("layers")).toArray()) {
        const QJsonObject l = v.toObject();
        r->start.layers.append({l.value(QStringLiteral("name")).toString(), l.value(QStringLiteral("width")).toInt(),
                                l.value(QStringLiteral("k")).toInt(), std::max(1, l.value(QStringLiteral("blocks")).toInt(1))});
    }
    r->epochs.clear();
    for (const QJsonValue& v : o.value(QStringLiteral("epochs")).toArray()) {
        const QJsonObject j = v.toObject();
        if (!j.contains(QStringLiteral("epoch")) || !j.contains(QStringLiteral("dev")))
            return fail(QStringLiteral("run.json: epoch %1 lacks \"epoch\" or \"dev\"").arg(r->epochs.size() + 1));
        EpochData e;
        e.epoch = j.value(QStringLiteral("epoch")).toDouble();
        e.trainLoss = j.value(QStringLiteral("train_loss")).toDouble();
        e.dev = j.value(QStringLiteral("dev")).toDouble();
        e.test = j.value(QStringLiteral("test")).isDouble() ? j.value(QStringLiteral("test")).toDouble() : kNaN;
        e.forward = j.value(QStringLiteral("fp_s")).toDouble();
        e.bpLinear = j.value(QStringLiteral("bp_linear_s")).toDouble();
        e.bpOverall = j.value(QStringLiteral("bp_overall_s")).toDouble();
        e.update = j.value(QStringLiteral("update_s")).toDouble();
        e.trainSeconds = j.value(QStringLiteral("train_s")).toDouble();
        e.evalSeconds = j.value(QStringLiteral("eval_s")).toDouble();
        e.best = j.value(QStringLiteral("best")).toBool();
        for (const QJsonValue& x : j.value(QStringLiteral("backprop_ratio")).toArray()) e.ratio.append(x.toDouble());
        const QJsonObject extra = j.value(QStringLiteral("extra")).toObject();
        for (auto it = extra.begin(); it != extra.end(); ++it) e.extra.append({it.key(), it.value().toDouble()});
        r->epochs.append(e);
    }
    r->batchLoss = pointsFromJson(o.value(QStringLiteral("batch_loss")).toArray());
    r->ratio.clear();
    for (const QJsonValue& v : o.value(QStringLiteral("ratio")).toArray()) r->ratio.append(pointsFromJson(v.toArray()));
    r->summary = o.value(QStringLiteral("summary")).toObject();
    r->warnings.clear();
    for (const QJsonValue& v : o.value(QStringLiteral("warnings")).toArray()) r->warnings << v.toString();
    r->renamed = o.value(QStringLiteral("renamed")).toBool();
    r->savedSpeedup = o.contains(QStringLiteral("speedup")) ? o.value(QStringLiteral("speedup")).toDouble() : std::nan("");
    r->heatmap.clear();
    for (const QJsonValue& v : o.value(QStringLiteral("heatmap")).toArray()) {
        const QJsonObject h = v.toObject();
        HeatmapLayer l;
        l.name = h.value(QStringLiteral("name")).toString();
        l.neurons = h.value(QStringLiteral("neurons")).toInt();
        l.k = h.value(QStringLiteral("k")).toInt();
        l.blocks = std::max(1, h.value(QStringLiteral("blocks")).toInt(1));
        l.steps = h.value(QStringLiteral("steps")).toInt();
        l.lastStep = long(h.value(QStringLiteral("last_step")).toDouble());
        l.lit = qUncompress(QByteArray::fromBase64(h.value(QStringLiteral("lit_zlib_base64")).toString().toLatin1()));
        for (const QJsonValue& c : h.value(QStringLiteral("counts")).toArray()) l.counts << quint64(c.toDouble());
        if (l.neurons < 0 || l.steps < 0 || l.lit.size() != qsizetype(l.neurons) * l.steps)
            return fail(QStringLiteral("run.json: heatmap layer \"%1\" has %2 bytes, expected neurons x steps = %3")
                            .arg(l.name).arg(l.lit.size()).arg(qsizetype(l.neurons) * l.steps));
        r->heatmap << l;
    }
    r->row.elapsedSeconds = o.value(QStringLiteral("elapsed_s")).toDouble();
    r->row.error = o.value(QStringLiteral("error")).toString();
    const QString state = o.value(QStringLiteral("state")).toString();
    r->row.state = RunState::Finished;
    for (RunState s : {RunState::Queued, RunState::Running, RunState::Paused, RunState::Finished, RunState::Stopped, RunState::Failed})
        if (toString(s) == state) r->row.state = s;
    return true;
}

}  // namespace meprop
