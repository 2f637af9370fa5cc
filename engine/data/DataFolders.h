#pragma once
// Where the data sets are found when the config leaves "data" empty, and how a CoNLL-U folder's
// train/dev/test files are picked. The one data locator of the engine, the CLI and the workbench
// (datasets/Catalogue builds its search list on sharedDataFolders() too), so that a data set is
// found the same way wherever a program is started from. These functions only look for files;
// the catalogue in datasets/ (sizes, SHA-256, mirrors) verifies and downloads.
#include <string>
#include <vector>

namespace meprop {

// <dir>/shared/datasets/<folder> for the working directory and each of its ancestors, then for the
// executable's directory and each of its ancestors (duplicates removed, existing or not).
std::vector<std::string> sharedDataFolders(const std::string& folder);

// Every folder looked at for an MNIST-format data set, in order: $MEPROP_IMAGE_DATA,
// $MEPROP_DATA/{fashion-mnist,mnist}, /usr/share/datasets/fashion-mnist (Debian package
// dataset-fashion-mnist), then sharedDataFolders("fashion-mnist") and sharedDataFolders("mnist").
std::vector<std::string> imageDataCandidates();
// The candidates that hold the four MNIST-format files (raw or .gz).
std::vector<std::string> findImageDataFolders();
// True when `dir` holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte (each raw or .gz).
bool holdsImageData(const std::string& dir);

// Every folder looked at for the CoNLL-U treebank (UD English EWT): $MEPROP_TEXT_DATA,
// $MEPROP_DATA/ud-english-ewt, then sharedDataFolders("ud-english-ewt").
std::vector<std::string> textDataCandidates();
// The candidates that hold en_ewt-ud-train.conllu ($MEPROP_TEXT_DATA is taken as it is).
std::vector<std::string> findTextDataFolders();

// The first of findImageDataFolders(). Throws DatasetError saying where it looked.
std::string defaultImageDataDir();
// The first of findTextDataFolders(). Throws DatasetError saying where it looked.
std::string defaultTextDataDir();

// The CoNLL-U file of `split` ("train", "dev" or "test") in `folder`: en_ewt-ud-<split>.conllu, else
// the single file named *-<split>.conllu. Throws DatasetError when the folder is missing, holds no
// such file, or several (naming them, and the <split>_file key that picks one).
std::string conlluSplitFile(const std::string& folder, const std::string& split);

}  // namespace meprop
