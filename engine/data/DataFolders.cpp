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

void addUnique(std::vector<std::string>& out, const std::string& path)
{
    if (path.empty()) return;
    for (const std::string& o : out)
        if (o == path) return;
    out.push_back(path);
}

// dir/shared/datasets/<folder> for dir and each of its ancestors.
void addSharedUnder(fs::path dir, const std::string& folder, std::vector<std::string>& out)
{
    std::error_code ec;
    dir = fs::weakly_canonical(dir, ec);
    if (ec || dir.empty()) return;
    while (true) {
        addUnique(out, (dir / "shared" / "datasets" / folder).lexically_normal().string());
        const fs::path parent = dir.parent_path();
        if (parent == dir || parent.empty()) break;
        dir = parent;
    }
}

fs::path executableDir()
{
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : exe.parent_path();
}

std::string env(const char* name)
{
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : std::string();
}

std::string joined(const std::vector<std::string>& list)
{
    std::string s;
    for (const std::string& l : list) s += (s.empty() ? "" : ", ") + l;
    return s;
}

}  // namespace

std::vector<std::string> sharedDataFolders(const std::string& folder)
{
    std::vector<std::string> out;
    std::error_code ec;
    const fs::path cwd = fs::current_path(ec);
    if (!ec) addSharedUnder(cwd, folder, out);
    if (const fs::path exe = executableDir(); !exe.empty()) addSharedUnder(exe, folder, out);
    return out;
}

bool holdsImageData(const std::string& dir)
{
    std::error_code ec;
    if (dir.empty() || !fs::is_directory(dir, ec)) return false;
    for (const std::string& f : mnistFileNames()) {
        const fs::path p = fs::path(dir) / f;
        if (!fs::exists(p, ec) && !fs::exists(fs::path(p.string() + ".gz"), ec)) return false;
    }
    return true;
}

std::vector<std::string> imageDataCandidates()
{
    std::vector<std::string> out;
    addUnique(out, env("MEPROP_IMAGE_DATA"));
    if (const std::string root = env("MEPROP_DATA"); !root.empty()) {
        addUnique(out, (fs::path(root) / "fashion-mnist").string());
        addUnique(out, (fs::path(root) / "mnist").string());
    }
    addUnique(out, "/usr/share/datasets/fashion-mnist");
    for (const char* name : {"fashion-mnist", "mnist"})
        for (const std::string& f : sharedDataFolders(name)) addUnique(out, f);
    return out;
}

std::vector<std::string> findImageDataFolders()
{
    std::vector<std::string> out;
    for (const std::string& c : imageDataCandidates())
        if (holdsImageData(c)) out.push_back(c);
    return out;
}

std::vector<std::string> textDataCandidates()
{
    std::vector<std::string> out;
    addUnique(out, env("MEPROP_TEXT_DATA"));
    if (const std::string root = env("MEPROP_DATA"); !root.empty()) addUnique(out, (fs::path(root) / "ud-english-ewt").string());
    for (const std::string& f : sharedDataFolders("ud-english-ewt")) addUnique(out, f);
    return out;
}

std::vector<std::string> findTextDataFolders()
{
    std::vector<std::string> out;
    const std::string fromEnv = env("MEPROP_TEXT_DATA");
    for (const std::string& c : textDataCandidates()) {
        std::error_code ec;
        if (c == fromEnv || fs::exists(fs::path(c) / "en_ewt-ud-train.conllu", ec)) out.push_back(c);
    }
    return out;
}

std::string defaultImageDataDir()
{
    const std::vector<std::string> found = findImageDataFolders();
    if (!found.empty()) return found.front();
    throw DatasetError("data: no MNIST-format folder found (looked in $MEPROP_IMAGE_DATA, " + joined(imageDataCandidates()) +
                       "; install the Debian package dataset-fashion-mnist or set data to a folder holding "
                       "train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], "
                       "t10k-labels-idx1-ubyte[.gz])");
}

std::string defaultTextDataDir()
{
    const std::vector<std::string> found = findTextDataFolders();
    if (!found.empty()) return found.front();
    throw DatasetError("data: no CoNLL-U folder found (looked in $MEPROP_TEXT_DATA, " + joined(textDataCandidates()) +
                       "); set data to a folder holding *-train.conllu, *-dev.conllu and *-test.conllu, or set train_file, "
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
