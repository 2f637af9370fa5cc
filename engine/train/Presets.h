#pragma once
// Named configurations: the default experiment of each task and the paper's table rows.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace meprop {

struct Preset {
    std::string name;
    std::string description;
    nlohmann::json values;  // keys overriding the defaults
};

const std::vector<Preset>& presets();
// Throws ConfigError listing the known names when `name` is not a preset.
const Preset& findPreset(const std::string& name);

}  // namespace meprop
