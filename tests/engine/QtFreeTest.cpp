// The engine and the data-set catalogue must stay Qt-free: no file under engine/ (engine/cuda
// included) or datasets/ may include a Qt header. datasets/ (locating and verifying data files:
// std::filesystem, OpenSSL's SHA-256) has no reason for Qt, and staying free of it lets the CLI and
// any other front end use it; the workbench wraps it where it needs Qt types. The link-level side
// (neither library links a Qt target) is checked when CMake configures the tests.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace {

// Returns the number of source files scanned under MEPROP_SOURCE_DIR/folder.
int expectNoQtInclude(const std::string& folder)
{
    const std::filesystem::path root = std::filesystem::path(MEPROP_SOURCE_DIR) / folder;
    const std::regex qtInclude(R"(^\s*#\s*include\s*[<"](Q[A-Za-z]+|Qt[A-Za-z]*/))");
    int files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (!entry.is_regular_file()) continue;
        const std::string ext = entry.path().extension().string();
        if (ext != ".h" && ext != ".cpp" && ext != ".cu" && ext != ".cuh") continue;
        ++files;
        std::ifstream in(entry.path());
        std::string line;
        int n = 0;
        while (std::getline(in, line)) {
            ++n;
            EXPECT_FALSE(std::regex_search(line, qtInclude)) << entry.path() << ":" << n << ": " << line;
        }
    }
    return files;
}

}  // namespace

TEST(Architecture, EngineIncludesNoQtHeader)
{
    EXPECT_GT(expectNoQtInclude("engine"), 10);
}

TEST(Architecture, DatasetsIncludeNoQtHeader)
{
    EXPECT_GE(expectNoQtInclude("datasets"), 2);
}
