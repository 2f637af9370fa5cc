#include "reproduce/Results.h"

#include "core/Error.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace meprop::reproduce {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json readJsonOrNull(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    if (!in) return json();
    try {
        return json::parse(in);
    } catch (const json::parse_error&) {
        return json();
    }
}

std::vector<double> readEpochLoss(const fs::path& p)
{
    std::vector<double> loss;
    std::ifstream in(p);
    std::string line;
    if (!std::getline(in, line)) return loss;
    // Column "train_loss" of the header.
    int column = -1, i = 0;
    std::istringstream header(line);
    for (std::string name; std::getline(header, name, ','); ++i)
        if (name == "train_loss") column = i;
    if (column < 0) return loss;
    while (std::getline(in, line)) {
        std::istringstream row(line);
        std::string cell;
        for (int c = 0; std::getline(row, cell, ','); ++c)
            if (c == column) {
                try {
                    loss.push_back(std::stod(cell));
                } catch (const std::exception&) {
                    loss.push_back(std::nan(""));
                }
            }
    }
    return loss;
}

double number(const json& j, const std::string& key)
{
    if (!j.is_object() || !j.contains(key) || !j.at(key).is_number()) return std::nan("");
    return j.at(key).get<double>();
}

stats::Summary summarizeSeeds(const stats::BySeed& values)
{
    std::vector<double> v;
    for (const auto& [seed, x] : values) v.push_back(x);
    return stats::summarize(v);
}

}  // namespace

const CellStats& Results::cell(const std::string& id) const
{
    for (const CellStats& c : cells)
        if (c.cell->id == id) return c;
    throw Error("results: no cell \"" + id + "\"");
}

std::string timeFieldOf(const Cell& cell, const TableSpec& table) { return cell.timeField.empty() ? table.timeField : cell.timeField; }

double timeValue(const RunData& run, const Cell& cell, const TableSpec& table)
{
    if (run.state != RunState::Finished) return std::nan("");
    const double epochs = table.perEpoch ? number(run.summary, "epochs") : 1.0;
    return number(run.summary, timeFieldOf(cell, table)) * table.timeScale / (epochs > 0 ? epochs : std::nan(""));
}

Results collectResults(const Plan& plan, const std::string& dir)
{
    Results res;
    res.plan = &plan;
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
        const PlannedRun& run = plan.runs[i];
        const fs::path folder = runFolder(dir, run);
        RunData d;
        d.index = static_cast<int>(i);
        d.state = inspectRun(run, folder.string());
        if (d.state == RunState::Conflict || d.state == RunState::Unfinished) d.state = RunState::Missing;
        d.record = readJsonOrNull(folder / "reproduce.json");
        if (d.state == RunState::Finished) {
            d.summary = readJsonOrNull(folder / "summary.json");
            if (run.kind == RunKind::Train) {
                d.epochLoss = readEpochLoss(folder / "metrics.csv");
                // Divergence: the trainer's warning (kept in reproduce.json), a loss that ends above
                // the first epoch's, or an epoch whose loss rose 20 % over the best before it (the
                // trainer's own epoch rule, recomputed for runs made by `meprop train`, e.g. Slurm).
                if (d.record.is_object() && d.record.contains("warnings") && !d.record["warnings"].empty()) {
                    d.diverged = true;
                    d.divergence = d.record["warnings"][0].get<std::string>();
                }
                double best = INFINITY;
                for (std::size_t e = 0; e < d.epochLoss.size() && !d.diverged; ++e) {
                    const double l = d.epochLoss[e];
                    if (e > 0 && l > 1.2 * best && l > best + 0.02) {
                        d.diverged = true;
                        d.divergence = "training loss rose to " + std::to_string(l) + " in epoch " + std::to_string(e + 1);
                    }
                    best = std::min(best, l);
                }
                if (!d.diverged && d.epochLoss.size() > 1 && d.epochLoss.back() > d.epochLoss.front()) {
                    d.diverged = true;
                    d.divergence = "final training loss " + std::to_string(d.epochLoss.back()) + " above the first epoch's " +
                                   std::to_string(d.epochLoss.front());
                }
            }
            ++res.finished;
        } else if (d.state == RunState::Failed) {
            d.error = d.record.value("error", std::string("failed"));
            ++res.failed;
        } else {
            ++res.missing;
        }
        res.runs.push_back(std::move(d));
    }

    for (const Cell& c : plan.cells) {
        CellStats cs;
        cs.cell = &c;
        cs.table = &plan.table(c.table);
        stats::BySeed dev, best, fp, bpo, ov;
        const std::vector<int> idx = plan.runIndices(c.id);
        cs.runs = static_cast<int>(idx.size());
        for (std::size_t s = 0; s < idx.size(); ++s) {
            const RunData& r = res.runs[static_cast<std::size_t>(idx[s])];
            const auto seed = static_cast<std::int64_t>(s + 1);
            if (r.state == RunState::Failed) ++cs.failed;
            if (r.state == RunState::Missing) ++cs.missing;
            if (r.state != RunState::Finished) continue;
            ++cs.finished;
            if (r.diverged) ++cs.diverged;
            if (!cs.table->metric.empty()) {
                const double m = number(r.summary, cs.table->metric);
                if (std::isfinite(m)) cs.metricBySeed[seed] = m;
            }
            const double t = timeValue(r, c, *cs.table);
            if (std::isfinite(t)) cs.timeBySeed[seed] = t;
            auto put = [&](stats::BySeed& m, double v) {
                if (std::isfinite(v)) m[seed] = v;
            };
            put(dev, number(r.summary, "dev_metric"));
            put(best, number(r.summary, "best_epoch"));
            const double epochs = cs.table->perEpoch ? number(r.summary, "epochs") : 1.0;
            put(fp, number(r.summary, "fp_s") / epochs);
            put(bpo, number(r.summary, "bp_overall_s") / epochs);
            put(ov, (number(r.summary, "fp_s") + number(r.summary, "bp_overall_s")) / epochs);
        }
        cs.metric = summarizeSeeds(cs.metricBySeed);
        cs.time = summarizeSeeds(cs.timeBySeed);
        cs.dev = summarizeSeeds(dev);
        cs.bestEpoch = summarizeSeeds(best);
        cs.fp = summarizeSeeds(fp);
        cs.bpOverall = summarizeSeeds(bpo);
        cs.overall = summarizeSeeds(ov);
        res.cells.push_back(std::move(cs));
    }

    // Deltas, speedups and verdicts need the baseline's values.
    for (CellStats& cs : res.cells) {
        const Cell& c = *cs.cell;
        if (c.speedupWithinRun) {
            stats::BySeed dense, meprop;
            const std::vector<int> idx = plan.runIndices(c.id);
            for (std::size_t s = 0; s < idx.size(); ++s) {
                const RunData& r = res.runs[static_cast<std::size_t>(idx[s])];
                if (r.state != RunState::Finished) continue;
                const double d = number(r.summary, "dense_ms"), m = number(r.summary, "meprop_ms");
                if (d > 0 && m > 0) {
                    dense[static_cast<std::int64_t>(s + 1)] = d;
                    meprop[static_cast<std::int64_t>(s + 1)] = m;
                }
            }
            cs.speedup = stats::pairedRatio(dense, meprop);
        }
        if (c.baseline.empty()) continue;
        const CellStats& base = res.cell(c.baseline);
        if (!cs.table->metric.empty()) cs.delta = stats::pairedDelta(cs.metricBySeed, base.metricBySeed);
        if (!c.speedupWithinRun) {
            stats::BySeed num, den;  // only positive times pair
            for (const auto& [s, v] : base.timeBySeed)
                if (v > 0) num[s] = v;
            for (const auto& [s, v] : cs.timeBySeed)
                if (v > 0) den[s] = v;
            cs.speedup = stats::pairedRatio(num, den);
        }
        if (cs.table->accuracyClaim && !cs.table->metric.empty()) cs.accuracyVerdict = stats::noWorseThan(cs.delta, plan.margin);
        if (cs.table->speedClaim && std::isfinite(c.paper.speedup)) cs.speedVerdict = stats::atLeast(cs.speedup, c.paper.speedup);
    }
    return res;
}

}  // namespace meprop::reproduce
