// io/AtomicFile: content, replacement, durability calls, and nothing left behind on failure.
#include "io/AtomicFile.h"

#include "../TinyMnist.h"
#include "core/Error.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace meprop;
namespace fs = std::filesystem;

namespace {

std::string readFile(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::vector<std::string> namesIn(const fs::path& dir)
{
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST(AtomicFile, WritesTheContent)
{
    const fs::path dir = test::tempDir("atomic-write");
    const std::string content("binary\0bytes\nand text", 21);
    writeFileAtomic((dir / "a.bin").string(), content);
    EXPECT_EQ(readFile(dir / "a.bin"), content);
    writeFileAtomic((dir / "empty").string(), "");
    EXPECT_TRUE(fs::exists(dir / "empty"));
    EXPECT_EQ(fs::file_size(dir / "empty"), 0u);
    EXPECT_EQ(namesIn(dir), (std::vector<std::string>{"a.bin", "empty"}));  // no temporary left
}

TEST(AtomicFile, ReplacesAnEarlierFile)
{
    const fs::path dir = test::tempDir("atomic-replace");
    const fs::path p = dir / "metrics.csv";
    writeFileAtomic(p.string(), "a long first version of the file\n");
    writeFileAtomic(p.string(), "short\n");
    EXPECT_EQ(readFile(p), "short\n");  // replaced, not overwritten in place (no tail of the old one)
    EXPECT_EQ(namesIn(dir), std::vector<std::string>{"metrics.csv"});
    // A relative path in the current folder (no parent component) works too.
    const fs::path cwd = fs::current_path();
    fs::current_path(dir);
    writeFileAtomic("here.txt", "x");
    fs::current_path(cwd);
    EXPECT_EQ(readFile(dir / "here.txt"), "x");
}

TEST(AtomicFile, MissingFolderNamesThePathAndLeavesNothing)
{
    const fs::path dir = test::tempDir("atomic-missing");
    const std::string p = (dir / "no" / "such" / "file.json").string();
    try {
        writeFileAtomic(p, "{}");
        FAIL() << "expected IoError";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find(p + ": cannot write (No such file or directory)"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(namesIn(dir).empty());
}

TEST(AtomicFile, FailedRenameKeepsTheOldAndRemovesTheTemporary)
{
    const fs::path dir = test::tempDir("atomic-rename");
    fs::create_directory(dir / "target");  // a folder in the way: the rename fails
    std::ofstream(dir / "target" / "inside") << "keep";
    try {
        writeFileAtomic((dir / "target").string(), "new content");
        FAIL() << "expected IoError";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("target: rename failed"), std::string::npos) << e.what();
    }
    EXPECT_EQ(namesIn(dir), std::vector<std::string>{"target"});  // no temporary left
    EXPECT_EQ(readFile(dir / "target" / "inside"), "keep");
}

TEST(AtomicFile, PermissionErrorNamesThePath)
{
    const fs::path dir = test::tempDir("atomic-perm");
    fs::create_directory(dir / "ro");
    const std::string p = (dir / "ro" / "summary.json").string();
    // root ignores permissions: the write is tried in a child that has given up root.
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(fds[0]);
        ::chmod((dir / "ro").c_str(), 0555);
        if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
        std::string message = "no error";
        try {
            writeFileAtomic(p, "{}");
        } catch (const IoError& e) {
            message = e.what();
        }
        (void)!::write(fds[1], message.data(), message.size());
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string message;
    char buf[512];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) message.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child could not drop privileges";
    EXPECT_EQ(message, p + ": cannot write (Permission denied)");
    fs::permissions(dir / "ro", fs::perms::owner_all);
    EXPECT_TRUE(namesIn(dir / "ro").empty());
}

TEST(AtomicFile, TemporariesAreHiddenAndRemovable)
{
    EXPECT_TRUE(isAtomicTemporary(".metrics.csv.tmp-1234"));
    EXPECT_TRUE(isAtomicTemporary(".checkpoint.bin.tmp-7"));
    EXPECT_FALSE(isAtomicTemporary("metrics.csv"));
    EXPECT_FALSE(isAtomicTemporary("metrics.csv.tmp-12"));  // not hidden: not ours
    EXPECT_FALSE(isAtomicTemporary(".metrics.csv.tmp-"));
    EXPECT_FALSE(isAtomicTemporary(".metrics.csv.tmp-12a"));
    EXPECT_FALSE(isAtomicTemporary(".tmp-12"));

    const fs::path dir = test::tempDir("atomic-tmp");
    std::ofstream(dir / ".summary.json.tmp-99999") << "{ half";
    std::ofstream(dir / ".checkpoint.bin.tmp-1") << "MEPROP";
    std::ofstream(dir / "metrics.csv") << "epoch\n";
    fs::create_directory(dir / ".sub.tmp-3");  // a folder of that name is not ours to remove
    EXPECT_EQ(removeTemporaries(dir.string()), 2);
    EXPECT_EQ(namesIn(dir), (std::vector<std::string>{".sub.tmp-3", "metrics.csv"}));
}

TEST(AtomicFile, SyncFolderReportsAMissingFolder)
{
    const fs::path dir = test::tempDir("atomic-sync");
    EXPECT_NO_THROW(syncFolder(dir.string()));
    EXPECT_THROW(syncFolder((dir / "missing").string()), IoError);
}
