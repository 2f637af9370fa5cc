#include "data/Mnist.h"

#include "core/Error.h"

#include <sys/stat.h>
#include <zlib.h>

#include <cstring>
#include <memory>

namespace meprop {

namespace {

bool fileExists(const std::string& p)
{
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string resolve(const std::string& path)
{
    if (fileExists(path)) return path;
    if (fileExists(path + ".gz")) return path + ".gz";
    throw DatasetError(path + "[.gz]: file not found");
}

// Reads a whole file, gunzipping it when it is gzip (zlib reads plain files transparently).
// Stops with an error beyond maxBytes so a corrupt header cannot make us allocate without bound.
std::vector<unsigned char> readAll(const std::string& path, std::size_t maxBytes)
{
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw DatasetError(path + ": cannot open");
    std::unique_ptr<gzFile_s, int (*)(gzFile)> guard(f, gzclose);
    gzbuffer(f, 1 << 17);
    std::vector<unsigned char> data;
    std::vector<unsigned char> chunk(1 << 20);
    for (;;) {
        const int n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()));
        if (n < 0) {
            int err = 0;
            const char* msg = gzerror(f, &err);
            throw DatasetError(path + ": corrupt or truncated gzip data (" + std::string(msg ? msg : "?") + ")");
        }
        if (n == 0) break;
        data.insert(data.end(), chunk.begin(), chunk.begin() + n);
        if (data.size() > maxBytes) throw DatasetError(path + ": larger than the " + std::to_string(maxBytes >> 20) + " MiB expected at most");
    }
    // A gzip stream cut short reads as a clean EOF with Z_BUF_ERROR set.
    int err = 0;
    gzerror(f, &err);
    if (err != Z_OK && err != Z_STREAM_END) throw DatasetError(path + ": truncated gzip stream");
    return data;
}

std::uint32_t bigEndian(const unsigned char* p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}

constexpr std::size_t kMaxFile = std::size_t(1) << 31;

}  // namespace

const std::vector<std::string>& mnistFileNames()
{
    static const std::vector<std::string> names{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                                                "t10k-labels-idx1-ubyte"};
    return names;
}

ImageSet readIdxPair(const std::string& imagesPathIn, const std::string& labelsPathIn, long maxCount)
{
    const std::string imagesPath = resolve(imagesPathIn);
    const std::string labelsPath = resolve(labelsPathIn);
    const std::vector<unsigned char> img = readAll(imagesPath, kMaxFile);
    const std::vector<unsigned char> lab = readAll(labelsPath, kMaxFile);

    if (img.size() < 16) throw DatasetError(imagesPath + ": " + std::to_string(img.size()) + " bytes, too short for an idx3 header (16 bytes)");
    if (bigEndian(img.data()) != 0x00000803)
        throw DatasetError(imagesPath + ": wrong magic number (expected 0x00000803 for idx3 unsigned-byte images)");
    const std::uint64_t count = bigEndian(img.data() + 4), rows = bigEndian(img.data() + 8), cols = bigEndian(img.data() + 12);
    if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096)
        throw DatasetError(imagesPath + ": image size " + std::to_string(rows) + "x" + std::to_string(cols) + " is out of range");
    const std::uint64_t expected = 16 + count * rows * cols;
    if (img.size() != expected)
        throw DatasetError(imagesPath + ": header says " + std::to_string(count) + " images of " + std::to_string(rows) + "x" +
                           std::to_string(cols) + " (" + std::to_string(expected) + " bytes) but the data has " +
                           std::to_string(img.size()) + " bytes");

    if (lab.size() < 8) throw DatasetError(labelsPath + ": " + std::to_string(lab.size()) + " bytes, too short for an idx1 header (8 bytes)");
    if (bigEndian(lab.data()) != 0x00000801)
        throw DatasetError(labelsPath + ": wrong magic number (expected 0x00000801 for idx1 unsigned-byte labels)");
    const std::uint64_t labelCount = bigEndian(lab.data() + 4);
    if (lab.size() != 8 + labelCount)
        throw DatasetError(labelsPath + ": header says " + std::to_string(labelCount) + " labels but the data has " +
                           std::to_string(lab.size() - 8) + " bytes of labels");
    if (labelCount != count)
        throw DatasetError(labelsPath + ": " + std::to_string(labelCount) + " labels for " + std::to_string(count) + " images in " + imagesPath);
    if (count == 0) throw DatasetError(imagesPath + ": holds no images");

    const std::uint64_t n = (maxCount > 0 && static_cast<std::uint64_t>(maxCount) < count) ? static_cast<std::uint64_t>(maxCount) : count;
    ImageSet set;
    set.rows = static_cast<int>(rows);
    set.cols = static_cast<int>(cols);
    const Eigen::Index dim = static_cast<Eigen::Index>(rows * cols);
    set.images.resize(static_cast<Eigen::Index>(n), dim);
    const unsigned char* px = img.data() + 16;
    for (Eigen::Index i = 0; i < set.images.size(); ++i) set.images.data()[i] = static_cast<float>(px[i]) * (1.0f / 255.0f);
    set.labels.resize(n);
    int maxLabel = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        const int l = lab[8 + i];
        if (l > 9) throw DatasetError(labelsPath + ": label " + std::to_string(l) + " of example " + std::to_string(i) + " is not a class 0-9");
        set.labels[i] = l;
        maxLabel = std::max(maxLabel, l);
    }
    set.classes = 10;
    return set;
}

MnistData loadMnist(const std::string& dir, long limit, long devSize)
{
    const auto& names = mnistFileNames();
    const std::string base = dir.empty() || dir.back() == '/' ? dir : dir + "/";
    MnistData d;
    // Dev comes off the start of train, so read dev + limit training images when limited.
    const long needTrain = limit > 0 ? devSize + limit : 0;
    ImageSet all = readIdxPair(base + names[0], base + names[1], needTrain);
    d.test = readIdxPair(base + names[2], base + names[3]);
    if (all.size() <= devSize)
        throw DatasetError(base + names[0] + ": " + std::to_string(all.size()) + " training images, need more than dev_size = " +
                           std::to_string(devSize));
    if (all.images.cols() != d.test.images.cols())
        throw DatasetError(base + names[2] + ": test images are " + std::to_string(d.test.rows) + "x" + std::to_string(d.test.cols) +
                           ", training images " + std::to_string(all.rows) + "x" + std::to_string(all.cols));
    auto slice = [&](long from, long count) {
        ImageSet s;
        s.rows = all.rows;
        s.cols = all.cols;
        s.classes = all.classes;
        s.images = all.images.middleRows(from, count);
        s.labels.assign(all.labels.begin() + from, all.labels.begin() + from + count);
        return s;
    };
    d.dev = slice(0, devSize);
    d.train = slice(devSize, all.size() - devSize);
    return d;
}

}  // namespace meprop
