#pragma once
// The loader's internals, shared by its sources (yaml_loader.cpp, read_sections.cpp): a YAML map
// read under a key path (Section), which reports every unread key, and its helpers. Only the
// loader includes this, and only the loader includes yaml-cpp.

#include "thesis/core/errors.h"
#include "thesis/core/thesis.h"
#include "thesis/io/yaml_loader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace thesis::loader {

// Shared by every Section of one load.
struct LoadContext {
    std::string file;
    std::set<std::string> overridden;  // key paths set on the command line
    std::map<std::string, std::string>* assumptions = nullptr;
    Date valuation_date{};
};

inline std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

inline std::string_view kind_name(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map: return "a map";
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Null: return "nothing";
        case YAML::NodeType::Scalar: return "a value";
        default: return "nothing";
    }
}

// 1e18 → "10^18".
inline std::string magnitude_text(double limit) { return fmt::format("10^{:.0f}", std::log10(limit)); }

inline std::string shown(const YAML::Node& node) {
    if (!node.IsScalar()) return std::string(kind_name(node));
    std::string s = node.Scalar();
    if (s.size() > 40) s = s.substr(0, 37) + "...";
    return "'" + s + "'";
}

// A YAML map being read under a key path. Tracks which keys were looked up so that any key nobody
// read becomes an "unknown key" error (pbrt's ReportUnused), with the looked-up keys as hints.
class Section {
  public:
    Section(YAML::Node node, std::string path, LoadContext& ctx, YAML::Mark fallback)
        : node_(std::move(node)), path_(std::move(path)), ctx_(ctx), fallback_(fallback) {
        if (!node_.Mark().is_null()) fallback_ = node_.Mark();
        if (node_.IsNull() || !node_.IsDefined()) {
            node_ = YAML::Node(YAML::NodeType::Map);
        } else if (!node_.IsMap()) {
            fail_at(node_, path_, fmt::format("expected a map of keys, got {}", shown(node_)));
        }
        if (node_.Tag() == "!assumption" && ctx_.assumptions) (*ctx_.assumptions)[path_] = "(section)";
        check_duplicates();
    }

    const std::string& path() const { return path_; }
    const YAML::Node& node() const { return node_; }
    YAML::Mark mark() const { return fallback_; }
    LoadContext& context() const { return ctx_; }

    /// The value under `key`, or an undefined node. Marks the key as read.
    YAML::Node find(std::string_view key) {
        if (std::find(read_.begin(), read_.end(), key) == read_.end()) read_.emplace_back(key);
        for (const auto& kv : node_) {
            if (kv.first.Scalar() == key) {
                if (kv.second.IsNull()) return YAML::Node();
                note_assumption(kv.second, join(path_, key));
                return kv.second;
            }
        }
        return YAML::Node(YAML::NodeType::Undefined);
    }
    bool has(std::string_view key) {
        const YAML::Node n = find(key);
        return n.IsDefined() && !n.IsNull();
    }

    [[noreturn]] void fail_at(const YAML::Node& node, const std::string& key_path,
                              const std::string& message) const {
        throw InputError(where(node, key_path), key_path, message);
    }
    [[noreturn]] void fail_missing(std::string_view key, std::string_view expected) const {
        // A required key is often missing because it was mistyped: point at the typo instead.
        for (const auto& kv : node_) {
            const std::string other = kv.first.Scalar();
            if (std::find(read_.begin(), read_.end(), other) != read_.end()) continue;
            if (did_you_mean(other, {key}) == key)
                fail_at(
                    kv.first, join(path_, other),
                    fmt::format("unknown key (did you mean '{}'?); {} is required", key, join(path_, key)));
        }
        throw InputError(where(YAML::Node(), join(path_, key)), join(path_, key),
                         fmt::format("missing; expected {}", expected));
    }

    SourceLocation where(const YAML::Node& node, const std::string& key_path) const {
        for (std::string p = key_path;; p = p.substr(0, p.rfind('.'))) {
            if (ctx_.overridden.count(p)) return {"command line (--set " + p + ")", 0, 0};
            if (p.find('.') == std::string::npos) break;
        }
        const YAML::Mark m = node.IsDefined() && !node.Mark().is_null() ? node.Mark() : fallback_;
        if (m.is_null()) return {ctx_.file, 0, 0};
        return {ctx_.file, m.line + 1, m.column + 1};
    }

    // ---- Typed reads ----
    std::optional<double> optional_number(std::string_view key, Unit unit) {
        const YAML::Node n = find(key);
        if (!n.IsDefined() || n.IsNull()) return std::nullopt;
        return to_number(n, join(path_, key), unit);
    }
    double number(std::string_view key, Unit unit) {
        auto v = optional_number(key, unit);
        if (!v) fail_missing(key, describe(unit));
        return *v;
    }
    double number(std::string_view key, Unit unit, double fallback) {
        return optional_number(key, unit).value_or(fallback);
    }
    double to_number(const YAML::Node& n, const std::string& key_path, Unit unit,
                     bool backstop = true) const {
        if (!n.IsScalar()) fail_at(n, key_path, fmt::format("expected {}, got {}", describe(unit), shown(n)));
        auto v = parse_quantity(n.Scalar(), unit);
        if (!v) fail_at(n, key_path, fmt::format("expected {}, got {}", describe(unit), shown(n)));
        if (!backstop) return *v;
        // A backstop against numbers no thesis means (1e300): the fields' own checks are tighter.
        const double limit = unit == Unit::Money || unit == Unit::Count ? limits::kMaxAmount
                             : unit == Unit::Times                      ? limits::kMaxMultiple
                                                                        : limits::kMaxNumber;
        if (std::fabs(*v) > limit)
            fail_at(n, key_path,
                    fmt::format("expected {}, at most {} in size, got {}", describe(unit),
                                magnitude_text(limit), shown(n)));
        return *v;
    }
    /// A positive `unit` value in [lo, hi], else an error saying it expected `range`.
    double positive_within(std::string_view key, Unit unit, double lo, double hi, std::string_view range) {
        const YAML::Node n = find(key);
        if (!n.IsDefined() || n.IsNull()) fail_missing(key, describe(unit));
        const double v = to_number(n, join(path_, key), unit, false);
        if (!(v > 0))
            fail_at(n, join(path_, key), fmt::format("expected a positive value, got {}", shown(n)));
        if (v < lo || v > hi)
            fail_at(n, join(path_, key), fmt::format("expected {}, got {}", range, shown(n)));
        return v;
    }
    /// A price per share in [kMinPrice, kMaxPrice].
    double price(std::string_view key) {
        return positive_within(key, Unit::Money, limits::kMinPrice, limits::kMaxPrice,
                               "a price from $0.01 to $1,000,000,000,000 a share");
    }
    std::optional<double> optional_price(std::string_view key) {
        if (!has(key)) return std::nullopt;
        return price(key);
    }
    /// A P/E in [kMinMultiple, kMaxMultiple].
    double multiple(std::string_view key) {
        return positive_within(key, Unit::Times, limits::kMinMultiple, limits::kMaxMultiple,
                               "a multiple from 0.01x to 1,000,000x");
    }
    std::optional<double> optional_multiple(std::string_view key) {
        if (!has(key)) return std::nullopt;
        return multiple(key);
    }
    /// A number in [lo, hi], else an error saying it expected `range`. A value written without
    /// `%` that would fit as a percentage gets a hint: `volatility: 50` → "did you mean 50%?".
    double bounded(std::string_view key, double fallback, double lo, double hi, std::string_view range,
                   bool percent_hint = true) {
        const YAML::Node n = find(key);
        if (!n.IsDefined() || n.IsNull()) return fallback;
        const double v = to_number(n, join(path_, key), Unit::Number);
        if (v < lo || v > hi) {
            const std::string text = n.Scalar();
            const bool percent_typo =
                percent_hint && text.find('%') == std::string::npos && v / 100 >= lo && v / 100 <= hi;
            fail_at(n, join(path_, key),
                    fmt::format("expected {}, got {}{}", range, shown(n),
                                percent_typo ? fmt::format(" (did you mean {}%?)", text) : ""));
        }
        return v;
    }
    /// A fraction checked to lie in [lo, hi].
    std::optional<double> optional_fraction(std::string_view key, double lo, double hi) {
        const YAML::Node n = find(key);
        if (!n.IsDefined() || n.IsNull()) return std::nullopt;
        const double v = to_number(n, join(path_, key), Unit::Ratio);
        if (v < lo || v > hi)
            fail_at(n, join(path_, key),
                    fmt::format("expected a fraction from {:g} to {:g} ({:g}% to {:g}%), got {}", lo, hi,
                                lo * 100, hi * 100, shown(n)));
        return v;
    }
    double positive(std::string_view key, Unit unit) {
        const YAML::Node n = find(key);
        if (!n.IsDefined() || n.IsNull()) fail_missing(key, describe(unit));
        const double v = to_number(n, join(path_, key), unit);
        if (!(v > 0))
            fail_at(n, join(path_, key), fmt::format("expected a positive value, got {}", shown(n)));
        return v;
    }
    std::optional<double> optional_positive(std::string_view key, Unit unit) {
        if (!has(key)) return std::nullopt;
        return positive(key, unit);
    }
    std::string text(std::string_view key, std::string fallback = "") {
        const YAML::Node n = find(key);
        if (!n.IsDefined() || n.IsNull()) return fallback;
        if (!n.IsScalar()) fail_at(n, join(path_, key), fmt::format("expected text, got {}", shown(n)));
        return n.Scalar();
    }
    bool flag(std::string_view key, bool fallback) {
        const YAML::Node n = find(key);
        if (!n.IsDefined() || n.IsNull()) return fallback;
        const std::string s = n.IsScalar() ? n.Scalar() : "";
        if (s == "true" || s == "yes") return true;
        if (s == "false" || s == "no") return false;
        fail_at(n, join(path_, key), fmt::format("expected true or false, got {}", shown(n)));
    }
    std::optional<Years> optional_duration(std::string_view key) {
        const YAML::Node n = find(key);
        if (!n.IsDefined() || n.IsNull()) return std::nullopt;
        return to_duration(n, join(path_, key));
    }
    Years to_duration(const YAML::Node& n, const std::string& key_path) const {
        auto v = n.IsScalar() ? parse_duration(n.Scalar(), ctx_.valuation_date) : std::nullopt;
        if (!v)
            fail_at(n, key_path,
                    fmt::format("expected a duration like 90d, 6m, 1y or a date like "
                                "2025-11-19, got {}",
                                shown(n)));
        if (std::fabs(*v) > limits::kMaxDuration)
            fail_at(n, key_path,
                    fmt::format("expected a duration or date within 1000y of the "
                                "valuation date, got {}",
                                shown(n)));
        return *v;
    }
    /// One of `choices`, with a did-you-mean hint.
    std::string choice(std::string_view key, std::initializer_list<std::string_view> choices,
                       std::string_view fallback) {
        return choice(key, std::span(choices.begin(), choices.size()), fallback);
    }
    std::string choice(std::string_view key, std::span<const std::string_view> choices,
                       std::string_view fallback) {
        const YAML::Node n = find(key);
        if (!n.IsDefined() || n.IsNull()) return std::string(fallback);
        std::string list;
        for (auto c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
        if (n.IsScalar())
            for (auto c : choices)
                if (n.Scalar() == c) return std::string(c);
        const std::string hint = n.IsScalar() ? did_you_mean(n.Scalar(), choices) : "";
        fail_at(n, join(path_, key),
                fmt::format("expected one of {}, got {}{}", list, shown(n),
                            hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
    }
    Section section(std::string_view key) {
        const YAML::Node n = find(key);
        return Section(n.IsDefined() ? n : YAML::Node(), join(path_, key), ctx_, fallback_);
    }

    /// Fails on any key that was never looked up, suggesting the closest known key.
    void finish() const {
        for (const auto& kv : node_) {
            const std::string key = kv.first.Scalar();
            if (std::find(read_.begin(), read_.end(), key) != read_.end()) continue;
            const std::string hint = did_you_mean(key, read_);
            std::string known;
            for (const auto& k : read_) known += (known.empty() ? "" : ", ") + k;
            fail_at(kv.first, join(path_, key),
                    fmt::format("unknown key{}; expected one of: {}",
                                hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint), known));
        }
    }

  private:
    void check_duplicates() const {
        std::map<std::string, YAML::Mark> seen;
        for (const auto& kv : node_) {
            if (!kv.first.IsScalar())
                fail_at(kv.first, path_, "expected a plain key, got " + shown(kv.first));
            const std::string key = kv.first.Scalar();
            auto [it, fresh] = seen.emplace(key, kv.first.Mark());
            if (!fresh)
                fail_at(kv.first, join(path_, key),
                        fmt::format("duplicate key (first given at line {})", it->second.line + 1));
        }
    }
    void note_assumption(const YAML::Node& n, const std::string& key_path) const {
        if (n.Tag() == "!assumption" && ctx_.assumptions)
            (*ctx_.assumptions)[key_path] = n.IsScalar() ? n.Scalar() : "(section)";
    }

    YAML::Node node_;
    std::string path_;
    LoadContext& ctx_;
    YAML::Mark fallback_;
    std::vector<std::string> read_;
};

// Overlays `top` on `base` by key path: maps merge recursively, anything else replaces. Leaf
// nodes are shared, not copied, so their marks still point into the file.
inline YAML::Node merged(const YAML::Node& base, const YAML::Node& top) {
    if (!top.IsDefined() || top.IsNull()) return base;
    if (!base.IsMap() || !top.IsMap()) return top;
    YAML::Node out(YAML::NodeType::Map);
    for (const auto& kv : base) out[kv.first.Scalar()] = kv.second;
    for (const auto& kv : top) {
        const std::string key = kv.first.Scalar();
        const YAML::Node below = base[key];
        out[key] = (below.IsDefined() && below.IsMap()) ? merged(below, kv.second) : kv.second;
    }
    return out;
}

// ---- Sections of a scenario file (read_sections.cpp) ----

Stock read_stock(Section s);
Opportunity read_opportunity(Section s);
CatalystEvent read_event(const std::string& name, Section s);
PriceModel read_model(Section s);
/// What the model needs of the stock (`model` the model's section, for the error's position).
void check_model_stock(const Thesis& t, Section model);
/// What the model needs of the scenarios, once read (`any_probability`: some scenario has one).
void check_model_scenarios(const Thesis& t, Section model, Section& scenarios, bool any_probability);
SimulationSettings read_simulation(Section s);
Plan read_plan(const std::string& name, Section s, const Stock& stock, const PriceModel& model);
ScenarioLevers read_levers(Section& s);
/// Sets `o` in the tree before it is read, creating the maps on its path.
void apply_override(YAML::Node root, const Override& o, LoadContext& ctx);
/// The node at a key path, or the deepest one on the way to it (for an error's position).
YAML::Node node_at(YAML::Node node, const std::string& key_path);
/// What no single field shows: the steps one path takes and how far the model may move a price.
void check_model_reach(const Thesis& t, const YAML::Node& root, LoadContext& ctx);
/// What a plan's hedge needs from the rest of the file: options that last as long as the trade,
/// quoted premiums a volatility gives, and a size for a contract count.
void check_hedges(const Thesis& t, const YAML::Node& root, LoadContext& ctx);

}  // namespace thesis::loader
