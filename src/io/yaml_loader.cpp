#include "thesis/io/yaml_loader.h"

#include "thesis/core/errors.h"
#include "thesis/io/seed_thesis.h"
#include "thesis/valuation/valuation.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numbers>
#include <set>
#include <sstream>

namespace thesis {

namespace {

// Shared by every Section of one load.
struct LoadContext {
    std::string file;
    std::set<std::string> overridden;               // key paths set on the command line
    std::map<std::string, std::string>* assumptions = nullptr;
    Date valuation_date{};
};

std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string_view kind_name(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map: return "a map";
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Null: return "nothing";
        case YAML::NodeType::Scalar: return "a value";
        default: return "nothing";
    }
}

// 1e18 → "10^18".
std::string magnitude_text(double limit) { return fmt::format("10^{:.0f}", std::log10(limit)); }

std::string shown(const YAML::Node& node) {
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
                fail_at(kv.first, join(path_, other),
                        fmt::format("unknown key (did you mean '{}'?); {} is required", key,
                                    join(path_, key)));
        }
        throw InputError(where(YAML::Node(), join(path_, key)), join(path_, key),
                         fmt::format("missing; expected {}", expected));
    }

    SourceLocation where(const YAML::Node& node, const std::string& key_path) const {
        for (std::string p = key_path;; p = p.substr(0, p.rfind('.'))) {
            if (ctx_.overridden.count(p)) return {"command line (--set " + p + ")", 0, 0};
            if (p.find('.') == std::string::npos) break;
        }
        const YAML::Mark m =
            node.IsDefined() && !node.Mark().is_null() ? node.Mark() : fallback_;
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
        if (!n.IsScalar())
            fail_at(n, key_path, fmt::format("expected {}, got {}", describe(unit), shown(n)));
        auto v = parse_quantity(n.Scalar(), unit);
        if (!v) fail_at(n, key_path, fmt::format("expected {}, got {}", describe(unit), shown(n)));
        if (!backstop) return *v;
        // A backstop against numbers no thesis means (1e300): the fields' own checks are tighter.
        const double limit = unit == Unit::Money || unit == Unit::Count ? limits::kMaxAmount
                             : unit == Unit::Times                      ? limits::kMaxMultiple
                                                                        : limits::kMaxNumber;
        if (std::fabs(*v) > limit)
            fail_at(n, key_path, fmt::format("expected {}, at most {} in size, got {}",
                                             describe(unit), magnitude_text(limit), shown(n)));
        return *v;
    }
    /// A positive `unit` value in [lo, hi], else an error saying it expected `range`.
    double positive_within(std::string_view key, Unit unit, double lo, double hi,
                           std::string_view range) {
        const YAML::Node n = find(key);
        if (!n.IsDefined() || n.IsNull()) fail_missing(key, describe(unit));
        const double v = to_number(n, join(path_, key), unit, false);
        if (!(v > 0))
            fail_at(n, join(path_, key), fmt::format("expected a positive value, got {}", shown(n)));
        if (v < lo || v > hi) fail_at(n, join(path_, key), fmt::format("expected {}, got {}", range, shown(n)));
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
    double bounded(std::string_view key, double fallback, double lo, double hi,
                   std::string_view range, bool percent_hint = true) {
        const YAML::Node n = find(key);
        if (!n.IsDefined() || n.IsNull()) return fallback;
        const double v = to_number(n, join(path_, key), Unit::Number);
        if (v < lo || v > hi) {
            const std::string text = n.Scalar();
            const bool percent_typo = percent_hint && text.find('%') == std::string::npos &&
                                      v / 100 >= lo && v / 100 <= hi;
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
                    fmt::format("expected a fraction from {:g} to {:g} ({:g}% to {:g}%), got {}",
                                lo, hi, lo * 100, hi * 100, shown(n)));
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
        if (!n.IsScalar())
            fail_at(n, join(path_, key), fmt::format("expected text, got {}", shown(n)));
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
            fail_at(n, key_path, fmt::format("expected a duration like 90d, 6m, 1y or a date like "
                                             "2025-11-19, got {}", shown(n)));
        if (std::fabs(*v) > limits::kMaxDuration)
            fail_at(n, key_path, fmt::format("expected a duration or date within 1000y of the "
                                             "valuation date, got {}", shown(n)));
        return *v;
    }
    /// One of `choices`, with a did-you-mean hint.
    std::string choice(std::string_view key, std::initializer_list<std::string_view> choices,
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
                                hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint),
                                known));
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
YAML::Node merged(const YAML::Node& base, const YAML::Node& top) {
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

// ---- Sections of a scenario file ----

Stock read_stock(Section s) {
    Stock st;
    st.name = s.text("name");
    st.ticker = s.text("ticker");
    {
        const YAML::Node n = s.find("valuation_date");
        if (!n.IsDefined() || n.IsNull()) s.fail_missing("valuation_date", "a date like 2025-07-14");
        auto d = n.IsScalar() ? parse_date(n.Scalar()) : std::nullopt;
        if (!d)
            s.fail_at(n, join(s.path(), "valuation_date"),
                      fmt::format("expected a date like 2025-07-14, got {}", shown(n)));
        st.valuation_date = *d;
        s.context().valuation_date = *d;
    }
    st.price = s.price("price");
    st.pe = s.multiple("pe");
    st.sector_pe = s.optional_multiple("sector_pe").value_or(0);
    st.market_cap = s.positive("market_cap", Unit::Money);
    st.revenue = s.optional_positive("revenue", Unit::Money);
    st.net_margin = s.optional_fraction("net_margin", -1, 1).value_or(0);
    st.shares = s.optional_positive("shares", Unit::Money);
    s.finish();
    return st;
}

Opportunity read_opportunity(Section s) {
    Opportunity o;
    o.description = s.text("description");
    o.revenue_unlock = s.number("revenue_unlock", Unit::Money, 0);
    o.addressable_market = s.optional_positive("addressable_market", Unit::Money);
    const YAML::Node share = s.find("share_of_sales");
    const std::string share_path = join(s.path(), "share_of_sales");
    if (share.IsSequence()) {
        if (share.size() != 2)
            s.fail_at(share, share_path, "expected a range [low, high] like [20%, 30%]");
        o.share_of_sales_low = s.to_number(share[0], share_path, Unit::Ratio);
        o.share_of_sales_high = s.to_number(share[1], share_path, Unit::Ratio);
        if (*o.share_of_sales_low > *o.share_of_sales_high || *o.share_of_sales_low < 0 ||
            *o.share_of_sales_high > 1)
            s.fail_at(share, share_path, "expected 0 <= low <= high <= 100%");
    } else if (share.IsDefined() && !share.IsNull()) {
        o.share_of_sales_low = o.share_of_sales_high = s.to_number(share, share_path, Unit::Ratio);
        if (*o.share_of_sales_low < 0 || *o.share_of_sales_low > 1)
            s.fail_at(share, share_path, "expected a share of sales from 0% to 100%");
    }
    o.writeoff = s.optional_positive("writeoff", Unit::Money);
    s.finish();
    return o;
}

CatalystEvent read_event(const std::string& name, Section s) {
    CatalystEvent e;
    e.name = name;
    e.description = s.text("description");
    e.probability = s.optional_fraction("probability", 0, 1).value_or(0);
    if (!s.has("probability")) s.fail_missing("probability", "a probability like 0.5 or 50%");
    const auto date = s.optional_duration("date");
    const YAML::Node window = s.find("window");
    if (date && window.IsDefined() && !window.IsNull())
        s.fail_at(window, join(s.path(), "window"), "give either date or window, not both");
    if (date) {
        e.window_start = e.window_end = *date;
    } else if (window.IsSequence() && window.size() == 2) {
        e.window_start = s.to_duration(window[0], join(s.path(), "window"));
        e.window_end = s.to_duration(window[1], join(s.path(), "window"));
        if (e.window_end < e.window_start)
            s.fail_at(window, join(s.path(), "window"), "expected the window's end after its start");
    } else if (window.IsDefined() && !window.IsNull()) {
        s.fail_at(window, join(s.path(), "window"),
                  "expected a window [start, end] like [2025-08-01, 2025-12-31]");
    } else {
        s.fail_missing("date", "a date or a window [start, end]");
    }
    if (e.window_start < 0)
        s.fail_at(s.node(), s.path(), "expected the event on or after the valuation date");
    e.jump_mean = s.bounded("jump_mean", 0, -limits::kMaxLogJump, limits::kMaxLogJump,
                            "a log jump from -10 to 10 (-1000% to 1000%)");
    e.jump_sd = s.number("jump_sd", Unit::Number, 0);
    if (e.jump_sd < 0) s.fail_at(s.find("jump_sd"), join(s.path(), "jump_sd"),
                                 "expected a non-negative standard deviation");
    e.jump_sd = s.bounded("jump_sd", 0, 0, limits::kMaxLogJumpSd,
                          "a standard deviation from 0 to 5 (0% to 500%)");
    e.unlocks_revenue = s.flag("unlocks_revenue", false);
    s.finish();
    return e;
}

PriceModel read_model(Section s) {
    PriceModel m;
    const std::string kind = s.choice("kind", {"gbm", "merton", "fundamentals"}, "gbm");
    m.kind = kind == "merton" ? ModelKind::Merton
             : kind == "fundamentals" ? ModelKind::Fundamentals : ModelKind::Gbm;
    m.drift = s.bounded("drift", 0, -limits::kMaxRate, limits::kMaxRate,
                        "a drift from -1000% to 1000% a year (-10 to 10)");
    m.volatility = s.positive("volatility", Unit::Number);
    m.volatility = s.bounded("volatility", m.volatility, 0, limits::kMaxRate,
                             "a volatility of at most 1000% a year (10)");
    {
        Section j = s.section("jumps");
        m.jump_intensity = j.number("intensity", Unit::Number, 0);
        m.jump_mean = j.number("mean", Unit::Number, 0);
        m.jump_sd = j.number("sd", Unit::Number, 0);
        if (m.jump_intensity < 0 || m.jump_sd < 0)
            j.fail_at(j.node(), j.path(), "expected a non-negative intensity and sd");
        j.bounded("intensity", 0, 0, limits::kMaxJumpIntensity, "at most 365 jumps a year", false);
        j.bounded("mean", 0, -limits::kMaxLogJump, limits::kMaxLogJump,
                  "a log jump from -10 to 10 (-1000% to 1000%)");
        j.bounded("sd", 0, 0, limits::kMaxLogJumpSd, "a standard deviation from 0 to 5 (0% to 500%)");
        j.finish();
        if (m.kind == ModelKind::Merton && !(m.jump_intensity > 0))
            s.fail_at(s.node(), join(s.path(), "jumps.intensity"),
                      "a merton model needs jumps.intensity > 0 (jumps per year)");
    }
    {
        Section f = s.section("fundamentals");
        m.multiple_half_life = f.optional_duration("multiple_half_life").value_or(1.0);
        if (!(m.multiple_half_life > 0))
            f.fail_at(f.find("multiple_half_life"), join(f.path(), "multiple_half_life"),
                      "expected a positive half-life");
        m.multiple_volatility = f.number("multiple_volatility", Unit::Number, 0);
        m.eps_growth = f.bounded("eps_growth", 0, -limits::kMaxRate, limits::kMaxRate,
                                 "a growth from -1000% to 1000% a year (-10 to 10)");
        m.eps_volatility = f.number("eps_volatility", Unit::Number, 0);
        m.eps_multiple_correlation = f.number("correlation", Unit::Number, 0);
        if (m.eps_multiple_correlation < -1 || m.eps_multiple_correlation > 1)
            f.fail_at(f.find("correlation"), join(f.path(), "correlation"),
                      "expected a correlation in [-1, 1]");
        if (m.multiple_volatility < 0 || m.eps_volatility < 0)
            f.fail_at(f.node(), f.path(), "expected non-negative volatilities");
        for (const char* key : {"multiple_volatility", "eps_volatility"})
            f.bounded(key, 0, 0, limits::kMaxRate, "a volatility of at most 1000% a year (10)");
        f.finish();
    }
    {
        Section ev = s.section("events");
        for (const auto& kv : ev.node()) {
            const std::string name = kv.first.Scalar();
            ev.find(name);
            m.events.push_back(read_event(name, Section(kv.second, join(ev.path(), name),
                                                        ev.context(), kv.first.Mark())));
        }
    }
    s.finish();
    return m;
}

SimulationSettings read_simulation(Section s) {
    SimulationSettings sim;
    // Counts are capped at 10^18 when parsed (to_number), so both casts below are defined; the
    // fuzzer found paths: 1e73 converted before any check. The path count's own range is
    // checked as a double, before its cast.
    const double paths = s.number("paths", Unit::Count, 200'000);
    if (paths == 0) s.fail_at(s.find("paths"), join(s.path(), "paths"), "expected at least 1 path");
    if (paths > limits::kMaxPaths)
        s.fail_at(s.find("paths"), join(s.path(), "paths"),
                  fmt::format("expected at most 10^11 paths, got {}; use --tolerance to stop when "
                              "the answer is precise enough", static_cast<std::uint64_t>(paths)));
    sim.paths = static_cast<std::uint64_t>(paths);
    sim.seed = static_cast<std::uint64_t>(s.number("seed", Unit::Count, 1));   // ≤ 10^18 < 2⁶⁴
    sim.horizon = s.optional_duration("horizon").value_or(1.0);
    if (!(sim.horizon > 0))
        s.fail_at(s.find("horizon"), join(s.path(), "horizon"), "expected a positive horizon");
    if (sim.horizon < limits::kMinHorizon || sim.horizon > limits::kMaxHorizon)
        s.fail_at(s.find("horizon"), join(s.path(), "horizon"),
                  fmt::format("expected a horizon from 1d to 100y, got {}", shown(s.find("horizon"))));
    const double steps = s.number("steps_per_year", Unit::Count, 252);
    if (steps < 1 || steps > 100000)
        s.fail_at(s.find("steps_per_year"), join(s.path(), "steps_per_year"),
                  "expected between 1 and 100,000 steps a year");
    sim.steps_per_year = static_cast<int>(steps);
    sim.monitoring = *monitoring_from_string(s.choice("monitoring", {"discrete", "continuous", "sessions"},
                                                      to_string(sim.monitoring)));
    sim.overnight_variance_share = s.optional_fraction("overnight_variance_share", 0, 1)
                                       .value_or(sim.overnight_variance_share);
    sim.gap_threshold = s.optional_fraction("gap_threshold", 0, 0.5).value_or(0.01);
    // Off, P(touch target) / P(touch stop) are not measured and paths end with their plans.
    sim.touch_odds = s.flag("touch_odds", true);
    s.finish();
    return sim;
}

Plan read_plan(const std::string& name, Section s, const Stock& stock, const PriceModel& model) {
    Plan p;
    p.name = name;
    p.description = s.text("description");
    p.side = s.choice("side", {"long", "short"}, "long") == "short" ? Side::Short : Side::Long;
    const std::string path = s.path();
    // entry: market | PRICE | {limit: PRICE} | {date: DATE} | {after: EVENT}
    {
        const YAML::Node n = s.find("entry");
        const std::string key = join(path, "entry");
        if (!n.IsDefined() || n.IsNull() || (n.IsScalar() && n.Scalar() == "market")) {
            p.entry.kind = Entry::Kind::Market;
        } else if (n.IsScalar()) {
            p.entry.kind = Entry::Kind::Limit;
            auto v = parse_quantity(n.Scalar(), Unit::Money);
            if (!v) s.fail_at(n, key, "expected market, a limit price like 700, {date: 2025-11-19} "
                                      "or {after: EVENT}, got " + shown(n));
            p.entry.limit = *v;
        } else {
            Section e(n, key, s.context(), s.mark());
            if (e.has("limit")) {
                p.entry.kind = Entry::Kind::Limit;
                p.entry.limit = e.positive("limit", Unit::Money);
            }
            if (auto at = e.optional_duration("date")) {
                p.entry.kind = Entry::Kind::OnDate;
                p.entry.at = *at;
                if (*at < 0) e.fail_at(e.find("date"), join(key, "date"),
                                       "expected a date on or after the valuation date");
            }
            if (e.has("after")) {
                p.entry.kind = Entry::Kind::AfterEvent;
                p.entry.event = e.text("after");
                std::vector<std::string> names;
                for (const auto& ev : model.events) names.push_back(ev.name);
                if (std::find(names.begin(), names.end(), p.entry.event) == names.end()) {
                    const std::string hint = did_you_mean(p.entry.event, names);
                    e.fail_at(e.find("after"), join(key, "after"),
                              fmt::format("no event named '{}' in model.events{}", p.entry.event,
                                          hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
                }
            }
            if (e.node().size() != 1)
                e.fail_at(n, key, "expected exactly one of limit, date or after");
            e.finish();
        }
    }
    // stop: PRICE | PERCENT% | {trailing: PERCENT%} | none
    {
        const YAML::Node n = s.find("stop");
        const std::string key = join(path, "stop");
        if (!n.IsDefined() || n.IsNull() || (n.IsScalar() && n.Scalar() == "none")) {
            p.stop.kind = Stop::Kind::None;
        } else if (n.IsScalar() && !n.Scalar().empty() && n.Scalar().back() == '%') {
            p.stop.kind = Stop::Kind::Percent;
            p.stop.distance = s.to_number(n, key, Unit::Ratio);
        } else if (n.IsScalar()) {
            p.stop.kind = Stop::Kind::Fixed;
            auto v = parse_quantity(n.Scalar(), Unit::Money);
            if (!v) s.fail_at(n, key, "expected a stop price like 600, a distance like 15% or "
                                      "{trailing: 20%}, got " + shown(n));
            p.stop.level = *v;
        } else {
            Section st(n, key, s.context(), s.mark());
            if (!st.has("trailing"))
                st.fail_at(n, key, "expected a stop price like 600, a distance like 15% or "
                                   "{trailing: 20%}");
            p.stop.kind = Stop::Kind::Trailing;
            p.stop.distance = st.number("trailing", Unit::Ratio);
            st.finish();
        }
    }
    // target: PRICE | PERCENT% | none
    {
        const YAML::Node n = s.find("target");
        const std::string key = join(path, "target");
        if (!n.IsDefined() || n.IsNull() || (n.IsScalar() && n.Scalar() == "none")) {
            p.target.kind = Target::Kind::None;
        } else if (n.IsScalar() && !n.Scalar().empty() && n.Scalar().back() == '%') {
            p.target.kind = Target::Kind::Percent;
            p.target.distance = s.to_number(n, key, Unit::Ratio);
        } else {
            p.target.kind = Target::Kind::Fixed;
            p.target.level = s.to_number(n, key, Unit::Money, false);   // check_plan: its range
        }
    }
    p.sizing.capital = s.number("capital", Unit::Money, 0);
    p.sizing.risk_per_trade = s.number("risk_per_trade", Unit::Ratio, 0);
    p.sizing.shares = s.optional_number("shares", Unit::Count);
    p.costs.commission_per_share = s.number("commission", Unit::Money, 0);
    p.costs.slippage_bps = s.number("slippage_bps", Unit::Number, 0);
    p.horizon = s.optional_duration("horizon");
    if (auto problem = check_plan(p, stock.price)) {
        const YAML::Node at = s.find(problem->field);
        s.fail_at(at.IsDefined() ? at : s.node(), join(path, problem->field), problem->message);
    }
    s.finish();
    return p;
}

ScenarioLevers read_levers(Section& s) {
    ScenarioLevers l;
    l.price = s.optional_price("price");
    l.price_change = s.optional_number("price_change", Unit::Ratio);
    if (l.price_change && *l.price_change <= -1)
        s.fail_at(s.find("price_change"), join(s.path(), "price_change"),
                  "expected a change above -100%");
    l.multiple = s.optional_multiple("multiple");
    l.eps_change = s.optional_number("eps_change", Unit::Ratio);
    if (l.eps_change && *l.eps_change <= -1)
        s.fail_at(s.find("eps_change"), join(s.path(), "eps_change"),
                  "expected a change above -100% (EPS must stay positive for a P/E)");
    l.revenue_change = s.optional_number("revenue_change", Unit::Money);
    return l;
}

void apply_override(YAML::Node root, const Override& o, LoadContext& ctx) {
    YAML::Node at = root;
    std::string walked;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = o.key_path.find('.', start);
        const std::string key = o.key_path.substr(start, dot == std::string::npos ? dot : dot - start);
        if (key.empty())
            throw InputError({"command line"}, o.key_path, "expected a key path like stock.price");
        walked = join(walked, key);
        if (dot == std::string::npos) {
            at[key] = o.value;
            break;
        }
        YAML::Node next = at[key];
        if (!next.IsDefined() || next.IsNull()) {
            at[key] = YAML::Node(YAML::NodeType::Map);
            next = at[key];
        } else if (!next.IsMap()) {
            throw InputError({"command line"}, o.key_path,
                             fmt::format("'{}' is a value, not a section", walked));
        }
        at.reset(next);
        start = dot + 1;
    }
    ctx.overridden.insert(o.key_path);
}

// The node at a key path, or the deepest one on the way to it (for an error's position).
YAML::Node node_at(YAML::Node node, const std::string& key_path) {
    std::size_t start = 0;
    while (node.IsMap()) {
        const std::size_t dot = key_path.find('.', start);
        const std::string key =
            key_path.substr(start, dot == std::string::npos ? dot : dot - start);
        YAML::Node next;
        bool found = false;
        for (const auto& kv : node)
            if (kv.first.Scalar() == key) {
                next.reset(kv.second);
                found = true;
                break;
            }
        if (!found || next.IsNull()) break;
        node.reset(next);
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return node;
}

// Checks what no single field shows: how many steps one path takes, and how far the model may
// move a price. Beyond kMaxLogGrowth, simulated prices (and the squares the statistics sum)
// overflow to infinity; the engine refuses those, so the loader says which input to lower.
void check_model_reach(const Thesis& t, const YAML::Node& root, LoadContext& ctx) {
    Section top(root, "", ctx, root.Mark());
    const auto fail = [&](const std::string& key, const std::string& message) {
        top.fail_at(node_at(root, key), key, message);
    };
    // The horizon the engine simulates: the simulation's, or a longer plan's (MonteCarlo::horizon_of).
    Years horizon = t.simulation.horizon;
    std::string horizon_key = "simulation.horizon";
    for (const Plan& p : t.plans)
        if (p.horizon && *p.horizon > horizon) {
            horizon = *p.horizon;
            horizon_key = "plans." + p.name + ".horizon";
        }
    const double steps = std::round(horizon * t.simulation.steps_per_year);
    if (steps > limits::kMaxStepsPerPath)
        fail(horizon_key, fmt::format("{:g}y at {} steps a year is {} steps a path; expected at "
                                      "most 100,000: shorten the horizon or lower "
                                      "simulation.steps_per_year",
                                      horizon, format_count(t.simulation.steps_per_year),
                                      format_count(steps)));

    const PriceModel& m = t.model;
    const Bridge today = bridge(t.stock);
    double unlock_step = 0;
    if (m.kind == ModelKind::Fundamentals && t.opportunity.revenue_unlock != 0) {
        const double g = eps_change_from_revenue(t.opportunity.revenue_unlock, t.stock.net_margin,
                                                 today.earnings);
        if (!(1 + g > 0))
            fail("opportunity.revenue_unlock",
                 fmt::format("the unlock would change EPS by {}; the fundamentals model needs EPS "
                             "to stay positive", format_percent(g, 1, true)));
        unlock_step = std::log1p(g);
    }

    // The log growth each input allows beyond noise: the drift (or EPS growth) over the horizon,
    // each event's mean jump factor ln E[e^J] = m + s²/2, and in fundamentals mode the re-rating
    // toward the sector P/E with the log multiple's variance. Merton jumps are compensated.
    struct Part {
        double growth;
        std::string key, what;
    };
    std::vector<Part> parts;
    if (m.kind == ModelKind::Fundamentals) {
        parts.push_back({std::max(0.0, m.eps_growth) * horizon, "model.fundamentals.eps_growth",
                         "EPS growth × horizon"});
        const double kappa = std::numbers::ln2 / m.multiple_half_life;
        const double variance = m.multiple_volatility * m.multiple_volatility *
                                std::min(horizon, 1 / (2 * kappa));
        parts.push_back({std::max(0.0, std::log(t.stock.sector_pe / t.stock.pe)) + variance / 2 +
                             std::fabs(m.eps_multiple_correlation) * m.eps_volatility *
                                 std::sqrt(horizon * variance),
                         "model.fundamentals.multiple_volatility", "re-rating"});
        const bool unlocks = std::any_of(m.events.begin(), m.events.end(), [](const auto& e) {
            return e.unlocks_revenue && e.probability > 0;
        });
        if (unlocks)
            parts.push_back({std::max(0.0, unlock_step), "opportunity.revenue_unlock", "the unlock"});
    } else {
        parts.push_back({std::max(0.0, m.drift) * horizon, "model.drift", "drift × horizon"});
    }
    for (const CatalystEvent& e : m.events)
        if (e.probability > 0)
            parts.push_back({std::max(0.0, e.jump_mean + 0.5 * e.jump_sd * e.jump_sd),
                             "model.events." + e.name + "." +
                                 (e.jump_mean >= 0.5 * e.jump_sd * e.jump_sd ? "jump_mean" : "jump_sd"),
                             "event " + e.name});
    double total = 0, rest = 0;
    const Part* largest = nullptr;
    std::string list;
    for (const Part& p : parts) {
        total += p.growth;
        if (p.growth <= 0) continue;
        if (!largest || p.growth > largest->growth) largest = &p;
        if (p.growth >= 1) list += fmt::format("{}{} {:.0f}", list.empty() ? "" : ", ", p.what, p.growth);
        else rest += p.growth;
    }
    if (rest > 0) list += fmt::format("{}the rest {:.2g}", list.empty() ? "" : ", ", rest);
    if (largest && total > limits::kMaxLogGrowth)
        fail(largest->key,
             fmt::format("the model lets prices grow e^{:.0f}-fold over {:g}y ({}); expected at "
                         "most e^100, past which prices overflow: lower {} or the horizon",
                         total, horizon, list, largest->key));
}

}  // namespace

Override parse_override(std::string_view text) {
    const auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0)
        throw InputError({"command line"}, std::string(text),
                         "expected KEY=VALUE, like plans.aggressive.stop=550");
    return {std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

namespace {
// The offset of the first byte that is not well-formed UTF-8 (RFC 3629), or npos.
std::size_t first_invalid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3
                                         : (c >> 3) == 0x1E ? 4 : 0;
        if (length == 0 || i + length > s.size()) return i;
        std::uint32_t code = length == 1 ? c : c & (0x7F >> length);
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(s[i + k]);
            if ((next & 0xC0) != 0x80) return i;
            code = (code << 6) | (next & 0x3F);
        }
        // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
        static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
        if (code < kMinimum[length] || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF)
            return i;
        i += length;
    }
    return std::string_view::npos;
}
}  // namespace

Thesis load_thesis(std::string_view yaml, const std::string& source,
                   const std::vector<Override>& overrides) {
    if (const std::size_t bad = first_invalid_utf8(yaml); bad != std::string_view::npos) {
        const std::string_view before = yaml.substr(0, bad);
        const int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
        const std::size_t line_start = before.rfind('\n');
        const int column = static_cast<int>(bad - (line_start == std::string_view::npos ? 0 : line_start + 1)) + 1;
        throw InputError({source, line, column}, "",
                         fmt::format("not UTF-8 text (byte 0x{:02X}); save the file as UTF-8",
                                     static_cast<unsigned char>(yaml[bad])));
    }
    Thesis t;
    t.source = source;
    LoadContext ctx;
    ctx.file = source;
    ctx.assumptions = &t.assumptions;
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        throw InputError({source, e.mark.is_null() ? 0 : e.mark.line + 1,
                          e.mark.is_null() ? 0 : e.mark.column + 1},
                         "", "not valid YAML: " + e.msg);
    }
    if (!root.IsMap())
        throw InputError({source, 1, 1}, "",
                         "expected a scenario file (a YAML map with stock, scenarios, plans, ...); "
                         "got " + std::string(kind_name(root)));
    for (const auto& o : overrides) apply_override(root, o, ctx);

    Section top(root, "", ctx, root.Mark());
    try {
        const YAML::Node stock_node = top.find("stock");
        if (!stock_node.IsDefined() || stock_node.IsNull())
            top.fail_missing("stock", "a stock section with price, pe and market_cap");
        t.stock = read_stock(Section(stock_node, "stock", ctx, top.mark()));
        const YAML::Node opportunity_node = top.find("opportunity");
        t.opportunity = read_opportunity(Section(opportunity_node, "opportunity", ctx, top.mark()));
        const YAML::Node model_node = top.find("model");
        if (!model_node.IsDefined() || model_node.IsNull())
            top.fail_missing("model", "a model section with at least volatility");
        t.model = read_model(Section(model_node, "model", ctx, top.mark()));
        if (t.model.kind == ModelKind::Fundamentals && !(t.stock.sector_pe > 0)) {
            Section m(model_node, "model", ctx, top.mark());
            m.fail_at(m.find("kind"), "model.kind",
                      "the fundamentals model needs stock.sector_pe, the multiple it reverts to");
        }
        const YAML::Node simulation_node = top.find("simulation");
        t.simulation = read_simulation(Section(simulation_node, "simulation", ctx, top.mark()));

        // Scenarios: each may override base sections by key path.
        Section scenarios = top.section("scenarios");
        bool any_probability = false, all_probability = true;
        double probability_sum = 0;
        for (const auto& kv : scenarios.node()) {
            const std::string name = kv.first.Scalar();
            scenarios.find(name);
            Section s(kv.second, join("scenarios", name), ctx, kv.first.Mark());
            Scenario sc;
            sc.name = name;
            sc.description = s.text("description");
            const auto p = s.optional_fraction("probability", 0, 1);
            any_probability |= p.has_value();
            all_probability &= p.has_value();
            sc.probability = p.value_or(0);
            probability_sum += sc.probability;
            sc.levers = read_levers(s);
            sc.claimed_return = s.optional_number("claimed_return", Unit::Ratio);
            if (sc.claimed_return && *sc.claimed_return <= -1)
                s.fail_at(s.find("claimed_return"), join(s.path(), "claimed_return"),
                          "expected a return above -100%");
            const YAML::Node stock_over = s.find("stock");
            if (stock_over.IsMap())
                for (const char* today : {"price", "market_cap", "valuation_date", "name", "ticker"})
                    if (stock_over[today].IsDefined())
                        s.fail_at(stock_over[today], join(join(s.path(), "stock"), today),
                                  "a scenario cannot change today's value; move the price with "
                                  "the price, price_change, multiple or eps_change levers");
            sc.stock = stock_over.IsDefined()
                           ? read_stock(Section(merged(stock_node, stock_over),
                                                join(s.path(), "stock"), ctx, s.mark()))
                           : t.stock;
            s.finish();
            try {
                (void)value_scenario(sc, t.stock);   // levers that don't determine a price
            } catch (const InputError& e) {
                s.fail_at(s.node(), s.path(), e.message());
            }
            t.scenarios.push_back(std::move(sc));
        }
        if (any_probability && !all_probability) {
            for (const auto& kv : scenarios.node())
                if (!kv.second.IsMap() || !kv.second["probability"].IsDefined())
                    scenarios.fail_at(kv.first, join(join("scenarios", kv.first.Scalar()),
                                                     "probability"),
                                      "missing; give every scenario a probability or none");
        }
        if (all_probability && !t.scenarios.empty() && std::fabs(probability_sum - 1) > 1e-6)
            scenarios.fail_at(scenarios.node(), "scenarios",
                              fmt::format("expected scenario probabilities summing to 1, got {}",
                                          format_number(probability_sum, 4)));
        Section plans = top.section("plans");
        for (const auto& kv : plans.node()) {
            const std::string name = kv.first.Scalar();
            plans.find(name);
            t.plans.push_back(read_plan(name, Section(kv.second, join("plans", name), ctx,
                                                      kv.first.Mark()),
                                        t.stock, t.model));
        }
        top.finish();
        check_model_reach(t, root, ctx);
    } catch (const YAML::Exception& e) {
        // A conversion yaml-cpp itself refused; keep its position.
        throw InputError({source, e.mark.line + 1, e.mark.column + 1}, "", e.msg);
    }
    return t;
}

Thesis load_thesis_file(const std::string& path, const std::vector<Override>& overrides) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError({path}, "", fmt::format("cannot read the file: {}", std::strerror(errno)));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw InputError({path}, "", "cannot read the file");
    return load_thesis(text.str(), path, overrides);
}

Thesis load_seed_thesis(const std::vector<Override>& overrides) {
    return load_thesis(seed_thesis_yaml(), std::string(kSeedThesisName), overrides);
}

// ---- Key paths (sweeps, sensitivity) ----

namespace {

InputError flag_error(const std::string& flag, const std::string& message) {
    return InputError({"command line"}, flag, message);
}

YAML::Node parse_for(std::string_view yaml, const std::string& flag) {
    try {
        return YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        throw flag_error(flag, "the scenario file is not valid YAML: " + e.msg);
    }
}

// Walks a key path in a YAML tree; returns the node or explains what is wrong.
YAML::Node find_key(const YAML::Node& root, const std::string& key, const std::string& flag) {
    YAML::Node at = root;
    std::string walked;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = key.find('.', start);
        const std::string part = key.substr(start, dot == std::string::npos ? dot : dot - start);
        if (part.empty()) throw flag_error(flag, "expected a key path like plans.aggressive.stop");
        if (!at.IsMap())
            throw flag_error(flag, fmt::format("'{}' is a value, not a section", walked));
        YAML::Node next;
        bool found = false;
        std::vector<std::string> siblings;
        for (const auto& kv : at) {
            siblings.push_back(kv.first.Scalar());
            if (kv.first.Scalar() == part) {
                next.reset(kv.second);
                found = true;
            }
        }
        if (!found) {
            const std::string hint = did_you_mean(part, siblings);
            std::string known;
            for (const auto& k : siblings) known += (known.empty() ? "" : ", ") + k;
            throw flag_error(flag, fmt::format("unknown key '{}'{}{}", part,
                                               walked.empty() ? "" : " in " + walked,
                                               hint.empty() ? "; the file has: " + known
                                                            : fmt::format(" (did you mean '{}'?)", hint)));
        }
        walked += (walked.empty() ? "" : ".") + part;
        at.reset(next);
        if (dot == std::string::npos) return at;
        start = dot + 1;
    }
}

void collect_leaves(const YAML::Node& node, const std::string& path, std::vector<ScalarLeaf>& out) {
    if (!node.IsMap()) return;
    for (const auto& kv : node) {
        const std::string key = path.empty() ? kv.first.Scalar() : path + "." + kv.first.Scalar();
        if (kv.second.IsMap()) collect_leaves(kv.second, key, out);
        else if (kv.second.IsScalar()) out.push_back({key, kv.second.Scalar()});
    }
}

}  // namespace

std::string scalar_at(std::string_view yaml, const std::string& key_path, const std::string& flag) {
    const YAML::Node n = find_key(parse_for(yaml, flag), key_path, flag);
    if (n.IsMap() || n.IsSequence())
        throw flag_error(flag, fmt::format("{} is a {}, not a number; name one of its values (e.g. {}.…)",
                                           key_path, n.IsMap() ? "section" : "list", key_path));
    if (!n.IsScalar()) throw flag_error(flag, fmt::format("{} is empty, not a numeric field", key_path));
    return n.Scalar();
}

std::vector<ScalarLeaf> scalar_leaves(std::string_view yaml, const std::string& flag) {
    std::vector<ScalarLeaf> out;
    collect_leaves(parse_for(yaml, flag), "", out);
    return out;
}

}  // namespace thesis
