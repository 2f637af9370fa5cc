// meprop: the command-line front end of the engine.
//   meprop train [CONFIG.json | PRESET] [--set key=value]... [--out DIR] [--overwrite]
//   meprop train --resume DIR [CONFIG.json | PRESET] [--set key=value]...
//   meprop presets | keys
//   meprop bench-linear --batch B --in M --out N --k K --mode topk|unified|random [--threads T] [--reps R]
//   meprop reproduce [TABLE...|all] [--budget smoke|quick|paper] [--seeds N] [--jobs N] ... (cli/Reproduce.h)
// Exit codes: 0 success, 2 bad input (one line on stderr), 130 interrupted, 1 internal error.
#include "backend/Device.h"
#include "cli/ProgressBar.h"
#include "core/BuildInfo.h"
#include "cli/Reproduce.h"
#include "core/Error.h"
#include "core/Parallel.h"
#include "train/Config.h"
#include "train/LinearBench.h"
#include "train/ConfigKeys.h"
#include "train/Presets.h"
#include "train/Trainer.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <unistd.h>

namespace {

using namespace meprop;
namespace fs = std::filesystem;

struct TrainArgs {
    std::string source;
    std::vector<std::string> sets;
    std::string out;
    std::string resume;
    bool overwrite = false;
    bool quiet = false;
};

// With --resume the configuration is the checkpoint's; a source or --set given as well must agree
// with it (the trainer reports the keys that differ).
Config resolveConfig(const TrainArgs& a, std::string& name)
{
    Config config;
    name = "run";
    if (!a.resume.empty() && a.source.empty()) {
        config = Trainer::checkpointConfig(a.resume);
    } else if (!a.source.empty()) {
        const bool looksLikeFile = a.source.find('/') != std::string::npos || (a.source.size() > 5 && a.source.ends_with(".json"));
        if (fs::is_regular_file(a.source)) {
            config = Config::fromFile(a.source);
            name = fs::path(a.source).stem().string();
        } else if (looksLikeFile) {
            throw ConfigError(a.source + ": config file not found");
        } else {
            config = Config::fromJson(findPreset(a.source).values, "preset " + a.source);
            name = a.source;
        }
    }
    for (const std::string& s : a.sets) config.setAssignment(s);
    config.validate();
    return config;
}

std::string defaultOutDir(const std::string& name, const Config& c)
{
    char stamp[32];
    const std::time_t t = std::time(nullptr);
    std::tm tm {};
    localtime_r(&t, &tm);
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    return "runs/" + name + "-" + c.getString("mode") + "-k" + std::to_string(c.getInt("k")) + "-" + stamp;
}

void printSummary(const nlohmann::json& s, const std::string& out)
{
    std::printf("\n| task | mode | k | hidden x layers | optimizer | best epoch | dev %% | test %% | FP s | BP linear s | BP overall s | update s | train s |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    std::printf("| %s | %s | %ld | %ldx%ld | %s | %d | %.2f | %.2f | %.2f | %.3f | %.2f | %.2f | %.1f |\n", s["task"].get<std::string>().c_str(),
                s["mode"].get<std::string>().c_str(), s["k"].get<long>(), s["hidden"].get<long>(), s["task"] == "pos" ? 1L : s["layers"].get<long>(),
                s["optimizer"].get<std::string>().c_str(), s["best_epoch"].get<int>(), s["dev_metric"].get<double>(),
                s["test_metric"].get<double>(), s["fp_s"].get<double>(), s["bp_linear_s"].get<double>(), s["bp_overall_s"].get<double>(),
                s["update_s"].get<double>(), s["train_s"].get<double>());
    if (!out.empty()) std::printf("\nresults in %s (config.json, metrics.csv, summary.json)\n", out.c_str());
}

int runTrain(const TrainArgs& a)
{
    std::string name;
    const Config config = resolveConfig(a, name);
    const std::string out = !a.resume.empty() ? a.resume : a.out.empty() ? defaultOutDir(name, config) : a.out;
    cli::ProgressBar bar(!a.quiet && ::isatty(STDERR_FILENO));
    cli::ProgressBar::installInterruptHandler();
    Trainer trainer(config, &bar);
    try {
        const RunResult r = a.resume.empty() ? trainer.run(out, a.overwrite) : trainer.resume(out);
        printSummary(r.summary, out);
    } catch (const Cancelled&) {
        std::fprintf(stderr, "\nmeprop: interrupted; no summary.json was written (continue with: meprop train --resume %s)\n", out.c_str());
        return 130;
    }
    return 0;
}

struct BenchArgs {
    int batch = 1, in = 500, out = 500, k = 20, threads = 1, reps = 200;
    std::string mode = "topk";
    std::string device = "cpu";
};

int runBenchLinear(const BenchArgs& a)
{
    const BackpropMode mode = parseBackpropMode(a.mode, "--mode");
    if (parseDevice(a.device, "--device") == Device::Cuda) {
        CudaBenchSpec spec;
        spec.batch = a.batch;
        spec.in = a.in;
        spec.out = a.out;
        spec.k = a.k;
        spec.mode = mode;
        spec.reps = a.reps;
        const CudaBenchResult r = benchLinearCuda(spec);
        const nlohmann::json j = {{"device", r.device}, {"batch", a.batch}, {"in", a.in}, {"out", a.out}, {"k", a.k}, {"mode", a.mode},
                                  {"reps", a.reps}, {"dense_ms", r.denseMs}, {"dense_tf32_ms", r.denseTf32Ms}, {"meprop_ms", r.mepropMs},
                                  {"select_ms", r.selectMs}, {"ratio", r.ratio}, {"ratio_tf32", r.ratioTf32}};
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    const LinearBenchResult r = benchLinearBackward(a.batch, a.in, a.out, a.k, mode, a.threads, a.reps);
    nlohmann::json j = toJson(r);
    j["device"] = "cpu";
    j["engine"] = engineIsa();
    std::printf("%s\n", j.dump().c_str());
    return 0;
}

int listPresets()
{
    for (const Preset& p : presets()) std::printf("%-28s %s\n", p.name.c_str(), p.description.c_str());
    return 0;
}

int listKeys()
{
    for (const KeySpec& k : configKeys()) {
        std::string range;
        if (k.type == KeySpec::Type::Int || k.type == KeySpec::Type::Float) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "[%g, %g]", k.min, k.max);
            range = buf;
        } else if (k.type == KeySpec::Type::Choice) {
            for (const auto& c : k.choices) range += (range.empty() ? "" : "|") + c;
        }
        std::printf("%-12s %-8s default %-8s %-20s %s (tasks: %s)\n", k.name.c_str(), typeName(k.type), k.defaultValue.dump().c_str(),
                    range.c_str(), k.help.c_str(), k.tasks.c_str());
    }
    return 0;
}

}  // namespace

MEPROP_PASSIVE_OPENMP_WAIT  // before OpenMP starts (core/Parallel.h)

int main(int argc, char** argv)
{
    CLI::App app{"meprop: train and benchmark meProp (minimal effort back propagation) models"};
    app.require_subcommand(1);
    app.set_version_flag("--version", [] {
        // Which build of the engine library the loader picked (baseline or x86-64-v3) and from where.
        return std::string("meprop 0.1.0 (engine ") + engineIsa() + ", " + engineLibraryPath() + ")";
    });

    TrainArgs train;
    CLI::App* trainCmd = app.add_subcommand("train", "train a model from a config file or preset, writing config.json, metrics.csv, summary.json");
    trainCmd->add_option("source", train.source, "a config JSON file or a preset name (see `meprop presets`)");
    trainCmd->add_option("--set", train.sets, "override a key: --set key=value (repeatable; see `meprop keys`)")->allow_extra_args(false);
    CLI::Option* outOpt = trainCmd->add_option("--out", train.out, "output folder (default runs/<name>-<mode>-k<k>-<time>)");
    CLI::Option* overwriteOpt =
        trainCmd->add_flag("--overwrite", train.overwrite, "replace the run in --out (the old files stay until the new run has finished)");
    trainCmd->add_option("--resume", train.resume, "continue the unfinished run in this folder from its last checkpoint")
        ->excludes(outOpt)
        ->excludes(overwriteOpt);
    trainCmd->add_flag("--quiet", train.quiet, "no progress bar");

    BenchArgs bench;
    CLI::App* benchCmd = app.add_subcommand("bench-linear", "time one linear layer's backward, dense vs meProp, in one process; prints one JSON line");
    benchCmd->add_option("--batch", bench.batch, "minibatch size")->capture_default_str();
    benchCmd->add_option("--in", bench.in, "input features m")->capture_default_str();
    benchCmd->add_option("--out", bench.out, "output features n")->capture_default_str();
    benchCmd->add_option("--k", bench.k, "components kept per example")->capture_default_str();
    benchCmd->add_option("--mode", bench.mode, "topk | unified | random")->capture_default_str();
    benchCmd->add_option("--threads", bench.threads, "CPU threads")->capture_default_str();
    benchCmd->add_option("--reps", bench.reps, "timed repetitions")->capture_default_str();
    benchCmd->add_option("--device", bench.device, "cpu | cuda")->capture_default_str();

    cli::ReproduceArgs reproduce;
    cli::addReproduceCommand(app, reproduce);

    app.add_subcommand("presets", "list the presets");
    app.add_subcommand("keys", "list the configuration keys");

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "meprop: %s (see meprop --help)\n", e.what());
        return 2;
    }

    if (app.got_subcommand("reproduce")) return cli::runReproduce(reproduce, argc, argv);
    try {
        if (app.got_subcommand("train")) return runTrain(train);
        if (app.got_subcommand("bench-linear")) return runBenchLinear(bench);
        if (app.got_subcommand("presets")) return listPresets();
        if (app.got_subcommand("keys")) return listKeys();
    } catch (const Cancelled&) {
        std::fprintf(stderr, "\nmeprop: interrupted; no summary.json was written\n");
        return 130;
    } catch (const Error& e) {
        std::fprintf(stderr, "\nmeprop: %s\n", e.what());
        return 2;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "\nmeprop: out of memory (model or data too large for this machine)\n");
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "\nmeprop: internal error: %s\n", e.what());
        return 1;
    }
    return 0;
}
