#include "train/Config.h"

#include "core/Error.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace meprop {

namespace {

std::string prefix(const std::string& source, const std::string& key)
{
    return (source.empty() ? std::string() : source + ": ") + "key " + quote(key);
}

std::string knownKeys()
{
    std::string s;
    for (const KeySpec& k : configKeys()) s += (s.empty() ? "" : ", ") + k.name;
    return s;
}

std::string formatNumber(double v)
{
    std::ostringstream os;
    os << v;
    return os.str();
}

std::string describe(const nlohmann::json& v)
{
    std::string s = v.dump();
    if (s.size() > 40) s = s.substr(0, 37) + "...";
    return std::string(v.type_name()) + " " + s;
}

}  // namespace

Config::Config()
{
    m_values = nlohmann::json::object();
    for (const KeySpec& k : configKeys()) m_values[k.name] = k.defaultValue;
}

Config Config::fromJson(const nlohmann::json& j, const std::string& source)
{
    Config c;
    c.merge(j, source);
    return c;
}

Config Config::fromFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(path + ": cannot open config file");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ConfigError(path + ": cannot read config file");
    return fromJsonText(text.str(), path);
}

Config Config::fromJsonText(std::string_view text, const std::string& source)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        // e.byte is the position of the error; the library's text is long, keep its core.
        throw ConfigError(source + ": not valid JSON (at byte " + std::to_string(e.byte) + ")");
    } catch (const nlohmann::json::out_of_range&) {
        // A number such as 1e400 that no double holds (the parser's only other error).
        throw ConfigError(source + ": not valid JSON (a number out of the range of a double)");
    }
    return fromJson(j, source);
}

void Config::setAssignment(const std::string& assignment, const std::string& source)
{
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0) throw ConfigError(source + " " + quote(assignment) + ": expected key=value");
    setFromString(assignment.substr(0, eq), assignment.substr(eq + 1), source);
}

void Config::merge(const nlohmann::json& j, const std::string& source)
{
    if (!j.is_object())
        throw ConfigError((source.empty() ? std::string("config") : source) + ": expected a JSON object of keys, got " +
                          std::string(j.type_name()));
    // Legacy names first, so that in one object the general key they map to wins.
    for (auto it = j.begin(); it != j.end(); ++it)
        if (findLegacyKey(it.key())) set(it.key(), it.value(), source);
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!findLegacyKey(it.key())) set(it.key(), it.value(), source);
}

void Config::set(const std::string& key, const nlohmann::json& value, const std::string& source)
{
    if (const LegacyKey* legacy = findLegacyKey(key)) {
        if (!value.is_boolean())
            throw ConfigError(prefix(source, key) + ": expected true or false (an old name of \"" + legacy->key + "\"), got " +
                              describe(value));
        set(legacy->key, value.get<bool>() ? legacy->ifTrue : legacy->ifFalse, source);
        return;
    }
    const KeySpec* spec = findKey(key);
    if (!spec) throw ConfigError((source.empty() ? std::string() : source + ": ") + "unknown key " + quote(key) + " (known: " + knownKeys() + ")");
    const std::string where = prefix(source, key);
    switch (spec->type) {
    case KeySpec::Type::Int: {
        double v = 0.0;
        if (value.is_number_integer() || value.is_number_unsigned()) {
            v = value.get<double>();
        } else if (value.is_number_float() && std::floor(value.get<double>()) == value.get<double>()) {
            v = value.get<double>();
        } else {
            throw ConfigError(where + ": expected an integer, got " + describe(value));
        }
        if (v < spec->min || v > spec->max)
            throw ConfigError(where + ": expected an integer in [" + formatNumber(spec->min) + ", " + formatNumber(spec->max) +
                              "], got " + formatNumber(v));
        m_values[key] = static_cast<long>(v);
        return;
    }
    case KeySpec::Type::Float: {
        if (!value.is_number()) throw ConfigError(where + ": expected a number, got " + describe(value));
        const double v = value.get<double>();
        if (!std::isfinite(v) || v < spec->min || v > spec->max)
            throw ConfigError(where + ": expected a number in [" + formatNumber(spec->min) + ", " + formatNumber(spec->max) +
                              "], got " + formatNumber(v));
        m_values[key] = v;
        return;
    }
    case KeySpec::Type::Bool:
        if (!value.is_boolean()) throw ConfigError(where + ": expected true or false, got " + describe(value));
        m_values[key] = value;
        return;
    case KeySpec::Type::String:
        if (!value.is_string()) throw ConfigError(where + ": expected a string, got " + describe(value));
        // config.json is JSON, so its strings are UTF-8 (--set text may be any bytes).
        try {
            (void)value.dump();
        } catch (const nlohmann::json::type_error&) {
            throw ConfigError(where + ": expected UTF-8 text, got " + quote(value.get<std::string>()));
        }
        m_values[key] = value;
        return;
    case KeySpec::Type::Choice: {
        if (!value.is_string()) throw ConfigError(where + ": expected a string, got " + describe(value));
        const std::string s = value.get<std::string>();
        for (const std::string& c : spec->choices)
            if (c == s) {
                m_values[key] = s;
                return;
            }
        std::string list;
        for (const std::string& c : spec->choices) list += (list.empty() ? "" : ", ") + c;
        throw ConfigError(where + ": expected one of " + list + ", got " + quote(s));
    }
    }
}

void Config::setFromString(const std::string& key, const std::string& text, const std::string& source)
{
    if (findLegacyKey(key)) {
        if (text == "true" || text == "1") return set(key, true, source);
        if (text == "false" || text == "0") return set(key, false, source);
        throw ConfigError(prefix(source, key) + ": expected true or false, got " + quote(text));
    }
    const KeySpec* spec = findKey(key);
    if (!spec) throw ConfigError((source.empty() ? std::string() : source + ": ") + "unknown key " + quote(key) + " (known: " + knownKeys() + ")");
    const std::string where = prefix(source, key);
    switch (spec->type) {
    case KeySpec::Type::Int: {
        long v = 0;
        const char* end = text.data() + text.size();
        auto [p, ec] = std::from_chars(text.data(), end, v);
        if (ec != std::errc() || p != end || text.empty())
            throw ConfigError(where + ": expected an integer, got " + quote(text));
        set(key, v, source);
        return;
    }
    case KeySpec::Type::Float: {
        double v = 0.0;
        const char* end = text.data() + text.size();
        auto [p, ec] = std::from_chars(text.data(), end, v);
        if (ec != std::errc() || p != end || text.empty())
            throw ConfigError(where + ": expected a number, got " + quote(text));
        set(key, v, source);
        return;
    }
    case KeySpec::Type::Bool:
        if (text == "true" || text == "1") return set(key, true, source);
        if (text == "false" || text == "0") return set(key, false, source);
        throw ConfigError(where + ": expected true or false, got " + quote(text));
    case KeySpec::Type::String:
    case KeySpec::Type::Choice: set(key, text, source); return;
    }
}

void Config::validate() const
{
    const BackpropMode m = mode();
    const long hidden = getInt("hidden");
    const long k = getInt("k");
    if (m != BackpropMode::Dense && k > hidden)
        throw ConfigError("key \"k\": expected 1 <= k <= hidden (" + std::to_string(hidden) + ") for mode " + toString(m) +
                          ", got " + std::to_string(k));
}

long Config::getInt(const std::string& key) const
{
    if (!m_values.contains(key)) throw ConfigError("unknown key \"" + key + "\"");
    return m_values.at(key).get<long>();
}

double Config::getFloat(const std::string& key) const
{
    if (!m_values.contains(key)) throw ConfigError("unknown key \"" + key + "\"");
    return m_values.at(key).get<double>();
}

std::string Config::getString(const std::string& key) const
{
    if (!m_values.contains(key)) throw ConfigError("unknown key \"" + key + "\"");
    return m_values.at(key).get<std::string>();
}

bool Config::getBool(const std::string& key) const
{
    if (!m_values.contains(key)) throw ConfigError("unknown key \"" + key + "\"");
    return m_values.at(key).get<bool>();
}

}  // namespace meprop
