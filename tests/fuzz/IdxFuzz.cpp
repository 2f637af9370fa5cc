// Fuzz target `idx`: the MNIST-format reader (data/Mnist.*: idx3 images + idx1 labels, raw or gzip).
// Input: a flags byte, a maxCount byte, the images file (length-prefixed, FuzzSupport.h), the labels
// file (the rest). Flag bits 0/1 gzip the images/labels part first (so the idx structure is fuzzed
// behind a valid gzip stream too); unflagged parts are read as they are, gzip or raw.
#include "FuzzSupport.h"

#include "core/Error.h"
#include "data/Mnist.h"

#include <zlib.h>

#include <cmath>

namespace {

std::string gzip(std::string_view raw)
{
    z_stream zs{};
    deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&zs, static_cast<uLong>(raw.size())) + 32, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
    zs.avail_in = static_cast<uInt>(raw.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int ret = deflate(&zs, Z_FINISH);
    meprop::fuzz::require(ret == Z_STREAM_END, "test harness: deflate failed");
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace meprop;
    fuzz::Input in(data, size);
    const std::uint8_t flags = in.byte();
    const long maxCount = in.byte() % 8;  // 0 = all
    std::string images(in.part()), labels(in.rest());
    if (flags & 1) images = gzip(images);
    if (flags & 2) labels = gzip(labels);
    try {
        const ImageSet set = parseIdxPair(images, "images.idx3", labels, "labels.idx1", maxCount);
        fuzz::require(set.size() > 0, "an empty set was accepted");
        fuzz::require(maxCount == 0 || set.size() <= maxCount, "more than maxCount examples");
        fuzz::require(set.images.rows() == set.size(), "images and labels disagree in count");
        fuzz::require(set.images.cols() == static_cast<Eigen::Index>(set.rows) * set.cols, "image size mismatch");
        for (const int l : set.labels) fuzz::require(l >= 0 && l < set.classes, "label out of range");
        for (Eigen::Index i = 0; i < set.images.size(); ++i) {
            const float v = set.images.data()[i];
            fuzz::require(v >= 0.0f && v <= 1.0f, "pixel outside [0, 1]");
        }
    } catch (const DatasetError& e) {
        const std::string m = e.what();
        fuzz::requireClearMessage(m);
        fuzz::require(m.find("images.idx3") != std::string::npos || m.find("labels.idx1") != std::string::npos,
                      "error message names neither file", m);
    }
    return 0;
}
