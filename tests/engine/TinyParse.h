#pragma once
// The tiny parsing data set of the tests (tests/data/parse: a few CoNLL-U sentences) and a small
// parser over it, shared by the CPU and GPU parse-task tests.
#include "tasks/ParseTask.h"

#include <string>

namespace meprop::test {

inline std::string parseDataFile(const std::string& name) { return std::string(MEPROP_TEST_DATA_DIR) + "/parse/" + name; }

// Embeddings of 8, one hidden layer of 32, Adam 0.01, every training word in the vocabulary.
inline ParseSettings tinyParseSettings(Device device = Device::Cpu)
{
    ParseSettings s;
    s.trainFile = parseDataFile("train.conllu");
    s.devFile = parseDataFile("dev.conllu");
    s.testFile = parseDataFile("test.conllu");
    s.minWordCount = 1;
    s.model.embedDim = 8;
    s.model.hidden = 32;
    s.model.embedInit = 0.1f;
    s.optimizer.kind = "adam";
    s.optimizer.lr = 0.01f;
    s.device = device;
    return s;
}

}  // namespace meprop::test
