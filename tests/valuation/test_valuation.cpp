// The valuation bridge, scenarios and implied numbers, with the seed article's numbers.
#include "thesis/valuation/valuation.h"

#include "thesis/core/errors.h"

#include "valuation/article_stock.h"

#include <doctest/doctest.h>

#include <algorithm>

using namespace thesis;
using article::nvda;
using article::scenario;

TEST_CASE("the bridge derives EPS - shares and earnings from price - P/E and market cap") {
    const Bridge b = bridge(nvda());
    // EPS = 769.2308 / 52 = 14.7929; shares = 4e12 / 769.2308 = 5.2e9; earnings = 4e12 / 52.
    CHECK(b.eps == doctest::Approx(14.792899).epsilon(1e-6));
    CHECK(b.shares == doctest::Approx(5.2e9).epsilon(1e-12));
    CHECK(b.earnings == doctest::Approx(76.923077e9).epsilon(1e-8));
    CHECK(b.eps * b.shares == doctest::Approx(b.earnings).epsilon(1e-12));
}

TEST_CASE("spot implied by \"$1000 is 30% upside\" is $769.23") {
    CHECK(implied_spot(1000, 0.30) == doctest::Approx(769.230769).epsilon(1e-9));
}

TEST_CASE("52x after a 40% drop at constant EPS is 31.2x") {
    CHECK(implied_multiple(52, -0.40) == doctest::Approx(31.2).epsilon(1e-12));
    const ScenarioValue bear = value_scenario(scenario("bear", {.price_change = -0.40}), nvda());
    CHECK(bear.multiple == doctest::Approx(31.2).epsilon(1e-12));
    CHECK(bear.price == doctest::Approx(461.538462).epsilon(1e-9));  // 769.23 × 0.6
    CHECK(bear.eps_change == doctest::Approx(0).epsilon(1e-15));
}

TEST_CASE("$1000 at 52x needs 30% EPS growth -- the $8B unlock supplies 5.2 points of it") {
    const Bridge b = bridge(nvda());
    // 1000 / (52 × 14.7929) − 1 = 1000 / 769.2308 − 1 = 0.30 exactly.
    CHECK(required_eps_growth(1000, 52, b.eps) == doctest::Approx(0.30).epsilon(1e-12));
    // $8B × 50% / $76.923B = 0.052.
    const double g = eps_change_from_revenue(8e9, 0.5, b.earnings);
    CHECK(g == doctest::Approx(0.052).epsilon(1e-12));
    CHECK(g / 0.30 == doctest::Approx(0.17333).epsilon(1e-4));
}

TEST_CASE("a multiple lever alone keeps EPS: the sector's 25x prices the stock at $369.82") {
    const ScenarioValue v = value_scenario(scenario("rerate", {.multiple = 25}), nvda());
    // 25 × 14.7929 = 369.82; return 25/52 − 1 = −51.9%.
    CHECK(v.price == doctest::Approx(369.822485).epsilon(1e-9));
    CHECK(v.price_return == doctest::Approx(25.0 / 52 - 1).epsilon(1e-12));
}

TEST_CASE("an EPS lever alone keeps the multiple -- two levers derive the third") {
    const Stock s = nvda();
    const ScenarioValue rev = value_scenario(scenario("base", {.revenue_change = 8e9}), s);
    CHECK(rev.multiple == doctest::Approx(52).epsilon(1e-12));
    CHECK(rev.price == doctest::Approx(s.price * 1.052).epsilon(1e-12));
    // Price and multiple → EPS = 1000 / 40 = 25.
    const ScenarioValue pm = value_scenario(scenario("x", {.price = 1000, .multiple = 40}), s);
    CHECK(pm.eps == doctest::Approx(25).epsilon(1e-12));
    // Multiple and EPS change → price = 40 × 14.7929 × 1.1 = 650.89.
    const ScenarioValue me = value_scenario(scenario("y", {.multiple = 40, .eps_change = 0.1}), s);
    CHECK(me.price == doctest::Approx(40 * s.price / 52 * 1.1).epsilon(1e-12));
    // Price and EPS change → multiple = 1000 / (14.7929 × 1.3) = 52.
    const ScenarioValue pe = value_scenario(scenario("z", {.price = 1000, .eps_change = 0.3}), s);
    CHECK(pe.multiple == doctest::Approx(52).epsilon(1e-12));
}

TEST_CASE("levers that over-determine a scenario are an input error naming it") {
    CHECK_THROWS_WITH_AS(
        value_scenario(scenario("odd", {.price = 900, .multiple = 40, .eps_change = 0.1}), nvda()),
        doctest::Contains("scenarios.odd"), InputError);
    CHECK_THROWS_AS(value_scenario(scenario("odd", {.price = 900, .price_change = 0.1}), nvda()), InputError);
}

TEST_CASE("probability-weighted price - return and upside/downside ratio") {
    const Stock s = nvda();
    std::vector<ScenarioValue> v{value_scenario(scenario("bull", {.price = 1000}, 0.25), s),
                                 value_scenario(scenario("bear", {.price_change = -0.40}, 0.75), s)};
    const ScenarioExpectation e = expectation(v, s.price);
    // 0.25 × 1000 + 0.75 × 461.538 = 596.154; return 596.154 / 769.231 − 1 = −22.5%.
    CHECK(e.expected_price == doctest::Approx(596.153846).epsilon(1e-9));
    CHECK(e.expected_return == doctest::Approx(-0.225).epsilon(1e-12));
    // Upside 0.25 × 30% = 7.5%; downside 0.75 × 40% = 30%; ratio 0.25.
    CHECK(e.upside_downside_ratio == doctest::Approx(0.25).epsilon(1e-12));
}

namespace {
// A loss-making turnaround, worked by hand: $20 a share, trailing EPS -$4.00, $80B cap (4B
// shares, earnings -$16B), a 10% net margin, forward EPS $0.50.
Stock turnaround() {
    Stock s;
    s.price = 20;
    s.eps = -4.0;
    s.pe = 0;
    s.market_cap = 80e9;
    s.net_margin = 0.10;
    s.forward_eps = 0.50;
    return s;
}
Scenario on(Stock stock, std::string name, ScenarioLevers levers) {
    Scenario s;
    s.name = std::move(name);
    s.levers = levers;
    s.stock = stock;
    return s;
}
}  // namespace

TEST_CASE("a loss today: the bridge from the trailing EPS and no P/E") {
    const Bridge b = bridge(turnaround());
    CHECK(b.pe == 0);
    CHECK(b.eps == -4.0);
    CHECK(b.shares == doctest::Approx(4e9).epsilon(1e-15));
    CHECK(b.earnings == doctest::Approx(-16e9).epsilon(1e-15));
    REQUIRE(b.valuation_eps());
    CHECK(*b.valuation_eps() == 0.50);  // the forward EPS: the trailing one is a loss
    // A positive trailing EPS gives the P/E: $20 / $0.80 = 25x.
    Stock profitable = turnaround();
    profitable.eps = 0.80;
    CHECK(bridge(profitable).pe == doctest::Approx(25).epsilon(1e-15));
}

TEST_CASE("a loss today: absolute EPS - forward EPS and revenue levers price the scenarios") {
    const Stock s = turnaround();
    // EPS $2.00 at 15x: $30, +50%; no EPS change from a loss.
    const ScenarioValue bull = value_scenario(on(s, "bull", {.eps = 2.0, .multiple = 15}), s);
    CHECK(bull.price == doctest::Approx(30).epsilon(1e-15));
    CHECK(bull.price_return == doctest::Approx(0.5).epsilon(1e-15));
    CHECK_FALSE(bull.has_eps_change);
    // A multiple alone applies to the forward EPS: 24x × $0.50 = $12.
    const ScenarioValue base = value_scenario(on(s, "base", {.multiple = 24}), s);
    CHECK(base.price == doctest::Approx(12).epsilon(1e-15));
    CHECK(base.eps == 0.50);
    // Revenue $100B at the 10% margin over 4B shares: EPS $2.50; at 12x, $30.
    const ScenarioValue sales = value_scenario(on(s, "sales", {.revenue = 100e9, .multiple = 12}), s);
    CHECK(sales.eps == doctest::Approx(2.5).epsilon(1e-15));
    CHECK(sales.price == doctest::Approx(30).epsilon(1e-14));
    // A revenue change adds its earnings to the loss: -4 + 20B × 10% / 4B = -$3.50 a share; with a
    // price lever the multiple means nothing.
    const ScenarioValue cut = value_scenario(on(s, "cut", {.price = 15, .revenue_change = 20e9}), s);
    CHECK(cut.eps == doctest::Approx(-3.5).epsilon(1e-15));
    CHECK(cut.multiple == 0);
    // A price lever alone keeps the (negative) EPS; no lever keeps today's price.
    CHECK(value_scenario(on(s, "bear", {.price_change = -0.4}), s).price == doctest::Approx(12));
    CHECK(value_scenario(on(s, "flat", {}), s).price == 20);
    // An EPS change from a loss means nothing; a multiple on a negative EPS neither.
    CHECK_THROWS_WITH_AS(value_scenario(on(s, "x", {.eps_change = 0.5}), s),
                         doctest::Contains("an EPS change from today's EPS of -$4.00 means nothing"),
                         InputError);
    CHECK_THROWS_WITH_AS(value_scenario(on(s, "x", {.eps = -1, .multiple = 10}), s),
                         doctest::Contains("a price must be positive"), InputError);
    Stock no_forward = s;
    no_forward.forward_eps.reset();
    CHECK_THROWS_WITH_AS(value_scenario(on(no_forward, "x", {.multiple = 10}), no_forward),
                         doctest::Contains("a multiple needs a positive EPS"), InputError);
}
