#include "data/TaggerVocab.h"

#include "core/Error.h"

#include <algorithm>

namespace meprop {

namespace {

constexpr int kCapsValues = 5, kDigitValues = 4, kPunctValues = 4;

bool isUpper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
bool isLower(unsigned char c) { return c >= 'a' && c <= 'z'; }
bool isDigit(unsigned char c) { return c >= '0' && c <= '9'; }
// Non-ASCII bytes count as (case-less) letters: most are letters in UD treebanks.
bool isLetter(unsigned char c) { return isUpper(c) || isLower(c) || c >= 0x80; }

std::string lowerAscii(const std::string& s)
{
    std::string out = s;
    for (char& c : out)
        if (isUpper(static_cast<unsigned char>(c))) c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool isContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

int lookup(const std::unordered_map<std::string, int>& m, const std::string& key)
{
    const auto it = m.find(key);
    return it == m.end() ? 0 : it->second;
}

int insert(std::unordered_map<std::string, int>& m, const std::string& key)
{
    const auto [it, added] = m.emplace(key, static_cast<int>(m.size()) + 1);  // 0 is UNK
    (void)added;
    return it->second;
}

}  // namespace

std::string TaggerVocab::normalizeWord(const std::string& form)
{
    std::string out = lowerAscii(form);
    for (char& c : out)
        if (isDigit(static_cast<unsigned char>(c))) c = '0';
    return out;
}

int TaggerVocab::capsPattern(const std::string& form)
{
    int upper = 0, lower = 0;
    bool firstUpper = false, seenLetter = false, upperAfterFirst = false;
    for (unsigned char c : form) {
        if (!isLetter(c)) continue;
        if (isUpper(c)) {
            ++upper;
            if (!seenLetter) firstUpper = true;
            else upperAfterFirst = true;
        } else {
            ++lower;
        }
        seenLetter = true;
    }
    if (!seenLetter) return 0;
    if (upper == 0) return 1;
    if (lower == 0) return 3;
    if (firstUpper && !upperAfterFirst) return 2;
    return 4;
}

int TaggerVocab::digitPattern(const std::string& form)
{
    int digits = 0, letters = 0, other = 0;
    for (unsigned char c : form) {
        if (isDigit(c)) ++digits;
        else if (isLetter(c)) ++letters;
        else ++other;
    }
    if (digits == 0) return 0;
    if (letters > 0) return 3;
    return other == 0 ? 1 : 2;
}

int TaggerVocab::punctPattern(const std::string& form)
{
    bool alnum = false, hyphen = false, punct = false;
    for (unsigned char c : form) {
        if (isLetter(c) || isDigit(c)) alnum = true;
        else if (c == '-') hyphen = true;
        else punct = true;
    }
    if (!hyphen && !punct) return 0;
    if (!alnum) return 2;
    return hyphen ? 1 : 3;
}

std::string TaggerVocab::prefix(const std::string& form, int n)
{
    const std::string s = lowerAscii(form);
    std::size_t end = 0;
    for (int cp = 0; cp < n && end < s.size(); ++cp) {
        ++end;
        while (end < s.size() && isContinuation(static_cast<unsigned char>(s[end]))) ++end;
    }
    return s.substr(0, end);
}

std::string TaggerVocab::suffix(const std::string& form, int n)
{
    const std::string s = lowerAscii(form);
    std::size_t begin = s.size();
    for (int cp = 0; cp < n && begin > 0; ++cp) {
        --begin;
        while (begin > 0 && isContinuation(static_cast<unsigned char>(s[begin]))) --begin;
    }
    return s.substr(begin);
}

TaggerVocab TaggerVocab::build(const std::vector<ConlluSentence>& train)
{
    TaggerVocab v;
    v.m_wordCount.push_back(0);  // UNK
    bool anyXpos = false;
    for (const auto& s : train)
        for (const auto& t : s.tokens)
            if (!t.xpos.empty() && t.xpos != "_") anyXpos = true;
    v.m_column = anyXpos ? TagColumn::Xpos : TagColumn::Upos;
    std::vector<std::string> tags;
    long tokens = 0;
    for (const auto& s : train) {
        for (const auto& t : s.tokens) {
            ++tokens;
            const int id = insert(v.m_word, normalizeWord(t.form));
            if (id >= static_cast<int>(v.m_wordCount.size())) v.m_wordCount.push_back(0);
            ++v.m_wordCount[static_cast<std::size_t>(id)];
            insert(v.m_affix[0], prefix(t.form, 2));
            insert(v.m_affix[1], prefix(t.form, 3));
            insert(v.m_affix[2], suffix(t.form, 2));
            insert(v.m_affix[3], suffix(t.form, 3));
            const std::string& tag = v.goldTag(t);
            if (!v.m_tag.count(tag)) {
                v.m_tag.emplace(tag, 0);
                tags.push_back(tag);
            }
        }
    }
    if (tokens == 0) throw DatasetError("training data: no tokens");
    // Sorted tag ids: the same tag set always gets the same ids, whatever the sentence order.
    std::sort(tags.begin(), tags.end());
    for (std::size_t i = 0; i < tags.size(); ++i) v.m_tag[tags[i]] = static_cast<int>(i);
    v.m_tagNames = tags;
    return v;
}

std::array<int, kTaggerFeatures> TaggerVocab::featureSizes() const
{
    return {kCapsValues,
            static_cast<int>(m_affix[0].size()) + 1,
            static_cast<int>(m_affix[1].size()) + 1,
            static_cast<int>(m_affix[2].size()) + 1,
            static_cast<int>(m_affix[3].size()) + 1,
            kDigitValues,
            kPunctValues};
}

int TaggerVocab::tagId(const std::string& tag) const
{
    const auto it = m_tag.find(tag);
    return it == m_tag.end() ? -1 : it->second;
}

TaggerSentence TaggerVocab::encode(const ConlluSentence& s, Rng* rng, float rareUnk) const
{
    TaggerSentence out;
    const std::size_t n = s.tokens.size();
    out.words.resize(n);
    for (auto& f : out.features) f.resize(n);
    out.tags.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const ConlluToken& t = s.tokens[i];
        int w = lookup(m_word, normalizeWord(t.form));
        if (w > 0 && rng && rareUnk > 0.0f && m_wordCount[static_cast<std::size_t>(w)] == 1 && rng->bernoulli(rareUnk)) w = 0;
        out.words[i] = w;
        out.features[0][i] = capsPattern(t.form);
        out.features[1][i] = lookup(m_affix[0], prefix(t.form, 2));
        out.features[2][i] = lookup(m_affix[1], prefix(t.form, 3));
        out.features[3][i] = lookup(m_affix[2], suffix(t.form, 2));
        out.features[4][i] = lookup(m_affix[3], suffix(t.form, 3));
        out.features[5][i] = digitPattern(t.form);
        out.features[6][i] = punctPattern(t.form);
        out.tags[i] = tagId(goldTag(t));
    }
    return out;
}

}  // namespace meprop
