#pragma once
// Vocabularies and token features of the POS tagger, built from the training sentences.
//
// Word: the form lower-cased (ASCII) with every digit mapped to '0'; id 0 is UNK (unseen words).
// During training a word seen once in the training data is replaced by UNK with probability
// `rareUnk` per occurrence, so that the UNK vector is trained.
// The seven features (Collobert et al. 2011 / Huang et al. 2015 style spelling features):
//   1 capitalisation: no letters | all lower | Initial capital | ALL CAPS | mIxEd        (5 values)
//   2 prefix of 2 and 3 prefix of 3 characters, 4 suffix of 2 and 5 suffix of 3 characters of the
//     lower-cased form (UTF-8 code points; a shorter word is its own affix); id 0 = unseen affix
//   6 digits: none | all digits | digits with punctuation (3.5, 1,000, 12:30) | digits with letters
//   7 hyphen / punctuation: none | has a hyphen | only punctuation | other inner punctuation ('./@&)
// Tags: the XPOS column, or UPOS when no training token has an XPOS (treebanks without one).
#include "data/Conllu.h"
#include "models/BiLstmTagger.h"

#include <array>
#include <string>
#include <unordered_map>
#include <vector>

namespace meprop {

class TaggerVocab {
public:
    enum class TagColumn { Xpos, Upos };

    // Throws DatasetError when there are no training tokens.
    static TaggerVocab build(const std::vector<ConlluSentence>& train);

    // Ids of a sentence. With rng and rareUnk > 0: training-time rare-word replacement. Gold tags not
    // in the tag set become -1.
    TaggerSentence encode(const ConlluSentence& s, Rng* rng = nullptr, float rareUnk = 0.0f) const;

    int words() const { return static_cast<int>(m_wordCount.size()); }
    // True for a word seen exactly once in the training data (a candidate for UNK replacement).
    bool singleton(int wordId) const { return m_wordCount.at(static_cast<std::size_t>(wordId)) == 1; }
    std::array<int, kTaggerFeatures> featureSizes() const;
    int tags() const { return static_cast<int>(m_tagNames.size()); }
    const std::string& tagName(int id) const { return m_tagNames.at(static_cast<std::size_t>(id)); }
    int tagId(const std::string& tag) const;  // -1 when unknown
    TagColumn tagColumn() const { return m_column; }
    const std::string& goldTag(const ConlluToken& t) const { return m_column == TagColumn::Xpos ? t.xpos : t.upos; }

    static std::string normalizeWord(const std::string& form);
    static int capsPattern(const std::string& form);
    static int digitPattern(const std::string& form);
    static int punctPattern(const std::string& form);
    // First / last n UTF-8 code points of the lower-cased form.
    static std::string prefix(const std::string& form, int n);
    static std::string suffix(const std::string& form, int n);

private:
    std::unordered_map<std::string, int> m_word;
    std::vector<int> m_wordCount;  // training count per word id (UNK: 0)
    std::array<std::unordered_map<std::string, int>, 4> m_affix;  // prefix2, prefix3, suffix2, suffix3
    std::unordered_map<std::string, int> m_tag;
    std::vector<std::string> m_tagNames;
    TagColumn m_column = TagColumn::Xpos;
};

}  // namespace meprop
