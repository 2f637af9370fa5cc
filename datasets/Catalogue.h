#pragma once
// The data sets meProp Workbench knows: what files make them up (names, sizes, SHA-256), where a
// copy is looked for, where it can be downloaded from, and the checks that a found copy is the
// expected one. Qt-free; the workbench and the CLI share it.
#include <cstdint>
#include <string>
#include <vector>

namespace meprop {

struct DatasetFile {
    std::string name;       // file name inside the data set's folder
    std::uint64_t size = 0;  // bytes; 0 = unknown (not checked)
    std::string sha256;     // lowercase hex; empty = unknown (the reader checks the format only)
};

struct DatasetInfo {
    std::string name;         // catalogue key: "mnist", "fashion-mnist", "ud-english-ewt"
    std::string task;         // the task that reads it: "image" or "text" (POS tagging, parsing)
    std::string description;  // one line for people
    std::string licence;
    std::string folder;       // the folder name under a data root (MEPROP_DATA, ../shared/datasets)
    std::string systemPath;   // where a system package installs it (Debian), or empty
    std::vector<std::string> mirrors;  // base URLs, each + file name gives a download; empty: none
    std::vector<DatasetFile> files;
};

// All known data sets, in display order.
const std::vector<DatasetInfo>& datasetCatalogue();
// The entry called `name`. Throws DatasetError listing the known names when there is none.
const DatasetInfo& findDataset(const std::string& name);

// The folders where `info` is looked for, in order, without duplicates, whether or not they exist:
//   1. userFolder and userFolder/<folder> (when userFolder is not empty)
//   2. $MEPROP_DATA and $MEPROP_DATA/<folder> (when set)
//   3. <dir>/shared/datasets/<folder> for the working directory and its ancestors, then for the
//      executable's directory and its ancestors, then for the source tree's (that is
//      ../shared/datasets/<folder> seen from a checkout or a build folder)
//   4. info.systemPath
std::vector<std::string> datasetSearchFolders(const DatasetInfo& info, const std::string& userFolder = "");

// The first search folder that holds every file of `info` (existence only; see verifyDataset).
// Throws DatasetError naming the data set and the folders searched when none does.
std::string locateDataset(const DatasetInfo& info, const std::string& userFolder = "");
std::string locateDataset(const std::string& name, const std::string& userFolder = "");

// Checks the file at `path` against `file`: its size, then its SHA-256 (each only when known).
// Throws DatasetError naming the path with the expected and actual size or digest, or saying
// that the file cannot be read.
void verifyDatasetFile(const std::string& path, const DatasetFile& file);
// verifyDatasetFile for every file of `info` inside `folder`.
void verifyDataset(const std::string& folder, const DatasetInfo& info);

// Lowercase hex SHA-256 of a file's bytes (OpenSSL libcrypto). Throws DatasetError naming the
// path when it cannot be opened or read.
std::string sha256File(const std::string& path);
// Lowercase hex SHA-256 of a buffer.
std::string sha256Hex(const void* data, std::size_t size);

}  // namespace meprop
