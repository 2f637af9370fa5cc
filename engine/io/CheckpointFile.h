#pragma once
// The checkpoint file: a fixed header, then the payload a CheckpointWriter produced.
//   offset  0  8 bytes  magic "MEPROPCK"
//           8  u32      format version (kCheckpointVersion)
//          12  u32      zlib crc32 of the payload
//          16  u64      payload size in bytes
//          24           payload
// Written atomically and durably (io/AtomicFile): after a crash the file is either the previous
// checkpoint or the new one. Reading checks everything before the payload is trusted: the magic,
// the version (a clear error for a checkpoint of an older or newer format), the size (truncation)
// and the checksum (corruption).
#include <cstdint>
#include <string>
#include <string_view>

namespace meprop {

// Version 1: payload = config JSON string, section "trainer", section "task" (train/Trainer.cpp).
// Version 2: Adam's section also holds the per-row step counts of the lazy variant (optim/Adam.h).
constexpr std::uint32_t kCheckpointVersion = 2;
constexpr std::size_t kCheckpointHeaderSize = 24;

// Header + payload. Throws IoError naming the path.
void writeCheckpointFile(const std::string& path, std::string_view payload);

// The whole file's bytes (IoError when it cannot be read).
std::string readFileBytes(const std::string& path);

// Checks the header of a checkpoint file's bytes and returns a view of the payload inside
// `file`. `source` (the path) starts every message. Throws CheckpointError.
std::string_view checkpointPayload(std::string_view file, const std::string& source);

}  // namespace meprop
