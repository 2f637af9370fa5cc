#include "io/AtomicFile.h"

#include "core/Error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

namespace meprop {

namespace {

namespace fs = std::filesystem;

std::string reason(int err) { return std::strerror(err); }

constexpr std::string_view kTmpMarker = ".tmp-";

}  // namespace

bool isAtomicTemporary(const std::string& name)
{
    // ".<name>.tmp-<digits>"
    if (name.size() < 2 || name[0] != '.') return false;
    const std::size_t at = name.rfind(kTmpMarker);
    if (at == std::string::npos || at < 2 || at + kTmpMarker.size() == name.size()) return false;
    for (std::size_t i = at + kTmpMarker.size(); i < name.size(); ++i)
        if (name[i] < '0' || name[i] > '9') return false;
    return true;
}

void syncFolder(const std::string& dir)
{
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw IoError(dir + ": cannot open folder to sync (" + reason(errno) + ")");
    // EINVAL: a file system that cannot sync folders (some network ones); the rename is done anyway.
    if (::fsync(fd) != 0 && errno != EINVAL) {
        const int err = errno;
        ::close(fd);
        throw IoError(dir + ": folder sync failed (" + reason(err) + ")");
    }
    ::close(fd);
}

void writeFileAtomic(const std::string& path, std::string_view content)
{
    const fs::path target(path);
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const std::string tmp = (folder / std::string(".").append(target.filename().string()).append(kTmpMarker).append(std::to_string(::getpid()))).string();
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw IoError(path + ": cannot write (" + reason(errno) + ")");
    const char* p = content.data();
    std::size_t left = content.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw IoError(path + ": write failed (" + reason(err) + ")");
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        throw IoError(path + ": flush failed (" + reason(err) + ")");
    }
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw IoError(path + ": flush failed (" + reason(err) + ")");
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw IoError(path + ": rename failed (" + reason(err) + ")");
    }
    syncFolder(folder.string());
}

int removeTemporaries(const std::string& dir)
{
    int removed = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (!isAtomicTemporary(entry.path().filename().string())) continue;
        std::error_code rec;
        if (entry.is_regular_file(rec) && fs::remove(entry.path(), rec)) ++removed;
    }
    return removed;
}

}  // namespace meprop
