#pragma once
// The reproduction report as one document, built block by block (headings, paragraphs, bullet lists,
// tables, code, figures) and rendered twice: as Markdown (report.md) and as XHTML (report.html,
// with the figures' SVG inline and verdict cells coloured). Inline markup in any text: `code` and
// **bold**; nothing else is interpreted.
#include <string>
#include <vector>

namespace meprop::reproduce {

struct ReportBlock {
    enum class Kind { Heading, Paragraph, Bullets, Table, Code, Figure } kind = Kind::Paragraph;
    int level = 2;
    std::string text;
    std::vector<std::string> items;                    // Bullets
    std::vector<std::string> header;                   // Table
    std::vector<std::vector<std::string>> rows;        // Table
    std::string svg, image, alt;                       // Figure: inline SVG (HTML), image path (Markdown)
    std::string anchor;
};

class ReportDocument {
public:
    void heading(const std::string& text, int level = 2, const std::string& anchor = "");
    void paragraph(const std::string& text);
    void bullets(std::vector<std::string> items);
    void table(std::vector<std::string> header, std::vector<std::vector<std::string>> rows);
    void code(const std::string& text);
    void figure(const std::string& svg, const std::string& image, const std::string& alt);
    std::string markdown() const;
    std::string html(const std::string& title) const;

private:
    // `code` spans (backquotes) and **bold**, escaped; nothing else is markup.
    static std::string inline_(const std::string& text);
    static std::string verdictClass(const std::string& c);
    static std::string css();
    std::vector<ReportBlock> m_blocks;
};

}  // namespace meprop::reproduce
