// io/CheckpointStream: values come back bit-identical, and corrupt bytes throw CheckpointError
// (never crash, never allocate from an unchecked length).
#include "io/CheckpointStream.h"

#include "core/Error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace meprop;

namespace {

std::string sample()
{
    CheckpointWriter w;
    w.section("head");
    w.u64(0xFFFFFFFFFFFFFFFFull);
    w.i64(-42);
    w.f64(std::nextafter(1.0, 2.0));
    w.f64(std::numeric_limits<double>::infinity());
    w.boolean(true);
    w.string(std::string("a\0b", 3));
    Matrix m(2, 3);
    m << 1.0f, -0.0f, std::nextafter(0.1f, 1.0f), 1e-40f /* denormal */, 3.0f, -7.5f;
    w.matrix(m);
    Parameter p("layer.weight", 2, 2);
    p.value << 1, 2, 3, 4;
    w.parameter(p);
    Rng rng(7);
    rng.normal(0, 1);
    w.rng(rng);
    w.u64s({1, 2, 3});
    w.i64s({-1, 5});
    w.ints({7, -8});
    w.f64s({0.5, -0.25});
    w.i64s({2, 0, 1});
    return w.take();
}

}  // namespace

TEST(CheckpointStream, RoundTripIsBitIdentical)
{
    const std::string bytes = sample();
    CheckpointReader r(bytes, "test");
    r.section("head");
    EXPECT_EQ(r.u64(), 0xFFFFFFFFFFFFFFFFull);
    EXPECT_EQ(r.i64(), -42);
    EXPECT_EQ(r.f64(), std::nextafter(1.0, 2.0));
    EXPECT_EQ(r.f64(), std::numeric_limits<double>::infinity());
    EXPECT_TRUE(r.boolean());
    EXPECT_EQ(r.string(), std::string("a\0b", 3));
    Matrix m(2, 3);
    r.matrixInto(m, "m");
    EXPECT_EQ(m(0, 2), std::nextafter(0.1f, 1.0f));
    EXPECT_EQ(m(1, 0), 1e-40f);
    EXPECT_TRUE(std::signbit(m(0, 1)));
    Parameter p("layer.weight", 2, 2);
    r.parameterInto(p);
    EXPECT_EQ(p.value(1, 0), 3.0f);
    Rng restored(1), original(7);
    original.normal(0, 1);
    r.rngInto(restored);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(restored.engine()(), original.engine()());
    EXPECT_EQ(r.u64s(), (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_EQ(r.i64s(), (std::vector<long>{-1, 5}));
    EXPECT_EQ(r.ints(), (std::vector<int>{7, -8}));
    EXPECT_EQ(r.f64s(), (std::vector<double>{0.5, -0.25}));
    EXPECT_EQ(r.permutation(3, "order"), (std::vector<long>{2, 0, 1}));
    EXPECT_TRUE(r.atEnd());
    EXPECT_NO_THROW(r.expectEnd());
}

TEST(CheckpointStream, EmptyVectorsRoundTrip)
{
    // Found by the checkpoint fuzz target: reading an empty u64 vector memcpy'd 0 bytes into a null
    // data(), undefined behaviour (UBSan: the asan preset fails here without the fix).
    CheckpointWriter w;
    w.u64s({});
    w.i64s({});
    w.u64(9);
    const std::string bytes = w.take();
    CheckpointReader r(bytes, "empty");
    EXPECT_TRUE(r.u64s().empty());
    EXPECT_TRUE(r.i64s().empty());
    EXPECT_EQ(r.u64(), 9u);
}

TEST(CheckpointStream, ASectionNameFromTheFileStaysOnOneLine)
{
    // Found by the checkpoint fuzz target: a corrupt section name holding a newline made a
    // two-line message.
    CheckpointWriter w;
    w.section("trainer\nstate");
    const std::string bytes = w.take();
    CheckpointReader r(bytes, "ck.bin");
    try {
        r.section("trainer-state");
        ADD_FAILURE() << "no CheckpointError";
    } catch (const CheckpointError& e) {
        EXPECT_STREQ(e.what(), "ck.bin: expected section \"trainer-state\" at offset 0, found section \"trainer\\nstate\" "
                               "(corrupt, or written by another build?)");
    }
}

TEST(CheckpointStream, MismatchesNameWhatDiffers)
{
    const std::string bytes = sample();
    auto message = [&](auto&& readPart) {
        CheckpointReader r(bytes, "ck.bin");
        try {
            readPart(r);
        } catch (const CheckpointError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NE(message([](CheckpointReader& r) { r.section("adam"); }).find("ck.bin: expected section \"adam\" at offset 0, found section \"head\""),
              std::string::npos);
    const std::string shape = message([](CheckpointReader& r) {
        r.section("head");
        r.u64(), r.i64(), r.f64(), r.f64(), r.boolean(), r.string();
        Matrix wrong(3, 2);
        r.matrixInto(wrong, "hidden1.weight");
    });
    EXPECT_NE(shape.find("hidden1.weight is 2x3 in the checkpoint, 3x2 in this run"), std::string::npos) << shape;
    const std::string name = message([](CheckpointReader& r) {
        r.section("head");
        r.u64(), r.i64(), r.f64(), r.f64(), r.boolean(), r.string();
        Matrix m(2, 3);
        r.matrixInto(m, "m");
        Parameter other("output.weight", 2, 2);
        r.parameterInto(other);
    });
    EXPECT_NE(name.find("expected parameter \"output.weight\", found \"layer.weight\""), std::string::npos) << name;
    EXPECT_NE(message([](CheckpointReader& r) { r.expectEnd(); }).find("bytes left over"), std::string::npos);
}

TEST(CheckpointStream, EveryTruncationThrows)
{
    const std::string bytes = sample();
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
        CheckpointReader r(std::string_view(bytes).substr(0, cut), "cut");
        auto readAll = [&] {
            r.section("head");
            r.u64(), r.i64(), r.f64(), r.f64(), r.boolean(), r.string();
            Matrix m(2, 3);
            r.matrixInto(m, "m");
            Parameter p("layer.weight", 2, 2);
            r.parameterInto(p);
            Rng rng;
            r.rngInto(rng);
            r.u64s(), r.i64s(), r.ints(), r.f64s(), r.permutation(3, "order");
        };
        EXPECT_THROW(readAll(), CheckpointError)
            << "cut at " << cut;
    }
}

TEST(CheckpointStream, HugeLengthsAreRejectedBeforeAllocating)
{
    CheckpointWriter w;
    w.u64(std::numeric_limits<std::uint64_t>::max() / 2);  // a length no file could back
    w.u64(1);
    const std::string bytes = w.take();
    for (int kind = 0; kind < 5; ++kind) {
        CheckpointReader r(bytes, "huge");
        try {
            switch (kind) {
            case 0: r.string(); break;
            case 1: r.u64s(); break;
            case 2: r.i64s(); break;
            case 3: r.ints(); break;
            case 4: r.f64s(); break;
            }
            FAIL() << "kind " << kind;
        } catch (const CheckpointError& e) {
            EXPECT_NE(std::string(e.what()).find("corrupt"), std::string::npos) << e.what();
        }
    }
}

TEST(CheckpointStream, BadValuesAreRejected)
{
    CheckpointWriter w;
    w.u64(2);            // a flag must be 0 or 1
    w.ints({1});
    w.i64s({0, 0, 1});   // not a permutation
    w.string("not a generator state");
    std::string bytes = w.take();
    // Patch the int to a value outside int's range.
    const std::int64_t big = std::int64_t{1} << 40;
    std::memcpy(bytes.data() + 16, &big, sizeof big);
    CheckpointReader r(bytes, "bad");
    EXPECT_THROW(r.boolean(), CheckpointError);
    EXPECT_THROW(r.ints(), CheckpointError);
    EXPECT_THROW(r.permutation(3, "order"), CheckpointError);
    Rng rng;
    EXPECT_THROW(r.rngInto(rng), CheckpointError);
}

TEST(CheckpointStream, NamesFromTheFileAreQuotedOnOneLine)
{
    CheckpointWriter w;
    w.section("line\nbreak");
    w.string("bad\x01name");
    const std::string bytes = w.take();
    CheckpointReader r(bytes, "ck");
    try {
        r.section("linear");
        FAIL();
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("found section \"line\\nbreak\""), std::string::npos) << e.what();
    }
    Parameter p("w", 1, 1);
    try {
        r.parameterInto(p);
        FAIL();
    } catch (const CheckpointError& e) {
        EXPECT_NE(std::string(e.what()).find("found \"bad\\x01name\""), std::string::npos) << e.what();
    }
}
