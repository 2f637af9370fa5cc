#pragma once
// Writes small data sets in the MNIST file format for tests: idx3 images + idx1 labels, plain or
// gzip. Images are 4x4: class c lights pixel c (and a little noise), so a model can learn them.
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace meprop::test {

inline std::vector<unsigned char> bigEndian32(std::uint32_t v)
{
    return {static_cast<unsigned char>(v >> 24), static_cast<unsigned char>(v >> 16), static_cast<unsigned char>(v >> 8),
            static_cast<unsigned char>(v)};
}

inline void writeBytes(const std::string& path, const std::vector<unsigned char>& bytes, bool gzip)
{
    if (gzip) {
        gzFile f = gzopen(path.c_str(), "wb");
        gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
        gzclose(f);
    } else {
        std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
}

struct TinyMnistBytes {
    std::vector<unsigned char> images, labels;
};

inline TinyMnistBytes makeTinyMnist(int count, int classes = 4, unsigned seed = 1)
{
    std::mt19937 rng(seed);
    TinyMnistBytes b;
    for (std::uint32_t v : {0x803u, static_cast<std::uint32_t>(count), 4u, 4u})
        for (unsigned char c : bigEndian32(v)) b.images.push_back(c);
    for (std::uint32_t v : {0x801u, static_cast<std::uint32_t>(count)})
        for (unsigned char c : bigEndian32(v)) b.labels.push_back(c);
    for (int i = 0; i < count; ++i) {
        const int label = static_cast<int>(rng() % static_cast<unsigned>(classes));
        for (int p = 0; p < 16; ++p) b.images.push_back(static_cast<unsigned char>(p == label ? 255 : rng() % 40));
        b.labels.push_back(static_cast<unsigned char>(label));
    }
    return b;
}

// A folder with the four files; train has `train` images, test `test`.
inline std::string writeTinyMnistDir(const std::string& dir, int train, int test, bool gzip = true)
{
    std::filesystem::create_directories(dir);
    const std::string ext = gzip ? ".gz" : "";
    const TinyMnistBytes tr = makeTinyMnist(train, 4, 1), te = makeTinyMnist(test, 4, 2);
    writeBytes(dir + "/train-images-idx3-ubyte" + ext, tr.images, gzip);
    writeBytes(dir + "/train-labels-idx1-ubyte" + ext, tr.labels, gzip);
    writeBytes(dir + "/t10k-images-idx3-ubyte" + ext, te.images, gzip);
    writeBytes(dir + "/t10k-labels-idx1-ubyte" + ext, te.labels, gzip);
    return dir;
}

inline std::string tempDir(const std::string& name)
{
    const auto p = std::filesystem::temp_directory_path() / ("meprop-test-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    return p.string();
}

}  // namespace meprop::test
