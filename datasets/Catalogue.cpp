#include "datasets/Catalogue.h"

#include "data/DataFolders.h"

#include "core/Error.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <system_error>

namespace fs = std::filesystem;

namespace meprop {

namespace {

std::vector<DatasetInfo> makeCatalogue()
{
    std::vector<DatasetInfo> c;

    // SHA-256 of the original files as published by TensorFlow Datasets and used by Keras; sizes
    // as listed by torchvision. The mirrors serve byte-identical copies of LeCun's files.
    c.push_back(DatasetInfo{
        "mnist",
        "image",
        "MNIST handwritten digits: 60,000 train + 10,000 test 28x28 grey images, 10 classes (idx, gzip)",
        "CC BY-SA 3.0 (Y. LeCun, C. Cortes)",
        "mnist",
        "",
        {"https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"},
        {
            {"train-images-idx3-ubyte.gz", 9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"},
            {"train-labels-idx1-ubyte.gz", 28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"},
            {"t10k-images-idx3-ubyte.gz", 1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"},
            {"t10k-labels-idx1-ubyte.gz", 4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"},
        },
    });

    // As installed by the Debian package dataset-fashion-mnist (measured with sha256sum).
    c.push_back(DatasetInfo{
        "fashion-mnist",
        "image",
        "Fashion-MNIST (Zalando): 60,000 train + 10,000 test 28x28 grey images of clothes, 10 classes, MNIST format",
        "MIT",
        "fashion-mnist",
        "/usr/share/datasets/fashion-mnist",
        {},
        {
            {"train-images-idx3-ubyte.gz", 26421856, "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7"},
            {"train-labels-idx1-ubyte.gz", 29491, "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"},
            {"t10k-images-idx3-ubyte.gz", 4422079, "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"},
            {"t10k-labels-idx1-ubyte.gz", 5125, "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"},
        },
    });

    // The copy in ../shared/datasets (UD v2.15; train rebuilt from the treebank's per-document
    // sources, dev and test byte-identical to the release), measured with sha256sum.
    c.push_back(DatasetInfo{
        "ud-english-ewt",
        "text",
        "Universal Dependencies English Web Treebank v2.15, CoNLL-U: POS tags (XPOS) and dependency trees",
        "CC BY-SA 4.0",
        "ud-english-ewt",
        "",
        {},
        {
            {"en_ewt-ud-train.conllu", 14203025, "3fb78e2b55482c8ee00caa653af436c88c9e5bc9a73ce26e4ae3ddc79d2b7e7b"},
            {"en_ewt-ud-dev.conllu", 1805545, "531a54ff90d6ab12201c5a50c3e78e6ddac4de69abc4bce5d275d3cd29efe2b6"},
            {"en_ewt-ud-test.conllu", 1804515, "e266e515a0a7547657ed3d90d9ba46487d6bd251f27ad4269d4e8a427c8555cd"},
        },
    });
    return c;
}

std::string toHex(const unsigned char* bytes, unsigned int n)
{
    static const char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * static_cast<std::size_t>(n));
    for (unsigned int i = 0; i < n; ++i) {
        hex.push_back(digits[bytes[i] >> 4]);
        hex.push_back(digits[bytes[i] & 0x0f]);
    }
    return hex;
}

struct MdCtxDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

MdCtx newSha256(const std::string& what)
{
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        throw DatasetError(what + ": cannot initialise SHA-256 (OpenSSL)");
    return ctx;
}

std::string finish(EVP_MD_CTX* ctx, const std::string& what)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx, digest, &n) != 1) throw DatasetError(what + ": SHA-256 failed (OpenSSL)");
    return toHex(digest, n);
}

bool holdsAllFiles(const fs::path& folder, const DatasetInfo& info)
{
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) return false;
    for (const DatasetFile& f : info.files)
        if (!fs::is_regular_file(folder / f.name, ec)) return false;
    return true;
}

// dir/shared/datasets/<folder> for dir and each of its ancestors.
void addSharedUnder(fs::path dir, const std::string& folder, std::vector<fs::path>& out)
{
    std::error_code ec;
    dir = fs::weakly_canonical(dir, ec);
    if (ec || dir.empty()) return;
    while (true) {
        out.push_back(dir / "shared" / "datasets" / folder);
        const fs::path parent = dir.parent_path();
        if (parent == dir || parent.empty()) break;
        dir = parent;
    }
}

}  // namespace

const std::vector<DatasetInfo>& datasetCatalogue()
{
    static const std::vector<DatasetInfo> catalogue = makeCatalogue();
    return catalogue;
}

const DatasetInfo& findDataset(const std::string& name)
{
    std::string known;
    for (const DatasetInfo& d : datasetCatalogue()) {
        if (d.name == name) return d;
        known += (known.empty() ? "" : ", ") + d.name;
    }
    throw DatasetError("dataset: unknown data set '" + name + "', expected one of " + known);
}

std::vector<std::string> datasetSearchFolders(const DatasetInfo& info, const std::string& userFolder)
{
    std::vector<fs::path> candidates;
    if (!userFolder.empty()) {
        candidates.emplace_back(userFolder);
        candidates.push_back(fs::path(userFolder) / info.folder);
    }
    if (const char* env = std::getenv("MEPROP_DATA"); env != nullptr && *env != '\0') {
        candidates.emplace_back(env);
        candidates.push_back(fs::path(env) / info.folder);
    }
    // The engine's locator: shared/datasets/<folder> above the working folder and the executable.
    for (const std::string& f : sharedDataFolders(info.folder)) candidates.emplace_back(f);
#ifdef MEPROP_SOURCE_DIR
    addSharedUnder(fs::path(MEPROP_SOURCE_DIR), info.folder, candidates);
#endif
    if (!info.systemPath.empty()) candidates.emplace_back(info.systemPath);

    std::vector<std::string> out;
    for (const fs::path& p : candidates) {
        const std::string s = p.lexically_normal().string();
        bool seen = false;
        for (const std::string& o : out) seen = seen || o == s;
        if (!seen) out.push_back(s);
    }
    return out;
}

std::string locateDataset(const DatasetInfo& info, const std::string& userFolder)
{
    const std::vector<std::string> folders = datasetSearchFolders(info, userFolder);
    for (const std::string& f : folders)
        if (holdsAllFiles(f, info)) return f;
    std::string files, searched;
    for (const DatasetFile& f : info.files) files += (files.empty() ? "" : ", ") + f.name;
    for (const std::string& f : folders) searched += (searched.empty() ? "" : ", ") + f;
    std::string hint;
    if (!info.mirrors.empty()) hint = "; it can be downloaded from " + info.mirrors.front();
    throw DatasetError("dataset " + info.name + ": no folder holds all of " + files + " (searched: " + searched +
                       "; set MEPROP_DATA or choose a folder" + hint + ")");
}

std::string locateDataset(const std::string& name, const std::string& userFolder)
{
    return locateDataset(findDataset(name), userFolder);
}

std::string sha256Hex(const void* data, std::size_t size)
{
    MdCtx ctx = newSha256("buffer");
    if (EVP_DigestUpdate(ctx.get(), data, size) != 1) throw DatasetError("buffer: SHA-256 failed (OpenSSL)");
    return finish(ctx.get(), "buffer");
}

std::string sha256File(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DatasetError(path + ": cannot open the file to compute its SHA-256");
    MdCtx ctx = newSha256(path);
    std::vector<char> buffer(1 << 16);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const std::streamsize got = in.gcount();
        if (got > 0 && EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(got)) != 1)
            throw DatasetError(path + ": SHA-256 failed (OpenSSL)");
    }
    if (in.bad()) throw DatasetError(path + ": read error while computing its SHA-256");
    return finish(ctx.get(), path);
}

void verifyDatasetFile(const std::string& path, const DatasetFile& file)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) throw DatasetError(path + ": missing (expected the data set file " + file.name + ")");
    if (file.size != 0) {
        const std::uintmax_t actual = fs::file_size(path, ec);
        if (ec) throw DatasetError(path + ": cannot read its size: " + ec.message());
        if (actual != file.size)
            throw DatasetError(path + ": size " + std::to_string(actual) + " bytes, expected " + std::to_string(file.size) +
                               " (incomplete or different file)");
    }
    if (!file.sha256.empty()) {
        const std::string actual = sha256File(path);
        if (actual != file.sha256)
            throw DatasetError(path + ": SHA-256 " + actual + ", expected " + file.sha256 + " (corrupt or different file)");
    }
}

void verifyDataset(const std::string& folder, const DatasetInfo& info)
{
    for (const DatasetFile& f : info.files) verifyDatasetFile((fs::path(folder) / f.name).string(), f);
}

}  // namespace meprop
