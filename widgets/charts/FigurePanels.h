#pragma once
// The figure panels of a reproduction (Figure 4 of the meProp paper) as plain values: read from the
// figures.json that `meprop reproduce` writes, shown in an ErrorBarChart, rendered as SVG and PNG.
// Shared by `meprop-figures` and the workbench's Paper view, so both draw the panels the same way.
#include "charts/ErrorBarChart.h"

#include <QJsonDocument>
#include <QList>
#include <QSize>
#include <QString>

namespace meprop {

struct FigurePanel {
    QString id;  // the table id, e.g. "fig4-left"
    QString title, xLabel, yLabel;
    bool logX = false;
    QList<ErrorBarSeries> series;
};

// The panels of figures.json (a JSON array, see engine/reproduce/Figures.h). False and one line in
// *error, prefixed with `source`, for a panel without a plain id or a point without numbers.
bool figurePanelsFromJson(const QJsonDocument& doc, const QString& source, QList<FigurePanel>* panels, QString* error);

// Shows `panel` in `chart` (title, axis titles, log x, series). An empty `title` keeps the panel's.
void showFigurePanel(ErrorBarChart* chart, const FigurePanel& panel, const QString& title = {});

// Writes <base>.svg and <base>.png of `panel` at `size`; *bars gets the error bars drawn.
bool renderFigurePanel(const FigurePanel& panel, const QString& base, QSize size, QString* error, int* bars = nullptr);

}  // namespace meprop
