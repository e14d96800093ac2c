// Numeric edges (README "Numeric edges"): prices of zero, below zero and 1e300; volatility near
// zero and enormous; horizons of zero and a century; one path and 10^12 paths; a stop or a target
// at the entry; probabilities of 0 and 1; events on the valuation date. Each is either refused by
// the loader with one line naming the key (and file:line:column for a file), or gives finite
// numbers: no NaN or infinity in any estimate, nor as text in any output format.
//
// Each file in tests/data/edges/ is a case; its first line is `# expect: <message>` or
// `# expect: ok`. The simulations here are small (at most a few hundred paths) so the suite stays
// fast under the sanitizers; they assert properties, never particular simulated numbers.
#include "thesis/core/errors.h"
#include "thesis/io/yaml_loader.h"
#include "thesis/report/report.h"
#include "thesis/report/reports.h"
#include "thesis/simulation/monte_carlo.h"
#include "thesis/valuation/payoff.h"
#include "thesis/valuation/valuation.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

using namespace thesis;

namespace {

const std::string kEdges = std::string(THESIS_SOURCE_DIR) + "/tests/data/edges/";

// `nan`, `-nan`, `inf`, `-inf`, `NaN`, `Infinity` as a word (not inside "information").
bool has_non_finite_text(const std::string& text) {
    static const std::regex word("(^|[^A-Za-z])-?(nan|inf|infinity)([^A-Za-z]|$)", std::regex::icase);
    return std::regex_search(text, word);
}

void check_estimate(const Estimate& e, const std::string& what) {
    CHECK_MESSAGE(std::isfinite(e.value), what, " value ", e.value);
    CHECK_MESSAGE(std::isfinite(e.std_error), what, " std_error ", e.std_error);
    CHECK_MESSAGE(std::isfinite(e.ci_low), what, " ci_low ", e.ci_low);
    CHECK_MESSAGE(std::isfinite(e.ci_high), what, " ci_high ", e.ci_high);
}
void check_estimate(const std::optional<Estimate>& e, const std::string& what) {
    if (e) check_estimate(*e, what);
}

// Every estimate of every plan is finite.
void check_metrics(const PlanMetrics& m) {
    const std::string p = m.plan + ".";
    for (const Estimate& e : m.outcome) check_estimate(e, p + "outcome");
    check_estimate(m.pnl_per_share, p + "pnl_per_share");
    check_estimate(m.pnl_per_position, p + "pnl_per_position");
    CHECK(std::isfinite(m.pnl_sd));
    CHECK(std::isfinite(m.shares));
    for (const auto& [level, q] : m.pnl_quantiles) check_estimate(q, p + "quantile");
    for (const Estimate* e :
         {&m.probability_of_loss, &m.var95, &m.var99, &m.es95, &m.es99, &m.touch_target, &m.touch_stop})
        check_estimate(*e, p + "risk");
    for (const auto* e : {&m.expectancy_r, &m.average_win, &m.average_loss, &m.profit_factor,
                          &m.holding_years, &m.kelly, &m.stop_shortfall})
        check_estimate(*e, p + "optional");
}

// The whole of `thesis run` and `thesis table` for a thesis, on `paths` simulated paths: finite
// numbers, and no NaN or infinity as text in the table, CSV, JSON or markdown.
void check_finite_everywhere(const Thesis& t, std::uint64_t paths) {
    Report run = valuation_report(t);
    if (!t.plans.empty()) {
        MonteCarlo mc(t);
        mc.run(paths, {.threads = 1});
        const SimulationResult& result = mc.result();
        CHECK(result.paths == paths);
        CHECK(std::isfinite(result.terminal.mean()));
        for (std::size_t i = 0; i < t.plans.size(); ++i)
            check_metrics(summarize(result, i, t.plans[i], t.stock.price));
        add_simulation(run, t, result, paths);
    }
    std::vector<Report> reports{run};
    for (const Plan& plan : t.plans) {
        const TradeEconomics e = trade_economics(plan, t.stock.price);
        for (double x :
             {e.entry_fill, e.risk_per_share, e.reward_per_share, e.reward_risk, e.breakeven_win_rate,
              e.gross_reward_risk, e.shares, e.position_value, e.capital_at_risk})
            CHECK_MESSAGE(std::isfinite(x), plan.name, " economics ", x);
        CHECK(e.breakeven_win_rate <= 1);
        reports.push_back(payoff_report(t, plan));
    }
    for (const Report& r : reports)
        for (Format f : {Format::Table, Format::Csv, Format::Json, Format::Markdown, Format::Records})
            for (const std::string& id : parts(r)) {
                const std::string text = render(r, f, id);
                CHECK_MESSAGE(!has_non_finite_text(text), t.source, " format ", static_cast<int>(f), " part ",
                              id, ":\n", text.substr(0, 2000));
            }
}

// The message of the InputError that loading the seed with `overrides` throws; "" if none.
std::string seed_error(const std::vector<Override>& overrides) {
    try {
        load_seed_thesis(overrides);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("numeric edges: every file in tests/data/edges/ is refused with its message or runs finite") {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(kEdges))
        if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 10);
    for (const auto& file : files) {
        CAPTURE(file.string());
        std::ifstream in(file);
        std::string first;
        std::getline(in, first);
        REQUIRE(first.rfind("# expect: ", 0) == 0);
        const std::string expect = first.substr(10);
        if (expect == "ok") {
            const Thesis t = load_thesis_file(file.string());
            CHECK(t.simulation.paths <= 256);
            check_finite_everywhere(t, t.simulation.paths);
            continue;
        }
        try {
            load_thesis_file(file.string());
            FAIL("no InputError for ", file.string());
        } catch (const InputError& e) {
            const std::string message = e.what();
            CHECK_MESSAGE(contains(message, expect), message);
            // file:line:column, then the key path.
            const std::string prefix = file.string() + ":";
            REQUIRE_MESSAGE(message.rfind(prefix, 0) == 0, message);
            CHECK_MESSAGE(
                std::regex_search(message.substr(prefix.size()), std::regex("^[0-9]+:[0-9]+: [a-z_]+\\.")),
                message);
            CHECK(e.where().line > 0);
            CHECK(message.find('\n') == std::string::npos);
        }
    }
}

TEST_CASE("numeric edges: a price of zero or below zero or 1e300 is refused") {
    CHECK(contains(seed_error({{"stock.price", "0"}}), "stock.price: expected a positive value, got '0'"));
    CHECK(contains(seed_error({{"stock.price", "-5"}}), "stock.price: expected a positive value, got '-5'"));
    CHECK(contains(seed_error({{"stock.price", "1e300"}}),
                   "stock.price: expected a price from $0.01 to $1,000,000,000,000 a share"));
    CHECK(contains(seed_error({{"stock.price", "0.001"}}), "stock.price: expected a price from $0.01"));
    // Levels of a plan and derived scenario prices too.
    CHECK(contains(seed_error({{"plans.aggressive.entry", "1e300"}}),
                   "plans.aggressive.entry: expected a price"));
    CHECK(contains(seed_error({{"plans.aggressive.target", "1e300"}}),
                   "plans.aggressive.target: expected a price"));
    CHECK(
        contains(seed_error({{"scenarios.bull.price", "1e300"}}), "scenarios.bull.price: expected a price"));
    // A scenario's price derived from its levers: the $8B unlock lifts a $1T price past the top.
    CHECK(contains(seed_error({{"stock.price", "1T"}}),
                   "scenarios.base: the levers give a price of $1,052,000,000,000.00 a share"));
    // Amounts, multiples and other numbers no thesis means.
    CHECK(contains(seed_error({{"stock.market_cap", "1e300"}}), "stock.market_cap: expected an amount"));
    CHECK(contains(seed_error({{"stock.pe", "1e-300"}}), "stock.pe: expected a multiple from 0.01x"));
    CHECK(contains(seed_error({{"opportunity.revenue_unlock", "1e300"}}), "at most 10^18 in size"));
    CHECK(contains(seed_error({{"plans.aggressive.capital", "1e300"}}), "plans.aggressive.capital"));
    CHECK(
        contains(seed_error({{"scenarios.bull.claimed_return", "-100%"}}), "expected a return above -100%"));
}

TEST_CASE("numeric edges: volatility near zero runs finite and an enormous one is refused with a hint") {
    const Thesis tiny = load_seed_thesis({{"model.volatility", "1e-12"}});
    check_finite_everywhere(tiny, 256);
    const Thesis tiny_continuous =
        load_seed_thesis({{"model.volatility", "1e-12"}, {"simulation.monitoring", "continuous"}});
    check_finite_everywhere(tiny_continuous, 64);
    const Thesis highest = load_seed_thesis({{"model.volatility", "1000%"}});
    check_finite_everywhere(highest, 64);
    const std::string message = seed_error({{"model.volatility", "50"}});
    CHECK(
        contains(message, "model.volatility: expected a volatility of at most 1000% a year (10), got '50'"));
    CHECK(contains(message, "(did you mean 50%?)"));
    CHECK(contains(seed_error({{"model.volatility", "5000%"}}), "model.volatility"));
    CHECK_FALSE(contains(seed_error({{"model.volatility", "5000%"}}), "did you mean"));
}

TEST_CASE("numeric edges: a horizon of zero is refused and a century runs finite") {
    CHECK(contains(seed_error({{"simulation.horizon", "0d"}}),
                   "simulation.horizon: expected a positive horizon"));
    CHECK(contains(seed_error({{"simulation.horizon", "1000y"}}), "expected a horizon from 1d to 100y"));
    CHECK(contains(seed_error({{"plans.hold.horizon", "101y"}}),
                   "plans.hold.horizon: expected a horizon from 1d to 100y"));
    CHECK(contains(seed_error({{"simulation.horizon", "100y"}, {"simulation.steps_per_year", "100000"}}),
                   "steps a path; expected at most 100,000"));
    const Thesis century = load_seed_thesis({{"simulation.horizon", "100y"}});
    CHECK(MonteCarlo::horizon_of(century) == doctest::Approx(100));
    check_finite_everywhere(century, 32);
}

TEST_CASE("numeric edges: dates beyond a millennium are refused before any step index overflows") {
    CHECK(contains(seed_error({{"model.events.china_trip.date", "1e300y"}}),
                   "model.events.china_trip.date: expected a duration or date within 1000y"));
    CHECK(contains(seed_error({{"plans.cautious.entry.date", "3000000000y"}}), "within 1000y"));
    CHECK(contains(seed_error({{"model.fundamentals.multiple_half_life", "1000000y"}}), "within 1000y"));
}

TEST_CASE("numeric edges: drift and jumps that would overflow prices are refused by key") {
    CHECK(contains(seed_error({{"model.drift", "1000"}}),
                   "model.drift: expected a drift from -1000% to 1000%"));
    const std::string growth = seed_error({{"model.drift", "200%"}, {"simulation.horizon", "100y"}});
    CHECK(contains(growth, "model.drift: the model lets prices grow e^200-fold over 100y"));
    CHECK(contains(growth, "expected at most e^100"));
    CHECK(seed_error({{"model.drift", "99%"}, {"simulation.horizon", "100y"}}).empty());
    CHECK(contains(seed_error({{"model.events.china_trip.jump_mean", "1000"}}),
                   "model.events.china_trip.jump_mean"));
    CHECK(contains(seed_error({{"model.events.china_trip.jump_sd", "100"}}),
                   "model.events.china_trip.jump_sd"));
    CHECK(contains(seed_error({{"model.kind", "merton"}, {"model.jumps.intensity", "1e6"}}),
                   "model.jumps.intensity: expected at most 365 jumps a year"));
    CHECK(contains(seed_error({{"model.kind", "fundamentals"}, {"model.fundamentals.eps_growth", "1000"}}),
                   "model.fundamentals.eps_growth"));
    // Many events of the largest allowed jump add up past the limit too.
    std::vector<Override> jumps{{"model.drift", "60%"}, {"simulation.horizon", "100y"}};
    for (const char* e :
         {"licences_approved", "china_trip", "curbs_reimposed", "antitrust_fine", "rare_earths"})
        jumps.push_back({std::string("model.events.") + e + ".jump_mean", "10"});
    CHECK(contains(seed_error(jumps), "the model lets prices grow e^"));
}

TEST_CASE("numeric edges: one path gives finite numbers and 10^12 paths are refused") {
    const Thesis t = load_seed_thesis();
    check_finite_everywhere(t, 1);
    check_finite_everywhere(t, 2);
    CHECK(contains(seed_error({{"simulation.paths", "1000000000000"}}),
                   "simulation.paths: expected at most 10^11 paths"));
    CHECK(contains(seed_error({{"simulation.paths", "0"}}), "expected at least 1 path"));
}

TEST_CASE("numeric edges: a stop or target at the entry is refused so R never divides by zero") {
    CHECK(contains(seed_error({{"plans.aggressive.stop", "700"}}),
                   "plans.aggressive.stop: expected a price below entry (700) for a long plan, got 700"));
    CHECK(contains(seed_error({{"plans.aggressive.stop", "699.9999"}}),
                   "plans.aggressive.stop: expected a stop at least 0.0001% away from the entry"));
    CHECK(contains(seed_error({{"plans.aggressive.target", "700"}}),
                   "plans.aggressive.target: expected a price above entry (700) for a long plan, got 700"));
    CHECK(contains(seed_error({{"plans.cautious.stop", "0%"}}), "plans.cautious.stop: expected a distance"));
    CHECK(
        contains(seed_error({{"plans.cautious.stop", "100%"}}), "plans.cautious.stop: expected a distance"));
    CHECK(contains(seed_error({{"plans.aggressive.target", "700.5"}}),
                   "plans.aggressive.target: expected a target that gains after costs"));
    // Built by hand, past the loader: the economics stay finite with zero risk per share.
    Plan p;
    p.name = "flat";
    p.entry = {.kind = Entry::Kind::Limit, .limit = 700};
    p.stop = {.kind = Stop::Kind::Fixed, .level = 700};
    p.target = {.kind = Target::Kind::Fixed, .level = 700};
    p.sizing = {.capital = 100'000, .risk_per_trade = 0.02};
    CHECK(check_plan(p, 769.23));
    const TradeEconomics e = trade_economics(p, 769.23);
    CHECK(e.risk_per_share == 0);
    CHECK(e.reward_risk == 0);
    CHECK(std::isfinite(e.gross_reward_risk));
    CHECK(std::isfinite(e.shares));
    CHECK(std::isfinite(pnl_at(p, e, 650).of_entry));
}

TEST_CASE("numeric edges: scenario and event probabilities of 0 and 1 give finite results") {
    const Thesis t = load_seed_thesis({{"scenarios.bull.probability", "1"},
                                       {"scenarios.base.probability", "0"},
                                       {"scenarios.rerate.probability", "0"},
                                       {"scenarios.bear.probability", "0"},
                                       {"model.events.licences_approved.probability", "0"},
                                       {"model.events.china_trip.probability", "1"}});
    std::vector<ScenarioValue> values;
    for (const auto& s : t.scenarios) values.push_back(value_scenario(s, t.stock));
    const ScenarioExpectation e = expectation(values, t.stock.price);
    CHECK(e.expected_price == doctest::Approx(1000));
    CHECK(e.expected_downside == 0);
    CHECK(e.upside_downside_ratio == 0);  // no downside: reported as 0, not infinity
    check_finite_everywhere(t, 128);
    CHECK(contains(seed_error({{"scenarios.bull.probability", "0"},
                               {"scenarios.base.probability", "0"},
                               {"scenarios.rerate.probability", "0"},
                               {"scenarios.bear.probability", "0"}}),
                   "expected scenario probabilities summing to 1, got 0.0000"));
}

TEST_CASE("numeric edges: an event on the valuation date lands on the first step") {
    // No diffusion, no drift: an event certain on day 0 with a fixed log jump of 0.5 moves every
    // path's price to S0·e^0.5, the same for a window that opens on the valuation date.
    const std::string yaml = R"(
stock: {valuation_date: 2025-07-14, price: 100, pe: 20x, market_cap: 10B}
model:
  volatility: 1e-12
  events:
    day_zero: {probability: 1, date: 2025-07-14, jump_mean: 0.5}
plans:
  hold: {entry: market}
  after: {entry: {after: day_zero}, stop: 10%}
simulation: {paths: 64, horizon: 30d}
)";
    for (const char* when : {"2025-07-14", "0d"}) {
        const Thesis t = load_thesis(yaml, "day0.yaml", {{"model.events.day_zero.date", when}});
        REQUIRE(t.model.events.size() == 1);
        CHECK(t.model.events[0].window_start == 0);
        MonteCarlo mc(t);
        mc.run(64, {.threads = 1});
        CHECK(mc.result().terminal.mean() == doctest::Approx(100 * std::exp(0.5)).epsilon(1e-6));
        // The plan entering after the event always fills.
        CHECK(mc.result().plans[1].outcomes[static_cast<std::size_t>(ExitReason::Unfilled)] == 0);
        check_finite_everywhere(t, 64);
    }
    // A window that opens on the valuation date and closes the next day: also the first step.
    const std::string window_yaml = std::regex_replace(yaml, std::regex("date: 2025-07-14, jump_mean"),
                                                       "window: [2025-07-14, 2025-07-15], jump_mean");
    const Thesis t = load_thesis(window_yaml, "window.yaml");
    CHECK(t.model.events[0].window_start == 0);
    MonteCarlo mc(t);
    mc.run(64, {.threads = 1});
    CHECK(mc.result().terminal.mean() == doctest::Approx(100 * std::exp(0.5)).epsilon(1e-6));
}

TEST_CASE("numeric edges: formatters and CSV never print NaN or infinity") {
    const double nan = std::nan(""), inf = HUGE_VAL;
    for (double x : {nan, inf, -inf}) {
        CHECK(format_money(x) == "n/a");
        CHECK(format_percent(x) == "n/a");
        CHECK(format_fixed(x, 3, true) == "n/a");
        CHECK(format_multiple(x) == "n/a");
        CHECK(format_amount(x) == "n/a");
    }
    CHECK(format_fixed(2.5, 2) == "2.50");
    CHECK(format_fixed(0.216, 3, true) == "+0.216");
    Report r;
    Table t;
    t.id = "t";
    t.columns = {{"x", "x", true}};
    t.rows = {{Cell("n/a", nan)}, {Cell("n/a", inf)}, {Cell("1", 1.0)}};
    r.tables = {t};
    r.json = {{"x", nan}};
    CHECK(render_csv(t) == "x\n\n\n1\n");
    CHECK(nlohmann::json::parse(render_records(t)) ==
          nlohmann::json::parse(R"([{"x": null}, {"x": null}, {"x": 1.0}])"));
    CHECK_FALSE(has_non_finite_text(render(r, Format::Json)));
    CHECK(has_non_finite_text("x,-nan,1"));
    CHECK(has_non_finite_text("Infinity"));
    CHECK_FALSE(has_non_finite_text("information, infinite, finance"));
}
