#pragma once
// The schema of every configuration key: name, type, default, range or choices, and help text.
// One table drives validation (CLI and JSON), the workbench's config panel and the README.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace meprop {

struct KeySpec {
    enum class Type { Int, Float, String, Choice, Bool };
    std::string name;
    Type type = Type::Int;
    nlohmann::json defaultValue;
    double min = 0.0;  // Int/Float: inclusive range
    double max = 0.0;
    std::vector<std::string> choices;  // Choice
    std::string help;
    std::string tasks = "all";  // "all" or a comma list of tasks the key applies to
};

// A key of earlier versions that still reads: a boolean mapped onto a general key.
struct LegacyKey {
    std::string name;     // e.g. "sparse_bias"
    std::string key;      // the key it sets, e.g. "bias_grad"
    std::string ifTrue;   // the value it sets when true, e.g. "sparse"
    std::string ifFalse;  // ... when false (the old default, which the general key's default reproduces)
};
// sparse_bias (parser only until now) -> bias_grad, sum_loss (parser only) -> loss_reduction.
const std::vector<LegacyKey>& legacyKeys();
const LegacyKey* findLegacyKey(const std::string& name);

// All keys, in display order.
const std::vector<KeySpec>& configKeys();
// nullptr when unknown.
const KeySpec* findKey(const std::string& name);
const char* typeName(KeySpec::Type type);

}  // namespace meprop
