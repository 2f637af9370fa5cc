#pragma once
// gzip decoding in memory (zlib), for readers that accept a file "raw or gzip".
#include <cstddef>
#include <string>
#include <string_view>

namespace meprop {

// True when `bytes` start with the gzip magic number (1f 8b).
bool isGzip(std::string_view bytes);

// `bytes` decompressed when they are gzip (every member of a multi-member stream; anything after the
// last member that is not another member is ignored, as zlib's gzread does), else `bytes` as they
// are. Throws DatasetError "<name>: ..." on corrupt or truncated gzip data and when the result would
// exceed `maxBytes` (so a corrupt or hostile file cannot make us allocate without bound).
std::string gunzipIfGzip(std::string_view bytes, const std::string& name, std::size_t maxBytes);

}  // namespace meprop
