#include "ExperimentPlan.h"

#include "core/Error.h"
#include "train/Config.h"

#include <cctype>
#include <charconv>

namespace meprop {

namespace {

PlannedRun variant(const nlohmann::json& base, const std::string& mode, const std::string& label)
{
    PlannedRun r{base, label};
    r.config["mode"] = mode;
    return r;
}

std::string trim(const std::string& s)
{
    std::size_t a = 0, b = s.size();
    while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
    while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
    return s.substr(a, b - a);
}

}  // namespace

std::vector<PlannedRun> comparePlan(const nlohmann::json& base)
{
    return {variant(base, "topk", "topk"), variant(base, "random", "random"), variant(base, "dense", "dense")};
}

std::vector<PlannedRun> sweepPlan(const nlohmann::json& base, const std::vector<int>& ks)
{
    if (ks.empty()) throw ConfigError("the k list is empty");
    std::string mode = base.value("mode", std::string("topk"));
    if (mode == "dense") mode = "topk";
    std::vector<PlannedRun> out{variant(base, "dense", "dense")};
    for (int k : ks) {
        PlannedRun r = variant(base, mode, "k=" + std::to_string(k));
        r.config["k"] = k;
        try {
            Config::fromJson(r.config, "sweep").validate();
        } catch (const Error& e) {
            throw ConfigError("k = " + std::to_string(k) + ": " + e.what());
        }
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<PlannedRun> withSeeds(const std::vector<PlannedRun>& runs, int seeds)
{
    if (seeds < 1) throw ConfigError("seeds: expected at least 1, got " + std::to_string(seeds));
    if (seeds == 1) return runs;
    std::vector<PlannedRun> out;
    out.reserve(runs.size() * static_cast<std::size_t>(seeds));
    for (const PlannedRun& r : runs)
        for (int s = 1; s <= seeds; ++s) {
            PlannedRun c = r;
            c.config["seed"] = s;
            c.label += (c.label.empty() ? "seed " : " seed ") + std::to_string(s);
            out.push_back(std::move(c));
        }
    return out;
}

std::vector<int> parseKList(const std::string& text)
{
    std::vector<int> ks;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = text.find(',', start);
        const std::string part = trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (!part.empty()) {
            int k = 0;
            const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), k);
            if (ec != std::errc() || end != part.data() + part.size() || k < 1)
                throw ConfigError("k list: \"" + part + "\" is not a positive integer");
            ks.push_back(k);
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return ks;
}

}  // namespace meprop
