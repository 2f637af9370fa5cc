// kill -9 at any moment: the real `meprop train` is SIGKILLed many times, at random moments and
// the moment a file is being written, and after every kill its folder must be valid: no
// summary.json unless the run finished, metrics.csv whole rows of the right values, the checkpoint
// readable, no temporary of an earlier process once a later one has started. Each time the run is
// resumed (or restarted, when killed before its first checkpoint) until it finishes; its files
// must then equal an uninterrupted run's, the measured times aside. The overwrite variant checks
// that a killed overwrite (also during its swap) leaves the earlier result intact.
#include "../TinyMnist.h"
#include "core/Error.h"
#include "io/AtomicFile.h"
#include "io/CheckpointFile.h"
#include "io/CheckpointStream.h"
#include "train/RunFolder.h"
#include "train/TrainerState.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <spawn.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

using namespace meprop;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string readFile(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::vector<std::string> namesIn(const fs::path& dir)
{
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

pid_t launch(const std::vector<std::string>& args)
{
    std::vector<char*> argv;
    static std::string cli = MEPROP_CLI_PATH;
    argv.push_back(cli.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, cli.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "cannot start " << cli;
    return pid;
}

// Exit status, or -signal.
int reap(pid_t pid)
{
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

bool exited(pid_t pid, int* code)
{
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) != pid) return false;
    *code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    return true;
}

// metrics.csv rows without the measured-time columns (header names ending in "_s").
std::vector<std::string> nonTimingRows(const std::string& csv)
{
    std::istringstream in(csv);
    std::vector<std::string> rows;
    std::vector<bool> keep;
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> cells;
        std::stringstream ls(line);
        for (std::string c; std::getline(ls, c, ',');) cells.push_back(c);
        if (keep.empty())
            for (const std::string& c : cells) keep.push_back(!(c.size() > 2 && c.ends_with("_s")));
        std::string row;
        for (std::size_t i = 0; i < cells.size() && i < keep.size(); ++i)
            if (keep[i]) row += cells[i] + ",";
        rows.push_back(row + "|" + std::to_string(cells.size()));
    }
    return rows;
}

nlohmann::json nonTimingSummary(nlohmann::json s)
{
    for (auto it = s.begin(); it != s.end();) {
        const std::string k = it.key();
        it = (k.ends_with("_s") || k == "started_at" || k == "finished_at") ? s.erase(it) : std::next(it);
    }
    return s;
}

// Epochs in a checkpoint file; throws CheckpointError when it is not a valid one.
int checkpointEpochs(const fs::path& path)
{
    const std::string bytes = readFileBytes(path.string());
    CheckpointReader r(checkpointPayload(bytes, path.string()), path.string());
    r.string();  // the configuration
    r.section("trainer");
    r.i64();
    r.i64();
    TrainerState st;
    st.load(r);
    return st.epochsDone;
}

struct Reference {
    std::vector<std::string> rows;  // header + one per epoch
    nlohmann::json summary;
    std::string config;
};

Reference referenceRun(const std::vector<std::string>& args, const fs::path& dir)
{
    std::vector<std::string> a = args;
    a.insert(a.end(), {"--out", dir.string()});
    EXPECT_EQ(reap(launch(a)), 0);
    return {nonTimingRows(readFile(dir / "metrics.csv")), nonTimingSummary(nlohmann::json::parse(readFile(dir / "summary.json"))),
            readFile(dir / "config.json")};
}

// The files of a run folder after a kill: valid whatever the moment. Returns whether the run has
// finished (summary.json present).
bool checkRunFolder(const fs::path& dir, const Reference& ref, pid_t killed, bool laterStartReachedFolder, const std::string& when)
{
    bool finished = false;
    int metricsRows = 0;
    for (const std::string& name : namesIn(dir)) {
        const fs::path p = dir / name;
        if (isAtomicTemporary(name)) {
            // A temporary of the killed process is expected after a kill mid-write; one of an
            // earlier process must be gone once a later one has opened the folder.
            const std::string pid = name.substr(name.rfind('-') + 1);
            if (laterStartReachedFolder) {
                EXPECT_EQ(pid, std::to_string(killed)) << when << ": stray temporary " << name;
            }
        } else if (name == "summary.json") {
            finished = true;
            EXPECT_EQ(nonTimingSummary(nlohmann::json::parse(readFile(p))), ref.summary) << when;
        } else if (name == "metrics.csv") {
            const std::string text = readFile(p);
            EXPECT_TRUE(!text.empty() && text.back() == '\n') << when << ": metrics.csv ends mid-row";
            const std::vector<std::string> rows = nonTimingRows(text);
            EXPECT_GE(rows.size(), 2u) << when;
            EXPECT_LE(rows.size(), ref.rows.size()) << when;
            if (rows.size() > ref.rows.size()) continue;
            for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i], ref.rows[i]) << when << ": metrics.csv row " << i;
            metricsRows = static_cast<int>(rows.size()) - 1;
        } else if (name == "config.json") {
            EXPECT_EQ(readFile(p), ref.config) << when;
        } else if (name == "checkpoint.bin") {
            int epochs = -1;
            EXPECT_NO_THROW(epochs = checkpointEpochs(p)) << when << ": the last checkpoint is not usable";
            EXPECT_GE(epochs, 1) << when;
        } else {
            ADD_FAILURE() << when << ": unexpected file " << name;
        }
    }
    if (fs::exists(dir / "checkpoint.bin") && metricsRows > 0) {
        const int epochs = checkpointEpochs(dir / "checkpoint.bin");
        // metrics.csv is written before the checkpoint of the same epoch.
        EXPECT_TRUE(metricsRows == epochs || metricsRows == epochs + 1) << when << ": " << metricsRows << " rows, checkpoint of epoch " << epochs;
    }
    return finished;
}

// Waits up to `limit` for one of `files` to appear, or for the process to end.
bool waitForAny(pid_t pid, const std::vector<fs::path>& files, std::chrono::milliseconds limit, int* code)
{
    const auto end = Clock::now() + limit;
    while (Clock::now() < end) {
        struct stat st;
        for (const fs::path& f : files)
            if (::stat(f.c_str(), &st) == 0) return true;
        if (exited(pid, code)) return false;
        std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    return true;
}

std::vector<std::string> trainArgs(const std::string& data, int seed, int epochs)
{
    return {"train",           "image",           "--quiet",       "--set", "data=" + data,
            "--set",           "dev_size=100",    "--set",         "hidden=256",
            "--set",           "k=16",            "--set",         "mode=topk",
            "--set",           "dropout=0.2",     "--set",         "seed=" + std::to_string(seed),
            "--set",           "epochs=" + std::to_string(epochs)};
}

struct Counts {
    int kills = 0, midWrite = 0, midCheckpoint = 0, resumes = 0, restarts = 0;
};

}  // namespace

TEST(KillResume, SigkillAtAnyMomentThenResumeEqualsUninterrupted)
{
    const fs::path root = test::tempDir("kill");
    const std::string data = test::writeTinyMnistDir((root / "data").string(), 3000, 100);
    const std::vector<std::string> args = trainArgs(data, 3, 8);
    const auto t0 = Clock::now();
    const Reference ref = referenceRun(args, root / "ref");
    const auto runMs = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    ASSERT_EQ(ref.rows.size(), 9u);

    std::mt19937 rng(20260601);
    Counts n;
    constexpr int kKills = 40;
    int rounds = 0;
    // Rounds of one run each, killed until it finishes, until enough kills were made.
    for (; n.kills < kKills && rounds < 20; ++rounds) {
        const fs::path dir = root / ("run" + std::to_string(rounds));
        bool finished = false;
        const int killsBefore = n.kills;
        for (int launchNo = 0; !finished && launchNo < 400; ++launchNo) {
            const bool resume = !RunFolder::resumableCheckpoint(dir.string()).empty();
            std::vector<std::string> a = resume ? std::vector<std::string>{"train", "--resume", dir.string(), "--quiet"} : args;
            if (!resume) a.insert(a.end(), {"--out", dir.string()});
            if (launchNo > 0) ++(resume ? n.resumes : n.restarts);
            const auto started = fs::file_time_type::clock::now();
            const pid_t pid = launch(a);
            int code = 0;
            bool alive = true;
            const std::string tmp = ".tmp-" + std::to_string(pid);
            switch (n.kills - killsBefore >= 20 ? -1 : launchNo % 4) {
            case -1:  // enough kills in this run: let it finish
                alive = false;
                code = reap(pid);
                break;
            case 1:  // while a checkpoint is being written over the previous one
            case 3:  // while another file is being written
                if (!fs::exists(dir / "checkpoint.bin")) {
                    // None yet: let the first be written (so that the runs get on), kill right after.
                    alive = waitForAny(pid, {dir / "checkpoint.bin"}, std::chrono::milliseconds(5000), &code);
                } else if (launchNo % 4 == 1) {
                    alive = waitForAny(pid, {dir / (".checkpoint.bin" + tmp)}, std::chrono::milliseconds(5000), &code);
                } else {
                    alive = waitForAny(pid, {dir / (".config.json" + tmp), dir / (".metrics.csv" + tmp), dir / (".summary.json" + tmp)},
                                       std::chrono::milliseconds(5000), &code);
                }
                break;
            default: {  // a random moment (start-up, mid-epoch, evaluation, a write, the end)
                const auto ms = std::uniform_int_distribution<long>(0, std::max<long>(10, runMs / 5))(rng);
                alive = waitForAny(pid, {}, std::chrono::milliseconds(ms), &code);
            }
            }
            if (alive) {
                ::kill(pid, SIGKILL);
                code = reap(pid);
            }
            if (code == 0) break;
            ASSERT_EQ(code, -SIGKILL) << "launch " << launchNo << " failed instead of being killed";
            ++n.kills;
            std::error_code ec;
            const bool reached = fs::exists(dir / "config.json") && fs::last_write_time(dir / "config.json", ec) >= started;
            bool wrote = false;
            for (const std::string& name : namesIn(dir))
                if (isAtomicTemporary(name) && name.ends_with(tmp)) {
                    wrote = true;
                    n.midCheckpoint += name.starts_with(".checkpoint.bin");
                }
            n.midWrite += wrote;
            finished = checkRunFolder(dir, ref, pid, reached, "after kill " + std::to_string(n.kills) + " (round " + std::to_string(rounds) + ")");
            if (HasFatalFailure()) return;
        }
        checkRunFolder(dir, ref, 0, true, "finished round " + std::to_string(rounds));
        EXPECT_EQ(nonTimingRows(readFile(dir / "metrics.csv")), ref.rows);
        EXPECT_EQ(nonTimingSummary(nlohmann::json::parse(readFile(dir / "summary.json"))), ref.summary);
        EXPECT_EQ(namesIn(dir), (std::vector<std::string>{"config.json", "metrics.csv", "summary.json"}));
    }
    EXPECT_GE(n.kills, kKills);
    EXPECT_GE(n.midWrite, 10) << "kills mid-write";
    EXPECT_GE(n.midCheckpoint, 5) << "kills while a checkpoint was being written over the previous one";
    EXPECT_GE(n.resumes, 10);
    std::printf("[ kills ] %d SIGKILLs in %d runs (%d mid-write leaving a temporary, %d of them mid-checkpoint), %d resumes from a "
                "checkpoint, %d restarts before the first checkpoint; an uninterrupted run takes %ld ms\n",
                n.kills, rounds, n.midWrite, n.midCheckpoint, n.resumes, n.restarts, static_cast<long>(runMs));
}

TEST(KillResume, SigkillDuringAnOverwriteKeepsTheEarlierResult)
{
    const fs::path root = test::tempDir("kill-overwrite");
    const std::string data = test::writeTinyMnistDir((root / "data").string(), 2000, 100);
    const std::vector<std::string> argsA = trainArgs(data, 1, 2), argsB = trainArgs(data, 2, 4);
    const auto t0 = Clock::now();
    const Reference refB = referenceRun(argsB, root / "refB");
    const auto runMs = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();

    std::mt19937 rng(7);
    Counts n;
    int swaps = 0, rounds = 0;
    constexpr int kKills = 24;
    for (; n.kills < kKills && rounds < 20; ++rounds) {
        const fs::path dir = root / ("run" + std::to_string(rounds)), stage = RunFolder::stagingFolder(dir.string());
        std::vector<std::string> a = argsA;
        a.insert(a.end(), {"--out", dir.string()});
        ASSERT_EQ(reap(launch(a)), 0);
        const std::vector<std::string> namesA = namesIn(dir);
        const std::string summaryA = readFile(dir / "summary.json"), metricsA = readFile(dir / "metrics.csv"),
                          configA = readFile(dir / "config.json");
        bool in = false;
        const int killsBefore = n.kills;
        for (int launchNo = 0; !in && launchNo < 300; ++launchNo) {
            const bool resume = !RunFolder::resumableCheckpoint(dir.string()).empty();
            std::vector<std::string> args = resume ? std::vector<std::string>{"train", "--resume", dir.string(), "--quiet"} : argsB;
            if (!resume) args.insert(args.end(), {"--out", dir.string(), "--overwrite"});
            n.resumes += resume;
            const pid_t pid = launch(args);
            int code = 0;
            bool alive = true;
            if (n.kills - killsBefore >= 8) {
                alive = false;  // enough in this round: let it finish
                code = reap(pid);
            } else if (launchNo % 3 == 2) {
                // The swap: summary.json appears in the staging folder right before it.
                alive = waitForAny(pid, {fs::path(stage) / "summary.json"}, std::chrono::milliseconds(5000), &code);
                swaps += alive;
            } else {
                const auto ms = std::uniform_int_distribution<long>(0, std::max<long>(10, runMs / 3))(rng);
                alive = waitForAny(pid, {}, std::chrono::milliseconds(ms), &code);
            }
            if (alive) {
                ::kill(pid, SIGKILL);
                code = reap(pid);
            }
            if (code != 0) {
                ASSERT_EQ(code, -SIGKILL);
                ++n.kills;
            }
            const std::string when = "after kill " + std::to_string(n.kills) + " (round " + std::to_string(rounds) + ")";
            // The folder holds the complete old run or the complete new one, nothing in between.
            ASSERT_TRUE(fs::exists(dir / "summary.json")) << when;
            if (readFile(dir / "summary.json") == summaryA) {
                EXPECT_EQ(namesIn(dir), namesA) << when;
                EXPECT_EQ(readFile(dir / "metrics.csv"), metricsA) << when;
                EXPECT_EQ(readFile(dir / "config.json"), configA) << when;
                EXPECT_NE(code, 0) << when << ": a finished overwrite must have replaced the old run";
            } else {
                EXPECT_EQ(nonTimingSummary(nlohmann::json::parse(readFile(dir / "summary.json"))), refB.summary) << when;
                EXPECT_EQ(nonTimingRows(readFile(dir / "metrics.csv")), refB.rows) << when;
                EXPECT_EQ(readFile(dir / "config.json"), refB.config) << when;
                in = true;  // the new run is in; a later start only finishes the cleanup
            }
            if (HasFatalFailure()) return;
        }
        ASSERT_TRUE(in);
        // A kill during the cleanup after the swap leaves the old run in the hidden staging folder
        // (and the marker in the folder); the next start in the folder removes them (here one
        // that finds nothing to resume: exit 2).
        EXPECT_EQ(reap(launch({"train", "--resume", dir.string(), "--quiet"})), 2);
        EXPECT_EQ(namesIn(dir), (std::vector<std::string>{"config.json", "metrics.csv", "summary.json"}));
        EXPECT_FALSE(fs::exists(stage));
    }
    EXPECT_GE(n.kills, kKills);
    EXPECT_GE(swaps, 3);
    std::vector<std::string> expected = {"data", "refB"};
    for (int r = 0; r < rounds; ++r) expected.push_back("run" + std::to_string(r));
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(namesIn(root), expected);  // no staging folder left
    std::printf("[ kills ] overwrite: %d SIGKILLs in %d overwrites (%d right before or during the swap), %d resumes of a staged run\n",
                n.kills, rounds, swaps, n.resumes);
}
