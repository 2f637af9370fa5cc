// Input text inside error messages stays on one line (found by the fuzz targets: a --set value, a
// preset name or a zip entry name holding a newline made a two-line message).
#include "core/Error.h"

#include <gtest/gtest.h>

using namespace meprop;

TEST(Error, EscapedKeepsInputTextOnOneLine)
{
    EXPECT_EQ(escaped("plain text, é"), "plain text, é");
    EXPECT_EQ(escaped("a\nb\rc\td"), "a\\nb\\rc\\td");
    EXPECT_EQ(escaped(std::string("x\0y\x7f", 4)), "x\\x00y\\x7f");
    EXPECT_EQ(quote("say \"hi\" \\ bye"), "\"say \\\"hi\\\" \\\\ bye\"");
}

TEST(Error, EscapedCutsLongTextOutsideAUtf8Character)
{
    EXPECT_EQ(escaped(std::string(100, 'a'), 10), "aaaaaaaaaa...");
    // "é" is two bytes; cutting at 5 bytes of "aaaaé" would split it.
    EXPECT_EQ(escaped("aaaa\xc3\xa9zz", 5), "aaaa...");
}
