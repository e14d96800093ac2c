// Rendering reports: aligned text, markdown, CSV with raw numbers, and the JSON shape.
#include "thesis/core/errors.h"
#include "thesis/io/yaml_loader.h"
#include "thesis/report/report.h"
#include "thesis/report/reports.h"
#include "thesis/simulation/monte_carlo.h"
#include "thesis/valuation/valuation.h"

#include <doctest/doctest.h>

using namespace thesis;

namespace {
Report sample() {
    Report r;
    r.heading = "heading";
    r.verdict = {"Verdict: fine"};
    Table t;
    t.id = "t";
    t.title = "Title";
    t.columns = {{"name", "name", false}, {"price", "price_usd", true}};
    t.rows = {{"a, b", Cell("$1,000.00", 1000.0)}, {"c", Cell("$5.00", 5.0)}};
    r.tables = {t};
    r.json = {{"x", 1}};
    return r;
}
}  // namespace

TEST_CASE("text tables align numbers right and text left") {
    const std::string text = render_text(sample());
    CHECK(text.find("  name      price\n  ----  ---------\n") != std::string::npos);
    CHECK(text.find("  a, b  $1,000.00\n") != std::string::npos);
    CHECK(text.find("  c         $5.00\n") != std::string::npos);
    CHECK(text.rfind("heading\nVerdict: fine\n", 0) == 0);
}

TEST_CASE("CSV carries raw numbers under machine keys and quotes commas") {
    const std::string csv = render_csv(sample().tables.front());
    CHECK(csv == "name,price_usd\n\"a, b\",1000\nc,5\n");
    CHECK(render(sample(), Format::Csv) == csv);  // the only part is the primary one
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
}

TEST_CASE("records are the same part as a JSON array of objects with raw numbers and the CSV keys") {
    const nlohmann::json records = nlohmann::json::parse(render(sample(), Format::Records));
    CHECK(records == nlohmann::json::parse(R"([{"name": "a, b", "price_usd": 1000.0},
                                               {"name": "c", "price_usd": 5.0}])"));
}

TEST_CASE(
    "a report's parts are its machine tables - the primary one by default - and an unknown one is a clear "
    "error") {
    Report r = sample();
    Table people = r.tables.front(), machines = r.tables.front();
    people.audience = Table::Audience::People;
    people.id = "wide";
    machines.audience = Table::Audience::Machines;
    machines.id = "tidy";
    machines.rows.pop_back();
    r.tables = {r.tables.front(), people, machines};
    CHECK(parts(r) == std::vector<std::string>{"t", "tidy"});
    CHECK(&part(r, "") == &r.tables[0]);  // no primary: the first part
    r.primary = "tidy";
    CHECK(&part(r, "") == &r.tables[2]);
    CHECK(&part(r, "t") == &r.tables[0]);
    try {
        (void)part(r, "wide");  // a table for people is not a part
        FAIL("no error");
    } catch (const InputError& e) {
        const std::string message = e.what();
        CHECK(message.find("no part 'wide'") != std::string::npos);
        CHECK(message.find("this output's parts: t, tidy") != std::string::npos);
    }
    CHECK_THROWS_AS((void)part(r, "tidyy"), InputError);
}

TEST_CASE("markdown renders pipe tables with alignment") {
    const std::string md = render_markdown(sample());
    CHECK(md.find("| name | price |\n| :--- | ---: |\n| a, b | $1,000.00 |") != std::string::npos);
}

TEST_CASE("the run report's JSON has the documented shape") {
    const Thesis t = load_seed_thesis();
    const nlohmann::json j = valuation_report(t).json;
    CHECK(j["program"] == "thesis");
    CHECK(j["command"] == "run");
    CHECK(j["bridge"]["eps"].get<double>() == doctest::Approx(769.23 / 52).epsilon(1e-12));
    REQUIRE(j["scenarios"].size() == 4);
    CHECK(j["scenarios"][0]["name"] == "bull");
    CHECK(j["expectation"]["expected_price"].is_number());
    CHECK(j["implied"].is_array());
    CHECK(j["audit"].is_array());
    CHECK(j["assumptions"].contains("stock.net_margin"));
}

TEST_CASE("the payoff report labels scenario rows and the stop - entry and target") {
    const Thesis t = load_seed_thesis();
    const Report r = payoff_report(t, *t.find_plan("aggressive"));
    const nlohmann::json& rows = r.json["rows"];
    bool bear = false, stop = false;
    for (const auto& row : rows) {
        if (row["scenario"] == "bear") {
            bear = true;
            // With the stop the table assumes no gap: the loss is the risk per share.
            CHECK(row["stop"]["per_share"].get<double>() ==
                  doctest::Approx(-r.json["economics"]["risk_per_share"].get<double>()));
        }
        if (row["exit"] == 600.0) stop = true;
    }
    CHECK(bear);
    CHECK(stop);
    CHECK(render_text(r).find("(stop)") != std::string::npos);
}

TEST_CASE("a grid request replaces the default grid") {
    const Thesis t = load_seed_thesis();
    GridRequest g;
    g.from = 500;
    g.to = 700;
    g.step = 100;
    const Report r = payoff_report(t, *t.find_plan("aggressive"), g);
    // 3 grid rows (500, 600, 700: the stop and the entry among them) + the target, 1000, which the
    // grid misses + 4 scenario rows.
    CHECK(r.json["rows"].size() == 8);
    // A step that misses every level of the plan: they are rows all the same.
    g.from = 550;
    g.to = 650;
    g.step = 25;
    const Report off = payoff_report(t, *t.find_plan("aggressive"), g);
    std::vector<double> exits;
    for (const auto& row : off.json["rows"]) exits.push_back(row["exit"].get<double>());
    // (Bull's price is the target's $1,000: a row of its own, labelled with its name.)
    for (double level : {600.0, 700.0, 1000.0})
        CHECK(std::count(exits.begin(), exits.end(), level) == (level == 1000 ? 2 : 1));
    CHECK(exits.size() == 5 + 2 + 4);  // 550 … 650 (the stop among them), entry, target, 4 scenarios
}

TEST_CASE("the run's audit says when the model does not price the thesis's scenarios") {
    const auto findings_of = [](const Thesis& t) {
        MonteCarlo mc(t);
        mc.run(20'480);
        Report r = valuation_report(t);
        add_simulation(r, t, mc.result(), 20'480);
        std::vector<std::string> messages;
        for (const auto& f : r.json["audit"])
            if (f["topic"] == "model-vs-scenarios") messages.push_back(f["message"].get<std::string>());
        return messages;
    };
    Thesis t = load_seed_thesis();
    t.simulation.monitoring = Monitoring::Discrete;
    // The seed's paths travel to its scenarios: the audit shows what the typed drift would say.
    const auto drift_line = [&] {
        MonteCarlo mc(t);
        mc.run(20'480);
        Report r = valuation_report(t);
        add_simulation(r, t, mc.result(), 20'480);
        for (const auto& f : r.json["audit"])
            if (f["topic"] == "model-vs-drift") return f["message"].get<std::string>();
        return std::string();
    }();
    CHECK(drift_line.find("against the scenarios' $721.47") != std::string::npos);
    CHECK(drift_line.find("a GBM at model.drift +10.0% would expect $") != std::string::npos);
    CHECK(findings_of(t).empty());
    // Under GBM the seed's 10% drift expects about $885 at 1y; its scenarios weigh to $721.47.
    t.model.kind = ModelKind::Gbm;
    const auto seed = findings_of(t);
    REQUIRE(seed.size() == 1);
    CHECK(seed[0].find("the scenarios $721.47 (-6.2%)") != std::string::npos);
    CHECK(seed[0].find("a drift of -10.6") != std::string::npos);
    // At the reconciling drift the scenarios' price lies inside the simulation's interval: no line.
    std::vector<ScenarioValue> values;
    for (const Scenario& s : t.scenarios) values.push_back(value_scenario(s, t.stock));
    t.model.drift = *drift_for_horizon_price(t, 1.0, expectation(values, t.stock.price).expected_price);
    CHECK(findings_of(t).empty());
}

TEST_CASE("a plan without a size shows no position figures rather than $0") {
    // hold without capital: no shares, so no position; per share figures stay.
    const Thesis t = load_seed_thesis({parse_override("plans.hold.capital=0")});
    const Report table = payoff_report(t, *t.find_plan("hold"), {});
    CHECK(table.verdict[0].find("the plan has no capital or shares") != std::string::npos);
    const std::string economics = render(table, Format::Csv, "economics");
    CHECK(economics.find("position value,\n") != std::string::npos);  // missing, not 0
    CHECK(economics.find("capital at risk,\n") != std::string::npos);
    MonteCarlo mc(t);
    mc.run(2048);
    Report run = valuation_report(t);
    add_simulation(run, t, mc.result(), 2048);
    const auto& hold = run.json["simulation"]["plans"][2];
    CHECK(hold["name"] == "hold");
    CHECK(hold["pnl_per_position"].is_null());  // the run's JSON writes a metric that does not apply as null
    CHECK(hold["pnl_per_share"]["estimate"].is_number());
    CHECK(run.json["simulation"]["plans"][0]["pnl_per_position"]["estimate"].is_number());
}

TEST_CASE("a trailing stop's verdict separates the stops that lock in a profit") {
    // The short example's contrarian plan trails its stop 12% below the highest price since its
    // fill: once the price has risen past entry / 0.88 (+ costs) a stop there exits with a gain.
    const Thesis t = load_thesis_file(std::string(THESIS_SOURCE_DIR) + "/scenarios/coastal-coffee-short.yaml",
                                      {parse_override("simulation.paths=8192")});
    MonteCarlo mc(t);
    mc.run(8192);
    Report r = valuation_report(t);
    add_simulation(r, t, mc.result(), 8192);
    const std::size_t contrarian = 1, shorting = 0;
    REQUIRE(t.plans[contrarian].stop.kind == Stop::Kind::Trailing);
    const PlanMetrics trailing = summarize(mc.result(), contrarian, t.plans[contrarian], t.stock.price);
    CHECK(trailing.stopped_in_profit.value > 0);
    CHECK(trailing.stopped_in_profit.value < trailing.stopped.value);
    // A fixed stop on the losing side of the entry can never exit with a gain.
    REQUIRE(t.plans[shorting].stop.kind == Stop::Kind::Fixed);
    CHECK(summarize(mc.result(), shorting, t.plans[shorting], t.stock.price).stopped_in_profit.value == 0);
    const std::string verdict = r.verdict[1 + contrarian];
    CHECK(verdict.find("locking in a profit") != std::string::npos);
    CHECK(r.verdict[1 + shorting].find("locking in a profit") == std::string::npos);
    CHECK(r.json["simulation"]["plans"][contrarian]["p_stop_in_profit"]["estimate"].get<double>() ==
          trailing.stopped_in_profit.value);
}

TEST_CASE("the payoff table's hedged column: the stock and the put held to expiry") {
    // Long 10 shares at market $100, a put at $90 for a year at 30% (r = q = 0), no costs. Held to
    // expiry the put pays (90 − X)⁺, so at $80 the hedged P&L is −20 + 10 − P₀ and at $120 it is
    // +20 − P₀; P₀ = BSM put(100, 90, 1y, 30%) = 7.01288 (mpmath, 30 digits; test_black_scholes.cpp checks
    // the formula).
    const Thesis t = load_thesis(R"(stock: {valuation_date: 2025-07-14, price: 100, pe: 20x, market_cap: 10B}
model: {volatility: 30%}
plans:
  covered:
    shares: 10
    hedge: {put: {strike: 90, expiry: 1y, implied_vol: 30%}}
)",
                                 "hedged.yaml");
    // The grid starts at $0, where the stock has lost everything and the put pays its strike
    // (the fuzzer found a table starting there that threw).
    GridRequest g;
    g.from = 0;
    g.to = 120;
    g.step = 40;
    const Report r = payoff_report(t, *t.find_plan("covered"), g);
    const double premium = r.json["economics"]["hedge_cost"].get<double>();
    CHECK(premium == doctest::Approx(7.0128799018497).epsilon(1e-12));
    int checked = 0;
    for (const auto& row : r.json["rows"]) {
        const double x = row["exit"].get<double>();
        const double want = (x - 100) + std::max(90 - x, 0.0) - premium;
        CHECK(row["hedged"]["per_share"].get<double>() == doctest::Approx(want).epsilon(1e-12));
        CHECK(row["hedged"]["per_position"].get<double>() == doctest::Approx(10 * want).epsilon(1e-12));
        ++checked;
    }
    CHECK(checked == 5);  // 0, 40, 80, 120 and the entry's row
    CHECK(render_text(r).find("hedged/sh") != std::string::npos);
    // Without a hedge there is no such column and the rows' "hedged" is null.
    const Report plain = payoff_report(load_seed_thesis(), *load_seed_thesis().find_plan("aggressive"));
    CHECK(plain.json["rows"][0]["hedged"].is_null());
    CHECK(render_text(plain).find("hedged/sh") == std::string::npos);
}

TEST_CASE("the payoff table's carry column: a short's dividends and borrow fee to its horizon") {
    // Short 10 shares at market $100, no costs, 2% dividend yield, 5% borrow, a year: covered at
    // $80 it makes 20 less 7% of the average price 90, 6.30: +13.70 a share.
    const Thesis t = load_thesis(R"(stock: {valuation_date: 2025-07-14, price: 100, pe: 20x, market_cap: 10B,
        dividend_yield: 2%}
model: {volatility: 30%}
plans:
  fade: {side: short, shares: 10, borrow_rate: 5%}
)",
                                 "carry.yaml");
    GridRequest g;
    g.from = 80;
    g.to = 120;
    g.step = 40;
    const Report r = payoff_report(t, *t.find_plan("fade"), g);
    for (const auto& row : r.json["rows"]) {
        const double x = row["exit"].get<double>();
        const double want = (100 - x) - 0.07 * 0.5 * (100 + x);
        CHECK(row["hold_carry"]["per_share"].get<double>() == doctest::Approx(want).epsilon(1e-12));
        if (x == 80) CHECK(want == doctest::Approx(13.7));
    }
    CHECK(render_text(r).find("borrow fee a year") != std::string::npos);
}
