#include "reproduce/ReportDocument.h"

#include "reproduce/Figures.h"

#include <cstddef>
#include <utility>

namespace meprop::reproduce {

void ReportDocument::heading(const std::string& text, int level, const std::string& anchor)
{
    ReportBlock b;
    b.kind = ReportBlock::Kind::Heading;
    b.text = text;
    b.level = level;
    b.anchor = anchor;
    m_blocks.push_back(b);
}

void ReportDocument::paragraph(const std::string& text)
{
    ReportBlock b;
    b.kind = ReportBlock::Kind::Paragraph;
    b.text = text;
    m_blocks.push_back(b);
}

void ReportDocument::bullets(std::vector<std::string> items)
{
    ReportBlock b;
    b.kind = ReportBlock::Kind::Bullets;
    b.items = std::move(items);
    m_blocks.push_back(b);
}

void ReportDocument::table(std::vector<std::string> header, std::vector<std::vector<std::string>> rows)
{
    ReportBlock b;
    b.kind = ReportBlock::Kind::Table;
    b.header = std::move(header);
    b.rows = std::move(rows);
    m_blocks.push_back(b);
}

void ReportDocument::code(const std::string& text)
{
    ReportBlock b;
    b.kind = ReportBlock::Kind::Code;
    b.text = text;
    m_blocks.push_back(b);
}

void ReportDocument::figure(const std::string& svg, const std::string& image, const std::string& alt)
{
    ReportBlock b;
    b.kind = ReportBlock::Kind::Figure;
    b.svg = svg;
    b.image = image;
    b.alt = alt;
    m_blocks.push_back(b);
}

std::string ReportDocument::markdown() const
{
    std::string o;
    auto cell = [](std::string s) {
        std::string e;
        for (char c : s) e += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
        return e;
    };
    for (const ReportBlock& b : m_blocks) {
        switch (b.kind) {
        case ReportBlock::Kind::Heading:
            o.append(static_cast<std::size_t>(b.level), '#').append(" ").append(b.text).append("\n\n");
            break;
        case ReportBlock::Kind::Paragraph: o += b.text + "\n\n"; break;
        case ReportBlock::Kind::Bullets:
            for (const std::string& i : b.items) o += "- " + i + "\n";
            o += "\n";
            break;
        case ReportBlock::Kind::Table: {
            o += "|";
            for (const std::string& h : b.header) o.append(" ").append(cell(h)).append(" |");
            o += "\n|";
            for (std::size_t i = 0; i < b.header.size(); ++i) o += "---|";
            o += "\n";
            for (const auto& row : b.rows) {
                o += "|";
                for (const std::string& c : row) o.append(" ").append(cell(c)).append(" |");
                o += "\n";
            }
            o += "\n";
            break;
        }
        case ReportBlock::Kind::Code: o += "```\n" + b.text + "\n```\n\n"; break;
        case ReportBlock::Kind::Figure:
            if (!b.image.empty()) o += "![" + b.alt + "](" + b.image + ")\n\n";
            break;
        }
    }
    return o;
}

std::string ReportDocument::html(const std::string& title) const
{
    std::string o = "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>" +
                    xmlEscape(title) + "</title>\n<style>\n" + css() + "</style>\n</head>\n<body>\n";
    for (const ReportBlock& b : m_blocks) {
        switch (b.kind) {
        case ReportBlock::Kind::Heading: {
            const std::string tag = "h" + std::to_string(b.level);
            o += "<" + tag + (b.anchor.empty() ? std::string() : " id=\"" + xmlEscape(b.anchor) + "\"") + ">" + inline_(b.text) + "</" + tag + ">\n";
            break;
        }
        case ReportBlock::Kind::Paragraph: o += "<p>" + inline_(b.text) + "</p>\n"; break;
        case ReportBlock::Kind::Bullets:
            o += "<ul>\n";
            for (const std::string& i : b.items) o += "<li>" + inline_(i) + "</li>\n";
            o += "</ul>\n";
            break;
        case ReportBlock::Kind::Table:
            o += "<table>\n<thead><tr>";
            for (const std::string& h : b.header) o += "<th>" + inline_(h) + "</th>";
            o += "</tr></thead>\n<tbody>\n";
            for (const auto& row : b.rows) {
                o += "<tr>";
                for (const std::string& c : row) o += "<td" + verdictClass(c) + ">" + inline_(c) + "</td>";
                o += "</tr>\n";
            }
            o += "</tbody>\n</table>\n";
            break;
        case ReportBlock::Kind::Code: o += "<pre>" + xmlEscape(b.text) + "</pre>\n"; break;
        case ReportBlock::Kind::Figure: o += "<div class=\"figure\">\n" + b.svg + "</div>\n"; break;
        }
    }
    return o + "</body>\n</html>\n";
}

std::string ReportDocument::inline_(const std::string& text)
{
    std::string o;
    bool code = false, bold = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '`') {
            o += code ? "</code>" : "<code>";
            code = !code;
        } else if (!code && text.compare(i, 2, "**") == 0) {
            o += bold ? "</b>" : "<b>";
            bold = !bold;
            ++i;
        } else {
            o += xmlEscape(std::string(1, text[i]));
        }
    }
    if (code) o += "</code>";
    if (bold) o += "</b>";
    return o;
}

std::string ReportDocument::verdictClass(const std::string& c)
{
    if (c.find("fails") != std::string::npos) return " class=\"fails\"";
    if (c.find("holds") != std::string::npos) return " class=\"holds\"";
    if (c.find("inconclusive") != std::string::npos) return " class=\"inconclusive\"";
    return "";
}

std::string ReportDocument::css()
{
    return "body{font-family:sans-serif;margin:2em;max-width:110em;color:#222}\n"
           "table{border-collapse:collapse;margin:0.5em 0 1em 0;font-size:0.9em}\n"
           "th,td{border:1px solid #bbb;padding:0.25em 0.5em;text-align:left;vertical-align:top}\n"
           "th{background:#eee}\ntd.holds{background:#e3f4e3}\ntd.fails{background:#f8dcdc}\ntd.inconclusive{background:#f6f0d8}\n"
           "pre{background:#f4f4f4;padding:0.5em;overflow-x:auto;white-space:pre-wrap}\ncode{background:#f4f4f4}\n"
           ".figure{display:inline-block;margin:0.5em 1em 0.5em 0}\n";
}

}  // namespace meprop::reproduce
