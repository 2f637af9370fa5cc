#include "io/CheckpointFile.h"

#include "core/Error.h"
#include "io/AtomicFile.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>

namespace meprop {

namespace {

constexpr char kMagic[8] = {'M', 'E', 'P', 'R', 'O', 'P', 'C', 'K'};

std::uint32_t crcOf(std::string_view data)
{
    // zlib's crc32 takes a uInt length: feed large payloads in pieces.
    uLong crc = crc32(0L, Z_NULL, 0);
    std::size_t pos = 0;
    while (pos < data.size()) {
        const std::size_t n = std::min<std::size_t>(data.size() - pos, std::numeric_limits<uInt>::max());
        crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data() + pos), static_cast<uInt>(n));
        pos += n;
    }
    return static_cast<std::uint32_t>(crc);
}

template <typename T>
void put(std::string& out, T v)
{
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

template <typename T>
T get(std::string_view data, std::size_t at)
{
    T v;
    std::memcpy(&v, data.data() + at, sizeof v);
    return v;
}

}  // namespace

void writeCheckpointFile(const std::string& path, std::string_view payload)
{
    std::string file;
    file.reserve(kCheckpointHeaderSize + payload.size());
    file.append(kMagic, sizeof kMagic);
    put<std::uint32_t>(file, kCheckpointVersion);
    put<std::uint32_t>(file, crcOf(payload));
    put<std::uint64_t>(file, payload.size());
    file.append(payload);
    writeFileAtomic(path, file);
}

std::string readFileBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(path + ": cannot read (" + std::strerror(errno) + ")");
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    if (in.bad()) throw IoError(path + ": read failed");
    return bytes;
}

std::string_view checkpointPayload(std::string_view file, const std::string& source)
{
    if (file.size() < kCheckpointHeaderSize || std::memcmp(file.data(), kMagic, sizeof kMagic) != 0) {
        if (file.size() >= sizeof kMagic && std::memcmp(file.data(), kMagic, sizeof kMagic) == 0)
            throw CheckpointError(source + ": truncated checkpoint (" + std::to_string(file.size()) + " bytes, shorter than its header)");
        throw CheckpointError(source + ": not a meprop checkpoint (expected the header \"MEPROPCK\")");
    }
    const auto version = get<std::uint32_t>(file, 8);
    if (version != kCheckpointVersion)
        throw CheckpointError(source + ": checkpoint format version " + std::to_string(version) + ", this build reads version " +
                              std::to_string(kCheckpointVersion) + " (resume it with the meprop that wrote it, or start the run again)");
    const auto crc = get<std::uint32_t>(file, 12);
    const auto size = get<std::uint64_t>(file, 16);
    if (size != file.size() - kCheckpointHeaderSize)
        throw CheckpointError(source + ": checkpoint truncated or padded: its header announces " + std::to_string(size) + " bytes of data, the file holds " +
                              std::to_string(file.size() - kCheckpointHeaderSize));
    const std::string_view payload = file.substr(kCheckpointHeaderSize);
    if (crcOf(payload) != crc) throw CheckpointError(source + ": checkpoint corrupt (checksum mismatch)");
    return payload;
}

}  // namespace meprop
