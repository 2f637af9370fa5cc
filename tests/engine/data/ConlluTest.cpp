#include "data/Conllu.h"

#include "core/Error.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace meprop;

namespace {

std::string dataFile(const std::string& name) { return std::string(MEPROP_TEST_DATA_DIR) + "/conllu/" + name; }

std::string slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string tempPath(const std::string& name)
{
    return (std::filesystem::temp_directory_path() / ("meprop_conllu_" + std::to_string(::getpid()) + "_" + name)).string();
}

// The DatasetError message of reading `name`, or "" when it reads without error.
std::string errorOf(const std::string& path)
{
    try {
        readConllu(path);
    } catch (const DatasetError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Conllu, ReadsCommentsRangesAndEmptyNodes)
{
    const auto s = readConllu(dataFile("good.conllu"));
    ASSERT_EQ(s.size(), 3u);

    EXPECT_EQ(s[0].sentId, "s1");
    EXPECT_EQ(s[0].firstLine, 1);
    ASSERT_EQ(s[0].tokens.size(), 5u);  // the range "2-3" is not a token
    EXPECT_EQ(s[0].tokens[1].form, "do");
    EXPECT_EQ(s[0].tokens[2].form, "n't");
    EXPECT_EQ(s[0].tokens[2].xpos, "RB");
    EXPECT_EQ(s[0].tokens[3].head, 0);
    EXPECT_EQ(s[0].tokens[3].misc, "SpaceAfter=No");
    for (int i = 0; i < 5; ++i) EXPECT_EQ(s[0].tokens[i].id, i + 1);
    EXPECT_EQ(s[0].lines.size(), 9u);  // 3 comments + range + 5 tokens
    EXPECT_EQ(s[0].lines[4], "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_");

    // Two blank lines between sentences; no sent_id comment: "<file>:<line>".
    EXPECT_EQ(s[1].firstLine, 12);
    EXPECT_EQ(s[1].sentId, dataFile("good.conllu") + ":12");
    ASSERT_EQ(s[1].tokens.size(), 3u);  // the empty node 2.1 is not a token
    EXPECT_EQ(s[1].tokens[2].form, "loudly");
    EXPECT_EQ(s[1].tokens[2].id, 3);
    EXPECT_EQ(s[1].lines.size(), 5u);

    EXPECT_EQ(s[2].sentId, "s3");  // spaces around '=' and trailing spaces trimmed
    EXPECT_EQ(s[2].tokens[0].head, -1);  // "_"
    EXPECT_EQ(s[2].tokens[0].xpos, "UH");
}

TEST(Conllu, HandlesCrlfAndMissingFinalNewline)
{
    const auto s = readConllu(dataFile("crlf_no_final_newline.conllu"));
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].sentId, "c1");
    ASSERT_EQ(s[0].tokens.size(), 2u);
    EXPECT_EQ(s[0].tokens[1].misc, "_");  // no '\r' left at the end of the last field
    EXPECT_EQ(s[0].lines[0], "# sent_id = c1");
    EXPECT_EQ(s[1].sentId, "c2");
    ASSERT_EQ(s[1].tokens.size(), 1u);
    EXPECT_EQ(s[1].tokens[0].form, "Yes");
    EXPECT_EQ(s[1].tokens[0].misc, "_");
    EXPECT_EQ(s[1].firstLine, 5);
}

TEST(Conllu, ToleratesSpaceSeparatedFields)
{
    const auto s = readConllu(dataFile("spaces.conllu"));
    ASSERT_EQ(s.size(), 1u);
    ASSERT_EQ(s[0].tokens.size(), 2u);
    EXPECT_EQ(s[0].tokens[0].form, "The");
    EXPECT_EQ(s[0].tokens[0].xpos, "DT");
    EXPECT_EQ(s[0].tokens[0].head, 2);
    EXPECT_EQ(s[0].tokens[1].deprel, "root");
}

TEST(Conllu, MaxSentencesStopsEarly)
{
    const auto s = readConllu(dataFile("good.conllu"), 2);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[1].tokens.size(), 3u);
    EXPECT_EQ(readConllu(dataFile("good.conllu"), 1).size(), 1u);
    EXPECT_EQ(readConllu(dataFile("good.conllu"), 0).size(), 3u);
}

struct BadCase {
    const char* file;
    const char* where;     // "<file>:<line>" suffix expected in the message
    const char* contains;  // what was expected
};

class ConlluBad : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConlluBad, NamesFileLineAndExpectation)
{
    const BadCase c = GetParam();
    const std::string path = dataFile(c.file);
    const std::string msg = errorOf(path);
    ASSERT_FALSE(msg.empty()) << c.file << " was accepted";
    EXPECT_EQ(msg.rfind(path + c.where, 0), 0u) << msg;
    EXPECT_NE(msg.find(c.contains), std::string::npos) << msg;
}

INSTANTIATE_TEST_SUITE_P(
    Files, ConlluBad,
    ::testing::Values(BadCase{"bad_field_count.conllu", ":3:", "expected 10 tab-separated fields"},
                      BadCase{"bad_id.conllu", ":4:", "ID \"x\": expected a positive integer"},
                      BadCase{"bad_sequence.conllu", ":2:", "out of sequence: expected 2"},
                      BadCase{"bad_head.conllu", ":1:", "HEAD \"two\""},
                      BadCase{"head_out_of_range.conllu", ":2:", "HEAD 7 is beyond"},
                      BadCase{"bad_range.conllu", ":2:", "multiword-token range"},
                      BadCase{"comment_only_sentence.conllu", ":1:", "no token lines"},
                      BadCase{"empty.conllu", ":", "no sentences"}, BadCase{"blank_only.conllu", ":", "no sentences"},
                      BadCase{"does_not_exist.conllu", ":", "cannot open"}));

TEST(Conllu, ParsesFromMemoryWithTheNameInMessages)
{
    const auto s = parseConllu("1\tA\ta\tX\t_\t_\t0\troot\t_\t_\n", "mem.conllu");
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].sentId, "mem.conllu:1");
    try {
        parseConllu("1\r\tA\ta\tX\t_\t_\t0\troot\t_\t_\n", "mem.conllu");
        ADD_FAILURE() << "no DatasetError";
    } catch (const DatasetError& e) {
        // A control character of the input is escaped: the message stays one line.
        EXPECT_STREQ(e.what(), "mem.conllu:1: ID \"1\\r\": expected a positive integer");
    }
}

TEST(Conllu, WriteBackRoundTripIsByteIdentical)
{
    const std::string in = dataFile("good.conllu");
    const auto s = readConllu(in);
    const std::string out = tempPath("roundtrip.conllu");
    writeConllu(out, s);
    // good.conllu has two blank lines between its first two sentences; the writer emits one.
    std::string expected = slurp(in);
    const std::size_t twoBlank = expected.find("\n\n\n");
    ASSERT_NE(twoBlank, std::string::npos);
    expected.erase(twoBlank, 1);
    EXPECT_EQ(slurp(out), expected);
    std::remove(out.c_str());
}

TEST(Conllu, WriteBackReplacesTokenFieldsAndKeepsOtherLines)
{
    auto s = readConllu(dataFile("good.conllu"));
    s[0].tokens[0].xpos = "NEW";
    s[1].tokens[2].xpos = "";  // written as "_"
    s[1].tokens[0].head = -1;
    const std::string out = tempPath("replaced.conllu");
    writeConllu(out, s);
    const auto back = readConllu(out);
    ASSERT_EQ(back.size(), 3u);
    EXPECT_EQ(back[0].tokens[0].xpos, "NEW");
    EXPECT_EQ(back[1].tokens[2].xpos, "_");
    EXPECT_EQ(back[1].tokens[0].head, -1);
    EXPECT_EQ(back[0].lines, [&] {
        auto l = s[0].lines;
        l[3] = "1\tThey\tthey\tPRON\tNEW\t_\t3\tnsubj\t_\t_";
        return l;
    }());
    EXPECT_EQ(back[1].lines[3], s[1].lines[3]);  // the empty node is copied verbatim
    std::remove(out.c_str());
}

TEST(Conllu, WritesCrlfInputWithUnixLineEnds)
{
    const auto s = readConllu(dataFile("crlf_no_final_newline.conllu"));
    const std::string out = tempPath("crlf.conllu");
    writeConllu(out, s);
    const std::string text = slurp(out);
    EXPECT_EQ(text.find('\r'), std::string::npos);
    EXPECT_EQ(text.substr(text.size() - 2), "\n\n");
    const auto back = readConllu(out);
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(back[1].tokens[0].form, "Yes");
    std::remove(out.c_str());
}

TEST(Conllu, WritesSentencesBuiltInCode)
{
    ConlluSentence s;
    s.lines = {"# sent_id = made", "1-2\tab\t_\t_\t_\t_\t_\t_\t_\t_", "1\ta\t_\t_\t_\t_\t_\t_\t_\t_"};
    for (int i = 1; i <= 3; ++i) {  // token count no longer matches the lines: comments + tokens
        ConlluToken t;
        t.id = i;
        t.form = "w" + std::to_string(i);
        t.xpos = "X";
        t.head = i == 1 ? 0 : 1;
        s.tokens.push_back(t);
    }
    const std::string out = tempPath("made.conllu");
    writeConllu(out, {s});
    EXPECT_EQ(slurp(out), "# sent_id = made\n1\tw1\t_\t_\tX\t_\t0\t_\t_\t_\n2\tw2\t_\t_\tX\t_\t1\t_\t_\t_\n"
                          "3\tw3\t_\t_\tX\t_\t1\t_\t_\t_\n\n");
    std::remove(out.c_str());
}

TEST(Conllu, WriteToBadPathThrowsIoError)
{
    const auto s = readConllu(dataFile("spaces.conllu"));
    EXPECT_THROW(writeConllu("/nonexistent-dir/x/out.conllu", s), IoError);
}

TEST(Conllu, ReadsEwtWhenPresent)
{
    const std::string ewt = std::string(MEPROP_SOURCE_DIR) + "/../shared/datasets/ud-english-ewt/en_ewt-ud-dev.conllu";
    if (!std::filesystem::exists(ewt)) GTEST_SKIP() << "no EWT at " << ewt;
    const auto s = readConllu(ewt);
    EXPECT_EQ(s.size(), 2001u);
    std::size_t words = 0;
    for (const auto& x : s) words += x.tokens.size();
    EXPECT_GT(words, 25000u);
}
