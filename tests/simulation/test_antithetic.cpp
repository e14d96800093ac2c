// Tests for simulation.method antithetic: paths 2k and 2k + 1 take opposite normals and
// scenario draws, the run gives the same bits at every SIMD level and thread count, and the
// error bars from the replicates cover the exact answer at the right rate.

#include "../engine_fixtures.h"

#include "thesis/core/errors.h"
#include "thesis/io/seed_thesis.h"
#include "thesis/io/yaml_loader.h"
#include "thesis/math/double_barrier.h"
#include "thesis/simulation/monte_carlo.h"
#include "thesis/simulation/self_check.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

namespace {

using namespace thesis;
using thesis::test::bits;
using thesis::test::run_bits;
using thesis::test::simd_levels_to_compare;
using thesis::test::SimdLevelGuard;

Thesis bracket(std::uint64_t seed, int replicates, int steps_per_year = 52) {
    return thesis::test::replicated_bracket(SimulationMethod::Antithetic, seed, replicates, steps_per_year);
}

TEST_CASE("antithetic: the pair's second path steps by the first one's normals negated") {
    // Each step adds drift + σ√Δt·z: so the two paths' steps sum to twice the drift, up to the
    // rounding of the log prices they are read back from (about 1e-15 at log prices near 6.6).
    const Thesis t = bracket(5, 1);
    const PathGenerator gen(t, 1.0);
    const auto& c = gen.constants();
    REQUIRE(c.antithetic);
    const int n = gen.grid().steps;
    double worst = 0, spread = 0;
    for (std::uint64_t first : {0u, 2u, 10u, 1000u}) {
        PricePath a, b;
        gen.generate(first, a);
        gen.generate(first + 1, b);
        for (int k = 1; k <= n; ++k) {
            const auto i = static_cast<std::size_t>(k);
            const double da = a.log_price[i] - a.log_price[i - 1], db = b.log_price[i] - b.log_price[i - 1];
            worst = std::max(worst, std::fabs(da + db - 2 * c.drift_step));
            spread = std::max(spread, std::fabs(da - db));
        }
    }
    CHECK(worst < 1e-12);
    CHECK(spread > 0.01);  // the paths do move: σ√Δt is 0.069 a week
    // Different pairs are independent: path 2's steps are not path 0's.
    PricePath p0, p2;
    gen.generate(0, p0);
    gen.generate(2, p2);
    CHECK(bits(p0.log_price[1]) != bits(p2.log_price[1]));
}

TEST_CASE("antithetic: the pair's scenario draws are u and 1 - u") {
    // Two scenarios at 50% each: u < 1/2 exactly when 1 − u > 1/2, so every pair draws one of
    // each (Monte Carlo's pairs would agree half the time).
    Thesis t = load_thesis(seed_thesis_yaml(), "seed");
    t.scenarios.resize(2);
    t.model.events.clear();  // some are tied to scenarios dropped here
    t.scenarios[0].probability = 0.5;
    t.scenarios[1].probability = 0.5;
    t.simulation.method = SimulationMethod::Antithetic;
    const PathGenerator gen(t, 1.0);
    REQUIRE(gen.constants().antithetic);
    int same = 0;
    for (std::uint64_t pair = 0; pair < 500; ++pair) {
        const ScenarioDraw a = PathGenerator::draw_scenario(gen.constants(), 2 * pair);
        const ScenarioDraw b = PathGenerator::draw_scenario(gen.constants(), 2 * pair + 1);
        same += a.scenario == b.scenario;
    }
    CHECK(same == 0);
}

TEST_CASE("antithetic: the same bits at every SIMD level and thread count") {
    const SimdLevelGuard guard;
    std::vector<std::uint64_t> first;
    for (const char* level : simd_levels_to_compare()) {
        set_simd_level(level);
        for (unsigned threads : {1u, 2u, 3u}) {
            const std::vector<std::uint64_t> now = run_bits(bracket(3, 4), 4 * 2048, threads);
            if (first.empty()) first = now;
            CHECK(now == first);
        }
    }
}

TEST_CASE("antithetic: 95% intervals from the replicates cover the exact odds and mean 95% of the time") {
    // 200 seeds, each 8 replicates of 256 paths (t with 7 degrees of freedom). If the intervals
    // are honest, each count that covers is Binomial(200, 0.95): 190 ± 3.08, |z| < 4 allows 178
    // to 200. The references: discrete_barrier_odds, and E[S_T] = S₀e^{μT} (the horizon price's
    // mean under GBM, dS/S = μ dt + σ dW).
    const DoubleBarrierOdds exact = discrete_barrier_odds(770, 600, 1000, 0.10, 0.50, 1.0, 52);
    const double mean = 770 * std::exp(0.10);
    const Plan plan = bracket(1, 8).plans[0];
    const auto target = static_cast<std::size_t>(ExitReason::Target);
    int covers_odds = 0, covers_mean = 0;
    double mean_variance = 0, odds_variance = 0;
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        MonteCarlo mc(bracket(seed, 8));
        mc.run(8 * 256);
        const SimulationResult& r = mc.result();
        REQUIRE(r.paths == 2048);
        REQUIRE(r.replicates.size() == 8);
        const Estimate odds = summarize(r, 0, plan, 770).outcome[target];
        covers_odds += odds.ci_low <= exact.p_upper_first && exact.p_upper_first <= odds.ci_high;
        const Estimate terminal =
            with_replicate_error(r, {r.terminal.mean(), 0, r.terminal.mean(), r.terminal.mean()},
                                 [](const SimulationResult& one) { return one.terminal.mean(); });
        covers_mean += terminal.ci_low <= mean && mean <= terminal.ci_high;
        mean_variance += terminal.std_error * terminal.std_error / 200;
        odds_variance += odds.std_error * odds.std_error / 200;
    }
    CHECK(std::fabs((covers_odds - 190) / 3.08) < 4);
    CHECK(std::fabs((covers_mean - 190) / 3.08) < 4);
    // Monte Carlo's variance of the mean at 2,048 paths is Var(S_T)/2048, with Var(S_T) =
    // S₀²e^{2μT}(e^{σ²T} − 1) for GBM. The pairs' came out 4.1 times smaller (0.25 of it); the
    // check allows half, far beyond the spread of an average of 200 variance estimates.
    const double mc_mean_variance = mean * mean * (std::exp(0.25) - 1) / 2048;
    CHECK(mean_variance < 0.5 * mc_mean_variance);
    // A market entry's bracket: its outcome rises with the normals, so the pairs help it too
    // (0.17 of Monte Carlo's p(1 − p)/2048 here). A limit entry's is not monotone, and gains
    // less (docs/performance.md).
    CHECK(odds_variance < 0.5 * exact.p_upper_first * (1 - exact.p_upper_first) / 2048);
}

TEST_CASE("antithetic: a run extended gives the bits of one run to the end") {
    MonteCarlo once(bracket(2, 2));
    once.run(2 * 4096);
    MonteCarlo twice(bracket(2, 2));
    twice.run(2 * 2048);
    twice.run(2 * 4096);
    CHECK(bits(twice.result().terminal.mean()) == bits(once.result().terminal.mean()));
    CHECK(twice.result().plans[0].outcomes == once.result().plans[0].outcomes);
}

TEST_CASE("antithetic refuses what has Monte Carlo's error bars only and too few paths") {
    CHECK_THROWS_AS(MonteCarlo(bracket(1, 4), {Monitoring::Continuous}), InputError);
    MonteCarlo mc(bracket(1, 4));
    CHECK_THROWS_AS(mc.pair_plans({{0, 0}}), InputError);
    CHECK_THROWS_AS(mc.run(3), InputError);  // fewer paths than the 4 replicates
}

TEST_CASE("antithetic: the loader reads simulation.method antithetic and its replicates") {
    const Thesis t = load_seed_thesis(
        {parse_override("simulation.method=antithetic"), parse_override("simulation.replicates=32")});
    CHECK(t.simulation.method == SimulationMethod::Antithetic);
    CHECK(t.simulation.replicates == 32);
    CHECK(generator_name(t.simulation) == "xoshiro256++/ziggurat in antithetic pairs, 32 replicates");
    CHECK(load_seed_thesis().simulation.method == SimulationMethod::Mc);
    CHECK_THROWS_AS(load_seed_thesis({parse_override("simulation.method=antithetic"),
                                      parse_override("simulation.paths=8")}),
                    InputError);  // fewer paths than the 16 replicates
    CHECK(to_string(SimulationMethod::Antithetic) == "antithetic");
    CHECK(replicated(SimulationMethod::Antithetic));
    CHECK(replicated(SimulationMethod::Rqmc));
    CHECK_FALSE(replicated(SimulationMethod::Mc));
}

}  // namespace
