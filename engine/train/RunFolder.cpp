#include "train/RunFolder.h"

#include "core/Error.h"
#include "io/AtomicFile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/file.h>
#include <unistd.h>

namespace meprop {

namespace {

namespace fs = std::filesystem;

constexpr const char* kMarker = ".meprop-staged";

bool has(const std::string& dir, const char* name)
{
    std::error_code ec;
    return fs::exists(fs::path(dir) / name, ec);
}

// flock on the folder itself: the kernel drops it when the process ends, however it ends.
int lockFolder(const std::string& dir)
{
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw IoError(dir + ": cannot open the output folder (" + std::strerror(errno) + ")");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        // A file system without locks (some network and FUSE ones): run unlocked rather than not at all.
        if (err == ENOLCK || err == EOPNOTSUPP || err == ENOSYS || err == EINVAL) return fd;
        ::close(fd);
        if (err == EWOULDBLOCK) throw IoError(dir + ": another meprop run is writing to this folder");
        throw IoError(dir + ": cannot lock the output folder (" + std::strerror(err) + ")");
    }
    return fd;
}

void unlock(int& fd)
{
    if (fd >= 0) ::close(fd);
    fd = -1;
}

void removeTree(const std::string& path)
{
    std::error_code ec;
    fs::remove_all(path, ec);
    if (ec) throw IoError(path + ": cannot remove (" + ec.message() + ")");
}

void removeFile(const std::string& path)
{
    std::error_code ec;
    fs::remove(path, ec);
    if (ec) throw IoError(path + ": cannot remove (" + ec.message() + ")");
}

std::string parentOf(const std::string& path)
{
    const fs::path p = fs::path(path).parent_path();
    return p.empty() ? "." : p.string();
}

// Where the fallback commit (no RENAME_EXCHANGE) parks the old run.
std::string replacedFolder(const std::string& stage) { return stage + ".replaced"; }

}  // namespace

std::string RunFolder::stagingFolder(const std::string& dir)
{
    fs::path p = fs::absolute(dir).lexically_normal();
    if (p.filename().empty()) p = p.parent_path();  // "runs/a/"
    if (p.filename().empty() || p == p.root_path()) throw IoError(dir + ": cannot be a run folder");
    return (p.parent_path() / std::string(".").append(p.filename().string()).append(".overwrite")).string();
}

std::string RunFolder::resumableCheckpoint(const std::string& dir)
{
    const std::string stage = stagingFolder(dir);
    if (has(dir, kMarker)) return "";  // a committed overwrite whose cleanup was cut short: finished
    if (has(stage, kMarker) && has(stage, kCheckpoint)) return (fs::path(stage) / kCheckpoint).string();
    if (!has(dir, kSummary) && has(dir, kCheckpoint)) return (fs::path(dir) / kCheckpoint).string();
    return "";
}

void RunFolder::restoreCutFallback(const std::string& dir, const std::string& stage)
{
    std::error_code ec;
    // The fallback commit can be cut between its two renames: no folder, the staged run complete.
    if (!fs::exists(dir, ec) && has(stage, kMarker) && has(stage, kSummary)) {
        if (std::rename(stage.c_str(), dir.c_str()) != 0)
            throw IoError(dir + ": cannot restore the finished run from " + stage + " (" + std::strerror(errno) + ")");
    }
}

bool RunFolder::repairLocked(const std::string& dir, const std::string& stage, int& stageLock)
{
    std::error_code ec;
    {
        std::error_code ignored;  // a leftover of the fallback commit; another process may be removing it too
        fs::remove_all(replacedFolder(stage), ignored);
    }
    if (has(dir, kMarker)) {
        // A commit was cut after its swap: this folder is the new run, the staging folder the old one.
        removeTree(stage);
        removeFile((fs::path(dir) / kMarker).string());
    }
    bool stagedRun = false;
    if (fs::exists(stage, ec)) {
        stageLock = lockFolder(stage);  // throws when another run is overwriting this folder
        stagedRun = has(stage, kMarker) && has(stage, kCheckpoint);
        if (!stagedRun) {
            unlock(stageLock);
            removeTree(stage);  // killed before its first checkpoint: nothing to keep
        }
    }
    if (has(dir, kSummary) && has(dir, kCheckpoint)) removeFile((fs::path(dir) / kCheckpoint).string());  // a commit cut before removing it
    return stagedRun;
}

void RunFolder::repair(const std::string& dir)
{
    const std::string stage = stagingFolder(dir);
    restoreCutFallback(dir, stage);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return;
    int dirLock = -1, stageLock = -1;
    try {
        dirLock = lockFolder(dir);
        repairLocked(dir, stage, stageLock);
    } catch (const IoError&) {
        // Another run holds the folder: it repairs what needs it.
    }
    unlock(stageLock);
    unlock(dirLock);
}

RunFolder::RunFolder(const std::string& dir, Mode mode) : m_dir(dir), m_work(dir), m_stage(stagingFolder(dir))
{
    std::error_code ec;
    restoreCutFallback(m_dir, m_stage);
    if (mode == Mode::Resume) {
        if (!fs::is_directory(m_dir, ec)) throw IoError(m_dir + ": no such run folder to resume");
    } else {
        fs::create_directories(m_dir, ec);
        if (ec || !fs::is_directory(m_dir)) throw IoError(m_dir + ": cannot create output folder (" + ec.message() + ")");
    }
    m_dirLock = lockFolder(m_dir);
    try {
        const bool stagedRun = repairLocked(m_dir, m_stage, m_stageLock);
        const bool finished = has(m_dir, kSummary);
        const bool resumable = !finished && has(m_dir, kCheckpoint);
        auto discardStage = [&] {
            unlock(m_stageLock);
            removeTree(m_stage);
        };
        switch (mode) {
        case Mode::Fresh:
            if (finished) throw IoError(m_dir + ": already holds a finished run (summary.json); choose another output folder or overwrite it");
            if (resumable)
                throw IoError(m_dir + ": holds an unfinished run (checkpoint.bin, no summary.json); resume it or overwrite it");
            if (stagedRun) discardStage();
            break;
        case Mode::Overwrite:
            if (stagedRun) discardStage();
            if (finished || resumable) {
                fs::create_directory(m_stage, ec);
                if (ec) throw IoError(m_stage + ": cannot create the staging folder of the overwrite (" + ec.message() + ")");
                m_stageLock = lockFolder(m_stage);
                writeFileAtomic((fs::path(m_stage) / kMarker).string(), "staged overwrite of " + m_dir + "\n");
                syncFolder(parentOf(m_stage));
                m_staged = true;
                m_work = m_stage;
            }
            break;
        case Mode::Resume:
            if (stagedRun) {
                m_staged = true;
                m_work = m_stage;
            } else if (!resumable) {
                throw IoError(m_dir + (finished ? ": the run has finished (summary.json); there is nothing to resume"
                                                : ": no checkpoint to resume from (checkpoint.bin)"));
            }
            break;
        }
        removeTemporaries(m_work);
    } catch (...) {
        unlock(m_stageLock);
        unlock(m_dirLock);
        throw;
    }
}

RunFolder::~RunFolder()
{
    unlock(m_stageLock);
    unlock(m_dirLock);
}

std::string RunFolder::file(const char* name) const { return (fs::path(m_work) / name).string(); }

void RunFolder::commit()
{
    if (m_staged) {
        const std::string parent = parentOf(m_stage);
        std::string old = m_stage;
        if (::renameat2(AT_FDCWD, m_stage.c_str(), AT_FDCWD, m_dir.c_str(), RENAME_EXCHANGE) != 0) {
            const int err = errno;
            if (err != EINVAL && err != ENOSYS && err != ENOTSUP)
                throw IoError(m_dir + ": cannot swap in the new run (" + std::strerror(err) + "); it is complete in " + m_stage);
            // A file system without the exchange: two renames, between which the folder is missing
            // for a moment (a start cut there is repaired by the constructor).
            old = replacedFolder(m_stage);
            removeTree(old);
            if (std::rename(m_dir.c_str(), old.c_str()) != 0)
                throw IoError(m_dir + ": cannot move the old run aside (" + std::strerror(errno) + "); the new run is complete in " + m_stage);
            if (std::rename(m_stage.c_str(), m_dir.c_str()) != 0)
                throw IoError(m_dir + ": cannot move the new run in (" + std::strerror(errno) + "); it is complete in " + m_stage +
                              ", the old run in " + old);
        }
        syncFolder(parent);
        m_staged = false;
        m_work = m_dir;
        std::swap(m_dirLock, m_stageLock);  // the locks follow the folders
        removeFile((fs::path(m_dir) / kMarker).string());
        unlock(m_stageLock);
        removeTree(old);
    }
    removeFile(file(kCheckpoint));
    syncFolder(m_work);
}

}  // namespace meprop
