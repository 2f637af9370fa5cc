#pragma once
// What every chart of the workbench can do for an export (menu, bundle, scripted mode), so that the
// app handles line charts, bar charts and the heat map alike without knowing their types.
#include <QImage>
#include <QSize>
#include <QString>

namespace meprop {

class ExportableChart {
public:
    virtual ~ExportableChart() = default;
    virtual QString title() const = 0;
    // `size`: the layout size in pixels at 96 DPI (empty: the widget's size when shown, else a
    // default); `dpi` scales the picture (a 900x560 chart at 192 DPI is a 1800x1120 PNG with the
    // same layout, and an SVG of 900x560 user units declared at 192 DPI). Legends are drawn in
    // full (never elided) beside or below the plot.
    virtual QImage toImage(QSize size = {}, double dpi = 96.0) const = 0;
    virtual bool exportPng(const QString& path, QString* error = nullptr, QSize size = {}, double dpi = 96.0) const = 0;
    virtual bool exportSvg(const QString& path, QString* error = nullptr, QSize size = {}, double dpi = 96.0) const = 0;
};

}  // namespace meprop
