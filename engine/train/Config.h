#pragma once
// A run's configuration: a JSON object holding a validated value for every key of configKeys().
// Errors are ConfigError with the key (and the source file, where there is one) in the message.
#include "ops/BackpropMode.h"
#include "train/ConfigKeys.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace meprop {

class Config {
public:
    Config();  // all defaults

    // Overlay the keys of a JSON object onto the defaults. `source` names the file for messages.
    static Config fromJson(const nlohmann::json& j, const std::string& source = "config");
    // Read a JSON file (ConfigError on a missing file or broken JSON, with the file and position).
    static Config fromFile(const std::string& path);
    // The same from JSON text in memory; `source` names it in messages.
    static Config fromJsonText(std::string_view text, const std::string& source);

    // Set one key from a JSON value / from command-line text ("--set key=value"); checks the type
    // and range of that key. The old parser names sparse_bias and sum_loss (ConfigKeys.h,
    // legacyKeys) set bias_grad and loss_reduction; merge() applies them before the other keys, so
    // the general key wins when an object holds both.
    void set(const std::string& key, const nlohmann::json& value, const std::string& source = "");
    void setFromString(const std::string& key, const std::string& text, const std::string& source = "--set");
    // A command-line "key=value" (the CLI's --set); ConfigError "--set <text>: expected key=value" without a key.
    void setAssignment(const std::string& assignment, const std::string& source = "--set");
    // Overlay every key of a JSON object.
    void merge(const nlohmann::json& j, const std::string& source = "");

    // Checks that involve several keys (k <= hidden, ...). Throws ConfigError.
    void validate() const;

    const nlohmann::json& json() const { return m_values; }

    long getInt(const std::string& key) const;
    double getFloat(const std::string& key) const;
    std::string getString(const std::string& key) const;
    bool getBool(const std::string& key) const;

    // Frequently used typed views.
    std::string task() const { return getString("task"); }
    BackpropMode mode() const { return parseBackpropMode(getString("mode")); }
    std::uint64_t seed() const { return static_cast<std::uint64_t>(getInt("seed")); }

private:
    nlohmann::json m_values;
};

}  // namespace meprop
