#include "data/TaggerVocab.h"

#include "core/Error.h"

#include <gtest/gtest.h>

using namespace meprop;

namespace {

ConlluSentence sentence(const std::vector<std::pair<std::string, std::string>>& words)
{
    ConlluSentence s;
    for (const auto& [form, tag] : words) {
        ConlluToken t;
        t.id = static_cast<int>(s.tokens.size()) + 1;
        t.form = form;
        t.xpos = tag;
        t.upos = "U" + tag;
        s.tokens.push_back(t);
    }
    return s;
}

}  // namespace

TEST(TaggerVocab, SpellingFeatures)
{
    EXPECT_EQ(TaggerVocab::capsPattern("..."), 0);
    EXPECT_EQ(TaggerVocab::capsPattern("dog"), 1);
    EXPECT_EQ(TaggerVocab::capsPattern("Dog"), 2);
    EXPECT_EQ(TaggerVocab::capsPattern("USA"), 3);
    EXPECT_EQ(TaggerVocab::capsPattern("iPhone"), 4);
    EXPECT_EQ(TaggerVocab::capsPattern("McDonald"), 4);
    EXPECT_EQ(TaggerVocab::digitPattern("dog"), 0);
    EXPECT_EQ(TaggerVocab::digitPattern("1999"), 1);
    EXPECT_EQ(TaggerVocab::digitPattern("3.5"), 2);
    EXPECT_EQ(TaggerVocab::digitPattern("1,000"), 2);
    EXPECT_EQ(TaggerVocab::digitPattern("2nd"), 3);
    EXPECT_EQ(TaggerVocab::punctPattern("dog"), 0);
    EXPECT_EQ(TaggerVocab::punctPattern("well-known"), 1);
    EXPECT_EQ(TaggerVocab::punctPattern("--"), 2);
    EXPECT_EQ(TaggerVocab::punctPattern("."), 2);
    EXPECT_EQ(TaggerVocab::punctPattern("don't"), 3);
    EXPECT_EQ(TaggerVocab::normalizeWord("Year-2019"), "year-0000");
    EXPECT_EQ(TaggerVocab::prefix("Running", 3), "run");
    EXPECT_EQ(TaggerVocab::suffix("Running", 3), "ing");
    EXPECT_EQ(TaggerVocab::suffix("a", 3), "a");
    // UTF-8: whole code points, never half of one.
    EXPECT_EQ(TaggerVocab::suffix("caf\xC3\xA9", 2), "f\xC3\xA9");
    EXPECT_EQ(TaggerVocab::prefix("\xC3\x89t\xC3\xA9", 1), "\xC3\x89");
}

TEST(TaggerVocab, BuildsVocabulariesAndEncodes)
{
    const std::vector<ConlluSentence> train{sentence({{"The", "DT"}, {"dog", "NN"}, {"barks", "VBZ"}}),
                                            sentence({{"the", "DT"}, {"cat", "NN"}})};
    const TaggerVocab v = TaggerVocab::build(train);
    EXPECT_EQ(v.words(), 5);  // UNK the dog barks cat
    EXPECT_EQ(v.tags(), 3);
    EXPECT_EQ(v.tagName(0), "DT");  // sorted
    EXPECT_EQ(v.tagId("VBZ"), 2);
    EXPECT_EQ(v.tagId("XX"), -1);
    EXPECT_EQ(v.tagColumn(), TaggerVocab::TagColumn::Xpos);

    const TaggerSentence s = v.encode(sentence({{"THE", "DT"}, {"cow", "XX"}}));
    ASSERT_EQ(s.size(), 2);
    EXPECT_GT(s.words[0], 0);        // "THE" normalises to "the"
    EXPECT_EQ(s.words[1], 0);        // unseen: UNK
    EXPECT_EQ(s.features[0][0], 3);  // ALL CAPS
    EXPECT_EQ(s.tags[1], -1);
    EXPECT_EQ(s.features[3][1], 0);  // suffix "ow" unseen

    // Rare-word replacement: "dog" (seen once) becomes UNK about half the time, "the" never.
    const int dog = v.encode(train[0]).words[1];
    EXPECT_TRUE(v.singleton(dog));
    Rng rng(3);
    int unk = 0, theUnk = 0;
    for (int i = 0; i < 1000; ++i) {
        const TaggerSentence e = v.encode(train[0], &rng, 0.5f);
        unk += e.words[1] == 0;
        theUnk += e.words[0] == 0;
    }
    EXPECT_NEAR(unk, 500, 80);
    EXPECT_EQ(theUnk, 0);
}

TEST(TaggerVocab, FallsBackToUposAndRejectsEmptyTraining)
{
    auto s = sentence({{"dogs", "_"}, {"bark", "_"}});
    const TaggerVocab v = TaggerVocab::build({s});
    EXPECT_EQ(v.tagColumn(), TaggerVocab::TagColumn::Upos);
    EXPECT_EQ(v.tagName(0), "U_");
    EXPECT_THROW(TaggerVocab::build({}), DatasetError);
}
