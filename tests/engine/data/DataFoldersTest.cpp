// The one data locator (data/DataFolders): the same folders are searched from any working
// directory (its ancestors and the executable's), the environment comes first, and the error
// names where it looked.
#include "data/DataFolders.h"

#include "core/Error.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace meprop;

namespace {

struct Cwd {
    explicit Cwd(const fs::path& p) : old(fs::current_path()) { fs::current_path(p); }
    ~Cwd() { fs::current_path(old); }
    fs::path old;
};

fs::path tempRoot(const char* name)
{
    const fs::path p = fs::temp_directory_path() / (std::string("meprop-datafolders-") + name + "-" + std::to_string(::getpid()));
    fs::remove_all(p);
    fs::create_directories(p);
    return fs::canonical(p);
}

bool contains(const std::vector<std::string>& v, const fs::path& p)
{
    for (const std::string& s : v)
        if (fs::path(s).lexically_normal() == p.lexically_normal()) return true;
    return false;
}

}  // namespace

TEST(DataFolders, SharedFoldersAboveTheWorkingDirectory)
{
    const fs::path root = tempRoot("shared");
    fs::create_directories(root / "a" / "b" / "c");
    Cwd cwd(root / "a" / "b" / "c");
    const auto folders = sharedDataFolders("ud-english-ewt");
    EXPECT_TRUE(contains(folders, root / "a" / "b" / "c" / "shared" / "datasets" / "ud-english-ewt"));
    EXPECT_TRUE(contains(folders, root / "a" / "shared" / "datasets" / "ud-english-ewt"));
    EXPECT_TRUE(contains(folders, root / "shared" / "datasets" / "ud-english-ewt"));
    fs::remove_all(root);
}

TEST(DataFolders, FindsEwtFromADeepWorkingDirectory)
{
    const fs::path root = tempRoot("ewt");
    const fs::path ewt = root / "shared" / "datasets" / "ud-english-ewt";
    fs::create_directories(ewt);
    std::ofstream(ewt / "en_ewt-ud-train.conllu") << "";
    fs::create_directories(root / "work" / "build" / "app");
    ::unsetenv("MEPROP_TEXT_DATA");
    ::unsetenv("MEPROP_DATA");
    {
        Cwd cwd(root / "work" / "build" / "app");
        EXPECT_EQ(fs::path(defaultTextDataDir()).lexically_normal(), ewt.lexically_normal());
    }
    // $MEPROP_DATA/<folder> is a candidate too.
    const fs::path other = tempRoot("ewt-env");
    fs::create_directories(other / "ud-english-ewt");
    std::ofstream(other / "ud-english-ewt" / "en_ewt-ud-train.conllu") << "";
    ::setenv("MEPROP_DATA", other.c_str(), 1);
    {
        Cwd cwd(root / "work");
        EXPECT_EQ(fs::path(findTextDataFolders().front()), other / "ud-english-ewt");
    }
    ::unsetenv("MEPROP_DATA");
    fs::remove_all(root);
    fs::remove_all(other);
}

TEST(DataFolders, ImageDataNeedsTheFourFiles)
{
    const fs::path root = tempRoot("image");
    for (const char* f : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte.gz"})
        std::ofstream(root / f) << "";
    EXPECT_FALSE(holdsImageData(root.string()));
    std::ofstream(root / "t10k-labels-idx1-ubyte") << "";
    EXPECT_TRUE(holdsImageData(root.string()));
    ::setenv("MEPROP_IMAGE_DATA", root.c_str(), 1);
    EXPECT_EQ(imageDataCandidates().front(), root.string());
    EXPECT_EQ(defaultImageDataDir(), root.string());
    ::unsetenv("MEPROP_IMAGE_DATA");
    fs::remove_all(root);
}

TEST(DataFolders, TheErrorSaysWhereItLooked)
{
    const fs::path root = tempRoot("none");
    ::unsetenv("MEPROP_TEXT_DATA");
    ::unsetenv("MEPROP_DATA");
    Cwd cwd(root);
    EXPECT_TRUE(contains(textDataCandidates(), root / "shared" / "datasets" / "ud-english-ewt"));
    if (!findTextDataFolders().empty()) GTEST_SKIP() << "a treebank is installed above the executable's folder";
    try {
        defaultTextDataDir();
        FAIL() << "no error";
    } catch (const DatasetError& e) {
        EXPECT_NE(std::string(e.what()).find((root / "shared" / "datasets" / "ud-english-ewt").string()), std::string::npos) << e.what();
    }
    fs::remove_all(root);
}
