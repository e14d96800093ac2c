// The scenarios price model (path.h, path.cpp setup_scenarios): each path draws a valuation
// scenario by its probability and travels to the scenario's price.
//
//  1. The horizon mean is the valuation's probability-weighted price (seed and short example), and
//     expected_horizon_price gives it in closed form.
//  2. Each scenario's conditional horizon mean is its price; a landing before the horizon grows at
//     the drift and the events still to come, one after it is the bridge's marginal.
//  3. Each scenario draws its probability's share of the paths.
//  4. Bit-identical results for any thread count and SIMD level.
//  5. An event tied to a scenario fires on its paths only (on its share of paths under GBM).
//  6. The bridge is pinned: a scenario with dispersion 0 lands exactly at its price.
//  7. The loader's errors for the model.
//
// Statistical checks use fixed seeds (the seed's 20250714, the short example's 7) and allow
// |z| < 4 against the estimator's standard error. The runs use 52 steps a year: that changes the
// grid the plans watch, not the law of the price at the horizon or at a landing.
#include "engine_fixtures.h"

#include "thesis/core/errors.h"
#include "thesis/io/yaml_loader.h"
#include "thesis/simulation/monte_carlo.h"
#include "thesis/valuation/valuation.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace thesis;
using namespace thesis::test;

namespace {

const std::string kSource = THESIS_SOURCE_DIR;

std::vector<Override> overrides_of(const std::vector<std::string>& sets) {
    std::vector<Override> out;
    for (const std::string& s : sets) out.push_back(parse_override(s));
    return out;
}

// The seed (scenarios/nvda-china.yaml) under the scenarios model, 52 steps a year, plus `sets`.
Thesis seed_scenarios(std::vector<std::string> sets = {}) {
    sets.insert(sets.begin(), {"model.kind=scenarios", "simulation.steps_per_year=52"});
    return load_seed_thesis(overrides_of(sets));
}

// The short example (scenarios/coastal-coffee-short.yaml: three scenarios with probabilities
// 0.20/0.45/0.35, a 6-month horizon, continuous monitoring), under the scenarios model.
Thesis coffee_scenarios() {
    return load_thesis_file(kSource + "/scenarios/coastal-coffee-short.yaml",
                            overrides_of({"model.kind=scenarios", "simulation.steps_per_year=52"}));
}

// One market-entry bracket close to the money, touch odds off: most paths settle well before the
// horizon and end there, their horizon price drawn in closed form (horizon_log_price), from each of
// its branches (before, at or after a landing).
Thesis settling(Thesis t) {
    t.plans = {plan_named("bracket", {}, {.kind = Stop::Kind::Fixed, .level = 680},
                          {.kind = Target::Kind::Fixed, .level = 860})};
    t.simulation.touch_odds = false;
    return t;
}

std::size_t scenario_index(const Thesis& t, std::string_view name) {
    for (std::size_t j = 0; j < t.scenarios.size(); ++j)
        if (t.scenarios[j].name == name) return j;
    FAIL("no scenario " << name);
    return 0;
}

std::size_t event_index(const Thesis& t, std::string_view name) {
    for (std::size_t i = 0; i < t.model.events.size(); ++i)
        if (t.model.events[i].name == name) return i;
    FAIL("no event " << name);
    return 0;
}

double z_of(double estimate, double exact, double std_error) { return (estimate - exact) / std_error; }

Price price_of(const Thesis& t, std::size_t j) { return value_scenario(t.scenarios[j], t.stock).price; }

// G_j(by): the log growth ln E[e^J] by a time of the events that may fire on scenario j's paths
// (those tied to j and the untied ones), each by event_log_growth's formula.
double tied_growth(const Thesis& t, std::size_t j, Years by) {
    double g = 0;
    for (const CatalystEvent& e : t.model.events)
        if (e.scenarios.empty() ||
            std::find(e.scenarios.begin(), e.scenarios.end(), t.scenarios[j].name) != e.scenarios.end())
            g += event_log_growth(e, by);
    return g;
}

// The valuation's probability-weighted price Σ p_j P_j (valuation.h's expectation).
Price weighted_price(const Thesis& t) {
    std::vector<ScenarioValue> values;
    for (const Scenario& s : t.scenarios) values.push_back(value_scenario(s, t.stock));
    return expectation(values, t.stock.price).expected_price;
}

// The mean of `stats` against `exact`, |z| < 4.
void check_mean(const RunningStats& stats, double exact) {
    const Estimate e = stats.mean_estimate();
    CAPTURE(e.value);
    CAPTURE(e.std_error);
    CAPTURE(exact);
    CHECK(std::fabs(z_of(e.value, exact, e.std_error)) < 4);
}

// Every bit of a run that the schedule or the SIMD level could change.
std::vector<std::uint64_t> signature(const SimulationResult& r) {
    std::vector<std::uint64_t> s{r.paths, bits(r.terminal.mean()), bits(r.terminal.variance())};
    for (const RunningStats& st : r.terminal_by_scenario) {
        s.push_back(st.count());
        s.push_back(bits(st.mean()));
        s.push_back(bits(st.variance()));
    }
    for (const PlanTally& p : r.plans) {
        s.push_back(bits(p.pnl.mean()));
        s.push_back(bits(p.pnl.variance()));
        for (std::uint64_t o : p.outcomes) s.push_back(o);
        for (const ScenarioTally& sc : p.scenarios) {
            for (std::uint64_t n : {sc.paths, sc.target, sc.stop, sc.gap}) s.push_back(n);
            s.push_back(bits(sc.pnl.mean()));
            s.push_back(bits(sc.pnl.variance()));
        }
    }
    return s;
}

template <class F>
InputError input_error_of(F&& load) {
    try {
        load();
    } catch (const InputError& e) {
        return e;
    }
    FAIL("expected an InputError");
    return InputError({}, "", "");
}

// A small thesis: $100, two scenarios, no plans.
std::string small_thesis(const std::string& scenarios, const std::string& events = "") {
    return "stock:\n"
           "  valuation_date: 2026-01-02\n"
           "  price: 100\n"
           "  pe: 20x\n"
           "  market_cap: 10B\n"
           "scenarios:\n" +
           scenarios +
           "model:\n"
           "  kind: scenarios\n"
           "  volatility: 30%\n" +
           events;
}

}  // namespace

TEST_CASE("scenarios model: the horizon mean is the valuation's probability-weighted price") {
    // With no scenarios.NAME.by every scenario lands at the horizon, where the landing law makes
    // E[S_H | j] = P_j exactly (path.cpp, setup_scenarios: μ_j = ln P_j − d_j²/2 − the tied
    // events' log growth), so E[S_H] = Σ p_j P_j: the valuation's expected price. The seed's five
    // events all fall within its year, so they are compensated in full.
    const auto check = [](const Thesis& t, std::uint64_t paths) {
        const Price weighted = weighted_price(t);
        const std::optional<Price> closed = expected_horizon_price(t, t.simulation.horizon);
        REQUIRE(closed);
        CHECK(*closed == doctest::Approx(weighted).epsilon(1e-9));
        MonteCarlo mc(t);
        mc.run(paths);
        check_mean(mc.result().terminal, weighted);
    };
    const Thesis seed = seed_scenarios();
    REQUIRE(seed.scenarios.size() == 4);
    check(seed, 200'000);
    // The same with paths ending early (their horizon price drawn in closed form).
    check(settling(seed), 100'000);
    const Thesis coffee = coffee_scenarios();
    REQUIRE(coffee.scenarios.size() == 3);
    for (const Scenario& s : coffee.scenarios) CHECK(s.probability > 0);
    check(coffee, 200'000);
}

TEST_CASE("scenarios model: each scenario's horizon mean is its price - earlier and later landings") {
    // Landing at the horizon: on scenario j's paths E[S_H | j] = P_j.
    {
        const Thesis t = seed_scenarios();
        MonteCarlo mc(t);
        mc.run(200'000);
        const SimulationResult& r = mc.result();
        REQUIRE(r.terminal_by_scenario.size() == t.scenarios.size());
        REQUIRE(r.scenarios.size() == t.scenarios.size());
        for (std::size_t j = 0; j < t.scenarios.size(); ++j) {
            CAPTURE(t.scenarios[j].name);
            CHECK(r.scenarios[j] == t.scenarios[j].name);
            check_mean(r.terminal_by_scenario[j], price_of(t, j));
        }
    }
    // bull lands at 2026-01-14 (184 days: 26.2 weekly steps, snapped to step 26, half a year),
    // bear at 2027-07-14 (two years, step 104), past the one-year horizon.
    const Thesis t = seed_scenarios({"scenarios.bull.by=2026-01-14", "scenarios.bear.by=2027-07-14"});
    const std::size_t bull = scenario_index(t, "bull"), bear = scenario_index(t, "bear");
    const double H = t.simulation.horizon, dt = 1.0 / 52;
    REQUIRE(H == 1.0);
    const int bull_step = static_cast<int>(std::round(*t.scenarios[bull].by / dt));
    const double bull_landing = bull_step * dt, bear_landing = 2.0;
    CHECK(bull_step == 26);
    {
        const PathGenerator gen(t, H);
        CHECK(gen.scenario_landings()[bull].landing_step == bull_step);
        CHECK(gen.scenario_landings()[bear].landing_step == 104);
    }
    std::vector<double> reference(t.scenarios.size());
    for (std::size_t j = 0; j < t.scenarios.size(); ++j) reference[j] = price_of(t, j);
    // bull: E[S at its landing] = P_bull; then a GBM at drift μ, and the events on bull's paths
    // that fire between the landing and the horizon: E[e^J] = e^{G(H) − G(landing)}.
    reference[bull] =
        price_of(t, bull) * std::exp(t.model.drift * (H - bull_landing) + tied_growth(t, bull, H) -
                                     tied_growth(t, bull, bull_landing));
    // bear, landing at T = 2 > H: the diffusive part at H is the bridge's marginal given
    // L ~ N(μ, d²), μ = ln P − d²/2 − G(T), d = σ√T (the default dispersion): normal with mean
    // x₀ + w(μ − x₀), w = H/T, and variance σ²H(T − H)/T + w²σ²T = σ²H. With the events fired by
    // H (the seed's all fall within the year, G(T) = G(H) = G): E[S_H | bear] =
    // S₀^{1−w} P^w e^{(1−w)G} — halfway, in logs, from today's price to the scenario's.
    {
        const double w = H / bear_landing, g = tied_growth(t, bear, H);
        CHECK(tied_growth(t, bear, bear_landing) == g);
        reference[bear] =
            std::pow(t.stock.price, 1 - w) * std::pow(price_of(t, bear), w) * std::exp((1 - w) * g);
    }
    double expected = 0;
    for (std::size_t j = 0; j < t.scenarios.size(); ++j)
        expected += t.scenarios[j].probability * reference[j];
    const std::optional<Price> closed = expected_horizon_price(t, H);
    REQUIRE(closed);
    CHECK(*closed == doctest::Approx(expected).epsilon(1e-9));
    // Stepped to the horizon (touch odds on), and ending early (horizon_log_price's three branches).
    for (const Thesis& run : {t, settling(t)}) {
        CAPTURE(run.simulation.touch_odds);
        MonteCarlo mc(run);
        mc.run(run.simulation.touch_odds ? 200'000 : 100'000);
        const SimulationResult& r = mc.result();
        for (std::size_t j = 0; j < t.scenarios.size(); ++j) {
            CAPTURE(t.scenarios[j].name);
            check_mean(r.terminal_by_scenario[j], reference[j]);
        }
        check_mean(r.terminal, *closed);
    }
}

TEST_CASE("scenarios model: each scenario draws its probability's share of the paths") {
    // The scenario's share of n paths is binomial: standard error √(p(1 − p)/n).
    const Thesis t = seed_scenarios();
    constexpr std::uint64_t n = 100'000;
    MonteCarlo mc(t);
    mc.run(n);
    const SimulationResult& r = mc.result();
    REQUIRE(r.paths == n);
    // The engine's tallies count the paths scenario_of() assigns, path by path.
    std::vector<std::uint64_t> counted(t.scenarios.size());
    for (std::uint64_t path = 0; path < n; ++path) {
        const int j = mc.generator().scenario_of(path);
        REQUIRE(j >= 0);
        REQUIRE(j < static_cast<int>(t.scenarios.size()));
        ++counted[static_cast<std::size_t>(j)];
    }
    const PlanMetrics m = summarize(r, 0, t.plans[0], t.stock.price);
    REQUIRE(m.by_scenario.size() == t.scenarios.size());
    std::uint64_t total = 0;
    for (std::size_t j = 0; j < t.scenarios.size(); ++j) {
        CAPTURE(t.scenarios[j].name);
        const double p = t.scenarios[j].probability;
        const std::uint64_t paths = r.terminal_by_scenario[j].count();
        total += paths;
        CHECK(paths == counted[j]);
        for (const PlanTally& plan : r.plans) CHECK(plan.scenarios.at(j).paths == paths);
        const double share = static_cast<double>(paths) / n;
        CHECK(std::fabs(z_of(share, p, std::sqrt(p * (1 - p) / n))) < 4);
        // summarize() reports the same share and the plan's mean P&L on the scenario's paths.
        CHECK(m.by_scenario[j].scenario == t.scenarios[j].name);
        CHECK(m.by_scenario[j].share.value == doctest::Approx(share).epsilon(1e-12));
        CHECK(m.by_scenario[j].pnl_per_share.value == r.plans[0].scenarios[j].pnl.mean());
    }
    CHECK(total == n);
}

TEST_CASE("scenarios model: results are bit-identical for 1 - 2 and 3 threads and at every SIMD level") {
    // Landings before, at and after the horizon, and an event tied to bull.
    const Thesis stepped = seed_scenarios({"scenarios.bull.by=2026-01-14", "scenarios.bear.by=2027-07-14",
                                           "model.events.licences_approved.scenarios=bull"});
    for (const Thesis& t : {stepped, settling(stepped)}) {
        CAPTURE(t.simulation.touch_odds);
        // 20,000 paths: 19 whole blocks and a partial one, in chunks of two blocks.
        const auto run = [&](unsigned threads) {
            MonteCarlo mc(t);
            mc.run(20'000, {.threads = threads, .chunk_paths = 2 * kBlockPaths});
            REQUIRE(mc.result().terminal_by_scenario.size() == 4);
            return signature(mc.result());
        };
        const auto reference = run(1);
        CHECK(run(2) == reference);
        CHECK(run(3) == reference);
        if (!t.simulation.touch_odds) {
            // Not vacuous: paths did end early (with touch odds on they run to the horizon, and
            // the horizon prices they reach differ from the closed-form draws).
            Thesis on = t;
            on.simulation.touch_odds = true;
            MonteCarlo mc(on);
            mc.run(20'000, {.threads = 1, .chunk_paths = 2 * kBlockPaths});
            CHECK(signature(mc.result())[1] != reference[1]);
        }
    }
    SimdLevelGuard guard;
    for (const char* monitoring : {"discrete", "continuous", "sessions"}) {
        const Thesis base = seed_scenarios({"scenarios.bull.by=2026-01-14", "scenarios.bear.by=2027-07-14",
                                            "model.events.licences_approved.scenarios=bull",
                                            std::string("simulation.monitoring=") + monitoring});
        for (const Thesis& t : {base, settling(base)}) {
            CAPTURE(monitoring);
            CAPTURE(t.simulation.touch_odds);
            std::vector<std::uint64_t> reference;
            int levels = 0;
            for (const char* level : simd_levels_to_compare(true)) {
                CAPTURE(level);
                set_simd_level(level);
                MonteCarlo mc(t);
                mc.run(3000, {.threads = 1});
                const auto got = signature(mc.result());
                if (reference.empty()) reference = got;
                CHECK(got == reference);
                ++levels;
            }
            CHECK(levels >= 1);
        }
    }
}

TEST_CASE("scenarios model: an event tied to a scenario fires on its paths only") {
    // licences_approved tied to bull, certain, with a fixed log jump of 0.5 (window Aug–Dec 2025,
    // inside the year): under the scenarios model it fires on every bull path and on no other.
    const std::vector<std::string> tie = {
        "model.events.licences_approved.scenarios=bull", "model.events.licences_approved.probability=1",
        "model.events.licences_approved.jump_mean=0.5", "model.events.licences_approved.jump_sd=0"};
    {
        const Thesis t = seed_scenarios(tie);
        const std::size_t bull = scenario_index(t, "bull");
        const std::size_t licences = event_index(t, "licences_approved");
        REQUIRE(t.model.events[licences].scenarios == std::vector<std::string>{"bull"});
        const PathGenerator gen(t, MonteCarlo::horizon_of(t));
        PathBatch batch;
        int bull_paths = 0, other_paths = 0;
        for (std::uint64_t first = 0; first < 512; first += kLanes) {
            gen.generate_batch(first, batch);
            for (int l = 0; l < kLanes; ++l) {
                const PricePath& p = batch.paths[static_cast<std::size_t>(l)];
                const std::uint64_t path = first + static_cast<std::uint64_t>(l);
                REQUIRE(p.index == path);
                const bool on_bull = gen.scenario_of(path) == static_cast<int>(bull);
                (on_bull ? bull_paths : other_paths) += 1;
                CAPTURE(path);
                CHECK((p.event_step[licences] >= 0) == on_bull);
                CHECK(p.event_jump[licences] == 0.5);
            }
        }
        // Not vacuous: about a quarter of the 512 paths are bull's.
        CHECK(bull_paths > 64);
        CHECK(other_paths > 256);
    }
    // Under GBM no scenario is drawn: the event, now with probability 0.6, fires on 0.6 × P(bull) =
    // 0.6 × 0.25 = 15% of all paths. Binomial standard error √(q(1 − q)/n).
    {
        std::vector<Override> o = overrides_of(tie);
        for (const char* set : {"model.kind=gbm", "simulation.steps_per_year=52",
                                "model.events.licences_approved.probability=0.6"})
            o.push_back(parse_override(set));
        const Thesis t = load_seed_thesis(o);
        const std::size_t licences = event_index(t, "licences_approved");
        const PathGenerator gen(t, MonteCarlo::horizon_of(t));
        const double q = 0.6 * 0.25;
        CHECK((*gen.constants().events)[licences].probability == doctest::Approx(q).epsilon(1e-15));
        CHECK(gen.scenario_of(0) == -1);
        constexpr std::uint64_t n = 16'000;
        PathBatch batch;
        std::uint64_t fired = 0;
        for (std::uint64_t first = 0; first < n; first += kLanes) {
            gen.generate_batch(first, batch);
            for (const PricePath& p : batch.paths) fired += p.event_step[licences] >= 0;
        }
        const double share = static_cast<double>(fired) / n;
        CAPTURE(share);
        CHECK(std::fabs(z_of(share, q, std::sqrt(q * (1 - q) / n))) < 4);
    }
}

TEST_CASE("scenarios model: a scenario with dispersion 0 lands exactly at its price") {
    // With d = 0 and no events, L = ln P exactly, and the bridge's last step (K − k = 1) moves
    // the whole way with sd 0: every bull path's log price at its landing step is ln P_bull.
    std::vector<std::string> quiet = {"scenarios.bull.dispersion=0", "model.jumps.intensity=0"};
    for (const char* event :
         {"licences_approved", "china_trip", "curbs_reimposed", "antitrust_fine", "rare_earths"})
        quiet.push_back(std::string("model.events.") + event + ".probability=0");
    for (const char* by : {"", "scenarios.bull.by=2026-01-14"}) {
        std::vector<std::string> sets = quiet;
        if (*by) sets.push_back(by);
        // The seed's daily grid (252 steps a year) here: bull then lands at step 127 (184 days) or
        // at the horizon's 252.
        sets.push_back("simulation.steps_per_year=252");
        const Thesis t = seed_scenarios(sets);
        const std::size_t bull = scenario_index(t, "bull");
        const PathGenerator gen(t, MonteCarlo::horizon_of(t));
        const ScenarioLanding& landing = gen.scenario_landings()[bull];
        CAPTURE(landing.landing_step);
        CHECK(landing.landing_step == (*by ? 127 : 252));
        CHECK(landing.landing_sd == 0);
        const double log_price = std::log(price_of(t, bull));
        CHECK(landing.landing_mean == log_price);
        const double x0 = std::log(t.stock.price);
        PathBatch batch;
        PricePath single;
        int bull_paths = 0;
        for (std::uint64_t first = 0; first < 128; first += kLanes) {
            gen.generate_batch(first, batch);
            // generate() is lane 0 of generate_batch, bit for bit.
            gen.generate(first, single);
            CHECK(single.log_price == batch.paths[0].log_price);
            for (int l = 0; l < kLanes; ++l) {
                const PricePath& p = batch.paths[static_cast<std::size_t>(l)];
                CHECK(p.log_price[0] == x0);
                if (gen.scenario_of(first + static_cast<std::uint64_t>(l)) != static_cast<int>(bull))
                    continue;
                ++bull_paths;
                CHECK(std::fabs(p.log_price[static_cast<std::size_t>(landing.landing_step)] - log_price) <
                      1e-9);
            }
        }
        CHECK(bull_paths > 16);
    }
    // With the seed's events back, the bridge pulls the diffusive part only: at the landing the
    // log price is L plus the jumps of the events fired by then, L = ln P − G_bull(landing).
    const Thesis t = seed_scenarios(
        {"scenarios.bull.dispersion=0", "scenarios.bull.by=2026-01-14", "model.jumps.intensity=0"});
    const std::size_t bull = scenario_index(t, "bull");
    const PathGenerator gen(t, MonteCarlo::horizon_of(t));
    const ScenarioLanding& landing = gen.scenario_landings()[bull];
    CHECK(landing.landing_mean ==
          doctest::Approx(std::log(price_of(t, bull)) - tied_growth(t, bull, landing.landing_step / 52.0))
              .epsilon(1e-14));
    PathBatch batch;
    int fired_before = 0;
    for (std::uint64_t first = 0; first < 128; first += kLanes) {
        gen.generate_batch(first, batch);
        for (int l = 0; l < kLanes; ++l) {
            if (gen.scenario_of(first + static_cast<std::uint64_t>(l)) != static_cast<int>(bull)) continue;
            const PricePath& p = batch.paths[static_cast<std::size_t>(l)];
            double jumps = 0;
            for (std::size_t i = 0; i < p.event_step.size(); ++i)
                if (p.event_step[i] >= 0 && p.event_step[i] <= landing.landing_step) {
                    jumps += p.event_jump[i];
                    ++fired_before;
                }
            CHECK(std::fabs(p.log_price[static_cast<std::size_t>(landing.landing_step)] -
                            (landing.landing_mean + jumps)) < 1e-9);
        }
    }
    CHECK(fired_before > 0);

    // With Merton's jumps too (the seed's 2 a year, mean -5%, sd 10%): L also takes out their
    // growth λκT, κ = e^{m + s²/2} − 1, and the landing is L plus every jump of the events and of
    // Merton by then — each step's log price less its diffusion's end.
    const Thesis jumpy = seed_scenarios({"scenarios.bull.dispersion=0", "scenarios.bull.by=2026-01-14"});
    const PathGenerator jumpy_gen(jumpy, MonteCarlo::horizon_of(jumpy));
    const ScenarioLanding& jumpy_landing = jumpy_gen.scenario_landings()[bull];
    const double years = jumpy_landing.landing_step / 52.0;
    const double kappa = std::expm1(-0.05 + 0.5 * 0.10 * 0.10);
    CHECK(jumpy_landing.landing_mean == doctest::Approx(std::log(price_of(jumpy, bull)) -
                                                        tied_growth(jumpy, bull, years) - 2 * kappa * years)
                                            .epsilon(1e-14));
    int jumped_paths = 0;
    for (std::uint64_t first = 0; first < 256; first += kLanes) {
        jumpy_gen.generate_batch(first, batch);
        for (int l = 0; l < kLanes; ++l) {
            if (jumpy_gen.scenario_of(first + static_cast<std::uint64_t>(l)) != static_cast<int>(bull))
                continue;
            const PricePath& p = batch.paths[static_cast<std::size_t>(l)];
            double jumps = 0;
            for (int k = 1; k <= jumpy_landing.landing_step; ++k) {
                const auto at = static_cast<std::size_t>(k);
                jumps += p.log_price[at] - p.diffusive_end[at];
            }
            jumped_paths += jumps != 0;
            CHECK(std::fabs(p.log_price[static_cast<std::size_t>(jumpy_landing.landing_step)] -
                            (jumpy_landing.landing_mean + jumps)) < 1e-9);
        }
    }
    CHECK(jumped_paths > 8);
}

TEST_CASE("scenarios model: the loader refuses a thesis it cannot simulate") {
    // Scenarios without probabilities, or none at all: the model has nothing to draw.
    for (const std::string& scenarios :
         {std::string("  up:\n    price: 130\n  down:\n    price: 70\n"), std::string("  {}\n")}) {
        const InputError e = input_error_of([&] { (void)load_thesis(small_thesis(scenarios), "small"); });
        CHECK(e.key_path() == "model.kind");
        CHECK(e.message().find("probabilities") != std::string::npos);
    }
    // The same scenarios with probabilities load; an event may name one scenario or a list.
    const std::string with_probabilities =
        "  up:\n    price: 130\n    probability: 0.6\n  down:\n    price: 70\n    probability: 0.4\n";
    const auto events = [](const std::string& tied) {
        return "  events:\n    news:\n      probability: 50%\n      date: 2026-03-01\n      jump_mean: 5%\n"
               "      scenarios: " +
               tied + "\n";
    };
    {
        const Thesis t = load_thesis(small_thesis(with_probabilities, events("[up, down]")), "small");
        REQUIRE(t.model.events.size() == 1);
        CHECK(t.model.events[0].scenarios == std::vector<std::string>{"up", "down"});
        CHECK(
            load_thesis(small_thesis(with_probabilities, events("up")), "small").model.events[0].scenarios ==
            std::vector<std::string>{"up"});
    }
    // An event tied to a scenario that does not exist, in a list or alone (an override).
    {
        const InputError e = input_error_of(
            [&] { (void)load_thesis(small_thesis(with_probabilities, events("[up, sideways]")), "small"); });
        CHECK(e.key_path() == "model.events.news.scenarios");
        CHECK(e.message().find("sideways") != std::string::npos);
        const InputError o =
            input_error_of([] { (void)seed_scenarios({"model.events.china_trip.scenarios=bul"}); });
        CHECK(o.key_path() == "model.events.china_trip.scenarios");
        CHECK(o.message().find("bull") != std::string::npos);  // the did-you-mean
    }
    // A landing on or before the valuation date (2025-07-14).
    for (const char* by :
         {"scenarios.bull.by=2025-01-01", "scenarios.bull.by=2025-07-14", "scenarios.bull.by=0d"}) {
        CAPTURE(by);
        const InputError e = input_error_of([&] { (void)seed_scenarios({by}); });
        CHECK(e.key_path() == "scenarios.bull.by");
    }
}
