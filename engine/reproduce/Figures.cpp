#include "reproduce/Figures.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <sstream>

namespace meprop::reproduce {

namespace {

using nlohmann::json;

std::string num(double v, int precision = 4)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    return buf;
}

std::string px(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

// "Nice" tick step (1, 2 or 5 x 10^k) for about `count` ticks over `span`.
double niceStep(double span, int count)
{
    if (!(span > 0)) return 1.0;
    const double raw = span / count, mag = std::pow(10.0, std::floor(std::log10(raw))), f = raw / mag;
    return (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0) * mag;
}

const char* const kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

}  // namespace

std::string xmlEscape(const std::string& text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::vector<FigureData> figureData(const Results& results)
{
    std::vector<FigureData> figures;
    for (const TableSpec& t : results.plan->tables) {
        if (!t.figure) continue;
        FigureData f;
        f.id = t.id;
        f.title = t.title;
        f.xLabel = t.xLabel;
        f.yLabel = t.yLabel;
        f.logX = t.logX;
        std::map<std::string, std::size_t> seriesIndex;
        for (const std::string& id : t.cells) {
            const CellStats& cs = results.cell(id);
            const Cell& c = *cs.cell;
            if (cs.metric.n == 0) continue;
            auto [it, added] = seriesIndex.emplace(c.series, f.series.size());
            if (added) {
                FigureSeries s;
                s.name = c.series;
                s.horizontal = std::isnan(c.x);
                f.series.push_back(s);
            }
            FigurePoint p;
            p.x = std::isnan(c.x) ? 0.0 : c.x;
            p.mean = cs.metric.mean;
            p.low = cs.metric.hasInterval() ? cs.metric.ciLow : cs.metric.mean;
            p.high = cs.metric.hasInterval() ? cs.metric.ciHigh : cs.metric.mean;
            p.n = cs.metric.n;
            p.cell = c.id;
            f.series[it->second].points.push_back(p);
        }
        for (FigureSeries& s : f.series)
            std::sort(s.points.begin(), s.points.end(), [](const FigurePoint& a, const FigurePoint& b) { return a.x < b.x; });
        figures.push_back(std::move(f));
    }
    return figures;
}

json toJson(const FigureData& f)
{
    json series = json::array();
    for (const FigureSeries& s : f.series) {
        json points = json::array();
        for (const FigurePoint& p : s.points)
            points.push_back({{"x", p.x}, {"mean", p.mean}, {"low", p.low}, {"high", p.high}, {"n", p.n}, {"cell", p.cell}});
        series.push_back({{"name", s.name}, {"horizontal", s.horizontal}, {"points", points}});
    }
    return {{"id", f.id}, {"title", f.title}, {"x_label", f.xLabel}, {"y_label", f.yLabel}, {"log_x", f.logX}, {"series", series}};
}

std::string toCsv(const FigureData& f)
{
    std::string out = "series,x,mean,ci_low,ci_high,n,cell\n";
    for (const FigureSeries& s : f.series)
        for (const FigurePoint& p : s.points)
            out += "\"" + s.name + "\"," + (s.horizontal ? std::string() : num(p.x, 8)) + "," + num(p.mean, 8) + "," + num(p.low, 8) + "," +
                   num(p.high, 8) + "," + std::to_string(p.n) + "," + p.cell + "\n";
    return out;
}

std::string renderSvg(const FigureData& f, int width, int height)
{
    const double left = 64, right = 20, top = 36, bottom = 52;
    const double w = width - left - right, h = height - top - bottom;
    // Data ranges: x over the non-horizontal points, y over every interval.
    double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
    for (const FigureSeries& s : f.series)
        for (const FigurePoint& p : s.points) {
            if (!s.horizontal) {
                xmin = std::min(xmin, p.x);
                xmax = std::max(xmax, p.x);
            }
            ymin = std::min(ymin, p.low);
            ymax = std::max(ymax, p.high);
        }
    const bool empty = !std::isfinite(ymin);
    if (!std::isfinite(xmin)) xmin = 1, xmax = 10;
    if (empty) ymin = 0, ymax = 100;
    const bool logX = f.logX && xmin > 0;
    if (xmax <= xmin) xmax = xmin * (logX ? 10 : 1) + (logX ? 0 : 1);
    const double ypad = std::max(0.05 * (ymax - ymin), 0.05);
    ymin -= ypad;
    ymax += ypad;
    const double lx0 = logX ? std::log10(xmin) - 0.1 : xmin - 0.05 * (xmax - xmin);
    const double lx1 = logX ? std::log10(xmax) + 0.1 : xmax + 0.05 * (xmax - xmin);
    auto X = [&](double x) { return left + ((logX ? std::log10(x) : x) - lx0) / (lx1 - lx0) * w; };
    auto Y = [&](double y) { return top + (ymax - y) / (ymax - ymin) * h; };

    std::ostringstream o;
    o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height << "\" viewBox=\"0 0 " << width << " "
      << height << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    o << "<title>" << xmlEscape(f.title) << "</title>\n";
    o << "<rect x=\"0\" y=\"0\" width=\"" << width << "\" height=\"" << height << "\" fill=\"white\"/>\n";
    o << "<text x=\"" << px(width / 2.0) << "\" y=\"20\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">" << xmlEscape(f.id)
      << "</text>\n";
    // Axes and ticks.
    o << "<rect x=\"" << px(left) << "\" y=\"" << px(top) << "\" width=\"" << px(w) << "\" height=\"" << px(h)
      << "\" fill=\"none\" stroke=\"#444\"/>\n";
    const double ystep = niceStep(ymax - ymin, 5);
    for (double y = std::ceil(ymin / ystep) * ystep; y <= ymax + 1e-9; y += ystep) {
        o << "<line x1=\"" << px(left) << "\" x2=\"" << px(left + w) << "\" y1=\"" << px(Y(y)) << "\" y2=\"" << px(Y(y))
          << "\" stroke=\"#ddd\"/>\n";
        o << "<text x=\"" << px(left - 6) << "\" y=\"" << px(Y(y) + 4) << "\" text-anchor=\"end\">" << num(y) << "</text>\n";
    }
    std::vector<double> xticks;
    for (const FigureSeries& s : f.series)
        if (!s.horizontal)
            for (const FigurePoint& p : s.points) xticks.push_back(p.x);
    std::sort(xticks.begin(), xticks.end());
    xticks.erase(std::unique(xticks.begin(), xticks.end()), xticks.end());
    for (double x : xticks) {
        o << "<line x1=\"" << px(X(x)) << "\" x2=\"" << px(X(x)) << "\" y1=\"" << px(top + h) << "\" y2=\"" << px(top + h + 5)
          << "\" stroke=\"#444\"/>\n";
        o << "<text x=\"" << px(X(x)) << "\" y=\"" << px(top + h + 18) << "\" text-anchor=\"middle\">" << num(x) << "</text>\n";
    }
    o << "<text x=\"" << px(left + w / 2) << "\" y=\"" << px(height - 12.0) << "\" text-anchor=\"middle\">" << xmlEscape(f.xLabel)
      << "</text>\n";
    o << "<text transform=\"translate(16," << px(top + h / 2) << ") rotate(-90)\" text-anchor=\"middle\">" << xmlEscape(f.yLabel)
      << "</text>\n";
    if (empty)
        o << "<text x=\"" << px(left + w / 2) << "\" y=\"" << px(top + h / 2) << "\" text-anchor=\"middle\" fill=\"#888\">no finished runs</text>\n";
    // Series.
    for (std::size_t i = 0; i < f.series.size(); ++i) {
        const FigureSeries& s = f.series[i];
        const std::string colour = kColours[i % (sizeof kColours / sizeof *kColours)];
        o << "<g stroke=\"" << colour << "\" fill=\"" << colour << "\">\n";
        if (s.horizontal && !s.points.empty()) {
            const FigurePoint& p = s.points.front();
            o << "<rect x=\"" << px(left) << "\" y=\"" << px(Y(p.high)) << "\" width=\"" << px(w) << "\" height=\""
              << px(std::max(0.0, Y(p.low) - Y(p.high))) << "\" fill-opacity=\"0.12\" stroke=\"none\"/>\n";
            o << "<line x1=\"" << px(left) << "\" x2=\"" << px(left + w) << "\" y1=\"" << px(Y(p.mean)) << "\" y2=\"" << px(Y(p.mean))
              << "\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n";
        } else {
            std::string points;
            for (const FigurePoint& p : s.points) {
                if (!points.empty()) points += ' ';
                points.append(px(X(p.x))).append(",").append(px(Y(p.mean)));
            }
            o << "<polyline points=\"" << points << "\" fill=\"none\" stroke-width=\"2\"/>\n";
            for (const FigurePoint& p : s.points) {
                const double cx = X(p.x);
                if (p.high > p.low) {
                    o << "<line x1=\"" << px(cx) << "\" x2=\"" << px(cx) << "\" y1=\"" << px(Y(p.low)) << "\" y2=\"" << px(Y(p.high)) << "\"/>\n";
                    for (double y : {p.low, p.high})
                        o << "<line x1=\"" << px(cx - 4) << "\" x2=\"" << px(cx + 4) << "\" y1=\"" << px(Y(y)) << "\" y2=\"" << px(Y(y)) << "\"/>\n";
                }
                o << "<circle cx=\"" << px(cx) << "\" cy=\"" << px(Y(p.mean)) << "\" r=\"3.5\"><title>" << xmlEscape(p.cell) << ": " << num(p.mean)
                  << " [" << num(p.low) << ", " << num(p.high) << "], n=" << p.n << "</title></circle>\n";
            }
        }
        const double ly = top + 14 + 16.0 * static_cast<double>(i);
        o << "<line x1=\"" << px(left + 10) << "\" x2=\"" << px(left + 32) << "\" y1=\"" << px(ly - 4) << "\" y2=\"" << px(ly - 4)
          << "\" stroke-width=\"2\"" << (s.horizontal ? " stroke-dasharray=\"6 4\"" : "") << "/>\n";
        o << "<text x=\"" << px(left + 38) << "\" y=\"" << px(ly) << "\" stroke=\"none\" fill=\"#222\">" << xmlEscape(s.name) << "</text>\n";
        o << "</g>\n";
    }
    o << "</svg>\n";
    return o.str();
}

}  // namespace meprop::reproduce
