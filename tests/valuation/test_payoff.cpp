// Buy / stop-loss payoff arithmetic: risk, reward, R, breakeven, sizing, P&L by exit price.
#include "thesis/valuation/payoff.h"

#include "thesis/core/errors.h"

#include <doctest/doctest.h>

#include <algorithm>

using namespace thesis;

namespace {
// The article's aggressive plan: "Buy on dips below $700, targeting $1,000 with a stop-loss at $600".
Plan aggressive() {
    Plan p;
    p.name = "aggressive";
    p.entry = {.kind = Entry::Kind::Limit, .limit = 700};
    p.stop = {.kind = Stop::Kind::Fixed, .level = 600};
    p.target = {.kind = Target::Kind::Fixed, .level = 1000};
    p.sizing.capital = 100'000;
    p.sizing.risk_per_trade = 0.02;
    return p;
}
}  // namespace

TEST_CASE("2:1 reward:risk breaks even at a 1/3 win rate -- 3:1 at 25%") {
    CHECK(breakeven_win_rate(2.0, 1.0) == doctest::Approx(1.0 / 3).epsilon(1e-12));
    CHECK(breakeven_win_rate(300, 100) == doctest::Approx(0.25).epsilon(1e-12));
}

TEST_CASE("700 / 600 / 1000 risks $100 to make $300: 3.0R - 25% breakeven - 20 shares") {
    const TradeEconomics e = trade_economics(aggressive(), 769.23);
    CHECK(e.entry == 700);
    CHECK(e.risk_per_share == doctest::Approx(100).epsilon(1e-12));
    CHECK(e.reward_per_share == doctest::Approx(300).epsilon(1e-12));
    CHECK(e.reward_risk == doctest::Approx(3.0).epsilon(1e-12));
    CHECK(e.gross_reward_risk == doctest::Approx(3.0).epsilon(1e-12));
    CHECK(e.breakeven_win_rate == doctest::Approx(0.25).epsilon(1e-12));
    // Risk budget $100,000 × 2% = $2,000; / $100 a share = 20 shares ($14,000 < capital).
    CHECK(e.shares == 20);
    CHECK(e.capital_at_risk == doctest::Approx(2000).epsilon(1e-12));
}

TEST_CASE("costs widen the risk and shrink the reward") {
    Plan p = aggressive();
    p.costs.commission_per_share = 0.005;
    p.costs.slippage_bps = 5;
    const TradeEconomics e = trade_economics(p, 769.23);
    // Entry fill 700 × 1.0005 = 700.35; stop fill 600 × 0.9995 = 599.70;
    // risk = 700.35 − 599.70 + 2 × 0.005 = 100.66; target fill 999.50 → reward 299.14.
    CHECK(e.entry_fill == doctest::Approx(700.35).epsilon(1e-12));
    CHECK(e.risk_per_share == doctest::Approx(100.66).epsilon(1e-12));
    CHECK(e.reward_per_share == doctest::Approx(299.14).epsilon(1e-12));
    CHECK(e.breakeven_win_rate == doctest::Approx(100.66 / 399.80).epsilon(1e-12));
    // $2,000 / 100.66 = 19.87 → 19 shares.
    CHECK(e.shares == 19);
}

TEST_CASE("position size never exceeds what the capital buys outright") {
    Plan p = aggressive();
    p.stop = {.kind = Stop::Kind::Fixed, .level = 699};  // $1 risk → the budget would buy 2,000 shares
    const TradeEconomics e = trade_economics(p, 769.23);
    CHECK(e.shares == 142);  // floor(100,000 / 700)
}

TEST_CASE("exit rules: hold sells at X - the stop caps the loss - the target caps the gain") {
    const Plan p = aggressive();
    const TradeEconomics e = trade_economics(p, 769.23);
    CHECK(exit_level(e, ExitRule::Hold, 461.54) == 461.54);
    CHECK(exit_level(e, ExitRule::StopOnly, 461.54) == 600);
    CHECK(exit_level(e, ExitRule::StopOnly, 1100) == 1100);
    CHECK(exit_level(e, ExitRule::StopAndTarget, 1100) == 1000);
    CHECK(exit_level(e, ExitRule::StopAndTarget, 800) == 800);
    const PnL win = pnl_at(p, e, 1000);
    CHECK(win.per_share == doctest::Approx(300).epsilon(1e-12));
    CHECK(win.per_position == doctest::Approx(6000).epsilon(1e-12));  // 20 shares
    CHECK(win.of_entry == doctest::Approx(300.0 / 700).epsilon(1e-12));
}

TEST_CASE("short plans: stop above - target below - P&L = entry − exit") {
    Plan p;
    p.side = Side::Short;
    p.entry = {.kind = Entry::Kind::Market};
    p.stop = {.kind = Stop::Kind::Fixed, .level = 95};
    p.target = {.kind = Target::Kind::Fixed, .level = 60};
    p.sizing.shares = 100;
    const TradeEconomics e = trade_economics(p, 84);
    CHECK(e.risk_per_share == doctest::Approx(11).epsilon(1e-12));
    CHECK(e.reward_per_share == doctest::Approx(24).epsilon(1e-12));
    CHECK(exit_level(e, ExitRule::StopAndTarget, 120) == 95);
    CHECK(exit_level(e, ExitRule::StopAndTarget, 40) == 60);
    CHECK(pnl_at(p, e, 70).per_share == doctest::Approx(14).epsilon(1e-12));
    CHECK(pnl_at(p, e, 70).per_position == doctest::Approx(1400).epsilon(1e-12));
}

TEST_CASE("percent stops and targets are measured from the entry - both sides") {
    Plan p = aggressive();
    p.stop = {.kind = Stop::Kind::Percent, .distance = 0.15};
    p.target = {.kind = Target::Kind::Percent, .distance = 0.25};
    CHECK(*stop_price(p, 700) == doctest::Approx(595).epsilon(1e-12));
    CHECK(*target_price(p, 700) == doctest::Approx(875).epsilon(1e-12));
    p.side = Side::Short;
    CHECK(*stop_price(p, 100) == doctest::Approx(115).epsilon(1e-12));
    CHECK(*target_price(p, 100) == doctest::Approx(75).epsilon(1e-12));
}

TEST_CASE("check_plan rejects a long stop above entry and a short stop below it") {
    Plan p = aggressive();
    p.stop.level = 750;
    auto problem = check_plan(p, 769.23);
    REQUIRE(problem);
    CHECK(problem->field == "stop");
    CHECK(problem->message.find("below entry (700)") != std::string::npos);
    p.stop.level = 700;  // equal to entry is no stop at all
    CHECK(check_plan(p, 769.23));
    p.stop.level = 600;
    p.target.level = 650;
    CHECK(check_plan(p, 769.23)->field == "target");
    p.side = Side::Short;
    p.entry = {.kind = Entry::Kind::Market};
    p.stop = {.kind = Stop::Kind::Fixed, .level = 90};
    p.target = {.kind = Target::Kind::Fixed, .level = 60};
    CHECK(check_plan(p, 100)->field == "stop");
}

TEST_CASE("price grids include both ends and refuse bad steps") {
    const auto g = price_grid(500, 1000, 100);
    CHECK(g == std::vector<Price>{500, 600, 700, 800, 900, 1000});
    CHECK(price_grid(1, 1, 1).size() == 1);
    CHECK_THROWS_AS(price_grid(500, 1000, 0), InputError);
    CHECK_THROWS_AS(price_grid(1000, 500, 10), InputError);
    CHECK_THROWS_AS(price_grid(0, 1e9, 1), InputError);
}

TEST_CASE("the default grid spans below the stop to above the target with a round step") {
    const TradeEconomics e = trade_economics(aggressive(), 769.23);
    const auto g = default_price_grid(e, {461.54});
    CHECK(g.front() <= 0.9 * 461.54);
    CHECK(g.back() >= 1100);
    CHECK(g.size() >= 12);
    CHECK(g.size() <= 30);
    CHECK(std::find(g.begin(), g.end(), 600.0) != g.end());
    CHECK(std::find(g.begin(), g.end(), 1000.0) != g.end());
}
