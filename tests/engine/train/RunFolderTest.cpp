// train/RunFolder: the lock, the choice of where a run writes, and the repair of every state a
// run killed at any point can leave behind (built here by hand; KillResumeTest kills real runs).
#include "train/RunFolder.h"

#include "../TinyMnist.h"
#include "core/Error.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

using namespace meprop;
namespace fs = std::filesystem;

namespace {

void touch(const fs::path& p, const std::string& text = "x")
{
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

std::string readFile(const fs::path& p)
{
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::vector<std::string> namesIn(const fs::path& dir)
{
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

std::string errorOf(const std::string& dir, RunFolder::Mode mode)
{
    try {
        RunFolder f(dir, mode);
    } catch (const IoError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(RunFolder, StagingFolderIsAHiddenSibling)
{
    const fs::path root = test::tempDir("runfolder-name");
    EXPECT_EQ(RunFolder::stagingFolder((root / "run").string()), (root / ".run.overwrite").string());
    EXPECT_EQ(RunFolder::stagingFolder((root / "run").string() + "/"), (root / ".run.overwrite").string());
    EXPECT_THROW(RunFolder::stagingFolder("/"), IoError);
}

TEST(RunFolder, OneRunPerFolder)
{
    const fs::path dir = fs::path(test::tempDir("runfolder-lock")) / "run";
    {
        RunFolder a(dir.string(), RunFolder::Mode::Fresh);
        EXPECT_EQ(a.workDir(), dir.string());
        EXPECT_FALSE(a.staged());
        EXPECT_EQ(errorOf(dir.string(), RunFolder::Mode::Fresh), dir.string() + ": another meprop run is writing to this folder");
    }
    EXPECT_NO_THROW(RunFolder(dir.string(), RunFolder::Mode::Fresh));  // released with the first
}

TEST(RunFolder, FreshRefusesResultsAndCleansTemporaries)
{
    const fs::path dir = fs::path(test::tempDir("runfolder-fresh")) / "run";
    touch(dir / ".metrics.csv.tmp-123", "half a row");
    touch(dir / ".checkpoint.bin.tmp-9", "MEPROPCK");
    touch(dir / "metrics.csv", "epoch\n");  // no checkpoint, no summary: nothing to keep
    {
        RunFolder f(dir.string(), RunFolder::Mode::Fresh);
    }
    EXPECT_EQ(namesIn(dir), std::vector<std::string>{"metrics.csv"});

    touch(dir / "checkpoint.bin");
    EXPECT_NE(errorOf(dir.string(), RunFolder::Mode::Fresh).find("holds an unfinished run"), std::string::npos);
    touch(dir / "summary.json");
    EXPECT_NE(errorOf(dir.string(), RunFolder::Mode::Fresh).find("already holds a finished run"), std::string::npos);
    // A finished run's leftover checkpoint (a commit cut before removing it) is removed.
    EXPECT_FALSE(fs::exists(dir / "checkpoint.bin"));
}

TEST(RunFolder, OverwriteStagesAndCommitSwaps)
{
    const fs::path root = test::tempDir("runfolder-overwrite");
    const fs::path dir = root / "run", stage = root / ".run.overwrite";
    touch(dir / "summary.json", "old");
    touch(dir / "notes.txt", "old");
    {
        RunFolder f(dir.string(), RunFolder::Mode::Overwrite);
        EXPECT_TRUE(f.staged());
        EXPECT_EQ(f.workDir(), stage.string());
        EXPECT_TRUE(fs::exists(stage / ".meprop-staged"));
        touch(stage / "summary.json", "new");
        touch(stage / "checkpoint.bin", "ck");
        EXPECT_EQ(readFile(dir / "summary.json"), "old");  // untouched until commit
        f.commit();
        EXPECT_EQ(f.workDir(), dir.string());
    }
    EXPECT_EQ(readFile(dir / "summary.json"), "new");
    EXPECT_EQ(namesIn(dir), std::vector<std::string>{"summary.json"});  // marker and checkpoint gone, old files with the old run
    EXPECT_EQ(namesIn(root), std::vector<std::string>{"run"});

    // Overwrite of a folder without results writes in place.
    const fs::path plain = root / "plain";
    touch(plain / "metrics.csv");
    RunFolder f(plain.string(), RunFolder::Mode::Overwrite);
    EXPECT_FALSE(f.staged());
}

TEST(RunFolder, RepairsACommitCutAfterTheSwap)
{
    // Killed between the exchange and the cleanup: the folder is the new run (with the marker), the
    // staging folder the old one.
    const fs::path root = test::tempDir("runfolder-cut-swap");
    const fs::path dir = root / "run", stage = root / ".run.overwrite";
    touch(dir / "summary.json", "new");
    touch(dir / ".meprop-staged", "staged");
    touch(dir / "checkpoint.bin", "ck");
    touch(stage / "summary.json", "old");
    touch(stage / "checkpoint.bin", "old ck");  // even an old run with a checkpoint is not resumed
    EXPECT_EQ(RunFolder::resumableCheckpoint(dir.string()), "");
    EXPECT_NE(errorOf(dir.string(), RunFolder::Mode::Resume).find("nothing to resume"), std::string::npos);
    EXPECT_EQ(namesIn(root), std::vector<std::string>{"run"});
    EXPECT_EQ(namesIn(dir), std::vector<std::string>{"summary.json"});
    EXPECT_EQ(readFile(dir / "summary.json"), "new");
}

TEST(RunFolder, RepairsAFallbackCommitCutBetweenItsRenames)
{
    const fs::path root = test::tempDir("runfolder-cut-fallback2");
    const fs::path dir = root / "run", stage = root / ".run.overwrite";
    touch(stage / "summary.json", "new");
    touch(stage / ".meprop-staged", "staged");
    touch(root / ".run.overwrite.replaced" / "summary.json", "old");
    EXPECT_NE(errorOf(dir.string(), RunFolder::Mode::Fresh).find("already holds a finished run"), std::string::npos);
    EXPECT_EQ(namesIn(root), std::vector<std::string>{"run"});
    EXPECT_EQ(readFile(dir / "summary.json"), "new");
    EXPECT_FALSE(fs::exists(dir / ".meprop-staged"));
}

TEST(RunFolder, ResumeChoosesTheStagedOverwrite)
{
    const fs::path root = test::tempDir("runfolder-resume");
    const fs::path dir = root / "run", stage = root / ".run.overwrite";
    touch(dir / "summary.json", "old");
    EXPECT_EQ(RunFolder::resumableCheckpoint(dir.string()), "");
    touch(stage / ".meprop-staged", "staged");
    EXPECT_EQ(RunFolder::resumableCheckpoint(dir.string()), "");  // killed before its first checkpoint
    touch(stage / "checkpoint.bin", "ck");
    touch(stage / ".metrics.csv.tmp-77", "half");
    EXPECT_EQ(RunFolder::resumableCheckpoint(dir.string()), (stage / "checkpoint.bin").string());
    {
        RunFolder f(dir.string(), RunFolder::Mode::Resume);
        EXPECT_TRUE(f.staged());
        EXPECT_EQ(f.workDir(), stage.string());
        EXPECT_FALSE(fs::exists(stage / ".metrics.csv.tmp-77"));
        EXPECT_EQ(errorOf(dir.string(), RunFolder::Mode::Overwrite), dir.string() + ": another meprop run is writing to this folder");
    }
    // A fresh run is refused (the old result is there) and leaves the staged run alone.
    EXPECT_NE(errorOf(dir.string(), RunFolder::Mode::Fresh).find("already holds a finished run"), std::string::npos);
    EXPECT_TRUE(fs::exists(stage / "checkpoint.bin"));
    // A staging folder without its marker is not a staged run: removed.
    fs::remove(stage / ".meprop-staged");
    EXPECT_EQ(RunFolder::resumableCheckpoint(dir.string()), "");
    EXPECT_NE(errorOf(dir.string(), RunFolder::Mode::Resume).find("nothing to resume"), std::string::npos);
    EXPECT_FALSE(fs::exists(stage));

    // An unfinished run in the folder itself.
    const fs::path own = root / "own";
    touch(own / "checkpoint.bin", "ck");
    EXPECT_EQ(RunFolder::resumableCheckpoint(own.string()), (own / "checkpoint.bin").string());
    RunFolder f(own.string(), RunFolder::Mode::Resume);
    EXPECT_FALSE(f.staged());
    EXPECT_EQ(f.file(RunFolder::kCheckpoint), (own / "checkpoint.bin").string());
}
