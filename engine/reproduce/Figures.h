#pragma once
// Figure 4's panels as data (points with 95 % intervals per series) from a plan's results, written
// as JSON and CSV for the renderers, and drawn as a small standalone SVG for the self-contained
// report.html. The PNG and the Qt Charts SVG come from `meprop-figures` (app/figures), which reads
// the same JSON; the engine writes no image formats of its own beyond this plain SVG.
#include "reproduce/Results.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace meprop::reproduce {

struct FigurePoint {
    double x = 0.0;
    double mean = 0.0;
    double low = 0.0, high = 0.0;  // the 95 % interval; equal to mean when n < 2
    int n = 0;
    std::string cell;
};

struct FigureSeries {
    std::string name;
    std::vector<FigurePoint> points;
    bool horizontal = false;  // one value drawn across the x range (the dense h=500 line)
};

struct FigureData {
    std::string id;  // the table id, e.g. "fig4-left"
    std::string title, xLabel, yLabel;
    bool logX = false;
    std::vector<FigureSeries> series;
};

// One FigureData per figure table of the plan (cells with no finished run are left out).
std::vector<FigureData> figureData(const Results& results);

// {"id","title","x_label","y_label","log_x","series":[{"name","horizontal","points":[{"x","mean","low","high","n","cell"}]}]}
nlohmann::json toJson(const FigureData& figure);
// series,x,mean,ci_low,ci_high,n,cell
std::string toCsv(const FigureData& figure);

// An <svg> element (with its xmlns, no XML declaration) of `width` x `height` pixels: axes with
// ticks, one polyline with markers and error bars per series, a dashed line and band for a
// horizontal series, a legend. Valid XML, so it can be inlined in XHTML or saved as a file.
std::string renderSvg(const FigureData& figure, int width = 640, int height = 400);

// Escapes &, <, >, " and ' for XML text and attributes.
std::string xmlEscape(const std::string& text);

}  // namespace meprop::reproduce
