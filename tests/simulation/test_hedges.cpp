// Hedges on the simulated paths (issue 17): the options a plan holds are bought at its fill and
// sold at its exit at their Black–Scholes–Merton value, so the P&L includes premium, decay and
// payoff. Checked against the formula (risk-neutral Monte Carlo), against the floor a stop and a
// put promise, and against gaps that a stop cannot survive and a put can.

#include "thesis/analysis/hedge.h"
#include "thesis/core/errors.h"
#include "thesis/io/yaml_loader.h"
#include "thesis/math/black_scholes.h"
#include "thesis/simulation/monte_carlo.h"

#include "../engine_fixtures.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace thesis;
using namespace thesis::test;

namespace {

OptionLeg leg(Price strike, Years expiry, double volatility) {
    OptionLeg l;
    l.strike = strike;
    l.expiry = expiry;
    l.implied_volatility = volatility;
    return l;
}

Plan hold_with_put(std::string name, Price strike, Years expiry, double volatility) {
    Plan p = plan_named(std::move(name), {}, {}, {});
    p.hedge.kind = Hedge::Kind::Put;
    p.hedge.protection = leg(strike, expiry, volatility);
    return p;
}

// The worst P&L per share of each plan over `paths` recorded paths, played as the engine plays them.
std::vector<double> worst_pnl(const Thesis& t, std::uint64_t paths) {
    const PathGenerator generator(t, t.simulation.horizon);
    std::vector<PlanRules> rules;
    for (const Plan& p : t.plans) rules.push_back(compile_plan(p, t, generator.grid()));
    std::vector<double> worst(t.plans.size(), std::numeric_limits<double>::infinity());
    PathBatch batch;
    for (std::uint64_t first = 0; first < paths; first += kLanes) {
        generator.generate_batch(first, batch);
        for (std::size_t lane = 0; lane < kLanes; ++lane)
            for (std::size_t i = 0; i < rules.size(); ++i)
                worst[i] = std::min(
                    worst[i],
                    trade_on_path(rules[i], batch.paths[lane], t.simulation.monitoring).pnl_per_share);
    }
    return worst;
}

}  // namespace

TEST_CASE("hedges: a put's simulated payoff under the risk-neutral drift agrees with Black-Scholes") {
    // Under dS/S = (r − q)dt + σ dW the discounted payoff's mean is the formula's price, so a put
    // bought at P₀ and held to expiry gains E[(K − S_T)⁺] − P₀ = P₀(e^{rT} − 1) on average.
    Thesis t = gbm_770();
    t.simulation.risk_free_rate = 0.05;
    t.stock.dividend_yield = 0.02;
    t.model.drift = 0.05 - 0.02;
    t.simulation.monitoring = Monitoring::Discrete;
    for (Price strike : {600.0, 770.0, 900.0}) {
        CAPTURE(strike);
        t.plans = {hold_with_put("put", strike, 1.0, 0.5)};
        MonteCarlo mc(t);
        mc.run(200'000);
        const PlanMetrics m = summarize(mc.result(), 0, t.plans[0], t.stock.price);
        REQUIRE(m.hedge_pnl);
        const double premium = option_price({OptionType::Put, 770, strike, 1.0, 0.05, 0.02, 0.5});
        const double expected = premium * (std::exp(0.05) - 1);
        const double z = (m.hedge_pnl->value - expected) / m.hedge_pnl->std_error;
        CAPTURE(m.hedge_pnl->value);
        CAPTURE(expected);
        CHECK(std::fabs(z) < 4);
        // The stock's part: E[S_T] − S₀ = S₀(e^{(r−q)T} − 1); the dividends a long receives over the
        // year, q T (S₀ + S_T)/2, have mean q T S₀ (1 + e^{(r−q)T})/2; the whole P&L adds the three.
        const double stock = 770 * (std::exp(0.03) - 1);
        const double dividends = 0.02 * 770 * (1 + std::exp(0.03)) / 2;
        REQUIRE(m.carry);
        CHECK(std::fabs((m.carry->value - dividends) / m.carry->std_error) < 4);
        CHECK(std::fabs((m.pnl_per_share.value - stock - expected - dividends) / m.pnl_per_share.std_error) <
              4);
    }
}

TEST_CASE("hedges: under GBM without gaps a stop and a put struck at it have the same floor") {
    // Continuous monitoring and no jumps: the stop fills at $600, a loss of exactly $170; the put
    // (no stop, held to its expiry at the horizon, r = 0) floors the loss at $170 plus its premium.
    Thesis t = gbm_770();
    t.simulation.monitoring = Monitoring::Continuous;
    Plan stop = plan_named("stop", {}, {Stop::Kind::Fixed, 600, 0}, {});
    Plan put = hold_with_put("put", 600, 1.0, 0.5);
    t.plans = {stop, put};
    const double premium = option_price({OptionType::Put, 770, 600, 1.0, 0, 0, 0.5});
    const std::vector<double> worst = worst_pnl(t, 8192);
    CHECK(worst[0] == doctest::Approx(-170).epsilon(1e-12));
    CHECK(worst[1] == doctest::Approx(-170 - premium).epsilon(1e-12));

    MonteCarlo mc(t);
    mc.run(20'000);
    for (std::size_t i = 0; i < 2; ++i) {
        const PlanMetrics m = summarize(mc.result(), i, t.plans[i], t.stock.price);
        REQUIRE(m.floor_shortfall);
        CHECK(m.floor_shortfall->value == 0);
        CHECK(m.past_floor->value == 0);
    }
}

TEST_CASE("hedges: with jumps a put loses nothing past its floor and a stop does") {
    Thesis t = gbm_770();
    t.model.kind = ModelKind::Merton;
    t.model.jump_intensity = 4;
    t.model.jump_mean = -0.08;
    t.model.jump_sd = 0.10;
    t.simulation.monitoring = Monitoring::Continuous;
    t.plans = {plan_named("stop", {}, {Stop::Kind::Fixed, 600, 0}, {}), hold_with_put("put", 600, 1.0, 0.5),
               hold_with_put("stop_and_put", 600, 1.0, 0.5)};
    t.plans[2].stop = {Stop::Kind::Fixed, 600, 0};
    MonteCarlo mc(t);
    mc.run(50'000);
    const PlanMetrics stop = summarize(mc.result(), 0, t.plans[0], t.stock.price);
    const PlanMetrics put = summarize(mc.result(), 1, t.plans[1], t.stock.price);
    const PlanMetrics both = summarize(mc.result(), 2, t.plans[2], t.stock.price);
    // A jump through $600 fills the stop below it: a loss past the floor on some paths.
    CHECK(stop.past_floor->value > 0.01);
    CHECK(stop.floor_shortfall->value / stop.floor_shortfall->std_error > 4);
    // The put pays K − S at expiry whatever the path: never a loss past K plus the premium.
    CHECK(put.past_floor->value == 0);
    CHECK(put.floor_shortfall->value == 0);
    // Stop and put: the stop sells the stock after a gap, but the put, sold then, is worth at
    // least its intrinsic value (r = 0): the floor holds.
    CHECK(both.past_floor->value == 0);
    // The put's P&L against the stop's on the same paths: the gaps it saves and the premium it costs.
    CHECK(put.hedge_pnl);
    CHECK_FALSE(stop.hedge_pnl);
}

TEST_CASE("hedges: a collar's options and a quoted premium") {
    // A collar: the put bought, the call sold. At a market fill the options cost what the quote
    // says; the P&L of a path that ends at S_T in (600, 900) at expiry is S_T − 770 + C₀ − P₀.
    Thesis t = gbm_770();
    t.simulation.monitoring = Monitoring::Discrete;
    Plan collar = plan_named("collar", {}, {}, {});
    collar.hedge.kind = Hedge::Kind::Collar;
    collar.hedge.protection = leg(600, 1.0, 0.5);
    collar.hedge.financing = leg(900, 1.0, 0.5);
    // The same put, priced from a quoted premium (its implied volatility is 50%).
    Plan quoted = hold_with_put("quoted", 600, 1.0, 0.5);
    const double premium = option_price({OptionType::Put, 770, 600, 1.0, 0, 0, 0.5});
    quoted.hedge.protection.implied_volatility.reset();
    quoted.hedge.protection.premium = premium;
    Plan bare = hold_with_put("bare", 600, 1.0, 0.5);
    t.plans = {collar, quoted, bare};
    const PathGenerator generator(t, 1.0);
    const PlanRules collar_rules = compile_plan(t.plans[0], t, generator.grid());
    const PlanRules quoted_rules = compile_plan(t.plans[1], t, generator.grid());
    const PlanRules bare_rules = compile_plan(t.plans[2], t, generator.grid());
    CHECK(quoted_rules.hedge.leg[0].volatility == doctest::Approx(0.5).epsilon(1e-10));
    const double call = option_price({OptionType::Call, 770, 900, 1.0, 0, 0, 0.5});
    PathBatch batch;
    generator.generate_batch(0, batch);
    int inside = 0;
    for (std::size_t lane = 0; lane < kLanes; ++lane) {
        const TradeOutcome o = trade_on_path(collar_rules, batch.paths[lane], Monitoring::Discrete);
        const double end = o.exit_price;
        // Settled at expiry: (K_p − S)⁺ − (S − K_c)⁺ less the net premium P₀ − C₀.
        const double settled = std::max(600 - end, 0.0) - std::max(end - 900, 0.0) - (premium - call);
        CHECK(o.hedge_pnl == doctest::Approx(settled).epsilon(1e-12));
        CHECK(o.pnl_per_share == doctest::Approx(end - 770 + settled).epsilon(1e-12));
        inside += end > 600 && end < 900;
        const TradeOutcome q = trade_on_path(quoted_rules, batch.paths[lane], Monitoring::Discrete);
        const TradeOutcome b = trade_on_path(bare_rules, batch.paths[lane], Monitoring::Discrete);
        CHECK(q.pnl_per_share == doctest::Approx(b.pnl_per_share).epsilon(1e-9));
    }
    CHECK(inside > 0);
}

TEST_CASE("hedges: a hedge the file cannot mean is refused with its key") {
    const std::string head = R"(stock: {valuation_date: 2025-07-14, price: 100, pe: 20x, market_cap: 10B}
model: {volatility: 30%}
)";
    const auto error_of = [&](const std::string& plans) -> std::string {
        try {
            load_thesis(head + plans, "hedge.yaml");
        } catch (const InputError& e) {
            return e.what();
        }
        return "";
    };
    CHECK(error_of("plans: {p: {hedge: {put: {strike: 90, expiry: 1y, implied_vol: 30%}}}}").empty());
    CHECK(error_of("plans: {p: {side: short, hedge: {put: {strike: 90, expiry: 1y, implied_vol: 30%}}}}")
              .find("a put does not protect a short") != std::string::npos);
    CHECK(error_of("plans: {p: {hedge: {put: {strike: 90, expiry: 6m, implied_vol: 30%}}}}")
              .find("plans.p.hedge.put.expiry: expected an expiry at or after the plan's horizon") !=
          std::string::npos);
    CHECK(error_of("plans: {p: {hedge: {put: {strike: 90, expiry: 1y, implied_vol: 30%, premium: 3}}}}")
              .find("expected exactly one of premium") != std::string::npos);
    // Below the put's value without volatility (90 − 80 = 10 at r = 0): no volatility gives it.
    CHECK(error_of("plans: {p: {hedge: {put: {strike: 110, expiry: 1y, premium: 5}}}}")
              .find("plans.p.hedge.put.premium: no volatility") != std::string::npos);
    CHECK(error_of("plans: {p: {hedge: {put: {strike: 90, expiry: 1y, implied_vol: 30%}, contracts: 2}}}")
              .find("a contract count needs the plan's size") != std::string::npos);
    CHECK(error_of("plans: {p: {hedge: {collar: {put: {strike: 120, expiry: 1y, implied_vol: 30%}, "
                   "call: {strike: 110, expiry: 1y, implied_vol: 30%}}}}}")
              .find("expected the put's strike below the call's") != std::string::npos);
    // A location: the file, line and column of the offending key.
    CHECK(error_of("plans: {p: {hedge: {put: {strike: 110, expiry: 1y, premium: 5}}}}")
              .rfind("hedge.yaml:3:", 0) == 0);
}

TEST_CASE("hedges: the comparison's variants and their paired differences") {
    Thesis t = gbm_770();
    t.simulation.monitoring = Monitoring::Continuous;
    t.plans = {plan_named("swing", {Entry::Kind::Limit, 700, 0, ""}, {Stop::Kind::Fixed, 600, 0},
                          {Target::Kind::Fixed, 1000, 0})};
    HedgeRequest request;
    request.plan = "swing";
    const HedgeComparison c = hedge_comparison(t, request);
    std::vector<std::string> kinds;
    for (const ProtectionVariant& v : c.variants) kinds.push_back(v.kind);
    CHECK(kinds == std::vector<std::string>{"none", "stop", "put", "collar", "stop_and_put"});
    CHECK(c.reference == 1);
    REQUIRE(c.pairs.size() == 4);
    // Defaults: the put at the stop, the collar's call at the target, a year, the model's 50%.
    const double put = option_price({OptionType::Put, 770, 600, 1.0, 0, 0, 0.5});
    const double call = option_price({OptionType::Call, 770, 1000, 1.0, 0, 0, 0.5});
    CHECK(cost_today(c, 2) == doctest::Approx(put).epsilon(1e-14));
    CHECK(cost_today(c, 3) == doctest::Approx(put - call).epsilon(1e-12));
    CHECK(cost_today(c, 1) == 0);
    const OptionGreeks g = position_greeks(c, 2);
    CHECK(g.delta == doctest::Approx(1 + option_greeks({OptionType::Put, 770, 600, 1.0, 0, 0, 0.5}).delta));

    // The paired mean is the difference of the two means (the same paths), with a smaller error.
    MonteCarlo mc(c.thesis);
    mc.pair_plans(c.pairs);
    mc.run(8192);
    const SimulationResult& r = mc.result();
    for (std::size_t j = 0; j < c.pairs.size(); ++j) {
        const PlanPair p = c.pairs[j];
        const double difference = r.plans[p.plan].pnl.mean() - r.plans[p.reference].pnl.mean();
        CHECK(r.plan_paired[j].pnl.mean() == doctest::Approx(difference).epsilon(1e-9));
    }
    // Stop plus put against the stop: the same exits, so the difference is the put's P&L alone.
    const PlanMetrics both = summarize(r, 4, c.thesis.plans[4], 770);
    CHECK(r.plan_paired[3].pnl.mean() == doctest::Approx(both.hedge_pnl->value).epsilon(1e-9));
    CHECK(r.plan_paired[3].pnl.std_dev() < r.plans[4].pnl.std_dev());

    request.plan = "swnig";
    CHECK_THROWS_WITH_AS(hedge_comparison(t, request), doctest::Contains("did you mean 'swing'"), InputError);
    request.plan = "swing";
    request.expiry = 0.5;
    CHECK_THROWS_WITH_AS(hedge_comparison(t, request), doctest::Contains("at or after the plan's horizon"),
                         InputError);
}
