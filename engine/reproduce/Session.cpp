#include "reproduce/Session.h"

#include "backend/Device.h"
#include "core/Error.h"
#include "data/DataFolders.h"
#include "reproduce/Machine.h"
#include "reproduce/Results.h"
#include "reproduce/Shell.h"

#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <sstream>

namespace meprop::reproduce {

namespace fs = std::filesystem;

std::string isoNow()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm {};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string planArgs(const Plan& plan)
{
    std::string s = std::string("--budget ") + toString(plan.budget) + " --seeds " + std::to_string(plan.seeds);
    for (const auto& [k, v] : plan.sets) s += " --set " + shellQuote(k + "=" + v);
    if (std::fabs(plan.margin - 0.3) > 1e-12) {
        std::ostringstream m;
        m << plan.margin;
        s += " --margin " + m.str();
    }
    return s;
}

std::string tablesArg(const Plan& plan)
{
    if (plan.tables.size() == tableIds().size()) return "all";
    std::string s;
    for (const TableSpec& t : plan.tables) s += (s.empty() ? "" : " ") + t.id;
    return s;
}

PlanContext findPlanContext(const std::string& workDir, const DatasetLocator& locate)
{
    PlanContext c;
    c.workDir = workDir;
    auto absolute = [](const std::string& d) { return fs::absolute(d).lexically_normal().string(); };
    if (const char* env = std::getenv("MEPROP_IMAGE_DATA"); env && *env) {
        c.imageData = absolute(env);  // the user's choice, whatever it holds
    } else if (locate) {
        for (const char* name : {"mnist", "fashion-mnist"}) {
            try {
                c.imageData = absolute(locate(name));
                c.imageDataName = name;
                break;
            } catch (const Error&) {
            }
        }
    }
    try {
        c.textData = absolute(defaultTextDataDir());
    } catch (const Error&) {
    }
    const DeviceInfo gpu = cudaDeviceInfo();
    c.gpu = cudaBuilt() && gpu.available;
    c.gpuName = gpu.available ? gpu.name : gpu.reason;
    return c;
}

SessionInfo beginSession(const Plan& plan)
{
    SessionInfo s;
    s.reproduceArgs = planArgs(plan);
    s.machine = machineInfo();
    s.build = buildInfo();
    s.loadStart = loadAverage();
    s.started = isoNow();
    return s;
}

ReportOutcome writeReportFiles(const Plan& plan, const std::string& dir, SessionInfo session, const FigureRenderer& render)
{
    const Results res = collectResults(plan, dir);
    writeFigureData(res, dir);
    if (render) session.figuresNote = render(dir);
    if (session.finished.empty()) session.finished = isoNow();
    if (session.loadEnd.empty()) session.loadEnd = loadAverage();
    writeReport(res, dir, session);
    ReportOutcome o;
    o.runs = static_cast<int>(plan.runs.size());
    o.finished = res.finished;
    o.failed = res.failed;
    o.missing = res.missing;
    o.verdicts = verdictSummary(res);
    return o;
}

}  // namespace meprop::reproduce
