#pragma once
// Writes a tiny, learnable data set in the MNIST file format (idx3 images, idx1 labels, raw, big
// endian) for the app tests: class c lights a 7x7 block at a position of its own, plus noise.
#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>

#include <cstdint>
#include <random>

namespace meprop::test {

inline void putBe32(QByteArray& b, std::uint32_t v)
{
    for (int s = 24; s >= 0; s -= 8) b.append(char((v >> s) & 0xff));
}

inline bool writeIdxPair(const QString& images, const QString& labels, int count, unsigned seed)
{
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> noise(0, 60), cls(0, 9);
    QByteArray img, lab;
    putBe32(img, 0x00000803);
    putBe32(img, std::uint32_t(count));
    putBe32(img, 28);
    putBe32(img, 28);
    putBe32(lab, 0x00000801);
    putBe32(lab, std::uint32_t(count));
    for (int i = 0; i < count; ++i) {
        const int c = cls(rng);
        lab.append(char(c));
        const int r0 = 2 + (c / 5) * 12, c0 = 1 + (c % 5) * 5;
        for (int r = 0; r < 28; ++r)
            for (int col = 0; col < 28; ++col) {
                const bool on = r >= r0 && r < r0 + 7 && col >= c0 && col < c0 + 5;
                img.append(char(on ? 200 + noise(rng) / 2 : noise(rng)));
            }
    }
    QFile fi(images), fl(labels);
    if (!fi.open(QIODevice::WriteOnly) || !fl.open(QIODevice::WriteOnly)) return false;
    return fi.write(img) == img.size() && fl.write(lab) == lab.size();
}

// Creates the four files in `dir` (train: `trainCount` images, test: `testCount`).
inline bool writeTinyMnist(const QString& dir, int trainCount = 200, int testCount = 60)
{
    QDir().mkpath(dir);
    const QDir d(dir);
    return writeIdxPair(d.filePath("train-images-idx3-ubyte"), d.filePath("train-labels-idx1-ubyte"), trainCount, 1) &&
           writeIdxPair(d.filePath("t10k-images-idx3-ubyte"), d.filePath("t10k-labels-idx1-ubyte"), testCount, 2);
}

}  // namespace meprop::test
