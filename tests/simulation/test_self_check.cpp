// `thesis check` as a test: every case within 4 standard errors of its closed form.
#include "thesis/simulation/self_check.h"

#include "thesis/core/errors.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace thesis;

namespace {

// A row of the self-check at n paths: |z| < 4, or, where the expected count of the rarer outcome
// is under 10 (P(neither) of the tightest brackets is 1e-5 and less), its count held to the
// Poisson law instead, each tail above 1e-5: a z-score of a handful of hits is not normal.
void check_row(const CheckRow& row, std::uint64_t n) {
    const double paths = static_cast<double>(n);
    const double expected = row.exact * paths, hits = std::round(row.simulated * paths);
    const bool probability = row.quantity.rfind("P(", 0) == 0;
    if (!probability || (expected >= 10 && paths - expected >= 10)) {
        CHECK_MESSAGE(row.pass, row.case_name, " ", row.quantity, ": simulated ", row.simulated, " exact ",
                      row.exact, " se ", row.std_error, " z ", row.z);
        return;
    }
    const bool rare_is_miss = expected >= 10;
    const double lambda = rare_is_miss ? paths - expected : expected;
    const double count = rare_is_miss ? paths - hits : hits;
    double below = 0, term = std::exp(-lambda);  // P(X < count), then P(X = count)
    for (int j = 0; j < count; ++j, term *= lambda / j) below += term;
    CHECK_MESSAGE(1 - below > 1e-5, row.case_name, " ", row.quantity, ": ", count, " rare hits, expected ",
                  lambda);
    CHECK_MESSAGE(below + term > 1e-5, row.case_name, " ", row.quantity, ": ", count, " rare hits, expected ",
                  lambda);
}

}  // namespace

TEST_CASE("the self-check passes: simulation within 4 standard errors of every closed form") {
    for (const CheckRow& row : run_self_check(20'000, 2024)) check_row(row, 20'000);
}

TEST_CASE("near-level brackets: one step's bridge reaching both levels takes the one it reached first") {
    // Stops and targets within 0.3 to 3 step SDs of the price, where a step's bridge often reaches
    // both: against the Kunitomo-Ikeda series (self_check.h). Taking the stop whenever a step
    // reached both was 14 points off at 0.5 step SDs: z ≈ 40 at these path counts.
    for (const CheckRow& row : near_level_checks(20'000, 77)) check_row(row, 20'000);
}

TEST_CASE("discrete odds with one observation are the normal probabilities of one step") {
    // One step of dt = 1: ln S₁/S₀ ~ N(μ − σ²/2, σ²) = N(0.10 − 0.125, 0.25).
    const double m = 0.10 - 0.125, s = 0.5;
    const double a = std::log(600.0 / 770), b = std::log(1000.0 / 770);
    const auto cdf = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
    const DoubleBarrierOdds o = discrete_barrier_odds(770, 600, 1000, 0.10, 0.50, 1.0, 1);
    CHECK(o.p_upper_first == doctest::Approx(1 - cdf((b - m) / s)).epsilon(1e-12));
    CHECK(o.p_lower_first == doctest::Approx(cdf((a - m) / s)).epsilon(1e-12));
    // The trapezoid over the band: error O(h²) with h = band / 2000.
    CHECK(o.p_neither == doctest::Approx(cdf((b - m) / s) - cdf((a - m) / s)).epsilon(1e-6));
}

TEST_CASE("discrete odds: probabilities sum to 1 and the bias shrinks toward the continuous odds") {
    const double continuous = double_barrier_odds(770, 600, 1000, 0.10, 0.50, 1.0).p_neither;
    double previous = 1;
    for (int steps : {4, 12, 52}) {
        const DoubleBarrierOdds o = discrete_barrier_odds(770, 600, 1000, 0.10, 0.50, 1.0, steps, 1001);
        CHECK(o.p_upper_first + o.p_lower_first + o.p_neither == doctest::Approx(1).epsilon(1e-5));
        const double bias = o.p_neither - continuous;
        CHECK(bias > 0);  // fewer observations see fewer touches
        CHECK(bias < previous);
        previous = bias;
    }
}

TEST_CASE("odds inputs are checked: stop below spot below target") {
    CHECK_THROWS_WITH_AS(odds_thesis(770, 800, 1000, 0.1, 0.5, 1, Monitoring::Continuous, 10, 1),
                         doctest::Contains("stop: expected a price below the spot"), InputError);
    CHECK_THROWS_WITH_AS(odds_thesis(770, 600, 700, 0.1, 0.5, 1, Monitoring::Continuous, 10, 1),
                         doctest::Contains("target: expected a price above the spot"), InputError);
    CHECK_THROWS_AS(odds_thesis(770, 600, 1000, 0.1, 0, 1, Monitoring::Continuous, 10, 1), InputError);
}

TEST_CASE("a short's odds with the stop above the spot and the target below match the closed form") {
    // A short from $84 with its stop at $95 and its target at $66 (the short example's levels):
    // the band is [66, 95], and the short's target is its lower level, so P(target first) is
    // the Kunitomo-Ikeda P(lower first) and P(stop first) P(upper first).
    const Thesis t =
        odds_thesis(84, 95, 66, -0.05, 0.35, 0.5, Monitoring::Continuous, 200'000, 11, 252, Side::Short);
    REQUIRE(t.plans.front().side == Side::Short);
    const DoubleBarrierOdds exact = double_barrier_odds(84, 66, 95, -0.05, 0.35, 0.5);
    const SimulatedOdds sim = simulate_odds(t, {});
    const auto z = [&](const Estimate& e, double p) {
        return (e.value - p) / std::sqrt(p * (1 - p) / static_cast<double>(sim.paths));
    };
    CHECK(std::fabs(z(sim.p_target_first, exact.p_lower_first)) < 4);
    CHECK(std::fabs(z(sim.p_stop_first, exact.p_upper_first)) < 4);
    CHECK(std::fabs(z(sim.p_neither, exact.p_neither)) < 4);
    // A short's levels on the wrong sides are refused, saying so.
    CHECK_THROWS_WITH_AS(
        odds_thesis(84, 80, 66, 0, 0.35, 0.5, Monitoring::Continuous, 10, 1, 252, Side::Short),
        doctest::Contains("stop: expected a price above the spot (84) for a short"), InputError);
    CHECK_THROWS_WITH_AS(
        odds_thesis(84, 95, 90, 0, 0.35, 0.5, Monitoring::Continuous, 10, 1, 252, Side::Short),
        doctest::Contains("target: expected a price below the spot (84) for a short"), InputError);
}
