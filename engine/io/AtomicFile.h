#pragma once
// Atomic, durable file output. The content goes to a temporary file in the same folder,
// ".<name>.tmp-<pid>", which is written, fsync'ed and renamed over `path`; then the folder is
// fsync'ed so the rename itself survives a power cut. A reader (or a process killed at any point)
// sees either the earlier file or the complete new one, never a mix, and a failure leaves the
// earlier file intact. The temporary's leading dot hides it from listings and globs; a writer
// killed with SIGKILL leaves it behind, which removeTemporaries() cleans up.
#include <string>
#include <string_view>

namespace meprop {

// Throws IoError naming `path` and the system's reason on any failure (the temporary is removed).
void writeFileAtomic(const std::string& path, std::string_view content);

// fsync of a folder (after a rename or unlink in it). Throws IoError naming it.
void syncFolder(const std::string& dir);

// True when `name` (a file name, no folder) is a temporary of writeFileAtomic.
bool isAtomicTemporary(const std::string& name);

// Removes every temporary of writeFileAtomic in `dir` (not recursive) and returns how many. Only
// for a folder no other process is writing to (the trainer holds the run folder's lock).
int removeTemporaries(const std::string& dir);

}  // namespace meprop
