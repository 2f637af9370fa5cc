#include "reproduce/Slurm.h"

#include "core/Error.h"
#include "io/AtomicFile.h"
#include "reproduce/Runner.h"
#include "reproduce/Shell.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace meprop::reproduce {

namespace {

namespace fs = std::filesystem;

std::string hms(double seconds, long floor = 60)
{
    const long s = std::max(floor, std::lround(seconds));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    return buf;
}

void writeScript(const fs::path& p, const std::string& content)
{
    writeFileAtomic(p.string(), content);
    std::error_code ec;
    fs::permissions(p, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec, fs::perm_options::add, ec);
}

}  // namespace


SlurmFiles emitSlurm(const Plan& plan, const std::string& dir, const SlurmOptions& o)
{
    const fs::path root = fs::absolute(dir), slurm = root / "slurm";
    std::error_code ec;
    fs::create_directories(slurm / "logs", ec);
    fs::create_directories(root / "runs", ec);
    if (ec) throw IoError(slurm.string() + ": cannot create folder (" + ec.message() + ")");

    double longest = 0.0;
    int cpus = 1;
    for (const PlannedRun& r : plan.runs) {
        longest = std::max(longest, r.estimatedSeconds);
        cpus = std::max(cpus, static_cast<int>(r.config.value("threads", 1)));
    }
    const int n = static_cast<int>(plan.runs.size());
    std::string a;
    a += "#!/bin/bash\n";
    a += "# meprop reproduce as a Slurm job array: task i runs the plan's run i into " + (root / "runs").string() + "/<run>/.\n";
    a += "# Submit with submit.sh (adds the collect step), or: sbatch reproduce.sbatch; by hand: SLURM_ARRAY_TASK_ID=i bash reproduce.sbatch\n";
    a += "#SBATCH --job-name=" + o.jobName + "\n";
    a += "#SBATCH --array=0-" + std::to_string(std::max(0, n - 1)) + "\n";
    a += "#SBATCH --ntasks=1\n";
    a += "#SBATCH --cpus-per-task=" + std::to_string(cpus) + "\n";
    a += "#SBATCH --time=" + hms(3.0 * longest + 600.0) + "\n";
    a += "#SBATCH --output=" + (slurm / "logs" / "run-%A_%a.out").string() + "\n";
    a += "set -euo pipefail\n";
    a += "MEPROP=${MEPROP:-" + shellQuote(o.meprop) + "}\n";
    a += "RUNS=" + shellQuote((root / "runs").string()) + "\n";
    a += "task=${SLURM_ARRAY_TASK_ID:?SLURM_ARRAY_TASK_ID is not set (sbatch sets it; by hand: SLURM_ARRAY_TASK_ID=i bash $0)}\n";
    a += "# A failed run leaves reproduce.json with status failed, as `meprop reproduce` does, so --collect reports it.\n";
    a += "fail() { printf '{\"status\": \"failed\", \"error\": \"%s exited with status %d (see the Slurm log)\"}\\n' \"$2\" \"$3\" > \"$RUNS/$1/reproduce.json\"; exit \"$3\"; }\n";
    a += "case \"$task\" in\n";
    for (int i = 0; i < n; ++i) {
        const PlannedRun& r = plan.runs[static_cast<std::size_t>(i)];
        const std::string folder = runFolder(root.string(), r);
        a += std::to_string(i) + ")  # " + r.id + " (estimated " + hms(r.estimatedSeconds, 1) + ")\n";
        a += "    run=" + shellQuote(r.id) + "\n";
        a += "    if [ -f \"$RUNS/$run/summary.json\" ]; then echo \"$run: already finished\"; exit 0; fi\n";
        a += "    mkdir -p \"$RUNS/$run\"\n";
        if (r.kind == RunKind::Train) {
            std::string cmd = rerunCommand(r, folder, "MEPROP_PLACEHOLDER");
            cmd.replace(cmd.find("MEPROP_PLACEHOLDER"), 18, "\"$MEPROP\"");
            // A task stopped mid-run (preempted, requeued, timed out) continues from its checkpoint.
            a += "    if [ -f \"$RUNS/$run/checkpoint.bin\" ]; then\n";
            a += "        \"$MEPROP\" train --resume \"$RUNS/$run\" --quiet || fail \"$run\" \"meprop train --resume\" $?\n";
            a += "    else\n";
            a += "        " + cmd + " --quiet || fail \"$run\" \"meprop train\" $?\n";
            a += "    fi\n";
        } else {
            // The benchmark prints one JSON line; config.json first, summary.json by rename (atomic).
            a += "    cat > \"$RUNS/$run/config.json.tmp\" <<'MEPROP_CONFIG'\n" + r.config.dump(2) + "\nMEPROP_CONFIG\n";
            a += "    mv \"$RUNS/$run/config.json.tmp\" \"$RUNS/$run/config.json\"\n";
            std::string cmd = rerunCommand(r, folder, "MEPROP_PLACEHOLDER");
            cmd.replace(cmd.find("MEPROP_PLACEHOLDER"), 18, "\"$MEPROP\"");
            cmd = cmd.substr(0, cmd.rfind(" > "));
            a += "    " + cmd + " > \"$RUNS/$run/summary.json.tmp\" || fail \"$run\" \"meprop bench-linear\" $?\n";
            a += "    mv \"$RUNS/$run/summary.json.tmp\" \"$RUNS/$run/summary.json\"\n";
        }
        a += "    ;;\n";
    }
    a += "*) echo \"task $task: no such run (0-" + std::to_string(std::max(0, n - 1)) + ")\" >&2; exit 2 ;;\n";
    a += "esac\n";

    std::string c;
    c += "#!/bin/bash\n";
    c += "# Builds the report from the finished runs in " + root.string() + " (after the array; submit.sh chains it).\n";
    c += "#SBATCH --job-name=" + o.jobName + "-collect\n";
    c += "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n#SBATCH --time=00:30:00\n";
    c += "#SBATCH --output=" + (slurm / "logs" / "collect-%j.out").string() + "\n";
    c += "set -euo pipefail\n";
    c += "MEPROP=${MEPROP:-" + shellQuote(o.meprop) + "}\n";
    c += "\"$MEPROP\" " + o.collectCommand + "\n";

    std::string s;
    s += "#!/bin/bash\n";
    s += "# Submits the run array and, once all its tasks have ended (afterany), the collect step.\n";
    s += "set -euo pipefail\n";
    s += "here=$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\n";
    s += "array=$(sbatch --parsable \"$here/reproduce.sbatch\")\n";
    s += "array=${array%%;*}\n";
    s += "collect=$(sbatch --parsable --dependency=afterany:\"$array\" \"$here/collect.sbatch\")\n";
    s += "echo \"submitted: run array $array (" + std::to_string(n) + " tasks), collect job ${collect%%;*}; report in " + root.string() + "\"\n";

    SlurmFiles f;
    f.arrayScript = (slurm / "reproduce.sbatch").string();
    f.collectScript = (slurm / "collect.sbatch").string();
    f.submitScript = (slurm / "submit.sh").string();
    f.tasks = n;
    writeScript(f.arrayScript, a);
    writeScript(f.collectScript, c);
    writeScript(f.submitScript, s);
    return f;
}

}  // namespace meprop::reproduce
