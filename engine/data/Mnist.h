#pragma once
// Loader for the MNIST file format (idx3 images, idx1 labels; raw or gzip), shared by MNIST,
// Fashion-MNIST and KMNIST. Pixels are scaled to [0, 1].
#include "core/Tensor.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meprop {

struct ImageSet {
    Matrix images;             // (count x rows*cols), row-major, values in [0, 1]
    std::vector<int> labels;   // count labels in [0, classes)
    int rows = 0, cols = 0;
    int classes = 10;
    long size() const { return static_cast<long>(labels.size()); }
};

struct MnistData {
    ImageSet train, dev, test;  // dev = first 5,000 training images (the paper), train = the rest
};

// Reads one idx file pair. Accepts "<path>" or "<path>.gz" (whichever exists). Throws DatasetError
// naming the file on: missing file, not gzip/corrupt gzip, wrong magic number, truncated data,
// header counts that do not match the file size, label count != image count, label >= 10.
// maxCount > 0 reads only the first maxCount examples.
ImageSet readIdxPair(const std::string& imagesPath, const std::string& labelsPath, long maxCount = 0);

// The same from the files' bytes in memory (each raw or gzip, told apart by the gzip magic);
// `imagesName` and `labelsName` name them in the messages. readIdxPair reads the files and calls this.
ImageSet parseIdxPair(std::string_view imagesBytes, const std::string& imagesName, std::string_view labelsBytes,
                      const std::string& labelsName, long maxCount = 0);

// Loads train-images-idx3-ubyte[.gz] etc. from `dir`. `limit` > 0 keeps the first `limit`
// training examples (after the dev split). `devSize` examples are split off the start of train.
MnistData loadMnist(const std::string& dir, long limit = 0, long devSize = 5000);

// The file names of the four files in a folder of the MNIST format.
const std::vector<std::string>& mnistFileNames();

}  // namespace meprop
