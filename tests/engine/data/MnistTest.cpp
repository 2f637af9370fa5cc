#include "data/Mnist.h"

#include "../TinyMnist.h"
#include "core/Error.h"

#include <gtest/gtest.h>

using namespace meprop;
using namespace meprop::test;

namespace {

std::string expectDatasetError(const std::function<void()>& f)
{
    try {
        f();
    } catch (const DatasetError& e) {
        return e.what();
    }
    ADD_FAILURE() << "no DatasetError";
    return "";
}

class MnistFiles : public ::testing::Test {
protected:
    void SetUp() override { m_dir = tempDir(::testing::UnitTest::GetInstance()->current_test_info()->name()); }
    std::string m_dir;
};

}  // namespace

TEST_F(MnistFiles, ReadsGzipAndRawAlike)
{
    const TinyMnistBytes b = makeTinyMnist(30);
    writeBytes(m_dir + "/a-images", b.images, true);
    writeBytes(m_dir + "/a-labels", b.labels, true);
    writeBytes(m_dir + "/b-images", b.images, false);
    writeBytes(m_dir + "/b-labels", b.labels, false);
    const ImageSet gz = readIdxPair(m_dir + "/a-images", m_dir + "/a-labels");
    const ImageSet raw = readIdxPair(m_dir + "/b-images", m_dir + "/b-labels");
    ASSERT_EQ(gz.size(), 30);
    EXPECT_EQ(gz.rows, 4);
    EXPECT_EQ(gz.images.cols(), 16);
    EXPECT_EQ(gz.images, raw.images);
    EXPECT_EQ(gz.labels, raw.labels);
    EXPECT_LE(gz.images.maxCoeff(), 1.0f);
    EXPECT_GE(gz.images.minCoeff(), 0.0f);
    EXPECT_FLOAT_EQ(gz.images(0, gz.labels[0]), 1.0f);
    EXPECT_EQ(readIdxPair(m_dir + "/a-images", m_dir + "/a-labels", 7).size(), 7);
}

TEST_F(MnistFiles, SplitsDevFromTheStartOfTrainAndLimits)
{
    writeTinyMnistDir(m_dir, 50, 20);
    const MnistData d = loadMnist(m_dir, 0, 10);
    EXPECT_EQ(d.dev.size(), 10);
    EXPECT_EQ(d.train.size(), 40);
    EXPECT_EQ(d.test.size(), 20);
    const ImageSet all = readIdxPair(m_dir + "/train-images-idx3-ubyte", m_dir + "/train-labels-idx1-ubyte");
    EXPECT_EQ(d.dev.images.row(0), all.images.row(0));
    EXPECT_EQ(d.train.images.row(0), all.images.row(10));
    EXPECT_EQ(loadMnist(m_dir, 15, 10).train.size(), 15);
}

TEST_F(MnistFiles, BadFilesGiveOneClearError)
{
    const TinyMnistBytes good = makeTinyMnist(10);
    writeBytes(m_dir + "/labels", good.labels, false);

    EXPECT_NE(expectDatasetError([&] { readIdxPair(m_dir + "/missing", m_dir + "/labels"); }).find("not found"), std::string::npos);

    writeBytes(m_dir + "/empty", {}, false);
    EXPECT_NE(expectDatasetError([&] { readIdxPair(m_dir + "/empty", m_dir + "/labels"); }).find("too short"), std::string::npos);

    auto wrongMagic = good.images;
    wrongMagic[3] = 0x01;
    writeBytes(m_dir + "/magic", wrongMagic, false);
    EXPECT_NE(expectDatasetError([&] { readIdxPair(m_dir + "/magic", m_dir + "/labels"); }).find("magic"), std::string::npos);

    auto truncated = good.images;
    truncated.resize(truncated.size() - 5);
    writeBytes(m_dir + "/trunc", truncated, false);
    const std::string t = expectDatasetError([&] { readIdxPair(m_dir + "/trunc", m_dir + "/labels"); });
    EXPECT_NE(t.find(m_dir + "/trunc"), std::string::npos);
    EXPECT_NE(t.find("header says 10 images"), std::string::npos);

    auto huge = good.images;
    huge[4] = 0x7f;  // count ~ 2^31: must be refused from the file size, not allocated
    writeBytes(m_dir + "/huge", huge, false);
    EXPECT_NE(expectDatasetError([&] { readIdxPair(m_dir + "/huge", m_dir + "/labels"); }).find("header says"), std::string::npos);

    const TinyMnistBytes other = makeTinyMnist(12);
    writeBytes(m_dir + "/labels12", other.labels, false);
    writeBytes(m_dir + "/images10", good.images, false);
    EXPECT_NE(expectDatasetError([&] { readIdxPair(m_dir + "/images10", m_dir + "/labels12"); }).find("12 labels for 10 images"),
              std::string::npos);

    auto badLabel = good.labels;
    badLabel[8] = 42;
    writeBytes(m_dir + "/badlabel", badLabel, false);
    EXPECT_NE(expectDatasetError([&] { readIdxPair(m_dir + "/images10", m_dir + "/badlabel"); }).find("label 42"), std::string::npos);
}

TEST_F(MnistFiles, CorruptAndTruncatedGzip)
{
    const TinyMnistBytes good = makeTinyMnist(200);
    writeBytes(m_dir + "/labels", good.labels, false);
    writeBytes(m_dir + "/full.gz", good.images, true);
    std::ifstream in(m_dir + "/full.gz", std::ios::binary);
    std::vector<unsigned char> gz((std::istreambuf_iterator<char>(in)), {});
    auto cut = gz;
    cut.resize(gz.size() / 2);
    writeBytes(m_dir + "/cut.gz", cut, false);
    EXPECT_NE(expectDatasetError([&] { readIdxPair(m_dir + "/cut.gz", m_dir + "/labels"); }).find(m_dir + "/cut.gz"), std::string::npos);
    auto corrupt = gz;
    for (std::size_t i = 20; i < corrupt.size() - 10; i += 7) corrupt[i] ^= 0x5a;
    writeBytes(m_dir + "/corrupt.gz", corrupt, false);
    EXPECT_NE(expectDatasetError([&] { readIdxPair(m_dir + "/corrupt.gz", m_dir + "/labels"); }).find(m_dir + "/corrupt.gz"),
              std::string::npos);
}

TEST_F(MnistFiles, TooFewTrainingImagesForDev)
{
    writeTinyMnistDir(m_dir, 10, 5);
    EXPECT_NE(expectDatasetError([&] { loadMnist(m_dir, 0, 10); }).find("dev_size"), std::string::npos);
}
