#pragma once
// The in-memory image data set of the `checkpoint` fuzz target, shared with the test that writes
// its seed checkpoints (tests/engine/train/RunCheckpointTest.cpp): 4x4 images, 10 classes as the
// MNIST reader reports, 30 training examples, so a checkpoint of a task over it loads in the target.
#include "data/Mnist.h"

namespace meprop::fuzz {

inline MnistData tinyImageData()
{
    auto set = [](long n, int salt) {
        ImageSet s;
        s.rows = s.cols = 4;
        s.classes = 10;
        s.images = Matrix::Zero(n, 16);
        for (long i = 0; i < n; ++i) {
            const int label = static_cast<int>((i * 7 + salt) % 10);
            s.labels.push_back(label);
            s.images(i, label) = 1.0f;
            s.images(i, 10 + (i % 6)) = 0.25f;
        }
        return s;
    };
    return {set(30, 0), set(10, 1), set(10, 2)};
}

}  // namespace meprop::fuzz
