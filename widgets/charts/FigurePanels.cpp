#include "charts/FigurePanels.h"

#include <QJsonArray>
#include <QJsonObject>

namespace meprop {

bool figurePanelsFromJson(const QJsonDocument& doc, const QString& source, QList<FigurePanel>* panels, QString* error)
{
    auto fail = [&](const QString& message) {
        if (error) *error = source + QStringLiteral(": ") + message;
        return false;
    };
    if (!doc.isArray()) return fail(QStringLiteral("expected a JSON array of panels"));
    QList<FigurePanel> out;
    for (const QJsonValue& v : doc.array()) {
        const QJsonObject po = v.toObject();
        FigurePanel panel;
        panel.id = po.value(QStringLiteral("id")).toString();
        if (panel.id.isEmpty() || panel.id.contains(QLatin1Char('/')) || panel.id.startsWith(QLatin1Char('.')))
            return fail(QStringLiteral("a panel without a plain \"id\""));
        panel.title = po.value(QStringLiteral("title")).toString();
        panel.xLabel = po.value(QStringLiteral("x_label")).toString();
        panel.yLabel = po.value(QStringLiteral("y_label")).toString();
        panel.logX = po.value(QStringLiteral("log_x")).toBool();
        for (const QJsonValue& sv : po.value(QStringLiteral("series")).toArray()) {
            const QJsonObject so = sv.toObject();
            ErrorBarSeries s;
            s.name = so.value(QStringLiteral("name")).toString();
            s.horizontal = so.value(QStringLiteral("horizontal")).toBool();
            for (const QJsonValue& pv : so.value(QStringLiteral("points")).toArray()) {
                const QJsonObject p = pv.toObject();
                for (const char* key : {"x", "mean", "low", "high"})
                    if (!p.value(QLatin1String(key)).isDouble())
                        return fail(QStringLiteral("panel %1, series \"%2\": a point without a number \"%3\"").arg(panel.id, s.name, QLatin1String(key)));
                s.points.append({p.value(QStringLiteral("x")).toDouble(), p.value(QStringLiteral("mean")).toDouble(),
                                 p.value(QStringLiteral("low")).toDouble(), p.value(QStringLiteral("high")).toDouble()});
            }
            panel.series.append(s);
        }
        out.append(panel);
    }
    *panels = out;
    return true;
}

void showFigurePanel(ErrorBarChart* chart, const FigurePanel& panel, const QString& title)
{
    chart->setTitle(title.isEmpty() ? panel.title : title);
    chart->setAxisTitles(panel.xLabel, panel.yLabel);
    chart->setLogX(panel.logX);
    // An accuracy axis stays within 0..100 %, however wide a 2-seed interval is.
    const bool percent = panel.yLabel.contains(QStringLiteral("(%)"));
    chart->setYBounds(percent ? std::optional<std::pair<double, double>>({0.0, 100.0}) : std::nullopt);
    chart->setData(panel.series);
}

bool renderFigurePanel(const FigurePanel& panel, const QString& base, QSize size, QString* error, int* bars)
{
    ErrorBarChart chart;
    showFigurePanel(&chart, panel);
    if (bars) *bars = chart.errorBarCount();
    return chart.exportSvg(base + QStringLiteral(".svg"), error, size) && chart.exportPng(base + QStringLiteral(".png"), error, size);
}

}  // namespace meprop
