// The Monte Carlo engine against closed forms (|z| < 4 with fixed seeds), fill rules on hand-made
// paths, and bit-for-bit reproducibility across threads and chunk sizes.
#include "thesis/io/yaml_loader.h"
#include "thesis/math/double_barrier.h"
#include "thesis/math/rng.h"
#include "thesis/simulation/monte_carlo.h"
#include "thesis/valuation/valuation.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace thesis;

namespace {

Plan bracket(double stop, double target, Entry entry = {}) {
    Plan p;
    p.name = "bracket";
    p.entry = entry;
    p.stop = {.kind = Stop::Kind::Fixed, .level = stop};
    p.target = {.kind = Target::Kind::Fixed, .level = target};
    return p;
}

Thesis gbm(double spot, double mu, double sigma, Years horizon, int steps_per_year, Monitoring monitoring,
           std::vector<Plan> plans = {}) {
    Thesis t;
    t.source = "test";
    t.stock.price = spot;
    t.stock.pe = 50;
    t.stock.sector_pe = 25;
    t.stock.market_cap = spot * 1e9;
    t.model.drift = mu;
    t.model.volatility = sigma;
    t.simulation.horizon = horizon;
    t.simulation.steps_per_year = steps_per_year;
    t.simulation.monitoring = monitoring;
    t.simulation.seed = 12345;
    t.plans = std::move(plans);
    return t;
}

double z_of(double estimate, double exact, double std_error) { return (estimate - exact) / std_error; }

// A path through the given prices (no jumps; under continuous monitoring each step's bridge has
// variance 0.001 and uniforms 1, so its extremes are its ends: no excursion).
PricePath path_of(std::vector<double> prices) {
    PricePath p;
    for (double x : prices) p.log_price.push_back(std::log(x));
    p.diffusive_end = p.log_price;
    p.open.assign(p.log_price.size(), 0.0);
    for (std::size_t k = 1; k < p.log_price.size(); ++k) p.open[k] = p.log_price[k - 1];
    p.u_low.assign(p.log_price.size(), 1.0);
    p.u_high.assign(p.log_price.size(), 1.0);
    p.bridge_variance = p.session_variance = 0.001;
    return p;
}

// The uniform that puts the minimum of step k's bridge at `price` (bridge_low inverted:
// u = exp(−2(a − m)(b − m)/v)).
void dip_to(PricePath& p, std::size_t k, double price) {
    const double a = p.log_price[k - 1], b = p.diffusive_end[k], m = std::log(price);
    p.u_low[k] = std::exp(-2 * (a - m) * (b - m) / p.bridge_variance);
}

PlanRules rules_for(const Plan& plan, Price spot, int steps) {
    const TimeGrid grid{steps, 1.0 / 252, steps / 252.0};
    return compile_plan(plan, spot, grid, {}, 0.01);
}

}  // namespace

TEST_CASE("GBM with continuous monitoring matches the Kunitomo-Ikeda double-barrier odds") {
    // dS/S = 0.10 dt + 0.50 dW from 770 between 600 and 1000 over a year (W1's levels).
    const Thesis t = gbm(770, 0.10, 0.50, 1.0, 252, Monitoring::Continuous, {bracket(600, 1000)});
    MonteCarlo mc(t);
    mc.run(40'000);
    const auto& tally = mc.result().plans[0];
    const double n = static_cast<double>(mc.result().paths);
    const DoubleBarrierOdds exact = double_barrier_odds(770, 600, 1000, 0.10, 0.50, 1.0);
    const auto check = [&](double count, double p, const char* what) {
        const double se = std::sqrt(p * (1 - p) / n);
        const double z = z_of(count / n, p, se);
        CHECK_MESSAGE(std::abs(z) < 4, what, ": mc ", count / n, " exact ", p, " z ", z);
    };
    check(static_cast<double>(tally.outcomes[1]), exact.p_upper_first, "target first");
    check(static_cast<double>(tally.outcomes[2] + tally.outcomes[3]), exact.p_lower_first, "stop first");
    check(static_cast<double>(tally.outcomes[4]), exact.p_neither, "neither");
    CHECK(tally.outcomes[3] == 0);  // no jumps: every continuous stop is diffusive, at the level
}

TEST_CASE("the same with negative drift and a tight band") {
    const Thesis t = gbm(100, -0.20, 0.30, 0.5, 252, Monitoring::Continuous, {bracket(95, 104)});
    MonteCarlo mc(t);
    mc.run(20'000);
    const double n = static_cast<double>(mc.result().paths);
    const DoubleBarrierOdds exact = double_barrier_odds(100, 95, 104, -0.20, 0.30, 0.5);
    const double p = static_cast<double>(mc.result().plans[0].outcomes[1]) / n;
    const double z =
        z_of(p, exact.p_upper_first, std::sqrt(exact.p_upper_first * (1 - exact.p_upper_first) / n));
    CHECK_MESSAGE(std::abs(z) < 4, "mc ", p, " exact ", exact.p_upper_first);
}

TEST_CASE("terminal price mean and second moment match the log-normal formulas") {
    // E[S_T] = S₀ e^{μT}; E[S_T²] = S₀² e^{(2μ + σ²)T}; Var(S_T²) = E[S⁴] − E[S²]² with
    // E[S_T⁴] = S₀⁴ e^{(4μ + 6σ²)T}.
    const double s0 = 770, mu = 0.10, sigma = 0.50, T = 1;
    const Thesis t = gbm(s0, mu, sigma, T, 52, Monitoring::Discrete);
    PathGenerator gen(t, T);
    RunningStats s, s2;
    PricePath path;
    for (std::uint64_t i = 0; i < 50'000; ++i) {
        gen.generate(i, path);
        const double st = std::exp(path.log_price.back());
        s.add(st);
        s2.add(st * st);
    }
    const double m1 = s0 * std::exp(mu * T);
    const double m2 = s0 * s0 * std::exp((2 * mu + sigma * sigma) * T);
    const double m4 = std::pow(s0, 4) * std::exp((4 * mu + 6 * sigma * sigma) * T);
    const double z1 = z_of(s.mean(), m1, std::sqrt((m2 - m1 * m1) / 50'000));
    const double z2 = z_of(s2.mean(), m2, std::sqrt((m4 - m2 * m2) / 50'000));
    CHECK_MESSAGE(std::abs(z1) < 4, "mean ", s.mean(), " exact ", m1);
    CHECK_MESSAGE(std::abs(z2) < 4, "second moment ", s2.mean(), " exact ", m2);
}

TEST_CASE("Merton jumps are compensated: E[S_T] = S0 e^(mu T)") {
    Thesis t = gbm(100, 0.08, 0.25, 1.0, 252, Monitoring::Discrete);
    t.model.kind = ModelKind::Merton;
    t.model.jump_intensity = 2;
    t.model.jump_mean = -0.05;
    t.model.jump_sd = 0.10;
    PathGenerator gen(t, 1.0);
    RunningStats s, logs;
    PricePath path;
    for (std::uint64_t i = 0; i < 40'000; ++i) {
        gen.generate(i, path);
        s.add(std::exp(path.log_price.back()));
        logs.add(path.log_price.back());
    }
    const double exact = 100 * std::exp(0.08);
    CHECK_MESSAGE(std::abs(z_of(s.mean(), exact, s.std_dev() / std::sqrt(40'000.0))) < 4, "mean ", s.mean(),
                  " exact ", exact);
    // Var(ln S_T) = σ²T + λT(m² + s²) = 0.0625 + 2 × 0.0125 = 0.0875. Sample variance's SE for a
    // near-normal log: σ²√(2/n) (the jumps add little kurtosis here; 4 SE still holds with room).
    const double var_exact = 0.0625 + 2 * (0.0025 + 0.01);
    const double se = var_exact * std::sqrt(2.0 / 40'000) * 1.5;
    CHECK_MESSAGE(std::abs(logs.variance() - var_exact) < 4 * se, "var ", logs.variance());
}

TEST_CASE("discrete monitoring matches the continuous odds with barriers shifted by 0.5826 sigma sqrt(dt)") {
    // Broadie, Glasserman & Kou (1997): a discretely monitored barrier behaves like a continuous
    // one moved away from the spot by β σ √Δt, β = −ζ(1/2)/√(2π) ≈ 0.5826.
    const double beta = 0.5826, sigma = 0.5, dt = 1.0 / 52;
    const Thesis t = gbm(770, 0.10, sigma, 1.0, 52, Monitoring::Discrete, {bracket(600, 1000)});
    MonteCarlo mc(t);
    mc.run(40'000);
    const double n = static_cast<double>(mc.result().paths);
    const double shift = std::exp(beta * sigma * std::sqrt(dt));
    const DoubleBarrierOdds exact = double_barrier_odds(770, 600 / shift, 1000 * shift, 0.10, sigma, 1.0);
    const double p = static_cast<double>(mc.result().plans[0].outcomes[4]) / n;
    const double z = z_of(p, exact.p_neither, std::sqrt(exact.p_neither * (1 - exact.p_neither) / n));
    CHECK_MESSAGE(std::abs(z) < 4, "P(neither) discrete ", p, " corrected closed form ", exact.p_neither);
}

TEST_CASE("events fire with their probability and move the log price by their jump") {
    Thesis t = gbm(100, 0.0, 0.2, 1.0, 52, Monitoring::Discrete);
    t.model.events.push_back({.name = "approval",
                              .probability = 0.3,
                              .window_start = 0.25,
                              .window_end = 0.5,
                              .jump_mean = 0.10,
                              .jump_sd = 0.0});
    PathGenerator gen(t, 1.0);
    PricePath path;
    int fired = 0;
    RunningStats with, without;
    for (std::uint64_t i = 0; i < 20'000; ++i) {
        gen.generate(i, path);
        const bool f = path.event_step[0] >= 0;
        fired += f;
        if (f) {
            CHECK(path.event_step[0] >= 13);  // 0.25 y × 52 = step 13
            CHECK(path.event_step[0] <= 26);
            // The jump lands between the diffusion's end and the observation of its step.
            const int k = path.event_step[0];
            CHECK(path.log_price[k] - path.diffusive_end[k] == doctest::Approx(0.10).epsilon(1e-9));
        }
        (f ? with : without).add(path.log_price.back());
    }
    const double p = fired / 20'000.0;
    CHECK(std::abs(z_of(p, 0.3, std::sqrt(0.3 * 0.7 / 20'000))) < 4);
    // E[ln S_T] = ln 100 − σ²/2 T (+0.10 if it fired): the difference is 0.10.
    const double se = std::sqrt(with.variance() / static_cast<double>(with.count()) +
                                without.variance() / static_cast<double>(without.count()));
    CHECK(std::abs(z_of(with.mean() - without.mean(), 0.10, se)) < 4);
}

TEST_CASE("fundamentals: the multiple reverts at its half-life and EPS grows at its rate") {
    Thesis t = gbm(769.23, 0, 0.5, 2.0, 52, Monitoring::Discrete);
    t.stock.pe = 52;
    t.stock.sector_pe = 25;
    t.stock.market_cap = 4e12;
    t.model.kind = ModelKind::Fundamentals;
    t.model.multiple_half_life = 1.0;
    t.model.multiple_volatility = 0;  // deterministic multiple
    t.model.eps_growth = 0.15;
    t.model.eps_volatility = 0.2;
    PathGenerator gen(t, 2.0);
    PricePath path;
    RunningStats price;
    for (std::uint64_t i = 0; i < 20'000; ++i) {
        gen.generate(i, path);
        price.add(std::exp(path.log_price.back()));
    }
    // After two half-lives the log multiple has covered 3/4 of the way: m = ln25 + ln(52/25)/4.
    // E[S_T] = EPS₀ e^{gT} × e^{m} = (769.23/52) e^{0.3} × 25 (52/25)^{1/4}.
    const double exact = 769.23 / 52 * std::exp(0.3) * 25 * std::pow(52.0 / 25, 0.25);
    const double z = z_of(price.mean(), exact, price.std_dev() / std::sqrt(20'000.0));
    CHECK_MESSAGE(std::abs(z) < 4, "mean ", price.mean(), " exact ", exact);
}

TEST_CASE("fundamentals: EPS and multiple shocks carry the stated correlation") {
    Thesis t = gbm(100, 0, 0.5, 1.0, 252, Monitoring::Discrete);
    t.model.kind = ModelKind::Fundamentals;
    t.model.multiple_half_life = 1000;  // almost a random walk, so steps are the shocks
    t.model.multiple_volatility = 0.3;
    t.model.eps_volatility = 0.2;
    t.model.eps_multiple_correlation = -0.6;
    // Var of a log-price step = (σₑ² + σₘ² + 2ρσₑσₘ) dt = (0.04 + 0.09 − 0.072) dt = 0.058 dt.
    PathGenerator gen(t, 1.0);
    PricePath path;
    RunningStats steps;
    for (std::uint64_t i = 0; i < 2'000; ++i) {
        gen.generate(i, path);
        for (int k = 1; k <= 252; ++k) steps.add(path.log_price[k] - path.log_price[k - 1]);
    }
    const double exact = 0.058 / 252;
    const double se = exact * std::sqrt(2.0 / static_cast<double>(steps.count()));
    CHECK_MESSAGE(std::abs(steps.variance() - exact) < 4 * se, "step variance ", steps.variance());
}

TEST_CASE("a limit buy fills at the first observed price at or below it") {
    const PlanRules r = rules_for(bracket(600, 1000, {.kind = Entry::Kind::Limit, .limit = 700}), 770, 5);
    const TradeOutcome o = trade_on_path(r, path_of({770, 720, 690, 750, 800, 810}), Monitoring::Discrete);
    CHECK(o.entry_step == 2);
    CHECK(o.entry_price == doctest::Approx(690).epsilon(1e-12));
    CHECK(o.reason == ExitReason::Horizon);
    CHECK(o.pnl_per_share == doctest::Approx(120).epsilon(1e-12));  // 810 − 690
}

TEST_CASE("stop fills at the first observed price below it (gap-through)") {
    const PlanRules r = rules_for(bracket(600, 1000, {.kind = Entry::Kind::Limit, .limit = 700}), 770, 5);
    // A gap from 650 to 560: the stop fills at 560, $40 past it; beyond 1% → gap-through.
    const TradeOutcome gap = trade_on_path(r, path_of({770, 700, 650, 560, 800, 810}), Monitoring::Discrete);
    CHECK(gap.reason == ExitReason::GapThroughStop);
    CHECK(gap.exit_price == doctest::Approx(560).epsilon(1e-12));
    CHECK(gap.stop_shortfall == doctest::Approx(40).epsilon(1e-9));
    CHECK(gap.pnl_per_share == doctest::Approx(-140).epsilon(1e-12));
    // 598 is within 1% of 600: an ordinary stop fill, at the observed price.
    const TradeOutcome stop = trade_on_path(r, path_of({770, 700, 650, 598, 800, 810}), Monitoring::Discrete);
    CHECK(stop.reason == ExitReason::Stop);
    CHECK(stop.exit_price == doctest::Approx(598).epsilon(1e-12));
}

TEST_CASE("stop and target are checked from the step after the fill -- a final-step fill is a horizon exit") {
    const PlanRules r = rules_for(bracket(600, 1000, {.kind = Entry::Kind::Limit, .limit = 700}), 770, 3);
    // Fills at 590 (already below the stop) on step 1; the stop is not hit on the fill's own step.
    const TradeOutcome o = trade_on_path(r, path_of({770, 590, 650, 1005}), Monitoring::Discrete);
    CHECK(o.entry_step == 1);
    CHECK(o.reason == ExitReason::Target);
    CHECK(o.exit_price == doctest::Approx(1005).epsilon(1e-12));  // a gap through the target
    const TradeOutcome last = trade_on_path(r, path_of({770, 750, 720, 690}), Monitoring::Discrete);
    CHECK(last.reason == ExitReason::Horizon);
    CHECK(last.pnl_per_share == 0);
    const TradeOutcome never = trade_on_path(r, path_of({770, 750, 720, 710}), Monitoring::Discrete);
    CHECK(never.reason == ExitReason::Unfilled);
    CHECK(never.pnl_per_share == 0);
}

TEST_CASE("continuous monitoring: a bridge crossing fills at the level - a jump past it") {
    const PlanRules r = rules_for(bracket(600, 1000), 770, 2);
    PricePath p = path_of({770, 700, 650});
    dip_to(p, 2, 595);  // the bridge dipped below 600 between the observations
    const TradeOutcome diffusive = trade_on_path(r, p, Monitoring::Continuous);
    CHECK(diffusive.reason == ExitReason::Stop);
    CHECK(diffusive.exit_price == doctest::Approx(600).epsilon(1e-12));
    // A jump from 650 (end of diffusion) to 550 (observed): fills at 550, a gap.
    PricePath j = path_of({770, 700, 550});
    j.diffusive_end[2] = std::log(650.0);
    const TradeOutcome jump = trade_on_path(r, j, Monitoring::Continuous);
    CHECK(jump.reason == ExitReason::GapThroughStop);
    CHECK(jump.exit_price == doctest::Approx(550).epsilon(1e-12));
}

TEST_CASE("short plans: stop above - target below - P&L = entry − exit - costs against the trader") {
    Plan p = bracket(95, 60);
    p.side = Side::Short;
    p.costs.commission_per_share = 0.01;
    p.costs.slippage_bps = 10;
    const PlanRules r = rules_for(p, 84, 3);
    const TradeOutcome o = trade_on_path(r, path_of({84, 80, 70, 59}), Monitoring::Discrete);
    CHECK(o.reason == ExitReason::Target);
    // Sell 84 × 0.999 = 83.916; buy back 59 × 1.001 = 59.059; minus 0.02 commission.
    CHECK(o.pnl_per_share == doctest::Approx(83.916 - 59.059 - 0.02).epsilon(1e-12));
    const TradeOutcome s = trade_on_path(r, path_of({84, 90, 95.5, 80}), Monitoring::Discrete);
    CHECK(s.reason == ExitReason::Stop);
}

TEST_CASE("a trailing stop follows the best observed price") {
    Plan p = bracket(0, 2000);
    p.stop = {.kind = Stop::Kind::Trailing, .distance = 0.10};
    const PlanRules r = rules_for(p, 100, 5);
    // Best 130 → stop at 117; 116 is the first observation below it.
    const TradeOutcome o = trade_on_path(r, path_of({100, 110, 130, 120, 116, 150}), Monitoring::Discrete);
    CHECK(o.reason == ExitReason::Stop);
    CHECK(o.exit_step == 4);
    CHECK(o.exit_price == doctest::Approx(116).epsilon(1e-12));
}

TEST_CASE("entries on a date and after an event fill at that observation") {
    Plan dated = bracket(50, 200, {.kind = Entry::Kind::OnDate, .at = 2.0 / 252});
    const PlanRules r = rules_for(dated, 100, 4);
    const TradeOutcome o = trade_on_path(r, path_of({100, 90, 95, 99, 101}), Monitoring::Discrete);
    CHECK(o.entry_step == 2);
    CHECK(o.entry_price == doctest::Approx(95).epsilon(1e-12));
    Plan after = bracket(50, 200, {.kind = Entry::Kind::AfterEvent, .event = "approval"});
    const TimeGrid grid{4, 1.0 / 252, 4.0 / 252};
    const PlanRules ra = compile_plan(after, 100, grid, {{.name = "approval"}}, 0.01);
    PricePath path = path_of({100, 90, 95, 99, 101});
    path.event_step = {3};
    CHECK(trade_on_path(ra, path, Monitoring::Discrete).entry_price == doctest::Approx(99).epsilon(1e-12));
    path.event_step = {-1};
    CHECK(trade_on_path(ra, path, Monitoring::Discrete).reason == ExitReason::Unfilled);
}

TEST_CASE("results are bit-identical for 1 - 2 and 8 threads and any chunk size") {
    const Thesis t = gbm(770, 0.10, 0.50, 1.0, 52, Monitoring::Continuous,
                         {bracket(600, 1000, {.kind = Entry::Kind::Limit, .limit = 700}), bracket(650, 900)});
    const auto run = [&](unsigned threads, std::uint64_t chunk) {
        MonteCarlo mc(t);
        mc.run(10'000, {.threads = threads, .chunk_paths = chunk});
        return mc.result();
    };
    const SimulationResult a = run(1, 1024), b = run(2, 3 * 1024), c = run(8, 1024), d = run(8, 100'000);
    for (const SimulationResult* r : {&b, &c, &d}) {
        CHECK(r->paths == a.paths);
        CHECK(r->terminal == a.terminal);
        CHECK(r->terminal_sketch == a.terminal_sketch);
        for (std::size_t i = 0; i < a.plans.size(); ++i) {
            CHECK(r->plans[i].pnl == a.plans[i].pnl);
            CHECK(r->plans[i].outcomes == a.plans[i].outcomes);
            CHECK(r->plans[i].holding == a.plans[i].holding);
            CHECK(r->pnl[i] == a.pnl[i]);
        }
    }
}

TEST_CASE("extending a run gives the same bits as one longer run") {
    const Thesis t = gbm(770, 0.10, 0.50, 1.0, 52, Monitoring::Discrete, {bracket(600, 1000)});
    MonteCarlo once(t), twice(t);
    once.run(8 * 1024);
    twice.run(4 * 1024);
    twice.run(8 * 1024);
    CHECK(once.result().plans[0].pnl == twice.result().plans[0].pnl);
    CHECK(once.result().pnl[0] == twice.result().pnl[0]);
}

TEST_CASE("a cancelled run stops at a chunk boundary with a consistent prefix") {
    const Thesis t = gbm(770, 0.10, 0.50, 1.0, 52, Monitoring::Discrete, {bracket(600, 1000)});
    MonteCarlo mc(t);
    std::atomic<bool> cancel{false};
    mc.run(64 * 1024, {.threads = 2,
                       .chunk_paths = 1024,
                       .cancel = &cancel,
                       .progress = [&](std::uint64_t done, std::uint64_t) {
                           if (done >= 4 * 1024) cancel = true;
                       }});
    const SimulationResult& r = mc.result();
    CHECK(r.interrupted);
    CHECK(r.paths < 64 * 1024);
    CHECK(r.paths % 1024 == 0);
    CHECK(r.plans[0].pnl.count() == r.paths);
    CHECK(r.pnl[0].count() == r.paths);
    CHECK(r.terminal_sketch.count() == r.paths);
}

TEST_CASE("plan metrics: probabilities sum to 1 - ES beyond VaR - R is P&L over risk") {
    const Thesis t = gbm(770, 0.10, 0.50, 1.0, 52, Monitoring::Discrete,
                         {bracket(600, 1000, {.kind = Entry::Kind::Limit, .limit = 700})});
    MonteCarlo mc(t);
    mc.run(20'000);
    const PlanMetrics m = summarize(mc.result(), 0, t.plans[0], t.stock.price);
    double sum = 0;
    for (const auto& e : m.outcome) sum += e.value;
    CHECK(sum == doctest::Approx(1).epsilon(1e-12));
    CHECK(m.es95.value >= m.var95.value);
    CHECK(m.es99.value >= m.var99.value);
    CHECK(m.var99.value >= m.var95.value);
    REQUIRE(m.expectancy_r);
    CHECK(m.expectancy_r->value == doctest::Approx(m.pnl_per_share.value / 100).epsilon(1e-12));
    REQUIRE(m.profit_factor);
    CHECK(m.profit_factor->ci_low < m.profit_factor->value);
    REQUIRE(m.kelly);
    CHECK(m.pnl_per_share.ci_low < m.pnl_per_share.value);
    for (std::size_t i = 1; i < m.pnl_quantiles.size(); ++i)
        CHECK(m.pnl_quantiles[i].second.value >= m.pnl_quantiles[i - 1].second.value);
}

TEST_CASE("random streams: the same (seed - path - stream) gives the same draws -- others differ") {
    PathRandom a(7, 42, RandomStream::Diffusion), b(7, 42, RandomStream::Diffusion);
    PathRandom c(7, 43, RandomStream::Diffusion), d(7, 42, RandomStream::Jumps);
    const double x = a.normal();
    CHECK(x == b.normal());
    CHECK(x != c.normal());
    CHECK(x != d.normal());
    CHECK(uniform_from_word(0) > 0);
    CHECK(uniform_from_word(~std::uint64_t{0}) < 1);
}

TEST_CASE("continuous monitoring: an exit level already passed at the fill closes at once at the market") {
    // Entered on a date at 850 with a fixed target of 800 below it: the target is already passed,
    // so the order fills at the next moment it watches, at 850, not at 800 (which would be a loss).
    Plan p = bracket(500, 800, {.kind = Entry::Kind::OnDate, .at = 1.0 / 252});
    const PlanRules r = rules_for(p, 770, 3);
    PricePath path = path_of({770, 850, 860, 870});
    const TradeOutcome o = trade_on_path(r, path, Monitoring::Continuous);
    CHECK(o.reason == ExitReason::Target);
    CHECK(o.exit_price == doctest::Approx(850).epsilon(1e-12));
    CHECK(o.pnl_per_share == doctest::Approx(0).epsilon(1e-12));
}

TEST_CASE("plans without a horizon stop at the simulation's even when another plan runs longer") {
    Thesis t = gbm(100, 0.0, 0.3, 1.0, 52, Monitoring::Discrete);
    Plan hold;
    hold.name = "hold";
    Plan longer = hold;
    longer.name = "longer";
    longer.horizon = 2.0;
    t.plans = {hold, longer};
    MonteCarlo mc(t);
    CHECK(mc.generator().grid().steps == 104);
    CHECK(mc.rules()[0].last_step == 52);
    CHECK(mc.rules()[1].last_step == 104);
}

TEST_CASE("a short's stop is a gap when it fills more than the threshold above the level") {
    Plan p = bracket(100, 50);
    p.side = Side::Short;
    const PlanRules r = rules_for(p, 90, 2);
    // The mirror of a long's S × (1 − g) in log terms: 100 / (1 − 0.01) = 101.0101. So 101.005
    // (past 100 × 1.01, the threshold before it was mirrored) is an ordinary stop, 101.02 a gap.
    CHECK(r.log_gap_allowed == -std::log1p(-0.01));
    CHECK(trade_on_path(r, path_of({90, 95, 100.9}), Monitoring::Discrete).reason == ExitReason::Stop);
    CHECK(trade_on_path(r, path_of({90, 95, 101.005}), Monitoring::Discrete).reason == ExitReason::Stop);
    CHECK(trade_on_path(r, path_of({90, 95, 101.02}), Monitoring::Discrete).reason ==
          ExitReason::GapThroughStop);
    // A long's: 100 × 0.99 = 99.
    Plan q = bracket(100, 150);
    const PlanRules long_rules = rules_for(q, 110, 2);
    CHECK(trade_on_path(long_rules, path_of({110, 105, 99.005}), Monitoring::Discrete).reason ==
          ExitReason::Stop);
    CHECK(trade_on_path(long_rules, path_of({110, 105, 98.99}), Monitoring::Discrete).reason ==
          ExitReason::GapThroughStop);
}

TEST_CASE("continuous monitoring: a limit filled inside a step is stopped in the same step at the stop") {
    // Limit 700, stop 680: one step from 710 to 675 crosses both (a straight bridge here). The
    // stop watches from the fill on, so it fills at 680 in that step: a stop, not a gap at the
    // next step's start (which booked the step's end below the stop as a gap-through).
    const PlanRules r = rules_for(bracket(680, 1000, {.kind = Entry::Kind::Limit, .limit = 700}), 720, 3);
    const TradeOutcome o = trade_on_path(r, path_of({720, 710, 675, 690}), Monitoring::Continuous);
    CHECK(o.entry_step == 2);
    CHECK(o.entry_price == doctest::Approx(700).epsilon(1e-12));
    CHECK(o.reason == ExitReason::Stop);
    CHECK(o.exit_step == 2);
    CHECK(o.exit_price == doctest::Approx(680).epsilon(1e-12));
    CHECK(o.stop_shortfall == doctest::Approx(0).epsilon(1e-9));
    // The same under sessions, the step's open at the close before (no overnight move).
    CHECK(trade_on_path(r, path_of({720, 710, 675, 690}), Monitoring::Sessions).reason == ExitReason::Stop);
}

TEST_CASE("continuous monitoring without jumps never gaps through a limit plan's stop") {
    // W1's dip with its stop close under the limit (700 / 680, target 1000): before the fix a
    // limit filled inside a step left the rest of the step unwatched, and 7.7% of paths booked
    // the step's end below the stop as a gap-through. A diffusion fills every stop at its level.
    Thesis t = gbm(770, 0.10, 0.50, 1.0, 252, Monitoring::Continuous,
                   {bracket(680, 1000, {.kind = Entry::Kind::Limit, .limit = 700})});
    MonteCarlo mc(t);
    mc.run(20'000);
    const PlanTally& tally = mc.result().plans[0];
    CHECK(tally.outcomes[static_cast<std::size_t>(ExitReason::GapThroughStop)] == 0);
    CHECK(tally.outcomes[static_cast<std::size_t>(ExitReason::Stop)] > 10'000);
    CHECK(tally.stop_shortfall.max() < 1e-9);
}

TEST_CASE("the model's expected horizon price: the events' factor by hand") {
    Thesis t = gbm(100, 0.08, 0.25, 1.0, 252, Monitoring::Discrete);
    CHECK(*expected_horizon_price(t, 1.0) == doctest::Approx(100 * std::exp(0.08)).epsilon(1e-14));
    // A fixed-date event at 0.5y, sure to fire, log jump N(0.1, 0.2²): × e^{0.1 + 0.02} = e^{0.12}.
    CatalystEvent sure;
    sure.probability = 1;
    sure.window_start = sure.window_end = 0.5;
    sure.jump_mean = 0.1;
    sure.jump_sd = 0.2;
    t.model.events = {sure};
    CHECK(*expected_horizon_price(t, 1.0) == doctest::Approx(100 * std::exp(0.08 + 0.12)).epsilon(1e-14));
    CHECK(*expected_horizon_price(t, 0.4) == doctest::Approx(100 * std::exp(0.08 * 0.4)).epsilon(1e-14));
    // A window [0.5y, 1.5y] half inside a 1y horizon, probability 0.6: q = 0.3, so the factor is
    // 0.7 + 0.3 e^{0.12}.
    t.model.events[0].window_end = 1.5;
    t.model.events[0].probability = 0.6;
    CHECK(*expected_horizon_price(t, 1.0) ==
          doctest::Approx(100 * std::exp(0.08) * (0.7 + 0.3 * std::exp(0.12))).epsilon(1e-14));
    t.model.kind = ModelKind::Fundamentals;
    CHECK_FALSE(expected_horizon_price(t, 1.0));
}

TEST_CASE(
    "the seed's expected horizon price matches its simulation and the reconciling drift prices the "
    "scenarios") {
    // The seed under GBM, with five catalyst events (windows inside and across the 1y horizon;
    // three tied to scenarios, which under GBM fire on the scenarios' share of the paths).
    Thesis t = load_seed_thesis();
    t.model.kind = ModelKind::Gbm;
    t.simulation.monitoring = Monitoring::Discrete;
    const auto z_of_mean = [](const Thesis& thesis, double exact) {
        MonteCarlo mc(thesis);
        mc.run(40'960);
        const Estimate e = mc.result().terminal.mean_estimate();
        return (e.value - exact) / e.std_error;
    };
    const double exact = *expected_horizon_price(t, 1.0);
    CHECK_MESSAGE(std::abs(z_of_mean(t, exact)) < 4, "exact ", exact);
    // Merton's jumps are compensated, so the same closed form holds.
    Thesis merton = t;
    merton.model.kind = ModelKind::Merton;
    CHECK(*expected_horizon_price(merton, 1.0) == exact);
    CHECK(std::abs(z_of_mean(merton, exact)) < 4);
    // The drift that makes the model expect the scenarios' probability-weighted price ($721.47).
    std::vector<ScenarioValue> values;
    for (const Scenario& s : t.scenarios) values.push_back(value_scenario(s, t.stock));
    const double target = expectation(values, t.stock.price).expected_price;
    const double drift = *drift_for_horizon_price(t, 1.0, target);
    CHECK(drift < 0);
    t.model.drift = drift;
    CHECK(*expected_horizon_price(t, 1.0) == doctest::Approx(target).epsilon(1e-12));
    CHECK(std::abs(z_of_mean(t, target)) < 4);
}
