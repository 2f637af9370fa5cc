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
    // `size` empty: the widget's size when shown, else a default.
    virtual QImage toImage(QSize size = {}) const = 0;
    virtual bool exportPng(const QString& path, QString* error = nullptr, QSize size = {}) const = 0;
    virtual bool exportSvg(const QString& path, QString* error = nullptr, QSize size = {}) const = 0;
};

}  // namespace meprop
