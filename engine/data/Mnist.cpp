#include "data/Mnist.h"

#include "core/Error.h"

#include "io/Gzip.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <fstream>

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

// The bytes of a whole file, as stored (gzip or not). Refuses a file beyond maxBytes before reading it.
std::string readFile(const std::string& path, std::size_t maxBytes)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DatasetError(path + ": cannot open");
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size < 0) throw DatasetError(path + ": cannot read");
    if (static_cast<std::uint64_t>(size) > maxBytes)
        throw DatasetError(path + ": larger than the " + std::to_string(maxBytes >> 20) + " MiB expected at most");
    std::string data(static_cast<std::size_t>(size), '\0');
    in.seekg(0);
    in.read(data.data(), size);
    if (in.gcount() != size) throw DatasetError(path + ": read error");
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
    return parseIdxPair(readFile(imagesPath, kMaxFile), imagesPath, readFile(labelsPath, kMaxFile), labelsPath, maxCount);
}

ImageSet parseIdxPair(std::string_view imagesBytes, const std::string& imagesPath, std::string_view labelsBytes,
                      const std::string& labelsPath, long maxCount)
{
    // Raw bytes are used where they lie; gzip is decoded into `*store`.
    const auto decoded = [](std::string_view bytes, const std::string& name, std::string* store) {
        if (!isGzip(bytes)) return bytes;
        *store = gunzipIfGzip(bytes, name, kMaxFile);
        return std::string_view(*store);
    };
    std::string imgStore, labStore;
    const std::string_view img = decoded(imagesBytes, imagesPath, &imgStore);
    const std::string_view lab = decoded(labelsBytes, labelsPath, &labStore);
    const auto* imgData = reinterpret_cast<const unsigned char*>(img.data());
    const auto* labData = reinterpret_cast<const unsigned char*>(lab.data());

    if (img.size() < 16) throw DatasetError(imagesPath + ": " + std::to_string(img.size()) + " bytes, too short for an idx3 header (16 bytes)");
    if (bigEndian(imgData) != 0x00000803)
        throw DatasetError(imagesPath + ": wrong magic number (expected 0x00000803 for idx3 unsigned-byte images)");
    const std::uint64_t count = bigEndian(imgData + 4), rows = bigEndian(imgData + 8), cols = bigEndian(imgData + 12);
    if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096)
        throw DatasetError(imagesPath + ": image size " + std::to_string(rows) + "x" + std::to_string(cols) + " is out of range");
    const std::uint64_t expected = 16 + count * rows * cols;
    if (img.size() != expected)
        throw DatasetError(imagesPath + ": header says " + std::to_string(count) + " images of " + std::to_string(rows) + "x" +
                           std::to_string(cols) + " (" + std::to_string(expected) + " bytes) but the data has " +
                           std::to_string(img.size()) + " bytes");

    if (lab.size() < 8) throw DatasetError(labelsPath + ": " + std::to_string(lab.size()) + " bytes, too short for an idx1 header (8 bytes)");
    if (bigEndian(labData) != 0x00000801)
        throw DatasetError(labelsPath + ": wrong magic number (expected 0x00000801 for idx1 unsigned-byte labels)");
    const std::uint64_t labelCount = bigEndian(labData + 4);
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
    const unsigned char* px = imgData + 16;
    for (Eigen::Index i = 0; i < set.images.size(); ++i) set.images.data()[i] = static_cast<float>(px[i]) * (1.0f / 255.0f);
    set.labels.resize(n);
    for (std::uint64_t i = 0; i < n; ++i) {
        const int l = labData[8 + i];
        if (l > 9) throw DatasetError(labelsPath + ": label " + std::to_string(l) + " of example " + std::to_string(i) + " is not a class 0-9");
        set.labels[i] = l;
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
