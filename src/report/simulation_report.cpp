// The simulation's part of `thesis run`: each plan's verdict, the metric table (the catalogue's
// simulated metrics, metrics.h), the terminal price, the stamp, and the policy bracket.
#include "thesis/report/reports.h"

#include "thesis/analysis/metrics.h"
#include "thesis/core/errors.h"
#include "thesis/report/findings.h"
#include "thesis/simulation/monte_carlo.h"
#include "thesis/valuation/valuation.h"
#include "thesis/version.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

namespace thesis {

namespace {

// The price at the horizon and the scenarios' shares: pooled estimates, with the scrambles'
// error bars under simulation.method rqmc (with_replicate_error).
Estimate terminal_mean(const SimulationResult& r) {
    const Estimate pooled = r.paths > 1 ? r.terminal.mean_estimate() : exact_estimate(r.terminal.mean());
    return with_replicate_error(r, pooled, [](const SimulationResult& one) { return one.terminal.mean(); });
}
Estimate terminal_quantile(const SimulationResult& r, double q) {
    return with_replicate_error(r, r.terminal_sketch.quantile_ci(q),
                                [q](const SimulationResult& one) { return one.terminal_sketch.quantile(q); });
}
Estimate scenario_share(const SimulationResult& r, std::size_t j) {
    return with_replicate_error(
        r, proportion_estimate(r.terminal_by_scenario[j].count(), r.paths), [j](const SimulationResult& one) {
            return static_cast<double>(one.terminal_by_scenario[j].count()) / static_cast<double>(one.paths);
        });
}
std::optional<Estimate> scenario_terminal_mean(const SimulationResult& r, std::size_t j) {
    const RunningStats& terminal = r.terminal_by_scenario[j];
    if (terminal.count() < 2) return std::nullopt;
    return with_replicate_error(r, terminal.mean_estimate(), [j](const SimulationResult& one) {
        return one.terminal_by_scenario[j].count() > 0 ? one.terminal_by_scenario[j].mean()
                                                       : std::numeric_limits<double>::quiet_NaN();
    });
}

std::string show_ratio(double v) { return format_fixed(v, 3); }

// One metric of every plan: a row of the wide table and rows of the tidy one.
struct MetricRow {
    const MetricInfo* info;
    std::vector<std::optional<Estimate>> values;  // per plan
};

// The model against the thesis: the simulated price at the horizon against the scenarios'
// probability-weighted price. When the latter lies outside the former's 95% interval the audit
// says so, with the drift that reconciles them where a closed form gives it (GBM, Merton).
void audit_model_against_scenarios(Report& r, const Thesis& t, const SimulationResult& result,
                                   const Estimate& mean) {
    if (t.scenarios.empty() || result.paths < 2) return;
    std::vector<ScenarioValue> values;
    for (const Scenario& s : t.scenarios) values.push_back(value_scenario(s, t.stock));
    const ScenarioExpectation e = expectation(values, t.stock.price);
    if (!(e.probability_sum > 0)) return;
    const double target = e.expected_price;
    const Years horizon = result.grid.horizon;
    if (t.model.kind == ModelKind::Scenarios) {
        // The paths travel to the scenarios; the audit shows what the typed drift would have said.
        Thesis gbm = t;
        gbm.model.kind = ModelKind::Gbm;
        const std::optional<Price> typed = expected_horizon_price(gbm, horizon);
        const std::optional<double> drift = drift_for_horizon_price(gbm, horizon, target);
        if (!typed || !drift) return;
        add_findings(
            r, {{"model-vs-drift",
                 fmt::format(
                     "the paths travel to the scenarios: the price at the horizon ({:g}y) "
                     "averages {} [{}, {}] against the scenarios' {}; a GBM at "
                     "model.drift {} would expect {} ({}), and would need a drift of {} "
                     "to price the scenarios",
                     horizon, format_money(mean.value), format_money(mean.ci_low), format_money(mean.ci_high),
                     format_money(target), format_percent(t.model.drift, 1, true), format_money(*typed),
                     format_percent(*typed / t.stock.price - 1, 1, true), format_percent(*drift, 2, true))}});
        return;
    }
    if (target >= mean.ci_low && target <= mean.ci_high) return;
    std::string message = fmt::format(
        "the model expects {} [{}, {}] at the horizon ({:g}y, {}), the scenarios {} ({}): the "
        "simulation does not price the thesis's own scenarios",
        format_money(mean.value), format_money(mean.ci_low), format_money(mean.ci_high), horizon,
        format_percent(mean.value / t.stock.price - 1, 1, true), format_money(target),
        format_percent(e.expected_return, 1, true));
    if (const auto drift = drift_for_horizon_price(t, horizon, target))
        message += fmt::format("; a drift of {} a year (model.drift, now {}) would make them agree",
                               format_percent(*drift, 2, true), format_percent(t.model.drift, 1));
    else message += "; the fundamentals' growth or multiple inputs would have to change for them to agree";
    add_findings(r, {{"model-vs-scenarios", message}});
}

// The scenarios model: each plan conditional on each scenario drawn, for people (one wide table)
// and machines (a tidy part, "plans_by_scenario"), and the scenarios' own paths ("scenario_paths").
template <class Shown>
void add_scenario_tables(Report& r, const Thesis& t, const SimulationResult& result,
                         const std::vector<PlanMetrics>& metrics, const Shown& shown) {
    if (result.scenarios.empty()) return;
    const PathGenerator generator(t, MonteCarlo::horizon_of(t));
    Table prices;
    prices.audience = Table::Audience::People;
    prices.id = "scenario_paths";
    prices.title =
        fmt::format("Scenarios on the paths (95% confidence intervals; price at the horizon, {:g}y)",
                    result.grid.horizon);
    prices.columns = {{"scenario", "scenario", false},   {"prob", "probability", true},
                      {"share of paths", "share", true}, {"by", "landing_years", true},
                      {"price", "price", true},          {"mean at horizon", "terminal_price_mean", true}};
    Table prices_tidy;
    prices_tidy.audience = Table::Audience::Machines;
    prices_tidy.id = "scenario_paths";
    prices_tidy.columns = {{"scenario", "scenario", false}, {"metric", "metric", false},
                           {"estimate", "estimate", true},  {"std_error", "std_error", true},
                           {"ci_low", "ci_low", true},      {"ci_high", "ci_high", true}};
    const auto tidy_row = [](Table& table, std::vector<Cell> keys, const std::string& metric,
                             const Estimate& e) {
        keys.push_back(metric);
        keys.push_back(Cell(show_ratio(e.value), e.value));
        keys.push_back(Cell("", e.std_error));
        keys.push_back(Cell("", e.ci_low));
        keys.push_back(Cell("", e.ci_high));
        table.rows.push_back(std::move(keys));
    };
    for (std::size_t j = 0; j < result.scenarios.size(); ++j) {
        const ScenarioLanding& s = generator.scenario_landings()[j];
        if (!shown(s.name)) continue;
        const Estimate share = scenario_share(result, j);
        const std::optional<Estimate> mean = scenario_terminal_mean(result, j);
        const Years landing = s.landing_step * result.grid.dt;
        prices.rows.push_back({s.name, format_percent(s.probability, 1),
                               fmt::format("{} [{}, {}]", format_percent(share.value, 1),
                                           format_percent(share.ci_low, 1), format_percent(share.ci_high, 1)),
                               fmt::format("{:.3g}y", landing), format_money(s.price),
                               mean ? fmt::format("{} [{}, {}]", format_money(mean->value),
                                                  format_money(mean->ci_low), format_money(mean->ci_high))
                                    : "–"});
        tidy_row(prices_tidy, {s.name}, "probability", exact_estimate(s.probability));
        tidy_row(prices_tidy, {s.name}, "landing_years", exact_estimate(landing));
        tidy_row(prices_tidy, {s.name}, "price", exact_estimate(s.price));
        tidy_row(prices_tidy, {s.name}, "share", share);
        if (mean) tidy_row(prices_tidy, {s.name}, "terminal_price_mean", *mean);
    }
    prices.footnotes.push_back(
        "each path draws a scenario by its probability and travels to its price by its date (model.kind: "
        "scenarios; docs/methods.md); after that date it drifts at model.drift");
    r.tables.push_back(std::move(prices));
    r.tables.push_back(std::move(prices_tidy));

    Table wide;
    wide.audience = Table::Audience::People;
    wide.id = "plans_by_scenario";
    wide.title = "Plans under each scenario (95% confidence intervals, on the paths of that scenario)";
    wide.columns = {{"plan", "plan", false},
                    {"scenario", "scenario", false},
                    {"P(target)", "p_target", true},
                    {"P(stop)", "p_stop", true},
                    {"P(gap-through stop)", "p_gap_through_stop", true},
                    {"E[P&L] per share", "pnl_per_share", true},
                    {"E[P&L] per position", "pnl_per_position", true}};
    Table tidy;
    tidy.audience = Table::Audience::Machines;
    tidy.id = "plans_by_scenario";
    tidy.columns = {{"plan", "plan", false},          {"scenario", "scenario", false},
                    {"metric", "metric", false},      {"estimate", "estimate", true},
                    {"std_error", "std_error", true}, {"ci_low", "ci_low", true},
                    {"ci_high", "ci_high", true}};
    const MetricInfo& p_target = *find_metric("p_target");
    const MetricInfo& pnl_share = *find_metric("pnl_per_share");
    const MetricInfo& pnl_position = *find_metric("pnl_per_position");
    for (std::size_t i = 0; i < metrics.size(); ++i) {
        const PlanMetrics& m = metrics[i];
        const bool capital = m.shares > 0;
        for (const ScenarioOutcome& o : m.by_scenario) {
            if (!shown(o.scenario)) continue;
            wide.rows.push_back({t.plans[i].name, o.scenario,
                                 m.has_target ? format_metric_ci(p_target, o.p_target) : "–",
                                 m.has_stop ? format_metric_ci(p_target, o.p_stop) : "–",
                                 m.has_stop ? format_metric_ci(p_target, o.p_gap_through_stop) : "–",
                                 format_metric_ci(pnl_share, o.pnl_per_share),
                                 capital ? format_metric_ci(pnl_position, o.pnl_per_position) : "–"});
            const std::vector<Cell> keys{t.plans[i].name, o.scenario};
            tidy_row(tidy, keys, "share", o.share);
            if (m.has_target) tidy_row(tidy, keys, "p_target", o.p_target);
            if (m.has_stop) {
                tidy_row(tidy, keys, "p_stop", o.p_stop);
                tidy_row(tidy, keys, "p_gap_through_stop", o.p_gap_through_stop);
            }
            tidy_row(tidy, keys, "pnl_per_share", o.pnl_per_share);
            if (capital) tidy_row(tidy, keys, "pnl_per_position", o.pnl_per_position);
        }
    }
    wide.footnotes.push_back(
        "conditional on the scenario the path drew; P(stop) counts every stop exit, P(gap-through stop) "
        "those "
        "filled past the gap threshold");
    r.tables.push_back(std::move(wide));
    r.tables.push_back(std::move(tidy));
}

std::string verdict_of(const PlanMetrics& m, const Plan& plan) {
    const double filled = 1 - m.outcome[0].value;
    std::string line = fmt::format("{}: ", plan.name);
    if (plan.entry.kind != Entry::Kind::Market)
        line += fmt::format("fills on {} of paths; ", format_percent(filled, 0));
    if (m.has_target) line += fmt::format("target first {}, ", format_percent(m.outcome[1].value, 1));
    if (m.has_stop && plan.stop.kind == Stop::Kind::Trailing)
        // A trailing stop that has climbed past the entry locks in a profit: not a loss.
        line += fmt::format("stopped {} ({} locking in a profit, {} at a loss; gap-through {}), ",
                            format_percent(m.stopped.value, 1), format_percent(m.stopped_in_profit.value, 1),
                            format_percent(m.stopped.value - m.stopped_in_profit.value, 1),
                            format_percent(m.outcome[3].value, 1));
    else if (m.has_stop)
        line += fmt::format("stopped {} (gap-through {}), ",
                            format_percent(m.outcome[2].value + m.outcome[3].value, 1),
                            format_percent(m.outcome[3].value, 1));
    line += fmt::format("expected {} a share [{}, {}]", format_signed_money(m.pnl_per_share.value),
                        format_signed_money(m.pnl_per_share.ci_low),
                        format_signed_money(m.pnl_per_share.ci_high));
    if (m.expectancy_r) line += fmt::format(" ({}R)", format_fixed(m.expectancy_r->value, 2, true));
    const Estimate& e = m.pnl_per_share;
    if (m.paths < 2) return line + " — too few paths to judge";
    line += e.ci_low > 0    ? " — positive expectancy"
            : e.ci_high < 0 ? " — negative expectancy"
                            : " — expectancy not distinguishable from zero at this path count";
    return line;
}

}  // namespace

std::string simulation_stamp(const Thesis& t, const SimulationResult& result) {
    const PriceModel& model = t.model;
    std::string model_text = describe_model(t);
    if (!model.events.empty()) model_text += fmt::format(", {} events", model.events.size());
    const std::string policy = t.simulation.monitoring == Monitoring::Sessions
                                   ? fmt::format("sessions monitoring ({} of the variance overnight)",
                                                 format_percent(t.simulation.overnight_variance_share, 0))
                                   : fmt::format("{} monitoring", to_string(t.simulation.monitoring));
    return fmt::format("{} path{} × {} steps ({:g}y), {}, {}, seed {}, {}, thesis {}",
                       format_count(static_cast<double>(result.paths)), result.paths == 1 ? "" : "s",
                       result.grid.steps, result.grid.horizon, model_text, policy, t.simulation.seed,
                       generator_name(t.simulation), kVersion);
}

void add_simulation(Report& r, const Thesis& t, const SimulationResult& result, std::uint64_t requested_paths,
                    const std::string& only_scenario) {
    const auto shown = [&](const std::string& scenario) {
        return only_scenario.empty() || scenario == only_scenario;
    };
    const std::size_t plans = t.plans.size();
    std::vector<PlanMetrics> metrics;
    for (std::size_t i = 0; i < plans; ++i)
        metrics.push_back(summarize(result, i, t.plans[i], t.stock.price));
    const PriceModel& model = t.model;
    const std::string stamp = simulation_stamp(t, result);
    if (result.interrupted)
        r.verdict.push_back(
            fmt::format("PARTIAL RESULTS: interrupted after {} of {} paths; estimates below use those paths",
                        format_count(static_cast<double>(result.paths)),
                        format_count(static_cast<double>(requested_paths))));
    for (std::size_t i = 0; i < plans; ++i) {
        r.verdict.push_back(verdict_of(metrics[i], t.plans[i]));
        if (!metrics[i].by_scenario.empty()) {
            std::string line = fmt::format("  {} by scenario:", t.plans[i].name);
            std::vector<std::string> parts;
            for (const ScenarioOutcome& o : metrics[i].by_scenario)
                if (shown(o.scenario))
                    parts.push_back(
                        fmt::format("{} {}", o.scenario, format_signed_money(o.pnl_per_share.value)));
            line += " " + fmt::format("{}", fmt::join(parts, ", ")) + " a share";
            r.verdict.push_back(std::move(line));
        }
    }

    // Rows: every simulated metric of the catalogue, for every plan.
    std::vector<MetricRow> rows;
    for (const MetricInfo& info : metric_catalogue()) {
        if (!info.simulated) continue;
        MetricRow row{&info, {}};
        for (const auto& m : metrics) row.values.push_back(info.from_simulation(m).estimate);
        rows.push_back(std::move(row));
    }

    Table wide;
    wide.audience = Table::Audience::People;
    wide.id = "simulation";
    wide.title = "Simulation (95% confidence intervals): " + stamp;
    wide.columns.push_back({"metric", "metric", false});
    for (const Plan& p : t.plans) wide.columns.push_back({p.name, p.name, true});
    for (const auto& row : rows) {
        // A row no plan has a value for (hedge rows without a hedge) is left to the machine output.
        if (!row.info->shown_when_empty &&
            std::none_of(row.values.begin(), row.values.end(), [](const auto& v) { return v.has_value(); }))
            continue;
        std::vector<Cell> cells{row.info->label};
        for (const auto& v : row.values) cells.push_back(v ? format_metric_ci(*row.info, *v) : "–");
        wide.rows.push_back(std::move(cells));
    }
    wide.footnotes.push_back(
        "per share unless stated; losses as positive amounts; expectancy "
        "in R = E[P&L] / risk per share; holding in calendar days");
    if (!result.touch_odds && std::any_of(metrics.begin(), metrics.end(),
                                          [](const PlanMetrics& m) { return m.has_stop || m.has_target; }))
        wide.footnotes.push_back(
            "P(touch target) and P(touch stop) not measured: touch odds are "
            "off (--no-touch-odds or simulation.touch_odds: false)");
    r.tables.push_back(std::move(wide));

    // CSV readers get the stamp as a block of its own.
    Table settings;
    settings.audience = Table::Audience::Machines;
    settings.id = "simulation_settings";
    settings.columns = {{"setting", "setting", false}, {"value", "value", false}};
    settings.rows = {{"program", "thesis"},
                     {"version", kVersion},
                     {"seed", std::to_string(t.simulation.seed)},
                     {"generator", generator_name(t.simulation)},
                     {"method", std::string(to_string(t.simulation.method))},
                     {"control_variate", std::string(to_string(t.simulation.control_variate))},
                     {"paths", std::to_string(result.paths)},
                     {"requested_paths", std::to_string(requested_paths)},
                     {"interrupted", result.interrupted ? "true" : "false"},
                     {"monitoring", std::string(to_string(t.simulation.monitoring))},
                     {"overnight_variance_share", fmt::format("{:g}", t.simulation.overnight_variance_share)},
                     {"touch_odds", result.touch_odds ? "true" : "false"},
                     {"steps", std::to_string(result.grid.steps)},
                     {"model", std::string(to_string(model.kind))}};
    r.tables.push_back(std::move(settings));

    Table tidy;
    tidy.audience = Table::Audience::Machines;
    tidy.id = "simulation";
    tidy.title = "Simulation";
    tidy.columns = {{"plan", "plan", false},        {"metric", "metric", false},
                    {"estimate", "estimate", true}, {"std_error", "std_error", true},
                    {"ci_low", "ci_low", true},     {"ci_high", "ci_high", true}};
    for (const auto& row : rows)
        for (std::size_t i = 0; i < plans; ++i)
            if (row.values[i]) {
                const Estimate& e = *row.values[i];
                tidy.rows.push_back({t.plans[i].name, row.info->name, Cell(show_ratio(e.value), e.value),
                                     Cell("", e.std_error), Cell("", e.ci_low), Cell("", e.ci_high)});
            }
    r.tables.push_back(std::move(tidy));
    r.primary = "simulation";

    Table terminal;
    terminal.id = "terminal_price";
    terminal.title = fmt::format("Price at the horizon ({:g}y)", result.grid.horizon);
    terminal.columns = {{"", "statistic", false},
                        {"", "estimate", true},
                        {"", "std_error", true, true},
                        {"", "ci_low", true, true},
                        {"", "ci_high", true, true}};
    terminal.show_header = false;
    const Estimate mean = terminal_mean(result);
    const auto price_row = [&](std::string label, std::string key, const Estimate& e) {
        terminal.rows.push_back({Cell::keyed(std::move(label), std::move(key)),
                                 Cell(fmt::format("{} [{}, {}]", format_money(e.value),
                                                  format_money(e.ci_low), format_money(e.ci_high)),
                                      e.value),
                                 Cell("", e.std_error), Cell("", e.ci_low), Cell("", e.ci_high)});
    };
    price_row("mean", "mean", mean);
    for (double q : {0.05, 0.25, 0.50, 0.75, 0.95})
        price_row(fmt::format("{:g}% quantile", q * 100), fmt::format("q{:02.0f}", q * 100),
                  terminal_quantile(result, q));
    r.tables.push_back(std::move(terminal));
    audit_model_against_scenarios(r, t, result, mean);
    add_scenario_tables(r, t, result, metrics, shown);

    // Assumptions the simulation rests on.
    std::string list;
    for (const auto& [key, value] : t.assumptions)
        // The plans, the simulation's settings, and the running model's own inputs (for the
        // scenarios model, every scenario input: its paths travel to the scenarios).
        if (key.rfind("plans.", 0) == 0 || key.rfind("simulation.", 0) == 0 || model_reads(t, key))
            list += (list.empty() ? "" : ", ") + key + "=" + value;
    if (!list.empty())
        r.notes.push_back("The simulation rests on assumptions (not from the source): " + list);

    // JSON: stamped, every estimate as {estimate, std_error, ci_low, ci_high}.
    using nlohmann::json;
    const auto est = [](const Estimate& e) { return estimate_json(e); };
    json sim{{"paths", result.paths},
             {"requested_paths", requested_paths},
             {"interrupted", result.interrupted},
             {"seed", t.simulation.seed},
             {"generator", generator_name(t.simulation)},
             {"method", std::string(to_string(t.simulation.method))},
             {"replicates", replicated(t.simulation.method) ? json(t.simulation.replicates) : json(nullptr)},
             {"control_variate", to_string(t.simulation.control_variate)},
             {"block_paths", kBlockPaths},
             {"monitoring", to_string(t.simulation.monitoring)},
             {"overnight_variance_share", t.simulation.overnight_variance_share},
             {"touch_odds", result.touch_odds},
             {"steps", result.grid.steps},
             {"horizon_years", result.grid.horizon},
             {"model", to_string(model.kind)},
             {"quantile_relative_accuracy", result.terminal_sketch.relative_accuracy()}};
    sim["plans"] = json::array();
    for (std::size_t i = 0; i < plans; ++i) {
        json p{{"name", t.plans[i].name}};
        for (const auto& row : rows) p[row.info->name] = row.values[i] ? est(*row.values[i]) : json(nullptr);
        sim["plans"].push_back(std::move(p));
    }
    json term{{"mean", est(mean)}};
    for (double q : {0.05, 0.25, 0.50, 0.75, 0.95})
        term[fmt::format("q{:02.0f}", q * 100)] = est(terminal_quantile(result, q));
    sim["terminal_price"] = std::move(term);
    if (!result.scenarios.empty()) {
        // The scenarios model: each scenario's law and what its paths gave.
        PathGenerator generator(t, MonteCarlo::horizon_of(t));
        json scenarios = json::array();
        for (std::size_t j = 0; j < result.scenarios.size(); ++j) {
            const ScenarioLanding& s = generator.scenario_landings()[j];
            if (!shown(s.name)) continue;
            json sj{{"name", s.name},
                    {"probability", s.probability},
                    {"price", s.price},
                    {"landing_years", s.landing_step * result.grid.dt},
                    {"dispersion", s.landing_sd},
                    {"share", est(scenario_share(result, j))}};
            const std::optional<Estimate> mean_j = scenario_terminal_mean(result, j);
            sj["terminal_price_mean"] = mean_j ? est(*mean_j) : json(nullptr);
            scenarios.push_back(std::move(sj));
        }
        sim["scenarios"] = std::move(scenarios);
        for (std::size_t i = 0; i < plans; ++i) {
            json by = json::array();
            for (const ScenarioOutcome& o : metrics[i].by_scenario)
                if (shown(o.scenario))
                    by.push_back({{"scenario", o.scenario},
                                  {"share", est(o.share)},
                                  {"p_target", est(o.p_target)},
                                  {"p_stop", est(o.p_stop)},
                                  {"p_gap_through_stop", est(o.p_gap_through_stop)},
                                  {"pnl_per_share", est(o.pnl_per_share)},
                                  {"pnl_per_position",
                                   metrics[i].shares > 0 ? est(o.pnl_per_position) : json(nullptr)}});
            sim["plans"][i]["by_scenario"] = std::move(by);
        }
    }
    r.json["simulation"] = std::move(sim);
}

void add_policy_bracket(Report& r, const Thesis& t, const SimulationResult& result) {
    using nlohmann::json;
    const std::size_t plans = t.plans.size();
    const std::vector<Monitoring>& policies = result.policies;
    THESIS_REQUIRE(policies.size() > 1 && result.plans.size() == policies.size() * plans,
                   "a policy bracket needs plans under {} policies", policies.size());
    const std::string reference(to_string(policies.front()));
    // Shown in a fixed order, whatever the run's: closes only, sessions, continuous.
    std::vector<std::size_t> order;
    for (Monitoring m : {Monitoring::Discrete, Monitoring::Sessions, Monitoring::Continuous})
        for (std::size_t p = 0; p < policies.size(); ++p)
            if (policies[p] == m) order.push_back(p);

    // The catalogue's metrics the fill policy moves most, in this order.
    std::vector<const MetricInfo*> metrics;
    for (const char* name : {"p_target", "p_stop", "p_gap_through_stop", "pnl_per_share", "expectancy_r"})
        metrics.push_back(find_metric(name));
    const auto difference_name = [&](std::size_t p) {
        return fmt::format("{} − {}", to_string(policies[p]), reference);
    };
    Table wide;
    wide.audience = Table::Audience::People;
    wide.id = "policies";
    wide.title = fmt::format(
        "Fill policies on the same paths (95% confidence intervals; differences paired "
        "path by path against {})",
        reference);
    wide.columns = {{"plan", "plan", false}, {"metric", "metric", false}};
    for (std::size_t p : order) wide.columns.push_back({std::string(to_string(policies[p])), "", true});
    for (std::size_t p : order)
        if (p != 0) wide.columns.push_back({difference_name(p), "", true});
    Table tidy;
    tidy.audience = Table::Audience::Machines;
    tidy.id = "policies";
    tidy.columns = {{"plan", "plan", false},          {"metric", "metric", false},
                    {"policy", "policy", false},      {"estimate", "estimate", true},
                    {"std_error", "std_error", true}, {"ci_low", "ci_low", true},
                    {"ci_high", "ci_high", true}};
    const auto est = [](const Estimate& e) { return estimate_json(e); };
    json plans_json = json::array();
    for (std::size_t i = 0; i < plans; ++i) {
        const Plan& plan = t.plans[i];
        std::vector<PlanMetrics> under;  // per policy, in the run's order
        for (std::size_t p = 0; p < policies.size(); ++p)
            under.push_back(summarize(result, p * plans + i, plan, t.stock.price));
        const double risk = under.front().risk_per_share;
        const bool has_r = under.front().expectancy_r.has_value();
        const auto value = [&](std::size_t m, std::size_t p) {
            return metrics[m]->from_simulation(under[p]).estimate;
        };
        const auto difference = [&](std::size_t m, std::size_t p) -> std::optional<Estimate> {
            const PairedTally& d = result.paired[(p - 1) * plans + i];
            const RunningStats* s[] = {&d.target, &d.stop, &d.gap, &d.pnl, &d.pnl};
            if (m == 4 && !has_r) return std::nullopt;
            Estimate e = s[m]->count() > 1 ? s[m]->mean_estimate() : exact_estimate(s[m]->mean());
            if (m == 4) e = {e.value / risk, e.std_error / risk, e.ci_low / risk, e.ci_high / risk};
            return e;
        };
        json pj{{"name", plan.name}};
        for (std::size_t m = 0; m < metrics.size(); ++m) {
            // Only what the plan has: a target, a stop, an expectancy (a stop and a risk).
            if ((m == 0 && !under.front().has_target) || ((m == 1 || m == 2) && !under.front().has_stop) ||
                (m == 4 && !has_r))
                continue;
            const MetricInfo& info = *metrics[m];
            std::vector<Cell> row{plan.name, info.label};
            for (std::size_t p : order) {
                const auto v = value(m, p);
                row.push_back(v ? format_metric_ci(info, *v) : "–");
                const std::string name(to_string(policies[p]));
                pj[name][info.name] = v ? est(*v) : json(nullptr);
                if (v)
                    tidy.rows.push_back({plan.name, info.name, name, Cell(show_ratio(v->value), v->value),
                                         Cell("", v->std_error), Cell("", v->ci_low), Cell("", v->ci_high)});
            }
            for (std::size_t p : order) {
                if (p == 0) continue;
                const auto d = difference(m, p);
                row.push_back(d ? format_metric_difference_ci(info, *d) : "–");
                const std::string key = fmt::format("{}_minus_{}", to_string(policies[p]), reference);
                pj[key][info.name] = d ? est(*d) : json(nullptr);
                if (d)
                    tidy.rows.push_back({plan.name, info.name, key, Cell(show_ratio(d->value), d->value),
                                         Cell("", d->std_error), Cell("", d->ci_low), Cell("", d->ci_high)});
            }
            wide.rows.push_back(std::move(row));
        }
        plans_json.push_back(std::move(pj));
    }
    wide.footnotes.push_back(
        "discrete: orders see each step's close only; sessions: an overnight gap "
        "to the open, then a continuous session; continuous: no gap but jumps. "
        "P(stop) counts every stop exit, P(gap-through stop) those filled past the "
        "gap threshold; expectancy in R as above");
    r.tables.push_back(std::move(wide));
    r.tables.push_back(std::move(tidy));
    json policy_names = json::array();
    for (Monitoring m : policies) policy_names.push_back(to_string(m));
    r.json["simulation"]["policies"] = {
        {"reference", reference}, {"policies", policy_names}, {"plans", plans_json}};
}

}  // namespace thesis
