#include "models/ParserFeatures.h"

#include <algorithm>
#include <map>

namespace meprop {

Vocabulary::Vocabulary(bool withRoot)
{
    m_strings = {"<NULL>", "<UNK>"};
    if (withRoot) m_strings.push_back("<ROOT>");
    for (std::size_t i = 0; i < m_strings.size(); ++i) m_ids.emplace(m_strings[i], static_cast<int>(i));
}

int Vocabulary::add(const std::string& s)
{
    const auto it = m_ids.find(s);
    if (it != m_ids.end()) return it->second;
    const int id = size();
    m_ids.emplace(s, id);
    m_strings.push_back(s);
    return id;
}

int Vocabulary::find(const std::string& s) const
{
    const auto it = m_ids.find(s);
    return it == m_ids.end() ? kUnknown : it->second;
}

std::string universalRelation(const std::string& deprel)
{
    const auto colon = deprel.find(':');
    return colon == std::string::npos ? deprel : deprel.substr(0, colon);
}

ParserVocabularies ParserVocabularies::build(const std::vector<ConlluSentence>& train, int minWordCount)
{
    ParserVocabularies v;
    std::unordered_map<std::string, int> counts;
    std::vector<std::string> order;  // first-seen order keeps ids deterministic
    std::map<std::string, int> labelSet;
    for (const auto& s : train) {
        for (const auto& t : s.tokens) {
            if (counts[t.form]++ == 0) order.push_back(t.form);
            v.tags.add(t.xpos);
            labelSet.emplace(universalRelation(t.deprel), 0);
        }
    }
    for (const auto& w : order)
        if (counts[w] >= minWordCount) v.words.add(w);
    for (const auto& [name, unused] : labelSet) {
        v.labelIds.emplace(name, static_cast<int>(v.labels.size()));
        v.labels.push_back(name);
    }
    return v;
}

int ParserVocabularies::labelId(const std::string& deprel) const
{
    const auto it = labelIds.find(universalRelation(deprel));
    return it == labelIds.end() ? -1 : it->second;
}

ParserSentence encodeSentence(const ConlluSentence& s, const ParserVocabularies& v)
{
    ParserSentence out;
    out.word.reserve(s.tokens.size() + 1);
    out.tag.reserve(s.tokens.size() + 1);
    out.word.push_back(Vocabulary::kRoot);
    out.tag.push_back(Vocabulary::kRoot);
    for (const auto& t : s.tokens) {
        out.word.push_back(v.words.find(t.form));
        out.tag.push_back(v.tags.find(t.xpos));
    }
    return out;
}

void extractFeatures(const ArcStandardState& st, const ParserSentence& sentence, ParserFeatureVector& out)
{
    const int s1 = st.stack(0), s2 = st.stack(1), s3 = st.stack(2);
    const int b1 = st.buffer(0), b2 = st.buffer(1), b3 = st.buffer(2);
    const int lc1s1 = st.leftChild(s1, 1), rc1s1 = st.rightChild(s1, 1);
    const int lc2s1 = st.leftChild(s1, 2), rc2s1 = st.rightChild(s1, 2);
    const int lc1s2 = st.leftChild(s2, 1), rc1s2 = st.rightChild(s2, 1);
    const int lc2s2 = st.leftChild(s2, 2), rc2s2 = st.rightChild(s2, 2);
    const int children[12] = {lc1s1, rc1s1, lc2s1, rc2s1, lc1s2, rc1s2, lc2s2, rc2s2,
                              st.leftChild(lc1s1, 1), st.rightChild(rc1s1, 1), st.leftChild(lc1s2, 1), st.rightChild(rc1s2, 1)};
    const int positions[6] = {s1, s2, s3, b1, b2, b3};
    int f = 0;
    auto word = [&](int t) { return t < 0 ? Vocabulary::kNull : sentence.word[static_cast<std::size_t>(t)]; };
    auto tag = [&](int t) { return t < 0 ? Vocabulary::kNull : sentence.tag[static_cast<std::size_t>(t)]; };
    for (int p : positions) out[static_cast<std::size_t>(f++)] = word(p);
    for (int c : children) out[static_cast<std::size_t>(f++)] = word(c);
    for (int p : positions) out[static_cast<std::size_t>(f++)] = tag(p);
    for (int c : children) out[static_cast<std::size_t>(f++)] = tag(c);
    for (int c : children) out[static_cast<std::size_t>(f++)] = c < 0 ? 0 : 1 + st.label(c);
}

}  // namespace meprop
