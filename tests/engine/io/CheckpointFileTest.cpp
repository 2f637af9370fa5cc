// io/CheckpointFile: the header guards the payload (magic, version, size, crc32).
#include "io/CheckpointFile.h"

#include "../TinyMnist.h"
#include "core/Error.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

using namespace meprop;
namespace fs = std::filesystem;

namespace {

std::string errorOf(std::string_view file)
{
    try {
        checkpointPayload(file, "run/checkpoint.bin");
    } catch (const CheckpointError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST(CheckpointFile, RoundTrip)
{
    const fs::path dir = test::tempDir("ckfile");
    const std::string path = (dir / "checkpoint.bin").string();
    const std::string payload("payload\0with zero", 17);
    writeCheckpointFile(path, payload);
    const std::string file = readFileBytes(path);
    EXPECT_EQ(file.size(), kCheckpointHeaderSize + payload.size());
    EXPECT_EQ(file.substr(0, 8), "MEPROPCK");
    EXPECT_EQ(checkpointPayload(file, path), payload);
    EXPECT_THROW(readFileBytes((dir / "missing").string()), IoError);
}

TEST(CheckpointFile, VersionMismatchIsAClearError)
{
    const fs::path dir = test::tempDir("ckfile-version");
    const std::string path = (dir / "checkpoint.bin").string();
    writeCheckpointFile(path, "x");
    std::string file = readFileBytes(path);
    const std::uint32_t other = kCheckpointVersion + 1;
    std::memcpy(file.data() + 8, &other, sizeof other);
    EXPECT_EQ(errorOf(file), "run/checkpoint.bin: checkpoint format version " + std::to_string(other) + ", this build reads version " +
                                 std::to_string(kCheckpointVersion) + " (resume it with the meprop that wrote it, or start the run again)");
}

TEST(CheckpointFile, CorruptionAndTruncationAreDetected)
{
    const fs::path dir = test::tempDir("ckfile-corrupt");
    const std::string path = (dir / "checkpoint.bin").string();
    writeCheckpointFile(path, std::string(1000, 'w'));
    const std::string file = readFileBytes(path);

    std::string flipped = file;
    flipped[kCheckpointHeaderSize + 500] ^= 0x01;
    EXPECT_NE(errorOf(flipped).find("checksum mismatch"), std::string::npos);

    EXPECT_NE(errorOf(file.substr(0, file.size() - 1)).find("truncated"), std::string::npos);
    EXPECT_NE(errorOf(file + "x").find("padded"), std::string::npos);
    EXPECT_NE(errorOf(file.substr(0, 12)).find("truncated checkpoint"), std::string::npos);
    EXPECT_NE(errorOf("{\"not\": \"a checkpoint\"}").find("not a meprop checkpoint"), std::string::npos);
    EXPECT_NE(errorOf("").find("not a meprop checkpoint"), std::string::npos);
    for (std::size_t cut = 0; cut < file.size(); cut += 37) EXPECT_NE(errorOf(file.substr(0, cut)), "no error") << cut;
}
