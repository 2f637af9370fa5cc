#include "models/ArcStandard.h"

#include "core/Error.h"
#include "data/Conllu.h"

#include <gtest/gtest.h>

#include <filesystem>

using namespace meprop;

namespace {

// Replays `seq` from the start state and returns the resulting heads (token 1..n).
std::vector<int> replay(const std::vector<int>& seq, int n, int labels, std::vector<int>* outLabels = nullptr)
{
    ArcStandardState st(n);
    for (int t : seq) st.apply(t, labels);
    EXPECT_TRUE(st.terminal());
    std::vector<int> heads;
    for (int i = 1; i <= n; ++i) {
        heads.push_back(st.head(i));
        if (outLabels) outLabels->push_back(st.label(i));
    }
    return heads;
}

}  // namespace

TEST(ArcStandard, TransitionEncoding)
{
    const int L = 3;
    EXPECT_EQ(numTransitions(L), 7);
    EXPECT_EQ(transitionKind(shiftId(), L), TransitionKind::Shift);
    EXPECT_EQ(transitionKind(leftId(2), L), TransitionKind::Left);
    EXPECT_EQ(transitionLabel(leftId(2), L), 2);
    EXPECT_EQ(transitionKind(rightId(0, L), L), TransitionKind::Right);
    EXPECT_EQ(transitionLabel(rightId(2, L), L), 2);
    EXPECT_EQ(transitionLabel(shiftId(), L), -1);
}

TEST(ArcStandard, PreconditionsAndChildren)
{
    const int L = 2;
    ArcStandardState st(3);
    EXPECT_EQ(st.stack(0), 0);
    EXPECT_EQ(st.buffer(0), 1);
    EXPECT_FALSE(st.canApply(leftId(0), L));   // only ROOT on the stack
    EXPECT_FALSE(st.canApply(rightId(0, L), L));
    st.apply(shiftId(), L);
    EXPECT_FALSE(st.canApply(leftId(0), L));       // s2 is ROOT
    EXPECT_FALSE(st.canApply(rightId(0, L), L));   // ROOT may take a dependent only at the end
    EXPECT_THROW(st.apply(leftId(0), L), std::logic_error);
    st.apply(shiftId(), L);
    st.apply(shiftId(), L);  // stack ROOT 1 2 3, buffer empty
    EXPECT_FALSE(st.canApply(shiftId(), L));
    st.apply(leftId(1), L);  // 3 -> 2
    st.apply(leftId(0), L);  // 3 -> 1
    EXPECT_EQ(st.leftChild(3, 1), 1);
    EXPECT_EQ(st.leftChild(3, 2), 2);
    EXPECT_EQ(st.head(2), 3);
    EXPECT_EQ(st.label(2), 1);
    EXPECT_TRUE(st.canApply(rightId(1, L), L));  // ROOT -> 3 with an empty buffer
    st.apply(rightId(1, L), L);
    EXPECT_TRUE(st.terminal());
    EXPECT_EQ(st.rightChild(0, 1), 3);
    EXPECT_EQ(st.rightChild(0, 2), -1);
}

TEST(ArcStandard, Projectivity)
{
    EXPECT_TRUE(isProjective({2, 3, 0, 6, 6, 3, 3}));
    // "A hearing is scheduled on the issue today": hearing -> issue crosses ROOT -> scheduled.
    EXPECT_FALSE(isProjective({2, 4, 4, 0, 7, 7, 2, 4, 4}));
    EXPECT_FALSE(isProjective({3, 4, 0, 3}));  // 1<-3 and 2<-4 cross
}

TEST(ArcStandard, OracleReproducesGoldTrees)
{
    const int L = 4;
    const GoldTree trees[] = {
        {{2, 3, 0, 6, 6, 3, 3}, {0, 1, 2, 3, 0, 1, 3}},
        {{0}, {2}},
        {{0, 1, 1, 3}, {2, 1, 1, 0}},
        {{4, 3, 4, 0, 4, 5, 6}, {0, 1, 0, 2, 3, 3, 3}},
    };
    for (const GoldTree& g : trees) {
        const std::vector<int> seq = oracleSequence(g, L);
        ASSERT_EQ(seq.size(), 2 * g.head.size());
        std::vector<int> labels;
        EXPECT_EQ(replay(seq, static_cast<int>(g.head.size()), L, &labels), g.head);
        EXPECT_EQ(labels, g.label);
    }
    EXPECT_TRUE(oracleSequence({{2, 4, 4, 0, 7, 7, 2, 4, 4}, std::vector<int>(9, 0)}, L).empty());
}

// Every projective tree of EWT dev (when the shared data set is present) is reproduced exactly.
TEST(ArcStandard, OracleReproducesEwtDevTrees)
{
    const std::string path = std::string(MEPROP_SOURCE_DIR) + "/../shared/datasets/ud-english-ewt/en_ewt-ud-dev.conllu";
    const std::string alt = "/work/shared/datasets/ud-english-ewt/en_ewt-ud-dev.conllu";
    const std::string file = std::filesystem::exists(path) ? path : alt;
    if (!std::filesystem::exists(file)) GTEST_SKIP() << "EWT not found at " << path;
    const auto sentences = readConllu(file);
    long projective = 0, nonProjective = 0;
    for (const auto& s : sentences) {
        GoldTree g;
        for (const auto& t : s.tokens) {
            g.head.push_back(t.head);
            g.label.push_back(static_cast<int>(t.deprel.size() % 5));  // any label ids in range
        }
        const std::vector<int> seq = oracleSequence(g, 5);
        if (!isProjective(g.head)) {
            EXPECT_TRUE(seq.empty());
            ++nonProjective;
            continue;
        }
        ++projective;
        ASSERT_EQ(seq.size(), 2 * g.head.size()) << s.sentId;
        std::vector<int> labels;
        ASSERT_EQ(replay(seq, static_cast<int>(g.head.size()), 5, &labels), g.head) << s.sentId;
        ASSERT_EQ(labels, g.label) << s.sentId;
    }
    EXPECT_GT(projective, 1900);
    EXPECT_GT(nonProjective, 0);
}

TEST(ArcStandard, ValidateTreeErrors)
{
    EXPECT_NO_THROW(validateTree({2, 3, 0}, "f"));
    auto message = [](const std::vector<int>& heads) {
        try {
            validateTree(heads, "x.conllu: sentence s (line 3)");
        } catch (const DatasetError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message({2, 1, 0}).find("cycle"), std::string::npos);
    EXPECT_NE(message({1, 0}).find("own head"), std::string::npos);
    EXPECT_NE(message({5, 0}).find("HEAD 5, expected a number in 0..2"), std::string::npos);
    EXPECT_NE(message({-1, 0}).find("HEAD _"), std::string::npos);
    EXPECT_NE(message({2, 1}).find("no token has HEAD 0"), std::string::npos);
    EXPECT_NE(message({0, 0}).find("2 tokens have HEAD 0"), std::string::npos);
    EXPECT_NE(message({2, 1, 0}).find("x.conllu: sentence s (line 3)"), std::string::npos);
}
