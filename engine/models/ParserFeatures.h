#pragma once
// The 48 features of Chen and Manning (2014) and the vocabularies they index.
//
// Positions (C&M's order): s1 s2 s3 b1 b2 b3; lc1(s1) rc1(s1) lc2(s1) rc2(s1) lc1(s2) rc1(s2)
// lc2(s2) rc2(s2); lc1(lc1(s1)) rc1(rc1(s1)) lc1(lc1(s2)) rc1(rc1(s2)).
// Features [0, 18): the word of each position, [18, 36): its POS tag, [36, 48): the dependency
// label of the 12 child positions. A missing position gives NULL; ROOT's word and tag are ROOT.
#include "data/Conllu.h"
#include "models/ArcStandard.h"

#include <array>
#include <string>
#include <unordered_map>
#include <vector>

namespace meprop {

inline constexpr int kParserWordFeatures = 18;
inline constexpr int kParserPosFeatures = 18;
inline constexpr int kParserLabelFeatures = 12;
inline constexpr int kParserFeatures = kParserWordFeatures + kParserPosFeatures + kParserLabelFeatures;

using ParserFeatureVector = std::array<int, kParserFeatures>;

// A string <-> id map with reserved ids for NULL, UNKNOWN and (optionally) ROOT.
class Vocabulary {
public:
    static constexpr int kNull = 0;
    static constexpr int kUnknown = 1;
    static constexpr int kRoot = 2;

    explicit Vocabulary(bool withRoot = true);
    // Adds a string (no effect when present); returns its id.
    int add(const std::string& s);
    // The id of s, or kUnknown.
    int find(const std::string& s) const;
    int size() const { return static_cast<int>(m_strings.size()); }
    const std::string& string(int id) const { return m_strings[static_cast<std::size_t>(id)]; }

private:
    std::unordered_map<std::string, int> m_ids;
    std::vector<std::string> m_strings;
};

// The universal part of a DEPREL ("nmod:poss" -> "nmod").
std::string universalRelation(const std::string& deprel);

// Words, XPOS tags and (universal) dependency labels of the training set.
struct ParserVocabularies {
    Vocabulary words{true};
    Vocabulary tags{true};
    std::vector<std::string> labels;  // label id -> universal relation, sorted
    std::unordered_map<std::string, int> labelIds;

    // Word forms seen at least `minWordCount` times become words, rarer ones map to UNKNOWN. Every
    // XPOS and every universal relation of `train` is kept.
    static ParserVocabularies build(const std::vector<ConlluSentence>& train, int minWordCount);
    // Label id of a DEPREL (universal part), -1 when unseen in training.
    int labelId(const std::string& deprel) const;
    int numLabels() const { return static_cast<int>(labels.size()); }
};

// A sentence as the parser sees it: word and tag ids of tokens 0..n (0 = ROOT).
struct ParserSentence {
    std::vector<int> word, tag;
};
ParserSentence encodeSentence(const ConlluSentence& s, const ParserVocabularies& v);

// The 48 feature ids of `state` (words index words, tags index tags, labels are 1 + label id with
// 0 = NULL, i.e. an index into a table of numLabels() + 1 rows).
void extractFeatures(const ArcStandardState& state, const ParserSentence& sentence, ParserFeatureVector& out);

}  // namespace meprop
