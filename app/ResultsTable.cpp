#include "ResultsTable.h"

#include "SeedGroups.h"

#include <QJsonValue>

#include <cmath>

namespace meprop {

namespace {

QString num(double v, int decimals = -1)
{
    if (!std::isfinite(v)) return {};
    return decimals >= 0 ? QString::number(v, 'f', decimals) : QString::number(v, 'g', 6);
}

QString jsonText(const QJsonValue& v)
{
    switch (v.type()) {
    case QJsonValue::Double: return QString::number(v.toDouble(), 'g', 10);
    case QJsonValue::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::String: return v.toString();
    default: return {};
    }
}

QString csvCell(const QString& s)
{
    if (!s.contains(QLatin1Char(',')) && !s.contains(QLatin1Char('"')) && !s.contains(QLatin1Char('\n'))) return s;
    QString q = s;
    q.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + q + QLatin1Char('"');
}

}  // namespace

ResultsTable resultsTable(const QList<const RunRecord*>& runs)
{
    // The keys whose value is not the same in every run.
    QStringList keys;
    for (const RunRecord* r : runs)
        for (auto it = r->config.begin(); it != r->config.end(); ++it)
            if (!keys.contains(it.key())) keys << it.key();
    QStringList varied;
    for (const QString& k : std::as_const(keys)) {
        bool differs = false;
        for (const RunRecord* r : runs) differs = differs || r->config.value(k) != runs.front()->config.value(k);
        if (differs) varied << k;
    }
    varied.sort();
    ResultsTable t;
    t.headers << QStringLiteral("run") << QStringLiteral("state") << varied
              << QStringList{QStringLiteral("best_dev (%)"), QStringLiteral("test_at_best_dev (%)"), QStringLiteral("bp_linear (s)"),
                             QStringLiteral("bp_speedup (x)"), QStringLiteral("backprop_ratio"), QStringLiteral("epochs"),
                             QStringLiteral("elapsed (s)")};
    for (const RunRecord* r : runs) {
        QStringList row{r->name, toString(r->row.state)};
        for (const QString& k : std::as_const(varied)) row << jsonText(r->config.value(k));
        const bool any = !r->epochs.isEmpty();
        row << num(r->bestDev(), 2) << num(r->testAtBest(), 2) << (any ? num(r->totalBpLinear()) : QString()) << num(r->row.speedup, 3)
            << (any ? num(r->backpropRatio(r->epochs.back()), 4) : QString()) << QString::number(r->epochs.size())
            << num(r->row.elapsedSeconds, 1);
        t.rows << row;
    }
    // Each seed group: a row of means and a row of sample standard deviations (engine stats).
    for (const QList<const RunRecord*>& g : seedGroupsOf(runs)) {
        QList<double> best, test, bp, speed, ratio, elapsed;
        for (const RunRecord* r : g) {
            best << r->bestDev();
            test << r->testAtBest();
            const bool any = !r->epochs.isEmpty();
            bp << (any ? r->totalBpLinear() : std::nan(""));
            speed << r->row.speedup;
            ratio << (any ? r->backpropRatio(r->epochs.back()) : std::nan(""));
            elapsed << r->row.elapsedSeconds;
        }
        const QString name = groupLegend(g);
        for (const bool isMean : {true, false}) {
            QStringList row{name, isMean ? QStringLiteral("mean (n=%1)").arg(g.size()) : QStringLiteral("std (n=%1)").arg(g.size())};
            for (const QString& k : std::as_const(varied))
                row << (k == QLatin1String("seed") ? QString() : jsonText(g.front()->config.value(k)));
            auto cell = [&](const QList<double>& v, int decimals) {
                const GroupValue x = groupValue(v);
                return num(isMean ? x.mean : x.stddev, decimals);
            };
            row << cell(best, 2) << cell(test, 2) << cell(bp, -1) << cell(speed, 3) << cell(ratio, 4)
                << QString::number(g.front()->epochs.size()) << cell(elapsed, 1);
            t.rows << row;
        }
    }
    return t;
}

QString toCsv(const ResultsTable& t)
{
    QStringList lines;
    QStringList head;
    for (const QString& h : t.headers) head << csvCell(h);
    lines << head.join(QLatin1Char(','));
    for (const QStringList& row : t.rows) {
        QStringList cells;
        for (const QString& c : row) cells << csvCell(c);
        lines << cells.join(QLatin1Char(','));
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QString toMarkdown(const ResultsTable& t)
{
    auto esc = [](QString s) { return s.replace(QLatin1Char('|'), QStringLiteral("\\|")); };
    QStringList lines;
    QStringList head, rule;
    for (int i = 0; i < t.headers.size(); ++i) {
        head << esc(t.headers[i]);
        rule << (i < 2 ? QStringLiteral("---") : QStringLiteral("---:"));
    }
    lines << QStringLiteral("| ") + head.join(QStringLiteral(" | ")) + QStringLiteral(" |");
    lines << QStringLiteral("|") + rule.join(QStringLiteral("|")) + QStringLiteral("|");
    for (const QStringList& row : t.rows) {
        QStringList cells;
        for (const QString& c : row) cells << (c.isEmpty() ? QStringLiteral("-") : esc(c));
        lines << QStringLiteral("| ") + cells.join(QStringLiteral(" | ")) + QStringLiteral(" |");
    }
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

}  // namespace meprop
