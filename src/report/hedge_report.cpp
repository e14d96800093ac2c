// `thesis hedge`'s report (hedge_report.h).
#include "thesis/report/hedge_report.h"

#include "thesis/analysis/metrics.h"
#include "thesis/core/errors.h"
#include "thesis/report/reports.h"
#include "thesis/valuation/payoff.h"

#include <fmt/format.h>

#include <algorithm>

namespace thesis {

namespace {

// The catalogue's metrics the comparison shows, in its columns' order.
constexpr const char* kShown[] = {"p_loss", "var95", "var99", "es99", "pnl_per_share"};
constexpr const char* kMachineOnly[] = {"es95", "hedge_pnl", "floor_shortfall", "p_past_floor"};

std::optional<Estimate> paired_pnl(const SimulationResult& result, std::size_t variant) {
    for (std::size_t j = 0; j < result.plan_pairs.size(); ++j)
        if (result.plan_pairs[j].plan == variant) {
            const RunningStats& s = result.plan_paired[j].pnl;
            return s.count() > 1 ? s.mean_estimate() : exact_estimate(s.mean());
        }
    return std::nullopt;
}

}  // namespace

Report hedge_report(const HedgeComparison& c, const SimulationResult& result, std::uint64_t requested_paths) {
    using nlohmann::json;
    const Thesis& t = c.thesis;
    const std::size_t n = c.variants.size();
    THESIS_REQUIRE(result.plans.size() >= n, "{} variants but {} plans simulated", n, result.plans.size());
    std::vector<PlanMetrics> metrics;
    for (std::size_t i = 0; i < n; ++i) metrics.push_back(summarize(result, i, t.plans[i], t.stock.price));
    const ProtectionVariant& reference = c.variants[c.reference];
    const Plan& original = c.variants[c.reference].plan;

    Report r;
    r.primary = "protection";
    r.heading = fmt::format("Protection for {} — {}", c.plan, t.source);
    if (result.interrupted)
        r.verdict.push_back(fmt::format("PARTIAL RESULTS: interrupted after {} of {} paths",
                                        format_count(static_cast<double>(result.paths)),
                                        format_count(static_cast<double>(requested_paths))));
    const std::vector<OpeningOption> options = opening_options(c);
    std::string vols;
    for (const OpeningOption& o : options)
        if (vols.find(format_percent(o.inputs.volatility, 1)) == std::string::npos)
            vols += (vols.empty() ? "" : ", ") + format_percent(o.inputs.volatility, 1);
    r.verdict.push_back(fmt::format(
        "{} ({} {}, stop {}, target {}): options bought at the fill and sold at the exit at their "
        "Black-Scholes value ({} implied volatility, rate {}, dividend yield {})",
        c.plan, to_string(original.side), to_string(original.entry), to_string(original.stop),
        to_string(original.target), vols.empty() ? "no" : vols,
        format_percent(t.simulation.risk_free_rate, 1), format_percent(t.stock.dividend_yield, 1)));
    const MetricInfo& pnl = *find_metric("pnl_per_share");
    const MetricInfo& es99 = *find_metric("es99");
    const auto best_by = [&](auto key) {
        std::size_t best = 0;
        for (std::size_t i = 1; i < n; ++i)
            if (key(metrics[i]) > key(metrics[best])) best = i;
        return best;
    };
    const std::size_t best_pnl = best_by([](const PlanMetrics& m) { return m.pnl_per_share.value; });
    const std::size_t best_tail = best_by([](const PlanMetrics& m) { return -m.es99.value; });
    r.verdict.push_back(
        fmt::format("Best expected P&L: {} at {} a share; smallest 1% tail (ES 99%): {} at {}",
                    c.variants[best_pnl].label, format_metric_ci(pnl, metrics[best_pnl].pnl_per_share),
                    c.variants[best_tail].label, format_metric(es99, metrics[best_tail].es99.value)));
    for (std::size_t i = 0; i < n; ++i) {
        if (i == c.reference || c.variants[i].kind == "none") continue;
        const auto d = paired_pnl(result, i);
        if (!d) continue;
        const double cost = cost_today(c, i);
        r.verdict.push_back(
            fmt::format("{} against {}: E[P&L] {} a share (paired); {} {} a share today", c.variants[i].label,
                        reference.label, format_metric_difference_ci(pnl, *d),
                        cost > -0.005 ? "costs" : "brings in", format_money(std::fabs(cost))));
    }

    // People: one row per variant.
    const std::string versus = "vs " + reference.label;
    Table wide;
    wide.audience = Table::Audience::People;
    wide.id = "protection";
    wide.title = "Protection on the same paths (95% confidence intervals): " + simulation_stamp(t, result);
    wide.columns = {{"protection", "protection", false}, {"cost today", "cost_today", true}};
    for (const char* name : kShown) wide.columns.push_back({find_metric(name)->label, name, true});
    wide.columns.push_back({versus, "pnl_per_share_versus_reference", true});
    wide.columns.push_back({"past the floor", "floor_shortfall", true});
    // Machines: one row per variant and metric.
    Table tidy;
    tidy.audience = Table::Audience::Machines;
    tidy.id = "protection";
    tidy.columns = {{"protection", "protection", false}, {"kind", "kind", false},
                    {"metric", "metric", false},         {"estimate", "estimate", true},
                    {"std_error", "std_error", true},    {"ci_low", "ci_low", true},
                    {"ci_high", "ci_high", true}};
    json variants = json::array();
    for (std::size_t i = 0; i < n; ++i) {
        const ProtectionVariant& v = c.variants[i];
        const PlanMetrics& m = metrics[i];
        const double cost = cost_today(c, i);
        std::vector<Cell> row{
            v.label, v.kind == "none" || v.kind == "stop" ? Cell("–") : Cell(format_money(cost), cost)};
        json vj{{"id", v.plan.name}, {"kind", v.kind}, {"label", v.label}, {"cost_today", cost}};
        tidy.rows.push_back(
            {v.label, v.kind, "cost_today", Cell(format_money(cost), cost), Cell(""), Cell(""), Cell("")});
        const auto record = [&](const MetricInfo& info, const std::optional<Estimate>& e) {
            vj[info.name] = e ? estimate_json(*e) : json(nullptr);
            if (e)
                tidy.rows.push_back({v.label, v.kind, info.name,
                                     Cell(format_metric(info, e->value), e->value), Cell("", e->std_error),
                                     Cell("", e->ci_low), Cell("", e->ci_high)});
        };
        for (const char* name : kShown) {
            const MetricInfo& info = *find_metric(name);
            const auto e = info.from_simulation(m).estimate;
            row.push_back(e ? format_metric_ci(info, *e) : "–");
            record(info, e);
        }
        for (const char* name : kMachineOnly) {
            const MetricInfo& info = *find_metric(name);
            record(info, info.from_simulation(m).estimate);
        }
        const auto d = paired_pnl(result, i);
        row.push_back(d ? format_metric_difference_ci(pnl, *d) : "–");
        vj["pnl_per_share_versus_reference"] = d ? estimate_json(*d) : json(nullptr);
        if (d)
            tidy.rows.push_back({v.label, v.kind, "pnl_per_share_versus_reference",
                                 Cell(format_metric_difference(pnl, d->value), d->value),
                                 Cell("", d->std_error), Cell("", d->ci_low), Cell("", d->ci_high)});
        const MetricInfo& floor = *find_metric("floor_shortfall");
        const auto f = floor.from_simulation(m).estimate;
        row.push_back(f ? format_metric_ci(floor, *f) : "–");
        wide.rows.push_back(std::move(row));
        variants.push_back(std::move(vj));
    }
    wide.footnotes.push_back(fmt::format(
        "per share; losses as positive amounts; cost today: the options' value at today's {} (a collar's "
        "sold option offsets the one bought); {}: E[P&L] less the reference's on the same paths; past the "
        "floor: "
        "the mean loss beyond what the stop (at its level) or the option (at its strike, plus its cost) "
        "promises",
        format_money(t.stock.price), versus));
    r.tables.push_back(std::move(wide));
    r.tables.push_back(std::move(tidy));

    Table opening;
    opening.id = "options";
    opening.title = fmt::format("The options at today's price ({}), per share", format_money(t.stock.price));
    opening.columns = {
        {"option", "option", false}, {"position", "position", false}, {"implied vol", "implied_vol", true},
        {"value", "value", true},    {"delta", "delta", true},        {"gamma", "gamma", true},
        {"vega", "vega", true},      {"theta", "theta", true},        {"rho", "rho", true}};
    json options_json = json::array();
    for (const OpeningOption& o : options) {
        const OptionGreeks& g = o.greeks;
        opening.rows.push_back(
            {o.label, o.bought ? "bought" : "sold",
             Cell(format_percent(o.inputs.volatility, 1), o.inputs.volatility),
             Cell(format_money(g.price), g.price), Cell(format_fixed(g.delta, 4), g.delta),
             Cell(format_fixed(g.gamma, 6), g.gamma), Cell(format_fixed(g.vega, 2), g.vega),
             Cell(format_fixed(g.theta, 2), g.theta), Cell(format_fixed(g.rho, 2), g.rho)});
        options_json.push_back({{"option", o.label},
                                {"position", o.bought ? "bought" : "sold"},
                                {"type", o.inputs.type == OptionType::Put ? "put" : "call"},
                                {"strike", o.inputs.strike},
                                {"expiry_years", o.inputs.years},
                                {"implied_vol", o.inputs.volatility},
                                {"value", g.price},
                                {"delta", g.delta},
                                {"gamma", g.gamma},
                                {"vega", g.vega},
                                {"theta", g.theta},
                                {"rho", g.rho}});
    }
    opening.footnotes.push_back(
        "one option on one share (a contract of 100 is 100 times); vega and rho per 1.00 (100 points) of "
        "volatility or rate, theta per year");
    r.tables.push_back(std::move(opening));

    // The opening position of each protection that holds options: the stock and its options.
    const double shares = trade_economics(original, t.stock.price).shares;
    Table position;
    position.id = "position_greeks";
    position.title = shares > 0 ? fmt::format(
                                      "The opening position at today's price: per share, and for the "
                                      "plan's {} shares",
                                      format_count(shares))
                                : "The opening position at today's price, per share of stock held";
    position.columns = {{"protection", "protection", false},
                        {"delta", "delta", true},
                        {"gamma", "gamma", true},
                        {"vega", "vega", true},
                        {"theta", "theta", true},
                        {"rho", "rho", true}};
    if (shares > 0)
        for (const char* name : {"delta", "vega", "theta"})
            position.columns.push_back(
                {fmt::format("{} × {}", name, format_count(shares)), fmt::format("position_{}", name), true});
    json position_json = json::array();
    for (std::size_t i = 0; i < n; ++i) {
        if (c.variants[i].kind == "none" || c.variants[i].kind == "stop") continue;
        const OptionGreeks g = position_greeks(c, i);
        std::vector<Cell> row{c.variants[i].label,
                              Cell(format_fixed(g.delta, 4), g.delta),
                              Cell(format_fixed(g.gamma, 6), g.gamma),
                              Cell(format_fixed(g.vega, 2), g.vega),
                              Cell(format_fixed(g.theta, 2), g.theta),
                              Cell(format_fixed(g.rho, 2), g.rho)};
        if (shares > 0) {
            row.push_back(Cell(format_fixed(g.delta * shares, 2), g.delta * shares));
            row.push_back(Cell(format_fixed(g.vega * shares, 0), g.vega * shares));
            row.push_back(Cell(format_fixed(g.theta * shares, 0), g.theta * shares));
        }
        position.rows.push_back(std::move(row));
        position_json.push_back({{"protection", c.variants[i].label},
                                 {"kind", c.variants[i].kind},
                                 {"shares", shares},
                                 {"delta", g.delta},
                                 {"gamma", g.gamma},
                                 {"vega", g.vega},
                                 {"theta", g.theta},
                                 {"rho", g.rho}});
    }
    position.footnotes.push_back(
        "per share of stock held: the stock's delta (1 for a long, -1 for a short) plus its options' greeks, "
        "each times its cover (negative for an option sold)");
    r.tables.push_back(std::move(position));

    json j = json_stamp(t, "hedge");
    j["plan"] = c.plan;
    j["reference"] = reference.plan.name;
    j["paths"] = result.paths;
    j["requested_paths"] = requested_paths;
    j["interrupted"] = result.interrupted;
    j["seed"] = t.simulation.seed;
    j["monitoring"] = to_string(t.simulation.monitoring);
    j["risk_free_rate"] = t.simulation.risk_free_rate;
    j["dividend_yield"] = t.stock.dividend_yield;
    j["protection"] = std::move(variants);
    j["options"] = std::move(options_json);
    j["position_greeks"] = std::move(position_json);
    r.json = std::move(j);
    return r;
}

}  // namespace thesis
