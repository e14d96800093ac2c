// Tests for simulation.method rqmc in the engine: paths built from the scrambled Sobol' points
// exactly, the same bits at every SIMD level and thread count, error bars from the scrambles that
// cover the exact discrete odds at the right rate, runs that extend, and what rqmc refuses.

#include "../engine_fixtures.h"

#include "thesis/core/errors.h"
#include "thesis/io/seed_thesis.h"
#include "thesis/io/yaml_loader.h"
#include "thesis/math/double_barrier.h"
#include "thesis/math/rqmc.h"
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
    return thesis::test::replicated_bracket(SimulationMethod::Rqmc, seed, replicates, steps_per_year);
}

TEST_CASE("rqmc: a path is the scramble's point through the bridge bit for bit") {
    // One scramble (replicates 1, as each of MonteCarlo's replicates runs): the recorded path's
    // log prices are x0 plus the steps' drift and volatility times the bridge's increments,
    // added in the kernel's order.
    const Thesis t = bracket(5, 1);
    const PathGenerator gen(t, 1.0);
    const auto& c = gen.constants();
    REQUIRE(c.rqmc != nullptr);
    const int n = gen.grid().steps;
    const SobolBridgeNormals normals(n, t.simulation.seed);
    std::vector<double> inc(static_cast<std::size_t>(n));
    SobolBridgeNormals::Workspace work(normals);
    int mismatches = 0;
    for (std::uint64_t p : {0u, 1u, 2u, 9u, 1000u}) {
        PricePath path;
        gen.generate(p, path);
        normals.increments(p, inc, work);
        double x = c.x0;
        for (int k = 1; k <= n; ++k) {
            x = x + (c.drift_step + c.vol_step * inc[static_cast<std::size_t>(k - 1)]);
            mismatches += bits(x) != bits(path.log_price[static_cast<std::size_t>(k)]);
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("rqmc: a work space gives a point's increments whatever point it held before") {
    // The work space keeps the last point's coordinates and moves them to the next point's by
    // XORs: any order of points must give each point what a fresh work space gives it.
    const SobolBridgeNormals normals(100, 5, 2);
    SobolBridgeNormals::Workspace walked(normals);
    std::vector<double> got(100), want(100);
    int mismatches = 0;
    for (std::uint64_t p : {3u, 4u, 5u, 1000u, 17u, 0u, 0xFFFFFFFFu, 6u}) {
        normals.increments(p, got, walked);
        SobolBridgeNormals::Workspace fresh(normals);
        normals.increments(p, want, fresh);
        for (std::size_t k = 0; k < got.size(); ++k) mismatches += bits(got[k]) != bits(want[k]);
    }
    CHECK(mismatches == 0);
    const SobolBridgeNormals other(50, 5);
    std::vector<double> fifty(50);
    CHECK_THROWS_AS(other.increments(1, fifty, walked), std::invalid_argument);
}

TEST_CASE("rqmc: the same bits at every SIMD level and thread count") {
    const SimdLevelGuard guard;
    std::vector<std::uint64_t> first;
    for (const char* level : simd_levels_to_compare()) {
        set_simd_level(level);
        for (unsigned threads : {1u, 2u}) {
            const std::vector<std::uint64_t> now = run_bits(bracket(3, 4), 4 * 2048, threads);
            if (first.empty()) first = now;
            CHECK(now == first);
        }
    }
}

TEST_CASE("rqmc: 95% intervals from the scrambles cover the exact discrete odds 95% of the time") {
    // 200 seeds, each 8 scrambles of 256 paths (t with 7 degrees of freedom). If the intervals
    // are honest, the count that covers discrete_barrier_odds is Binomial(200, 0.95): 190 ± 3.08,
    // |z| < 4 allows 178 to 200. The outcome indices are ExitReason's (trade.h).
    const DoubleBarrierOdds exact = discrete_barrier_odds(770, 600, 1000, 0.10, 0.50, 1.0, 52);
    const Plan plan = bracket(1, 8).plans[0];
    const auto target = static_cast<std::size_t>(ExitReason::Target);
    int covers = 0;
    double rqmc_variance = 0;
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        MonteCarlo mc(bracket(seed, 8));
        mc.run(8 * 256);
        REQUIRE(mc.result().paths == 2048);
        REQUIRE(mc.result().replicates.size() == 8);
        const Estimate e = summarize(mc.result(), 0, plan, 770).outcome[target];
        covers += e.ci_low <= exact.p_upper_first && exact.p_upper_first <= e.ci_high;
        rqmc_variance += e.std_error * e.std_error / 200;
    }
    CHECK(std::fabs((covers - 190) / 3.08) < 4);
    // Monte Carlo's variance at 2,048 paths is p(1 − p)/2048; the scrambles' came out smaller.
    CHECK(rqmc_variance < exact.p_upper_first * (1 - exact.p_upper_first) / 2048);
}

TEST_CASE("rqmc: the pooled estimate is the scrambles' mean and its error bar their spread") {
    MonteCarlo mc(bracket(11, 4));
    mc.run(4 * 1024);
    const SimulationResult& r = mc.result();
    const auto target = static_cast<std::size_t>(ExitReason::Target);
    std::vector<double> each;
    for (const SimulationResult& one : r.replicates)
        each.push_back(static_cast<double>(one.plans[0].outcomes[target]) / static_cast<double>(one.paths));
    const Estimate spread = replicate_estimate(each);
    const Estimate e = summarize(r, 0, bracket(11, 4).plans[0], 770).outcome[target];
    CHECK(e.value == doctest::Approx(spread.value).epsilon(1e-14));
    CHECK(e.std_error == doctest::Approx(spread.std_error).epsilon(1e-14));
    CHECK(e.ci_high - e.value == doctest::Approx(spread.ci_high - spread.value).epsilon(1e-12));
}

TEST_CASE("rqmc: a run extended gives the bits of one run to the end") {
    MonteCarlo once(bracket(2, 2));
    once.run(2 * 4096);
    MonteCarlo twice(bracket(2, 2));
    twice.run(2 * 2048);
    twice.run(2 * 4096);
    CHECK(bits(twice.result().terminal.mean()) == bits(once.result().terminal.mean()));
    CHECK(twice.result().plans[0].outcomes == once.result().plans[0].outcomes);
    // From a count inside a block (1,000 a scramble), a scramble starts over: the same bits.
    MonteCarlo odd(bracket(2, 2));
    odd.run(2 * 1000);
    odd.run(2 * 4096);
    CHECK(bits(odd.result().terminal.mean()) == bits(once.result().terminal.mean()));
}

TEST_CASE("rqmc: the scenarios model draws each path's scenario from its point's first coordinate") {
    // The first coordinate of 1,024 scrambled Sobol' points puts one point in each [k/1024,
    // (k+1)/1024): so each scramble's count of a scenario with probability p is 1024·p within
    // 2 (its interval's two ends), where Monte Carlo's would spread by √(1024·p(1 − p)), about 15.
    Thesis t = load_thesis(seed_thesis_yaml(), "seed");
    t.simulation.method = SimulationMethod::Rqmc;
    t.simulation.replicates = 4;
    MonteCarlo mc(t);
    mc.run(4 * 1024);
    const std::vector<ScenarioLanding>& scenarios = mc.generator().scenario_landings();
    REQUIRE(!scenarios.empty());
    int outside = 0;
    for (const SimulationResult& one : mc.result().replicates)
        for (std::size_t j = 0; j < scenarios.size(); ++j) {
            const double expected = 1024 * scenarios[j].probability;
            outside += std::fabs(static_cast<double>(one.terminal_by_scenario[j].count()) - expected) > 2;
        }
    CHECK(outside == 0);
}

TEST_CASE("rqmc refuses what has Monte Carlo's error bars only and too few paths") {
    CHECK_THROWS_AS(MonteCarlo(bracket(1, 4), {Monitoring::Continuous}), InputError);
    MonteCarlo mc(bracket(1, 4));
    CHECK_THROWS_AS(mc.pair_plans({{0, 0}}), InputError);
    CHECK_THROWS_AS(mc.run(3), InputError);  // fewer paths than the 4 scrambles
}

}  // namespace
