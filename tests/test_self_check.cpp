// `thesis check` as a test: every case within 4 standard errors of its closed form.
#include "thesis/self_check.h"

#include "thesis/errors.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace thesis;

TEST_CASE("the self-check passes: simulation within 4 standard errors of every closed form") {
    for (const CheckRow& row : run_self_check(20'000, 2024)) {
        CHECK_MESSAGE(row.pass, row.case_name, " ", row.quantity, ": simulated ", row.simulated,
                      " exact ", row.exact, " se ", row.std_error, " z ", row.z);
    }
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
        CHECK(bias > 0);          // fewer observations see fewer touches
        CHECK(bias < previous);
        previous = bias;
    }
}

TEST_CASE("odds inputs are checked: stop below spot below target") {
    CHECK_THROWS_WITH_AS(odds_thesis(770, 800, 1000, 0.1, 0.5, 1, Monitoring::Continuous, 10, 1),
                         doctest::Contains("--stop"), InputError);
    CHECK_THROWS_WITH_AS(odds_thesis(770, 600, 700, 0.1, 0.5, 1, Monitoring::Continuous, 10, 1),
                         doctest::Contains("--target"), InputError);
    CHECK_THROWS_AS(odds_thesis(770, 600, 1000, 0.1, 0, 1, Monitoring::Continuous, 10, 1), InputError);
}
