#pragma once
// A run's output folder and the rules that keep the results in it safe.
//
// - Lock: the folder is flock'ed for the whole run (released by the kernel when the process dies,
//   even by SIGKILL), so two runs never write one folder; a second one gets a clear IoError.
// - Temporaries of io/AtomicFile left by a writer killed mid-write are removed when a run starts.
// - Results: a folder holding a finished run (summary.json) or a resumable one (checkpoint.bin)
//   is refused unless overwrite or resume is asked for.
// - Overwrite is not destructive until the new run has finished: the new run is written to a
//   staging folder beside the old one, "<parent>/.<name>.overwrite" (marked by a ".meprop-staged"
//   file), and commit() swaps the two folders with one atomic rename (renameat2 RENAME_EXCHANGE),
//   then deletes the old one. A reader sees the complete old run or the complete new one at every
//   moment; a failed, cancelled or killed overwrite leaves the old run untouched. A later start
//   finishes the cleanup of an interrupted commit (the marker tells the staged run from the old
//   one) and `--resume` continues an interrupted staged overwrite.
// - commit() also removes the checkpoint of the finished run: summary.json marks a finished run,
//   checkpoint.bin without it a resumable one.
#include <string>

namespace meprop {

class RunFolder {
public:
    enum class Mode {
        Fresh,      // refuse a folder with results
        Overwrite,  // replace its results once the new run has finished
        Resume,     // continue from its checkpoint (or from a staged overwrite's)
    };
    static constexpr const char* kCheckpoint = "checkpoint.bin";
    static constexpr const char* kSummary = "summary.json";

    // Opens `dir` for a run (creating it for Fresh and Overwrite), locks it, repairs what a killed
    // earlier run left and chooses where this run writes. Throws IoError: the folder cannot be
    // created or is locked by another run, holds results (Fresh), or has nothing to resume (Resume).
    RunFolder(const std::string& dir, Mode mode);
    ~RunFolder();
    RunFolder(const RunFolder&) = delete;
    RunFolder& operator=(const RunFolder&) = delete;

    const std::string& dir() const { return m_dir; }
    // Where this run writes: dir(), or the staging folder of an overwrite.
    const std::string& workDir() const { return m_work; }
    std::string file(const char* name) const;
    bool staged() const { return m_staged; }

    // The run in workDir() is complete (summary.json written): makes it the folder's content and
    // removes its checkpoint. Throws IoError when the swap fails (the staged run stays where it is).
    void commit();

    // The checkpoint `--resume dir` would continue from, or "" when there is none. Reads only.
    static std::string resumableCheckpoint(const std::string& dir);
    // The staging folder of an overwrite of `dir`.
    static std::string stagingFolder(const std::string& dir);
    // Finishes what a run killed in `dir` left (an interrupted commit, a staged run killed before
    // its first checkpoint, temporaries are left to the next run); does nothing while another run
    // holds the folder. The constructor does the same. Throws IoError when a removal fails.
    static void repair(const std::string& dir);

private:
    static void restoreCutFallback(const std::string& dir, const std::string& stage);
    // Under the folder's lock; returns whether the staging folder holds a resumable staged run
    // (then locked in stageLock).
    static bool repairLocked(const std::string& dir, const std::string& stage, int& stageLock);

    std::string m_dir, m_work, m_stage;
    bool m_staged = false;
    int m_dirLock = -1, m_stageLock = -1;
};

}  // namespace meprop
