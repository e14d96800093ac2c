// A trade's carry (dividends, a short's borrow fee) and its size at the fill, worked by hand on
// close_trade, the one formula the engine's lanes and trackers share.

#include "thesis/core/errors.h"
#include "thesis/io/yaml_loader.h"
#include "thesis/simulation/monte_carlo.h"

#include "../engine_fixtures.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace thesis;
using namespace thesis::test;

namespace {

// The trade filled at `entry` at step `from`, closed at the horizon at `exit` at step `to`.
TradeOutcome closed(const PlanRules& rules, double entry, int from, double exit, int to) {
    TradeOutcome o;
    o.entry_step = from;
    o.entry_price = entry;
    close_trade(rules, o, ExitReason::Horizon, to, std::log(exit), 0);
    return o;
}

}  // namespace

TEST_CASE("carry: a short pays the dividends and its borrow fee and a long receives the dividends") {
    Thesis t = gbm_770();
    t.stock.dividend_yield = 0.02;
    Plan shorted = plan_named("short", {}, {}, {}, Side::Short);
    shorted.costs.borrow_rate = 0.05;
    const TimeGrid grid = make_time_grid(1.0, 252);
    // Short at 100, covered at 80 a year later: +20, less (2% + 5%) of the average price 90 for a
    // year, 6.30: +13.70 a share.
    const TradeOutcome s = closed(compile_plan(shorted, t, grid), 100, 0, 80, 252);
    CHECK(s.carry == doctest::Approx(-6.3).epsilon(1e-12));
    CHECK(s.pnl_per_share == doctest::Approx(13.7).epsilon(1e-12));
    // Long from 100 to 120 over half a year (126 steps): +20 and 2% of 110 for half a year, +1.10.
    const TradeOutcome l = closed(compile_plan(plan_named("long", {}, {}, {}), t, grid), 100, 0, 120, 126);
    CHECK(l.carry == doctest::Approx(1.1).epsilon(1e-12));
    CHECK(l.pnl_per_share == doctest::Approx(21.1).epsilon(1e-12));
    // Without a yield or a borrow rate there is no carry, bit for bit.
    t.stock.dividend_yield = 0;
    const TradeOutcome none = closed(compile_plan(plan_named("long", {}, {}, {}), t, grid), 100, 0, 120, 126);
    CHECK(none.carry == 0);
    CHECK(none.pnl_per_share == doctest::Approx(20).epsilon(1e-12));
}

TEST_CASE("carry: a borrow rate on a long is refused with its key") {
    const std::string yaml = R"(stock: {valuation_date: 2025-07-14, price: 100, pe: 20x, market_cap: 10B}
model: {volatility: 30%}
plans: {p: {borrow_rate: 3%}}
)";
    CHECK_THROWS_WITH_AS(load_thesis(yaml, "carry.yaml"),
                         doctest::Contains("plans.p.borrow_rate: a borrow rate applies to a short"),
                         InputError);
}

TEST_CASE("sizing at the fill: the risk budget over the risk from the actual fill") {
    const Thesis t = gbm_770();
    const TimeGrid grid = make_time_grid(1.0, 252);
    // Long limit 700, stop 600, $100,000 risking 2% ($2,000), no costs.
    Plan plan = plan_named("dip", {Entry::Kind::Limit, 700, 0, ""}, {Stop::Kind::Fixed, 600, 0}, {});
    plan.sizing.capital = 100'000;
    plan.sizing.risk_per_trade = 0.02;
    const PlanRules fixed_stop = compile_plan(plan, t, grid);
    CHECK(shares_at_fill(fixed_stop, 700) == 20);   // risk 100 a share
    CHECK(shares_at_fill(fixed_stop, 650) == 40);   // a gap below the limit: risk 50 a share
    CHECK(shares_at_fill(fixed_stop, 601) == 166);  // risk 1: 2,000 shares, capped at 100,000 / 601
    // A 10% stop sits 10% below the fill: at 650 the risk is 65, floor(2,000 / 65) = 30 shares.
    plan.stop = {Stop::Kind::Percent, 0, 0.10};
    CHECK(shares_at_fill(compile_plan(plan, t, grid), 650) == 30);
    // A fixed count is the count at any fill; no stop: what the capital buys.
    plan.sizing.shares = 12;
    CHECK(shares_at_fill(compile_plan(plan, t, grid), 650) == 12);
    plan.sizing.shares.reset();
    plan.stop = {};
    CHECK(shares_at_fill(compile_plan(plan, t, grid), 650) == 153);
    // The outcome carries the size: E[P&L per position] is the mean of P&L × shares per path.
    const TradeOutcome o = closed(fixed_stop, 650, 10, 700, 252);
    CHECK(o.shares == 40);
}

TEST_CASE("sizing at the fill: a market entry's per-position P&L is the per-share P&L times its size") {
    Thesis t = gbm_770();
    t.simulation.monitoring = Monitoring::Continuous;
    Plan plan = plan_named("now", {}, {Stop::Kind::Fixed, 600, 0}, {Target::Kind::Fixed, 1000, 0});
    plan.sizing.capital = 100'000;
    plan.sizing.risk_per_trade = 0.02;
    Plan dip = plan;
    dip.name = "dip";
    dip.entry = {Entry::Kind::Limit, 700, 0, ""};
    t.plans = {plan, dip};
    MonteCarlo mc(t);
    mc.run(20'000);
    // Market: every path fills at $770, risk 170, floor(2,000 / 170) = 11 shares.
    const PlanMetrics now = summarize(mc.result(), 0, t.plans[0], 770);
    CHECK(now.shares == 11);
    CHECK(now.pnl_per_position.value == doctest::Approx(11 * now.pnl_per_share.value).epsilon(1e-9));
    // The limit fills at $700 in a continuous diffusion (20 shares) on every filled path.
    const PlanMetrics limit = summarize(mc.result(), 1, t.plans[1], 770);
    CHECK(limit.pnl_per_position.value == doctest::Approx(20 * limit.pnl_per_share.value).epsilon(1e-9));
}
