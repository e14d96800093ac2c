#include "yaml_section.h"

#include "thesis/io/seed_thesis.h"
#include "thesis/valuation/valuation.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace thesis {

using namespace loader;

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
        std::size_t length = c < 0x80           ? 1
                             : (c >> 5) == 0x6  ? 2
                             : (c >> 4) == 0xE  ? 3
                             : (c >> 3) == 0x1E ? 4
                                                : 0;
        if (length == 0 || i + length > s.size()) return i;
        std::uint32_t code = length == 1 ? c : c & (0x7F >> length);
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(s[i + k]);
            if ((next & 0xC0) != 0x80) return i;
            code = (code << 6) | (next & 0x3F);
        }
        // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
        static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
        if (code < kMinimum[length] || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return i;
        i += length;
    }
    return std::string_view::npos;
}
}  // namespace

Thesis load_thesis(std::string_view yaml, const std::string& source, const std::vector<Override>& overrides) {
    if (const std::size_t bad = first_invalid_utf8(yaml); bad != std::string_view::npos) {
        const std::string_view before = yaml.substr(0, bad);
        const int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
        const std::size_t line_start = before.rfind('\n');
        const int column =
            static_cast<int>(bad - (line_start == std::string_view::npos ? 0 : line_start + 1)) + 1;
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
        throw InputError(
            {source, e.mark.is_null() ? 0 : e.mark.line + 1, e.mark.is_null() ? 0 : e.mark.column + 1}, "",
            "not valid YAML: " + e.msg);
    }
    if (!root.IsMap())
        throw InputError({source, 1, 1}, "",
                         "expected a scenario file (a YAML map with stock, scenarios, plans, ...); "
                         "got " +
                             std::string(kind_name(root)));
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
        check_model_stock(t, Section(model_node, "model", ctx, top.mark()));
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
            // The scenarios price model: when the scenario's price is reached, and how widely.
            sc.by = s.optional_duration("by");
            if (sc.by && !(*sc.by > 0))
                s.fail_at(s.find("by"), join(s.path(), "by"), "expected a date after the valuation date");
            sc.dispersion = s.optional_number("dispersion", Unit::Ratio);
            if (sc.dispersion && !(*sc.dispersion >= 0 && *sc.dispersion <= limits::kMaxLogJumpSd))
                s.fail_at(s.find("dispersion"), join(s.path(), "dispersion"),
                          "expected the log landing price's standard deviation, from 0 to 5 (0% to 500%)");
            if (sc.claimed_return && *sc.claimed_return <= -1)
                s.fail_at(s.find("claimed_return"), join(s.path(), "claimed_return"),
                          "expected a return above -100%");
            const YAML::Node stock_over = s.find("stock");
            if (stock_over.IsMap())
                for (const char* today : {"price", "market_cap", "valuation_date", "name", "ticker", "eps",
                                          "forward_eps", "forward_pe"})
                    if (stock_over[today].IsDefined())
                        s.fail_at(stock_over[today], join(join(s.path(), "stock"), today),
                                  "a scenario cannot change today's value; move the price with "
                                  "the price, price_change, multiple, eps or eps_change levers");
            sc.stock = stock_over.IsDefined() ? read_stock(Section(merged(stock_node, stock_over),
                                                                   join(s.path(), "stock"), ctx, s.mark()))
                                              : t.stock;
            s.finish();
            try {
                (void)value_scenario(sc, t.stock);  // levers that don't determine a price
            } catch (const InputError& e) {
                s.fail_at(s.node(), s.path(), e.message());
            }
            t.scenarios.push_back(std::move(sc));
        }
        if (any_probability && !all_probability) {
            for (const auto& kv : scenarios.node())
                if (!kv.second.IsMap() || !kv.second["probability"].IsDefined())
                    scenarios.fail_at(kv.first, join(join("scenarios", kv.first.Scalar()), "probability"),
                                      "missing; give every scenario a probability or none");
        }
        if (all_probability && !t.scenarios.empty() && std::fabs(probability_sum - 1) > 1e-6)
            scenarios.fail_at(scenarios.node(), "scenarios",
                              fmt::format("expected scenario probabilities summing to 1, got {}",
                                          format_number(probability_sum, 4)));
        check_model_scenarios(t, Section(model_node, "model", ctx, top.mark()), scenarios, any_probability);
        // Events tied to scenarios name scenarios that exist.
        for (const CatalystEvent& e : t.model.events)
            for (const std::string& name : e.scenarios)
                if (!t.find_scenario(name)) {
                    const YAML::Node tied = model_node["events"][e.name]["scenarios"];
                    Section m(model_node, "model", ctx, top.mark());
                    std::vector<std::string> names;
                    for (const Scenario& sc : t.scenarios) names.push_back(sc.name);
                    const std::string hint = did_you_mean(name, names);
                    m.fail_at(tied, "model.events." + e.name + ".scenarios",
                              fmt::format("no scenario named '{}'{}", name,
                                          names.empty()  ? std::string("; the file has no scenarios")
                                          : hint.empty() ? ""
                                                         : " (did you mean '" + hint + "'?)"));
                }
        Section plans = top.section("plans");
        for (const auto& kv : plans.node()) {
            const std::string name = kv.first.Scalar();
            plans.find(name);
            t.plans.push_back(read_plan(name, Section(kv.second, join("plans", name), ctx, kv.first.Mark()),
                                        t.stock, t.model));
        }
        top.finish();
        check_model_reach(t, root, ctx);
        check_hedges(t, root, ctx);
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

}  // namespace thesis
