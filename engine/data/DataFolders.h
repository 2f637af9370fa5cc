#pragma once
// Where the tasks find their data when the config leaves "data" empty, and how a CoNLL-U folder's
// train/dev/test files are picked. One place for the image, POS and parsing tasks (CPU and GPU).
// The catalogue in datasets/ (sizes, SHA-256, mirrors) is what the workbench uses to verify and
// download; these functions only look for the files.
#include <string>

namespace meprop {

// $MEPROP_IMAGE_DATA, else the first of /usr/share/datasets/fashion-mnist (Debian package
// dataset-fashion-mnist), ../shared/datasets/fashion-mnist, ../shared/datasets/mnist that holds the
// four MNIST-format files (raw or .gz). Throws DatasetError saying where it looked.
std::string defaultImageDataDir();

// $MEPROP_TEXT_DATA, else the first of ../shared/datasets/ud-english-ewt, shared/datasets/ud-english-ewt
// that holds en_ewt-ud-train.conllu. Throws DatasetError saying where it looked.
std::string defaultTextDataDir();

// The CoNLL-U file of `split` ("train", "dev" or "test") in `folder`: en_ewt-ud-<split>.conllu, else
// the single file named *-<split>.conllu. Throws DatasetError when the folder is missing, holds no
// such file, or several (naming them, and the <split>_file key that picks one).
std::string conlluSplitFile(const std::string& folder, const std::string& split);

}  // namespace meprop
