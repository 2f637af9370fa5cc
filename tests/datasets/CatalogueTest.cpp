#include "datasets/Catalogue.h"

#include "core/Error.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace fs = std::filesystem;
using namespace meprop;

namespace {

const char* kAbcSha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const char* kEmptySha = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

void writeFile(const fs::path& p, const std::string& bytes)
{
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
}

template <class F>
std::string errorOf(F&& f)
{
    try {
        f();
    } catch (const DatasetError& e) {
        return e.what();
    }
    return "(no DatasetError)";
}

// A fresh temporary folder, removed afterwards; restores the working directory and MEPROP_DATA.
class CatalogueTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        std::random_device rd;
        m_root = fs::temp_directory_path() / ("meprop-catalogue-" + std::to_string(rd()));
        fs::create_directories(m_root);
        m_cwd = fs::current_path();
        if (const char* env = std::getenv("MEPROP_DATA")) m_env = env, m_hadEnv = true;
        unsetenv("MEPROP_DATA");
    }
    void TearDown() override
    {
        fs::current_path(m_cwd);
        if (m_hadEnv)
            setenv("MEPROP_DATA", m_env.c_str(), 1);
        else
            unsetenv("MEPROP_DATA");
        std::error_code ec;
        fs::remove_all(m_root, ec);
    }
    // A data set of two tiny files in folder "tiny".
    static DatasetInfo tiny()
    {
        DatasetInfo d;
        d.name = "tiny";
        d.folder = "tiny";
        d.files = {{"a.bin", 3, kAbcSha}, {"b.bin", 0, ""}};
        return d;
    }
    void makeTinyIn(const fs::path& folder)
    {
        writeFile(folder / "a.bin", "abc");
        writeFile(folder / "b.bin", "anything");
    }

    fs::path m_root, m_cwd;
    std::string m_env;
    bool m_hadEnv = false;
};

}  // namespace

TEST(Sha256, KnownDigests)
{
    EXPECT_EQ(sha256Hex("abc", 3), kAbcSha);
    EXPECT_EQ(sha256Hex("", 0), kEmptySha);
}

TEST_F(CatalogueTest, Sha256OfFilesLargerThanOneBuffer)
{
    writeFile(m_root / "abc", "abc");
    EXPECT_EQ(sha256File((m_root / "abc").string()), kAbcSha);
    std::string big(200003, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
    writeFile(m_root / "big", big);
    EXPECT_EQ(sha256File((m_root / "big").string()), sha256Hex(big.data(), big.size()));
    const std::string missing = (m_root / "missing").string();
    EXPECT_NE(errorOf([&] { sha256File(missing); }).find(missing), std::string::npos);
}

TEST_F(CatalogueTest, VerifyReportsFileAndExpectedVersusActual)
{
    const fs::path p = m_root / "a.bin";
    writeFile(p, "abc");
    EXPECT_NO_THROW(verifyDatasetFile(p.string(), {"a.bin", 3, kAbcSha}));
    EXPECT_NO_THROW(verifyDatasetFile(p.string(), {"a.bin", 0, ""}));  // nothing known: exists is enough

    const std::string sizeError = errorOf([&] { verifyDatasetFile(p.string(), {"a.bin", 4, kAbcSha}); });
    EXPECT_NE(sizeError.find(p.string()), std::string::npos) << sizeError;
    EXPECT_NE(sizeError.find("size 3"), std::string::npos) << sizeError;
    EXPECT_NE(sizeError.find("expected 4"), std::string::npos) << sizeError;

    writeFile(p, "abd");  // same size, other bytes
    const std::string shaError = errorOf([&] { verifyDatasetFile(p.string(), {"a.bin", 3, kAbcSha}); });
    EXPECT_NE(shaError.find(p.string()), std::string::npos) << shaError;
    EXPECT_NE(shaError.find(kAbcSha), std::string::npos) << shaError;
    EXPECT_NE(shaError.find(sha256Hex("abd", 3)), std::string::npos) << shaError;

    const std::string missing = (m_root / "nope.bin").string();
    EXPECT_NE(errorOf([&] { verifyDatasetFile(missing, {"nope.bin", 3, kAbcSha}); }).find(missing), std::string::npos);

    makeTinyIn(m_root / "set");
    EXPECT_NO_THROW(verifyDataset((m_root / "set").string(), tiny()));
    writeFile(m_root / "set" / "a.bin", "abcd");
    EXPECT_THROW(verifyDataset((m_root / "set").string(), tiny()), DatasetError);
}

TEST_F(CatalogueTest, LocateSearchesUserFolderThenEnvironmentThenShared)
{
    const DatasetInfo info = tiny();
    makeTinyIn(m_root / "user");
    makeTinyIn(m_root / "env" / "tiny");  // $MEPROP_DATA/<folder>
    makeTinyIn(m_root / "work" / "shared" / "datasets" / "tiny");
    fs::create_directories(m_root / "work" / "project" / "build");
    fs::current_path(m_root / "work" / "project" / "build");
    setenv("MEPROP_DATA", (m_root / "env").c_str(), 1);

    const auto canonical = [](const fs::path& p) { return fs::weakly_canonical(p).string(); };
    EXPECT_EQ(canonical(locateDataset(info, (m_root / "user").string())), canonical(m_root / "user"));
    EXPECT_EQ(canonical(locateDataset(info, "")), canonical(m_root / "env" / "tiny"));
    // A user folder without the files does not stop the search.
    fs::create_directories(m_root / "empty");
    EXPECT_EQ(canonical(locateDataset(info, (m_root / "empty").string())), canonical(m_root / "env" / "tiny"));
    unsetenv("MEPROP_DATA");
    // ../../shared/datasets/tiny seen from the working directory.
    EXPECT_EQ(canonical(locateDataset(info, "")), canonical(m_root / "work" / "shared" / "datasets" / "tiny"));

    const std::vector<std::string> order = datasetSearchFolders(info, (m_root / "user").string());
    ASSERT_GE(order.size(), 3u);
    EXPECT_EQ(order[0], (m_root / "user").string());
    EXPECT_EQ(order[1], (m_root / "user" / "tiny").string());
}

TEST_F(CatalogueTest, LocateFailureNamesTheFilesAndFoldersSearched)
{
    DatasetInfo info = tiny();
    info.name = "tiny-missing";
    info.folder = "tiny-missing-folder";
    info.mirrors = {"https://example.org/tiny/"};
    writeFile(m_root / "partial" / "a.bin", "abc");  // b.bin missing: not a match
    fs::current_path(m_root);
    const std::string e = errorOf([&] { locateDataset(info, (m_root / "partial").string()); });
    EXPECT_NE(e.find("tiny-missing"), std::string::npos) << e;
    EXPECT_NE(e.find("b.bin"), std::string::npos) << e;
    EXPECT_NE(e.find((m_root / "partial").string()), std::string::npos) << e;
    EXPECT_NE(e.find("MEPROP_DATA"), std::string::npos) << e;
    EXPECT_NE(e.find("https://example.org/tiny/"), std::string::npos) << e;
}

TEST(Catalogue, KnowsTheProjectDataSets)
{
    for (const char* name : {"mnist", "fashion-mnist", "ud-english-ewt"}) {
        const DatasetInfo& d = findDataset(name);
        EXPECT_EQ(d.name, name);
        EXPECT_FALSE(d.files.empty());
        for (const DatasetFile& f : d.files) {
            EXPECT_GT(f.size, 0u) << f.name;
            EXPECT_TRUE(f.sha256.empty() || f.sha256.size() == 64) << f.name;
        }
    }
    EXPECT_EQ(findDataset("mnist").mirrors.size(), 2u);
    EXPECT_EQ(findDataset("fashion-mnist").systemPath, "/usr/share/datasets/fashion-mnist");
    const std::string e = errorOf([] { findDataset("cifar"); });
    EXPECT_NE(e.find("cifar"), std::string::npos);
    EXPECT_NE(e.find("fashion-mnist"), std::string::npos);
}

TEST(Catalogue, InstalledCopiesMatchTheirEntries)
{
    // The real files, where this machine has them (Debian package; ../shared/datasets).
    int checked = 0;
    for (const char* name : {"fashion-mnist", "ud-english-ewt"}) {
        std::string folder;
        try {
            folder = locateDataset(name);
        } catch (const DatasetError&) {
            continue;
        }
        EXPECT_NO_THROW(verifyDataset(folder, findDataset(name))) << folder;
        ++checked;
    }
    if (checked == 0) GTEST_SKIP() << "neither Fashion-MNIST nor UD English EWT is installed here";
}
