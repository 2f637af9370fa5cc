#include "models/ParserFeatures.h"

#include "data/Conllu.h"

#include <gtest/gtest.h>

using namespace meprop;

namespace {

std::vector<ConlluSentence> tinyTrain()
{
    return readConllu(std::string(MEPROP_TEST_DATA_DIR) + "/parse/train.conllu");
}

}  // namespace

TEST(ParserFeatures, Vocabularies)
{
    const auto train = tinyTrain();
    const ParserVocabularies v1 = ParserVocabularies::build(train, 1);
    EXPECT_EQ(v1.words.string(Vocabulary::kNull), "<NULL>");
    EXPECT_EQ(v1.words.string(Vocabulary::kRoot), "<ROOT>");
    EXPECT_EQ(v1.words.find("The"), 3);  // first word seen
    EXPECT_EQ(v1.words.find("never-seen"), Vocabulary::kUnknown);
    // Universal relations only, sorted: aux case det nmod nsubj obj obl punct root advmod...
    EXPECT_EQ(v1.labelId("nsubj:pass"), v1.labelId("nsubj"));
    EXPECT_EQ(v1.labelId("obl:tmod"), v1.labelId("obl"));
    EXPECT_EQ(v1.labelId("vocative"), -1);
    for (std::size_t i = 1; i < v1.labels.size(); ++i) EXPECT_LT(v1.labels[i - 1], v1.labels[i]);
    EXPECT_EQ(universalRelation("nmod:poss"), "nmod");
    EXPECT_EQ(universalRelation("root"), "root");
    // With a cut-off of 2, words seen once become <UNK>, words seen twice stay.
    const ParserVocabularies v2 = ParserVocabularies::build(train, 2);
    EXPECT_EQ(v2.words.find("mat"), Vocabulary::kUnknown);
    EXPECT_NE(v2.words.find("The"), Vocabulary::kUnknown);
    EXPECT_NE(v2.words.find("."), Vocabulary::kUnknown);
}

// "The cat sat on the mat ." after S S L(det) S L(nsubj) S S S L(det) L(case):
// stack ROOT sat mat, buffer ".", arcs cat->The, sat->cat, mat->the, mat->on.
TEST(ParserFeatures, HandMadeConfiguration)
{
    std::vector<ConlluSentence> one = {tinyTrain()[0]};
    const ParserVocabularies v = ParserVocabularies::build(one, 1);
    // words: The 3 cat 4 sat 5 on 6 the 7 mat 8 . 9; tags: DT 3 NN 4 VBD 5 IN 6 . 7
    ASSERT_EQ(v.words.find("mat"), 8);
    ASSERT_EQ(v.tags.find("."), 7);
    const int L = v.numLabels();
    ASSERT_EQ(v.labels, (std::vector<std::string>{"case", "det", "nsubj", "obl", "punct", "root"}));
    const int det = 1, nsubj = 2, kase = 0, obl = 3, punct = 4;
    const ParserSentence enc = encodeSentence(one[0], v);
    ArcStandardState st(7);
    for (int t : {shiftId(), shiftId(), leftId(det), shiftId(), leftId(nsubj), shiftId(), shiftId(), shiftId(), leftId(det), leftId(kase)})
        st.apply(t, L);
    ParserFeatureVector f{};
    extractFeatures(st, enc, f);
    const ParserFeatureVector expected = {
        // words: s1 s2 s3 b1 b2 b3 | lc1(s1) rc1(s1) lc2(s1) rc2(s1) lc1(s2) rc1(s2) lc2(s2) rc2(s2) | lc1lc1(s1) rc1rc1(s1) lc1lc1(s2) rc1rc1(s2)
        8, 5, 2, 9, 0, 0, 6, 0, 7, 0, 4, 0, 0, 0, 0, 0, 3, 0,
        // tags
        4, 5, 2, 7, 0, 0, 6, 0, 3, 0, 4, 0, 0, 0, 0, 0, 3, 0,
        // labels (1 + id, 0 = NULL) of the 12 child positions
        1 + kase, 0, 1 + det, 0, 1 + nsubj, 0, 0, 0, 0, 0, 1 + det, 0};
    EXPECT_EQ(f, expected);

    // Attach mat and "." to sat: s1 = sat with left child cat, right children mat, "."; s2 = ROOT.
    for (int t : {rightId(obl, L), shiftId(), rightId(punct, L)}) st.apply(t, L);
    extractFeatures(st, enc, f);
    const ParserFeatureVector expected2 = {
        5, 2, 0, 0, 0, 0, 4, 9, 0, 8, 0, 0, 0, 0, 3, 0, 0, 0,
        5, 2, 0, 0, 0, 0, 4, 7, 0, 4, 0, 0, 0, 0, 3, 0, 0, 0,
        1 + nsubj, 1 + punct, 0, 1 + obl, 0, 0, 0, 0, 1 + det, 0, 0, 0};
    EXPECT_EQ(f, expected2);
}
