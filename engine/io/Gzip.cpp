#include "io/Gzip.h"

#include "core/Error.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace meprop {

bool isGzip(std::string_view bytes)
{
    return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f && static_cast<unsigned char>(bytes[1]) == 0x8b;
}

std::string gunzipIfGzip(std::string_view bytes, const std::string& name, std::size_t maxBytes)
{
    const auto tooLarge = [&] {
        return DatasetError(name + ": larger than the " + std::to_string(maxBytes >> 20) + " MiB expected at most");
    };
    if (!isGzip(bytes)) {
        if (bytes.size() > maxBytes) throw tooLarge();
        return std::string(bytes);
    }
    if (bytes.size() > std::numeric_limits<uInt>::max()) throw tooLarge();

    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw DatasetError(name + ": cannot initialise zlib");
    struct End {
        z_stream* s;
        ~End() { inflateEnd(s); }
    } end{&zs};
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    zs.avail_in = static_cast<uInt>(bytes.size());

    std::string out;
    std::size_t chunk = std::min<std::size_t>(std::max<std::size_t>(bytes.size() * 4, 1 << 16), 1 << 24);
    for (;;) {
        const std::size_t used = out.size();
        if (used >= maxBytes + 1) throw tooLarge();
        const std::size_t room = std::min(chunk, maxBytes + 1 - used);
        out.resize(used + room);
        zs.next_out = reinterpret_cast<Bytef*>(out.data() + used);
        zs.avail_out = static_cast<uInt>(room);
        const int ret = inflate(&zs, Z_NO_FLUSH);
        out.resize(used + (room - zs.avail_out));
        if (out.size() > maxBytes) throw tooLarge();
        if (ret == Z_STREAM_END) {
            // Another member follows (as `cat a.gz b.gz` makes): decode it too; anything else ends.
            const std::string_view rest(reinterpret_cast<const char*>(zs.next_in), zs.avail_in);
            if (!isGzip(rest)) break;
            if (inflateReset(&zs) != Z_OK) throw DatasetError(name + ": cannot reset zlib");
            continue;
        }
        if (ret == Z_OK) {
            chunk = std::min<std::size_t>(chunk * 2, 1 << 26);
            continue;
        }
        if (ret == Z_BUF_ERROR && zs.avail_in == 0) throw DatasetError(name + ": truncated gzip stream");
        throw DatasetError(name + ": corrupt gzip data (" + std::string(zs.msg ? zs.msg : "zlib error " + std::to_string(ret)) + ")");
    }
    return out;
}

}  // namespace meprop
