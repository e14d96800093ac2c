#include "thesis/analysis/metrics.h"

#include "thesis/core/errors.h"
#include "thesis/core/units.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

namespace thesis {

namespace {

MetricValue none(std::string reason) { return {std::nullopt, std::move(reason)}; }

MetricValue from(const std::optional<Estimate>& e, const std::string& reason) {
    return e ? MetricValue{e, ""} : none(reason);
}

MetricValue value(const Estimate& e) { return {e, ""}; }

double is(bool b) { return b ? 1.0 : 0.0; }

bool stopped(ExitReason r) { return r == ExitReason::Stop || r == ExitReason::GapThroughStop; }

const Estimate& outcome(const PlanMetrics& m, ExitReason r) { return m.outcome[static_cast<std::size_t>(r)]; }

std::vector<MetricInfo> build_catalogue() {
    using U = MetricUnit;
    using B = Better;
    std::vector<MetricInfo> out;
    // A simulated plan metric; `per_path` makes it paired.
    const auto simulated =
        [&](std::string name, std::string label, std::string description, U unit, B better,
            std::string applies, std::function<MetricValue(const PlanMetrics&)> of,
            std::function<std::optional<double>(const TradeOutcome&, const TradeEconomics&)> per_path = {}) {
            MetricInfo m{std::move(name),
                         std::move(label),
                         "PLAN",
                         std::move(description),
                         unit,
                         better,
                         true,
                         static_cast<bool>(per_path),
                         std::move(applies),
                         std::move(of),
                         {},
                         {},
                         std::move(per_path)};
            out.push_back(std::move(m));
        };
    const std::string every = "every plan";
    const std::string no_touch = "touch odds not measured (simulation.touch_odds: false)";

    simulated(
        "p_unfilled", "P(unfilled)", "probability the entry never fills", U::Percent, B::Lower, every,
        [](const PlanMetrics& m) { return value(outcome(m, ExitReason::Unfilled)); },
        [](const TradeOutcome& o, const TradeEconomics&) { return is(o.reason == ExitReason::Unfilled); });
    simulated(
        "p_target", "P(target)", "probability the trade exits at its target", U::Percent, B::Higher,
        "a plan with a target", [](const PlanMetrics& m) { return value(outcome(m, ExitReason::Target)); },
        [](const TradeOutcome& o, const TradeEconomics&) { return is(o.reason == ExitReason::Target); });
    simulated(
        "p_stop", "P(stop)", "probability the trade exits at its stop, at the level or through a gap past it",
        U::Percent, B::Lower, "a plan with a stop", [](const PlanMetrics& m) { return value(m.stopped); },
        [](const TradeOutcome& o, const TradeEconomics&) { return is(stopped(o.reason)); });
    simulated(
        "p_gap_through_stop", "P(gap-through stop)",
        "probability the stop fills past its level by more than the gap threshold (part of p_stop)",
        U::Percent, B::Lower, "a plan with a stop",
        [](const PlanMetrics& m) { return value(outcome(m, ExitReason::GapThroughStop)); },
        [](const TradeOutcome& o, const TradeEconomics&) {
            return is(o.reason == ExitReason::GapThroughStop);
        });
    simulated(
        "p_stop_in_profit", "P(stop in profit)",
        "probability the trade exits at its stop with a gain, as a trailing stop that climbed past the entry "
        "does (part of p_stop)",
        U::Percent, B::Higher, "a plan with a stop",
        [](const PlanMetrics& m) { return value(m.stopped_in_profit); },
        [](const TradeOutcome& o, const TradeEconomics&) {
            return is(stopped(o.reason) && o.pnl_per_share > 0);
        });
    simulated(
        "p_horizon", "P(horizon)", "probability the trade is still open at the horizon and closed there",
        U::Percent, B::Neither, every,
        [](const PlanMetrics& m) { return value(outcome(m, ExitReason::Horizon)); },
        [](const TradeOutcome& o, const TradeEconomics&) { return is(o.reason == ExitReason::Horizon); });
    simulated(
        "pnl_per_share", "E[P&L] per share",
        "expected P&L per share, costs included (unfilled paths count as 0)", U::Money, B::Higher, every,
        [](const PlanMetrics& m) { return value(m.pnl_per_share); },
        [](const TradeOutcome& o, const TradeEconomics&) { return o.pnl_per_share; });
    simulated(
        "pnl_per_position", "E[P&L] per position", "expected P&L of the sized position", U::Position,
        B::Higher, "a plan with a size (capital or shares)",
        [](const PlanMetrics& m) {
            // Without a size there is no position: no value, rather than a misleading $0.
            return m.shares > 0 ? value(m.pnl_per_position)
                                : none("the plan has no size (capital or shares)");
        },
        [](const TradeOutcome& o, const TradeEconomics&) { return o.pnl_per_share * o.shares; });
    simulated("pnl_sd", "SD of P&L per share", "standard deviation of P&L per share (a statistic, no CI)",
              U::Loss, B::Neither, every,
              [](const PlanMetrics& m) { return value(exact_estimate(m.pnl_sd)); });
    for (const double level : kQuantileLevels) {
        const std::string name = fmt::format("pnl_q{:02.0f}", level * 100);
        const std::string label = fmt::format("P&L {:g}% quantile", level * 100);
        simulated(name, label, fmt::format("the {:g}% quantile of P&L per share", level * 100), U::Money,
                  B::Higher, every, [level](const PlanMetrics& m) -> MetricValue {
                      for (const auto& [l, q] : m.pnl_quantiles)
                          if (std::fabs(l - level) < 1e-12) return value(q);
                      throw InternalError(fmt::format("quantile {} not summarized", level));
                  });
    }
    simulated(
        "p_loss", "P(loss)", "probability the trade loses money, costs included", U::Percent, B::Lower, every,
        [](const PlanMetrics& m) { return value(m.probability_of_loss); },
        [](const TradeOutcome& o, const TradeEconomics&) { return is(o.pnl_per_share < 0); });
    simulated("var95", "VaR 95% (loss)", "95% value at risk per share (a loss, positive)", U::Loss, B::Lower,
              every, [](const PlanMetrics& m) { return value(m.var95); });
    simulated("es95", "ES 95% (loss)", "95% expected shortfall per share (mean of the worst 5%)", U::Loss,
              B::Lower, every, [](const PlanMetrics& m) { return value(m.es95); });
    simulated("var99", "VaR 99% (loss)", "99% value at risk per share", U::Loss, B::Lower, every,
              [](const PlanMetrics& m) { return value(m.var99); });
    simulated("es99", "ES 99% (loss)", "99% expected shortfall per share (mean of the worst 1%)", U::Loss,
              B::Lower, every, [](const PlanMetrics& m) { return value(m.es99); });
    simulated(
        "expectancy_r", "expectancy", "expected P&L in units of the risk per share (R)", U::R, B::Higher,
        "a plan with a stop",
        [](const PlanMetrics& m) { return from(m.expectancy_r, "needs a plan with a stop"); },
        [](const TradeOutcome& o, const TradeEconomics& e) -> std::optional<double> {
            if (!e.stop || !(e.risk_per_share > 0)) return std::nullopt;
            return o.pnl_per_share / e.risk_per_share;
        });
    simulated("average_win", "average win", "mean P&L per share of the winning trades", U::Money, B::Higher,
              "at least two wins",
              [](const PlanMetrics& m) { return from(m.average_win, "needs at least two wins"); });
    simulated("average_loss", "average loss", "mean loss per share of the losing trades (positive)", U::Loss,
              B::Lower, "at least two losses",
              [](const PlanMetrics& m) { return from(m.average_loss, "needs at least two losses"); });
    simulated("profit_factor", "profit factor", "sum of wins / sum of losses", U::Ratio, B::Higher,
              "both wins and losses",
              [](const PlanMetrics& m) { return from(m.profit_factor, "needs both wins and losses"); });
    simulated("holding_years", "mean holding period", "mean time in the trade of the filled paths (years)",
              U::Duration, B::Neither, "at least two fills",
              [](const PlanMetrics& m) { return from(m.holding_years, "needs at least two fills"); });
    simulated("kelly", "Kelly fraction", "Kelly fraction p - (1 - p) / b of the win/lose bet", U::Ratio,
              B::Higher, "at least two wins and two losses",
              [](const PlanMetrics& m) { return from(m.kelly, "needs at least two wins and two losses"); });
    simulated("stop_shortfall", "loss past the stop",
              "mean loss per share beyond the stop level, over stop exits", U::Loss, B::Lower,
              "a plan with a stop that was hit twice",
              [](const PlanMetrics& m) { return from(m.stop_shortfall, "needs a stop hit at least twice"); });
    simulated(
        "carry", "carry",
        "the dividends' and borrow fee's part of the P&L per share: dividends received by a long, or paid "
        "by a short with its borrow fee, over the holding (unfilled paths count as 0)",
        U::Money, B::Higher, "a plan with a dividend yield or a short's borrow rate",
        [](const PlanMetrics& m) { return from(m.carry, "no dividend yield and no borrow rate"); },
        [](const TradeOutcome& o, const TradeEconomics&) { return o.carry; });
    simulated(
        "hedge_pnl", "hedge P&L",
        "the options' part of the P&L per share: their value at exit (their payoff at expiry) less their "
        "cost at entry (unfilled paths count as 0)",
        U::Money, B::Higher, "a plan with a hedge",
        [](const PlanMetrics& m) { return from(m.hedge_pnl, "the plan has no hedge"); },
        [](const TradeOutcome& o, const TradeEconomics&) { return o.hedge_pnl; });
    simulated(
        "floor_shortfall", "loss past the floor",
        "mean loss per share beyond the plan's floor (the loss its stop promises at the level, or its "
        "protective option at the strike plus the options' cost), over every path",
        U::Loss, B::Lower, "a plan with a stop or a hedge covering the position",
        [](const PlanMetrics& m) {
            return from(m.floor_shortfall, "the plan has no floor (no stop, no hedge)");
        },
        [](const TradeOutcome& o, const TradeEconomics&) { return o.floor_shortfall; });
    simulated(
        "p_past_floor", "P(past the floor)",
        "probability the trade loses more than its floor (a gap through the stop, or an option sold "
        "before expiry below its intrinsic value)",
        U::Percent, B::Lower, "a plan with a stop or a hedge covering the position",
        [](const PlanMetrics& m) { return from(m.past_floor, "the plan has no floor (no stop, no hedge)"); },
        [](const TradeOutcome& o, const TradeEconomics&) { return is(o.floor_shortfall > 0); });
    for (std::size_t k = out.size() - 4; k < out.size(); ++k) out[k].shown_when_empty = false;
    simulated(
        "p_touch_target", "P(touch target)", "probability the price ever reaches the target level",
        U::Percent, B::Higher, "a plan with a target, touch odds on",
        [no_touch](const PlanMetrics& m) {
            if (!m.has_target) return none("the plan has no target");
            return m.touch_odds ? value(m.touch_target) : none(no_touch);
        },
        [](const TradeOutcome& o, const TradeEconomics&) { return is(o.touched_target); });
    simulated(
        "p_touch_stop", "P(touch stop)", "probability the price ever reaches the stop level", U::Percent,
        B::Lower, "a plan with a stop, touch odds on",
        [no_touch](const PlanMetrics& m) {
            if (!m.has_stop) return none("the plan has no stop");
            return m.touch_odds ? value(m.touch_stop) : none(no_touch);
        },
        [](const TradeOutcome& o, const TradeEconomics&) { return is(o.touched_stop); });

    // Exact, from the plan's levels and costs (the payoff table's numbers).
    const auto economics = [&](std::string name, std::string label, std::string description, U unit, B better,
                               std::string applies, std::function<MetricValue(const TradeEconomics&)> of) {
        out.push_back(MetricInfo{std::move(name),
                                 std::move(label),
                                 "PLAN",
                                 std::move(description),
                                 unit,
                                 better,
                                 false,
                                 false,
                                 std::move(applies),
                                 {},
                                 std::move(of),
                                 {},
                                 {}});
    };
    const auto with_both = [](const TradeEconomics& e, double v) {
        if (!e.stop || !e.target || !(e.reward_risk > 0))
            return none("needs a plan with a stop and a target");
        return value(exact_estimate(v));
    };
    economics("reward_risk", "reward/risk", "reward / risk per share at the levels, costs included (R)",
              U::Ratio, B::Higher, "a plan with a stop and a target",
              [with_both](const TradeEconomics& e) { return with_both(e, e.reward_risk); });
    economics("breakeven_win_rate", "breakeven win rate",
              "win rate that breaks even at the levels: 1 / (1 + R)", U::Percent, B::Lower,
              "a plan with a stop and a target",
              [with_both](const TradeEconomics& e) { return with_both(e, e.breakeven_win_rate); });
    economics("risk_per_share", "risk per share", "loss per share if stopped at the level, costs included",
              U::Loss, B::Lower, "a plan with a stop", [](const TradeEconomics& e) {
                  return e.stop ? value(exact_estimate(e.risk_per_share)) : none("the plan has no stop");
              });
    economics("reward_per_share", "reward per share", "gain per share at the target, costs included",
              U::Money, B::Higher, "a plan with a target", [](const TradeEconomics& e) {
                  return e.target ? value(exact_estimate(e.reward_per_share))
                                  : none("the plan has no target");
              });
    economics("shares", "shares", "position size from the fixed count or the risk budget", U::Count,
              B::Neither, every, [](const TradeEconomics& e) { return value(exact_estimate(e.shares)); });

    // Exact, from the scenarios (the valuation report's expectation).
    const auto scenarios = [&](std::string name, std::string label, std::string description, U unit, B better,
                               std::function<MetricValue(const ScenarioExpectation&)> of) {
        out.push_back(MetricInfo{std::move(name),
                                 std::move(label),
                                 "valuation",
                                 std::move(description),
                                 unit,
                                 better,
                                 false,
                                 false,
                                 "a file with scenarios",
                                 {},
                                 {},
                                 std::move(of),
                                 {}});
    };
    scenarios("expected_price", "expected price", "probability-weighted scenario price", U::Money, B::Higher,
              [](const ScenarioExpectation& e) { return value(exact_estimate(e.expected_price)); });
    scenarios("expected_return", "expected return", "expected price / today's price - 1", U::Percent,
              B::Higher,
              [](const ScenarioExpectation& e) { return value(exact_estimate(e.expected_return)); });
    scenarios("expected_upside", "expected upside", "sum of p x max(return, 0)", U::Percent, B::Higher,
              [](const ScenarioExpectation& e) { return value(exact_estimate(e.expected_upside)); });
    scenarios("expected_downside", "expected downside", "sum of p x max(-return, 0)", U::Percent, B::Lower,
              [](const ScenarioExpectation& e) { return value(exact_estimate(e.expected_downside)); });
    scenarios("upside_downside_ratio", "upside/downside", "expected upside / expected downside", U::Ratio,
              B::Higher, [](const ScenarioExpectation& e) {
                  if (!(e.expected_downside > 0)) return none("no scenario has a downside");
                  return value(exact_estimate(e.upside_downside_ratio));
              });
    return out;
}

InputError flag_error(const std::string& flag, const std::string& message) {
    return InputError({"command line"}, flag, message);
}

}  // namespace

const std::vector<MetricInfo>& metric_catalogue() {
    static const std::vector<MetricInfo> kMetrics = build_catalogue();
    return kMetrics;
}

const MetricInfo* find_metric(std::string_view name, std::string_view scope) {
    for (const MetricInfo& m : metric_catalogue())
        if (m.name == name && m.scope == scope) return &m;
    return nullptr;
}

std::string format_metric(const MetricInfo& m, double v) {
    if (!std::isfinite(v)) return "n/a";
    switch (m.unit) {
        case MetricUnit::Money: return format_signed_money(v, 2);
        case MetricUnit::Loss: return format_money(v, 2);
        case MetricUnit::Position: return format_signed_money(v, 0);
        case MetricUnit::Percent: return format_percent(v, 1);
        case MetricUnit::R: return format_fixed(v, 3, true) + "R";
        case MetricUnit::Ratio: return format_fixed(v, 3);
        case MetricUnit::Duration: return format_fixed(v * 365, 1) + "d";
        case MetricUnit::Count: return format_number(v, 1);
    }
    return fmt::format("{}", v);
}

std::string format_metric_ci(const MetricInfo& m, const Estimate& e) {
    if (e.ci_low == e.ci_high) return format_metric(m, e.value);  // exact, or a plain statistic
    return fmt::format("{} [{}, {}]", format_metric(m, e.value), format_metric(m, e.ci_low),
                       format_metric(m, e.ci_high));
}

std::string format_metric_difference(const MetricInfo& m, double d) {
    if (!std::isfinite(d)) return "n/a";
    switch (m.unit) {
        case MetricUnit::Money:
        case MetricUnit::Loss: return format_signed_money(d, 2);
        case MetricUnit::Position: return format_signed_money(d, 0);
        case MetricUnit::Percent: return format_fixed(d * 100, 1, true) + " pts";
        case MetricUnit::R: return format_fixed(d, 3, true) + "R";
        case MetricUnit::Duration: return format_fixed(d * 365, 1, true) + "d";
        case MetricUnit::Ratio:
        case MetricUnit::Count: return format_fixed(d, 3, true);
    }
    return fmt::format("{:+}", d);
}

std::string format_metric_difference_ci(const MetricInfo& m, const Estimate& e) {
    if (e.ci_low == e.ci_high) return format_metric_difference(m, e.value);
    return fmt::format("{} [{}, {}]", format_metric_difference(m, e.value),
                       format_metric_difference(m, e.ci_low), format_metric_difference(m, e.ci_high));
}

Metric resolve_metric(std::string_view name, const Thesis& thesis, const std::string& flag) {
    name = trim(name);
    const std::size_t dot = name.find('.');
    std::vector<std::string> full;
    for (const auto& m : metric_catalogue()) {
        if (m.scope == "valuation") full.push_back("valuation." + m.name);
        else
            for (const auto& p : thesis.plans) full.push_back(p.name + "." + m.name);
    }
    const auto unknown = [&](const std::string& what) {
        const std::string hint = did_you_mean(name, full);
        return flag_error(flag, fmt::format("{}{}; 'thesis sweep --list-metrics' lists them", what,
                                            hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
    };
    if (dot == std::string_view::npos)
        throw unknown(fmt::format("expected PLAN.METRIC or valuation.METRIC, got '{}'", name));
    const std::string scope(name.substr(0, dot));
    const std::string metric(name.substr(dot + 1));
    if (scope != "valuation" && !thesis.find_plan(scope)) {
        std::vector<std::string> plans{"valuation"};
        for (const auto& p : thesis.plans) plans.push_back(p.name);
        const std::string hint = did_you_mean(scope, plans);
        std::string known;
        for (const auto& p : plans) known += (known.empty() ? "" : ", ") + p;
        throw flag_error(flag,
                         fmt::format("no plan named '{}'{}; expected one of: {}", scope,
                                     hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint), known));
    }
    if (const MetricInfo* m = find_metric(metric, scope == "valuation" ? "valuation" : "PLAN"))
        return Metric{std::string(name), scope == "valuation" ? "" : scope, m};
    throw unknown(fmt::format("unknown metric '{}'", name));
}

std::vector<Metric> resolve_metrics(std::string_view names, const Thesis& thesis, const std::string& flag) {
    std::vector<Metric> out;
    for (std::size_t start = 0;;) {
        const std::size_t comma = names.find(',', start);
        const std::string_view item =
            trim(names.substr(start, comma == std::string_view::npos ? comma : comma - start));
        if (item.empty()) throw flag_error(flag, "expected a metric like aggressive.p_stop");
        Metric m = resolve_metric(item, thesis, flag);
        for (const auto& other : out)
            if (other.name == m.name) throw flag_error(flag, fmt::format("'{}' is given twice", m.name));
        out.push_back(std::move(m));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

namespace {

// One metric, with the simulated plan's summary taken from (or put into) `summaries`.
MetricValue evaluate_with(const Metric& metric, const Thesis& thesis, const SimulationResult* sim,
                          std::map<std::string, PlanMetrics>& summaries) {
    const MetricInfo& info = *metric.info;
    if (info.from_scenarios) {
        if (thesis.scenarios.empty()) return none("the file has no scenarios");
        std::vector<ScenarioValue> values;
        for (const auto& sc : thesis.scenarios) values.push_back(value_scenario(sc, thesis.stock));
        const ScenarioExpectation e = expectation(values, thesis.stock.price);
        if (!(e.probability_sum > 0)) return none("the scenarios have no probabilities");
        return info.from_scenarios(e);
    }
    const Plan* plan = thesis.find_plan(metric.plan);
    THESIS_REQUIRE(plan != nullptr, "plan {} not in the thesis", metric.plan);
    if (info.from_economics) return info.from_economics(trade_economics(*plan, thesis.stock.price));
    THESIS_REQUIRE(sim != nullptr, "metric {} needs a simulation", metric.name);
    auto it = summaries.find(plan->name);
    if (it == summaries.end()) {
        const auto i = static_cast<std::size_t>(plan - thesis.plans.data());
        it = summaries.emplace(plan->name, summarize(*sim, i, *plan, thesis.stock.price)).first;
    }
    return info.from_simulation(it->second);
}

}  // namespace

MetricValue evaluate_metric(const Metric& metric, const Thesis& thesis, const SimulationResult* sim) {
    std::map<std::string, PlanMetrics> summaries;
    return evaluate_with(metric, thesis, sim, summaries);
}

std::vector<MetricValue> evaluate_metrics(const std::vector<Metric>& metrics, const Thesis& thesis,
                                          const SimulationResult* sim) {
    std::map<std::string, PlanMetrics> summaries;
    std::vector<MetricValue> out;
    for (const Metric& m : metrics) out.push_back(evaluate_with(m, thesis, sim, summaries));
    return out;
}

}  // namespace thesis
