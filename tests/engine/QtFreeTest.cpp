// The engine must stay Qt-free: no file under engine/ (except engine/cuda, which is Qt-free too)
// may include a Qt header.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

TEST(Architecture, EngineIncludesNoQtHeader)
{
    const std::filesystem::path root = std::filesystem::path(MEPROP_SOURCE_DIR) / "engine";
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
    EXPECT_GT(files, 10);
}
