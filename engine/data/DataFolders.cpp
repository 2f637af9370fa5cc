#include "data/DataFolders.h"

#include "core/Error.h"
#include "data/Mnist.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <vector>

namespace meprop {

namespace {

namespace fs = std::filesystem;

bool hasMnistFiles(const std::string& dir)
{
    std::error_code ec;
    for (const std::string& f : mnistFileNames()) {
        const fs::path p = fs::path(dir) / f;
        if (!fs::exists(p, ec) && !fs::exists(fs::path(p.string() + ".gz"), ec)) return false;
    }
    return true;
}

}  // namespace

std::string defaultImageDataDir()
{
    if (const char* env = std::getenv("MEPROP_IMAGE_DATA"); env && *env) return env;
    for (const char* dir : {"/usr/share/datasets/fashion-mnist", "../shared/datasets/fashion-mnist", "../shared/datasets/mnist"})
        if (hasMnistFiles(dir)) return dir;
    throw DatasetError("data: no MNIST-format folder found (looked in $MEPROP_IMAGE_DATA, /usr/share/datasets/fashion-mnist, "
                       "../shared/datasets/{fashion-mnist,mnist}; install the Debian package dataset-fashion-mnist or set data "
                       "to a folder holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], "
                       "t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz])");
}

std::string defaultTextDataDir()
{
    if (const char* env = std::getenv("MEPROP_TEXT_DATA"); env && *env) return env;
    for (const char* dir : {"../shared/datasets/ud-english-ewt", "shared/datasets/ud-english-ewt"}) {
        std::error_code ec;
        if (fs::exists(fs::path(dir) / "en_ewt-ud-train.conllu", ec)) return dir;
    }
    throw DatasetError("data: no CoNLL-U folder found (looked in $MEPROP_TEXT_DATA and ../shared/datasets/ud-english-ewt); "
                       "set data to a folder holding *-train.conllu, *-dev.conllu and *-test.conllu, or set train_file, "
                       "dev_file and test_file");
}

std::string conlluSplitFile(const std::string& folder, const std::string& split)
{
    const fs::path dir(folder);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw DatasetError(folder + ": not a folder (data: expected a folder of CoNLL-U files)");
    const fs::path ewt = dir / ("en_ewt-ud-" + split + ".conllu");
    if (fs::exists(ewt, ec)) return ewt.string();
    const std::string tail = "-" + split + ".conllu";
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() > tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0)
            found.push_back(entry.path().string());
    }
    if (ec) throw DatasetError(folder + ": cannot list the folder (" + ec.message() + ")");
    if (found.empty())
        throw DatasetError(folder + ": no *" + tail + " file (expected e.g. en_ewt-ud" + tail + ", or set " + split + "_file)");
    if (found.size() > 1) {
        std::sort(found.begin(), found.end());
        std::string list;
        for (const auto& f : found) list += (list.empty() ? "" : ", ") + fs::path(f).filename().string();
        throw DatasetError(folder + ": several *" + tail + " files (" + list + "); set " + split + "_file to pick one");
    }
    return found.front();
}

}  // namespace meprop
