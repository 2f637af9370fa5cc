// Fuzz target `config`: a run's configuration as the CLI builds it (train/Config.*): a JSON file or
// a preset, then --set key=value assignments, then the cross-key checks.
// Input: lines. Up to a line "%%": the config file's JSON text, or "@name" for a preset, or nothing
// for the defaults. After it: one --set assignment per line.
// Properties: every accepted config passes validate() or fails it with a ConfigError; its
// config.json text (what a run writes) reads back to the same config.
#include "FuzzSupport.h"

#include "backend/Device.h"
#include "core/Error.h"
#include "ops/BackpropMode.h"
#include "train/Config.h"
#include "train/Presets.h"

namespace {

using namespace meprop;

Config build(std::string_view text)
{
    const std::size_t sep = text.find("\n%%\n");
    const std::string_view source = sep == std::string_view::npos ? text : text.substr(0, sep);
    std::string_view sets = sep == std::string_view::npos ? std::string_view() : text.substr(sep + 4);
    Config config;
    if (!source.empty() && source.front() == '@') {
        const std::string name(source.substr(1));
        config = Config::fromJson(findPreset(name).values, "preset " + name);
    } else if (!source.empty()) {
        config = Config::fromJsonText(source, "fuzz.json");
    }
    while (!sets.empty()) {
        const std::size_t nl = sets.find('\n');
        config.setAssignment(std::string(sets.substr(0, nl)));
        sets.remove_prefix(nl == std::string_view::npos ? sets.size() : nl + 1);
    }
    return config;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    Config config;
    try {
        config = build(std::string_view(reinterpret_cast<const char*>(data), size));
    } catch (const ConfigError& e) {
        fuzz::requireClearMessage(e.what());
        return 0;
    }
    try {
        config.validate();
        (void)config.mode();
        (void)parseDevice(config.getString("device"));
    } catch (const ConfigError& e) {
        fuzz::requireClearMessage(e.what());
    }
    // The trainer writes config.json as json().dump(2); `meprop train config.json` must read it back.
    const std::string written = config.json().dump(2);
    try {
        const Config again = Config::fromJsonText(written, "config.json");
        fuzz::require(again.json() == config.json(), "config.json reads back to another config", written);
    } catch (const ConfigError& e) {
        fuzz::violated("config.json does not read back", e.what());
    }
    return 0;
}
