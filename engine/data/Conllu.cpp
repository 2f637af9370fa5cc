#include "data/Conllu.h"

#include "core/Error.h"
#include "io/AtomicFile.h"

#include <charconv>
#include <fstream>
#include <sstream>
#include <string_view>

namespace meprop {

namespace {

constexpr int kFields = 10;

// Parses a whole field as a non-negative decimal integer; false on anything else.
bool parseNonNegative(std::string_view s, int& out)
{
    if (s.empty()) return false;
    const char* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, out);
    return ec == std::errc() && p == end && out >= 0;
}

// Splits on tabs when the line has one, else on runs of spaces (a tolerated, non-standard layout).
std::vector<std::string_view> splitFields(std::string_view line)
{
    std::vector<std::string_view> fields;
    if (line.find('\t') != std::string_view::npos) {
        std::size_t start = 0;
        while (true) {
            const std::size_t tab = line.find('\t', start);
            fields.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
            if (tab == std::string_view::npos) break;
            start = tab + 1;
        }
    } else {
        std::size_t i = 0;
        while (i < line.size()) {
            while (i < line.size() && line[i] == ' ') ++i;
            if (i == line.size()) break;
            const std::size_t j = line.find(' ', i);
            const std::size_t stop = j == std::string_view::npos ? line.size() : j;
            fields.push_back(line.substr(i, stop - i));
            i = stop;
        }
    }
    return fields;
}

bool isBlank(std::string_view line)
{
    return line.find_first_not_of(" \t") == std::string_view::npos;
}

enum class LineKind { Comment, Range, EmptyNode, Token };

// Kind of a non-blank line, from its first character / first field only (used when writing back).
LineKind kindOf(std::string_view line)
{
    if (!line.empty() && line[0] == '#') return LineKind::Comment;
    std::size_t stop = line.find_first_of("\t ");
    const std::string_view id = line.substr(0, stop);
    if (id.find('-') != std::string_view::npos) return LineKind::Range;
    if (id.find('.') != std::string_view::npos) return LineKind::EmptyNode;
    return LineKind::Token;
}

std::string orUnderscore(const std::string& s) { return s.empty() ? "_" : s; }

std::string tokenLine(const ConlluToken& t)
{
    std::string line = std::to_string(t.id);
    for (const std::string* f : {&t.form, &t.lemma, &t.upos, &t.xpos, &t.feats}) {
        line += '\t';
        line += orUnderscore(*f);
    }
    line += '\t';
    line += t.head < 0 ? std::string("_") : std::to_string(t.head);
    for (const std::string* f : {&t.deprel, &t.deps, &t.misc}) {
        line += '\t';
        line += orUnderscore(*f);
    }
    return line;
}

class Reader {
public:
    Reader(const std::string& path, long maxSentences) : m_path(path), m_max(maxSentences) {}

    std::vector<ConlluSentence> read(std::string_view text)
    {
        std::string_view rest(text);
        if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);  // UTF-8 byte order mark
        int lineNo = 0;
        while (!rest.empty() && !done()) {
            const std::size_t nl = rest.find('\n');
            std::string_view line = rest.substr(0, nl);
            rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            ++lineNo;
            if (isBlank(line)) {
                finishSentence();
                continue;
            }
            addLine(line, lineNo);
        }
        if (!done()) finishSentence();
        if (m_sentences.empty()) throw DatasetError(m_path + ": no sentences (empty CoNLL-U file)");
        return std::move(m_sentences);
    }

private:
    bool done() const { return m_max > 0 && static_cast<long>(m_sentences.size()) >= m_max; }

    [[noreturn]] void fail(int line, const std::string& what) const
    {
        throw DatasetError(m_path + ":" + std::to_string(line) + ": " + what);
    }

    void addLine(std::string_view line, int lineNo)
    {
        if (!m_open) {
            m_cur = ConlluSentence{};
            m_cur.firstLine = lineNo;
            m_open = true;
        }
        m_cur.lines.emplace_back(line);
        if (line[0] == '#') {
            parseComment(line);
            return;
        }
        const auto f = splitFields(line);
        if (static_cast<int>(f.size()) != kFields)
            fail(lineNo, "expected 10 tab-separated fields (ID FORM LEMMA UPOS XPOS FEATS HEAD DEPREL DEPS MISC), found " +
                             std::to_string(f.size()));
        const std::string_view id = f[0];
        int a = 0, b = 0;
        if (const std::size_t dash = id.find('-'); dash != std::string_view::npos) {
            if (!parseNonNegative(id.substr(0, dash), a) || !parseNonNegative(id.substr(dash + 1), b) || a < 1 || b < a)
                fail(lineNo, "ID " + quote(id) + ": expected a multiword-token range \"a-b\" with 1 <= a <= b");
            return;
        }
        if (const std::size_t dot = id.find('.'); dot != std::string_view::npos) {
            if (!parseNonNegative(id.substr(0, dot), a) || !parseNonNegative(id.substr(dot + 1), b) || b < 1)
                fail(lineNo, "ID " + quote(id) + ": expected an empty-node ID \"i.j\" with integers i >= 0, j >= 1");
            return;
        }
        if (!parseNonNegative(id, a) || a < 1) fail(lineNo, "ID " + quote(id) + ": expected a positive integer");
        const int expected = static_cast<int>(m_cur.tokens.size()) + 1;
        if (a != expected)
            fail(lineNo, "ID " + std::to_string(a) + " out of sequence: expected " + std::to_string(expected));
        ConlluToken t;
        t.id = a;
        t.form = std::string(f[1]);
        t.lemma = std::string(f[2]);
        t.upos = std::string(f[3]);
        t.xpos = std::string(f[4]);
        t.feats = std::string(f[5]);
        if (f[6] == "_") {
            t.head = -1;
        } else if (!parseNonNegative(f[6], t.head)) {
            fail(lineNo, "HEAD " + quote(f[6]) + ": expected a non-negative integer or _");
        }
        t.deprel = std::string(f[7]);
        t.deps = std::string(f[8]);
        t.misc = std::string(f[9]);
        m_cur.tokens.push_back(std::move(t));
        m_tokenLines.push_back(lineNo);
    }

    void parseComment(std::string_view line)
    {
        std::string_view s = line.substr(1);
        const std::size_t first = s.find_first_not_of(" \t");
        if (first == std::string_view::npos) return;
        s.remove_prefix(first);
        constexpr std::string_view key = "sent_id";
        if (s.substr(0, key.size()) != key) return;
        s.remove_prefix(key.size());
        const std::size_t eq = s.find_first_not_of(" \t");
        if (eq == std::string_view::npos || s[eq] != '=') return;
        s.remove_prefix(eq + 1);
        const std::size_t b = s.find_first_not_of(" \t");
        const std::size_t e = s.find_last_not_of(" \t");
        m_cur.sentId = b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
    }

    void finishSentence()
    {
        if (!m_open) return;
        m_open = false;
        if (m_cur.tokens.empty())
            fail(m_cur.firstLine, "sentence has no token lines (only comments, ranges or empty nodes)");
        const int n = static_cast<int>(m_cur.tokens.size());
        for (std::size_t i = 0; i < m_cur.tokens.size(); ++i) {
            if (m_cur.tokens[i].head > n)
                fail(m_tokenLines[i], "HEAD " + std::to_string(m_cur.tokens[i].head) + " is beyond the sentence's " +
                                          std::to_string(n) + " tokens");
        }
        if (m_cur.sentId.empty()) m_cur.sentId = m_path + ":" + std::to_string(m_cur.firstLine);
        m_sentences.push_back(std::move(m_cur));
        m_tokenLines.clear();
    }

    std::string m_path;
    long m_max;
    std::vector<ConlluSentence> m_sentences;
    ConlluSentence m_cur;
    std::vector<int> m_tokenLines;
    bool m_open = false;
};

}  // namespace

std::vector<ConlluSentence> readConllu(const std::string& path, long maxSentences)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DatasetError(path + ": cannot open the CoNLL-U file");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw DatasetError(path + ": read error");
    return parseConllu(buffer.str(), path, maxSentences);
}

std::vector<ConlluSentence> parseConllu(std::string_view text, const std::string& name, long maxSentences)
{
    return Reader(name, maxSentences).read(text);
}

void writeConllu(const std::string& path, const std::vector<ConlluSentence>& sentences)
{
    writeFileAtomic(path, formatConllu(sentences));
}

std::string formatConllu(const std::vector<ConlluSentence>& sentences)
{
    std::string out;
    for (const ConlluSentence& s : sentences) {
        std::size_t tokenLinesInSource = 0;
        for (const std::string& line : s.lines)
            if (!line.empty() && kindOf(line) == LineKind::Token) ++tokenLinesInSource;
        if (tokenLinesInSource == s.tokens.size()) {
            // Interleave: every token line is rebuilt from the next token, everything else copied.
            std::size_t next = 0;
            for (const std::string& line : s.lines) {
                if (!line.empty() && kindOf(line) == LineKind::Token) {
                    out += tokenLine(s.tokens[next++]);
                } else {
                    out += line;
                }
                out += '\n';
            }
        } else {
            // The tokens no longer match the lines read (or the sentence was built in code): keep the
            // comments, drop ranges and empty nodes (their IDs would be wrong), write the tokens.
            for (const std::string& line : s.lines) {
                if (!line.empty() && kindOf(line) == LineKind::Comment) {
                    out += line;
                    out += '\n';
                }
            }
            for (const ConlluToken& t : s.tokens) {
                out += tokenLine(t);
                out += '\n';
            }
        }
        out += '\n';
    }
    return out;
}

}  // namespace meprop
