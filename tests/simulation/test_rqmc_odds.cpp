// Tests for thesis/simulation/rqmc_odds.h: the randomised-QMC odds against the exact discrete
// odds (discrete_barrier_odds), the coverage of their error bars over many seeds, their variance
// against plain Monte Carlo's, determinism across threads, and bad input.

#include "thesis/math/double_barrier.h"
#include "thesis/simulation/rqmc_odds.h"

#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

namespace {

using thesis::RqmcOddsSettings;

RqmcOddsSettings bracket(std::uint64_t seed) {
    // The article's bracket: $770 between a $600 stop and a $1,000 target, μ 10%, σ 50%, a year
    // observed weekly (52 steps: discrete_barrier_odds is exact to 1e-7 here).
    RqmcOddsSettings s;
    s.spot = 770;
    s.lower = 600;
    s.upper = 1000;
    s.drift = 0.10;
    s.volatility = 0.50;
    s.horizon = 1;
    s.steps = 52;
    s.paths = 16 * 256;
    s.replicates = 16;
    s.seed = seed;
    s.threads = 1;
    return s;
}

TEST_CASE("RQMC odds: 95% intervals cover the exact discrete odds 95% of the time over 200 seeds") {
    // Each seed's interval is mean ± t(15 dof)·s/√16 over 16 scrambles of 256 points. If the
    // intervals are honest, the number of the 200 that cover the exact value is Binomial(200,
    // 0.95): mean 190, sd 3.08; |z| < 4 allows 178 to 200. Too narrow an interval (a variance
    // underestimated, or a biased estimator) fails low.
    const thesis::DoubleBarrierOdds exact =
        thesis::discrete_barrier_odds(770, 600, 1000, 0.10, 0.50, 1.0, 52);
    int covers_upper = 0, covers_lower = 0;
    double variance_upper = 0;
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        const thesis::RqmcOdds r = thesis::rqmc_barrier_odds(bracket(seed));
        REQUIRE(r.paths == 4096);
        covers_upper +=
            r.p_upper_first.ci_low <= exact.p_upper_first && exact.p_upper_first <= r.p_upper_first.ci_high;
        covers_lower +=
            r.p_lower_first.ci_low <= exact.p_lower_first && exact.p_lower_first <= r.p_lower_first.ci_high;
        variance_upper += r.p_upper_first.std_error * r.p_upper_first.std_error / 200;
        CHECK(r.p_upper_first.value + r.p_lower_first.value + r.p_neither.value ==
              doctest::Approx(1).epsilon(1e-12));
    }
    CHECK(std::fabs((covers_upper - 190) / 3.08) < 4);
    CHECK(std::fabs((covers_lower - 190) / 3.08) < 4);
    // The point of it: plain Monte Carlo's variance at 4,096 paths is p(1 − p)/4096. The
    // scrambles' mean squared error bar came out about 4 times smaller (3.9 in one run at these
    // sizes; 8 to 20 with more points); asking for 2 leaves room for the estimate's own spread.
    const double mc_variance = exact.p_upper_first * (1 - exact.p_upper_first) / 4096;
    CHECK(variance_upper < mc_variance / 2);
}

TEST_CASE("RQMC odds: the same seed gives the same bits at any thread count") {
    RqmcOddsSettings s = bracket(7);
    const thesis::RqmcOdds one = thesis::rqmc_barrier_odds(s);
    s.threads = 3;
    const thesis::RqmcOdds three = thesis::rqmc_barrier_odds(s);
    CHECK(one.p_upper_first.value == three.p_upper_first.value);
    CHECK(one.p_upper_first.std_error == three.p_upper_first.std_error);
    CHECK(one.p_lower_first.value == three.p_lower_first.value);
    s.seed = 8;
    CHECK(thesis::rqmc_barrier_odds(s).p_upper_first.value != one.p_upper_first.value);
}

TEST_CASE("RQMC odds: past 3667 steps the finest normals come from the generator and stay unbiased") {
    // 4,000 daily-ish steps over a year: dimensions 3,667 on are padded. z against the exact
    // odds at a fine grid would cost too much here; the continuous closed form bounds them:
    // discrete odds at 4,000 steps lie within 0.01 of it (the bias shrinks like 0.58σ√dt).
    RqmcOddsSettings s = bracket(3);
    s.steps = 4000;
    s.paths = 8 * 64;
    s.replicates = 8;
    const thesis::RqmcOdds r = thesis::rqmc_barrier_odds(s);
    const thesis::DoubleBarrierOdds continuous = thesis::double_barrier_odds(770, 600, 1000, 0.10, 0.50, 1.0);
    CHECK(std::fabs(r.p_upper_first.value - continuous.p_upper_first) < 4 * r.p_upper_first.std_error + 0.01);
}

TEST_CASE("RQMC odds reject bad input") {
    RqmcOddsSettings s = bracket(1);
    s.lower = 800;  // above the spot
    CHECK_THROWS_AS(thesis::rqmc_barrier_odds(s), std::invalid_argument);
    s = bracket(1);
    s.replicates = 1;
    CHECK_THROWS_AS(thesis::rqmc_barrier_odds(s), std::invalid_argument);
    s = bracket(1);
    s.paths = 8;  // fewer than the 16 scrambles
    CHECK_THROWS_AS(thesis::rqmc_barrier_odds(s), std::invalid_argument);
    s = bracket(1);
    s.volatility = 0;
    CHECK_THROWS_AS(thesis::rqmc_barrier_odds(s), std::invalid_argument);
    s = bracket(1);
    s.steps = 0;
    CHECK_THROWS_AS(thesis::rqmc_barrier_odds(s), std::invalid_argument);
}

}  // namespace
