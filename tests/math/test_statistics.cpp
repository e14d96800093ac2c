// Tests for thesis/statistics.h: running moments, Wilson intervals, the quantile sketch, VaR/ES.
//
// Reference values are hand-worked or closed-form (shown above each). Deterministic tolerances
// are stated with their reason; statistical checks use fixed seeds and allow |z| < 4 against the
// estimator's own standard error, so they fail by chance with probability < 1e-4 per check for
// any seed. Normal variates come from std::mt19937_64 (whose output the standard fixes) through a
// Box–Muller written here, because std::normal_distribution differs between standard libraries.

#include "statistics_fixtures.h"

#include <doctest/doctest.h>

using namespace statistics_fixtures;

// ------------------------------------------------------------------------------------------------
// RunningStats

TEST_CASE("RunningStats gives the hand-worked moments of {2 - 4 - 4 - 4 - 5 - 5 - 7 - 9}") {
    RunningStats s;
    for (double x : {2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0}) s.add(x);
    // Σx = 40, x̄ = 40/8 = 5; Σ(x − 5)² = 9+1+1+1+0+0+4+16 = 32, s² = 32/7, s = √(32/7).
    // Tolerance 1e-14 relative: eight Welford steps, each a few roundings of ε = 1.1e-16.
    CHECK(s.count() == 8);
    CHECK(s.sum() == 40.0);
    CHECK(s.min() == 2.0);
    CHECK(s.max() == 9.0);
    CHECK(std::fabs(s.mean() - 5.0) <= 1e-14 * 5.0);
    CHECK(std::fabs(s.variance() - 32.0 / 7.0) <= 1e-14 * 32.0 / 7.0);
    CHECK(std::fabs(s.std_dev() - std::sqrt(32.0 / 7.0)) <= 1e-14 * std::sqrt(32.0 / 7.0));

    // se = s/√n = √(32/7)/√8 = √(4/7) ≈ 0.755929;
    // CI = 5 ∓ 1.959964·0.755929 ≈ [3.518406, 6.481594].
    const Estimate m = s.mean_estimate();
    CHECK(std::fabs(m.value - 5.0) <= 1e-14 * 5.0);
    CHECK(std::fabs(m.std_error - std::sqrt(4.0 / 7.0)) <= 1e-14);
    CHECK(std::fabs(m.ci_low - 3.518406490932507) <= 1e-13);
    CHECK(std::fabs(m.ci_high - 6.481593509067493) <= 1e-13);
}

TEST_CASE("RunningStats throws on statistics that are undefined for so few samples") {
    RunningStats s;
    CHECK(s.count() == 0);
    CHECK(s.sum() == 0.0);
    CHECK_THROWS_AS(s.mean(), std::logic_error);
    CHECK_THROWS_AS(s.min(), std::logic_error);
    CHECK_THROWS_AS(s.max(), std::logic_error);
    s.add(3.0);
    CHECK(s.mean() == 3.0);
    CHECK_THROWS_AS(s.variance(), std::logic_error);  // s² = M2/(n − 1) needs n ≥ 2
    CHECK_THROWS_AS(s.std_dev(), std::logic_error);
    CHECK_THROWS_AS(s.mean_estimate(), std::logic_error);
}

TEST_CASE("RunningStats rejects NaN and infinities and keeps its state") {
    RunningStats s;
    s.add(1.0);
    s.add(2.0);
    const RunningStats before = s;
    CHECK_THROWS_AS(s.add(std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
    CHECK_THROWS_AS(s.add(std::numeric_limits<double>::infinity()), std::invalid_argument);
    CHECK_THROWS_AS(s.add(-std::numeric_limits<double>::infinity()), std::invalid_argument);
    CHECK(s == before);
}

TEST_CASE("RunningStats merge of two halves equals the one-pass result to 1e-12 relative") {
    // Mean 1000, sd 3: a large offset that would ruin the naive Σx² − (Σx)²/n formula.
    const std::vector<double> xs = normal_sample(11, 100'001, 1000.0, 3.0);
    const RunningStats one_pass = stats_of(xs);
    RunningStats merged = stats_of(xs, 0, 40'000);  // unequal halves exercise the na·nb/n term
    merged.merge(stats_of(xs, 40'000));

    // Tolerance 1e-12: rounding in both Welford and Chan grows like √n·ε ≈ 3e-14 here; 1e-12
    // still catches any formula slip (a wrong δ² term is off by ~1e-5 relative).
    check_agree(merged, one_pass);

    // Merging with an empty accumulator, either way round, changes nothing.
    RunningStats empty_first;
    empty_first.merge(one_pass);
    CHECK(bit_identical(empty_first, one_pass));
    RunningStats with_empty = one_pass;
    with_empty.merge(RunningStats{});
    CHECK(bit_identical(with_empty, one_pass));
}

TEST_CASE("RunningStats chunks merged in chunk order are bit-identical whichever order they ran") {
    const std::vector<double> xs = normal_sample(12, 100'000, -2.0, 5.0);
    constexpr std::size_t kChunk = 1'000;
    constexpr std::size_t kChunks = 100;
    // Compute the chunk accumulators forwards, and backwards (as threads finishing out of order
    // would), then fold each set in chunk order.
    std::vector<RunningStats> forwards(kChunks), backwards(kChunks);
    for (std::size_t c = 0; c < kChunks; ++c) forwards[c] = stats_of(xs, c * kChunk, (c + 1) * kChunk);
    for (std::size_t c = kChunks; c-- > 0;) backwards[c] = stats_of(xs, c * kChunk, (c + 1) * kChunk);
    RunningStats a, b;
    for (std::size_t c = 0; c < kChunks; ++c) {
        a.merge(forwards[c]);
        b.merge(backwards[c]);
    }
    CHECK(bit_identical(a, b));
    CHECK(a == b);

    // And the chunked result agrees with one pass to rounding (see the previous test for 1e-12).
    const RunningStats one_pass = stats_of(xs);
    CHECK(std::fabs(a.mean() - one_pass.mean()) <= 1e-12 * std::fabs(one_pass.mean()));
    CHECK(std::fabs(a.variance() - one_pass.variance()) <= 1e-12 * one_pass.variance());
}

TEST_CASE("RunningStats::of a batch gives add's moments and the hand-worked ones") {
    // {2 - 4 - 4 - 4 - 5 - 5 - 7 - 9}: x̄ = 5, Σ(x − x̄)² = 32 (above); two passes are exact here.
    const std::vector<double> small{2, 4, 4, 4, 5, 5, 7, 9};
    const RunningStats b = RunningStats::of(small);
    CHECK(b.count() == 8);
    CHECK(b.sum() == 40.0);
    CHECK(b.mean() == 5.0);
    CHECK(b.variance() == 32.0 / 7.0);
    CHECK(b.min() == 2.0);
    CHECK(b.max() == 9.0);

    // A large offset (mean 1000, sd 3), 100,001 samples: the batch agrees with add() one by one
    // to rounding (1e-12 relative, as for merges above), and merged batches too.
    const std::vector<double> xs = normal_sample(13, 100'001, 1000.0, 3.0);
    const RunningStats one_by_one = stats_of(xs);
    const RunningStats batch = RunningStats::of(xs);
    check_agree(batch, one_by_one);
    RunningStats halves = RunningStats::of(std::span(xs).first(40'000));
    halves.merge(RunningStats::of(std::span(xs).subspan(40'000)));
    CHECK(std::fabs(halves.variance() - one_by_one.variance()) <= 1e-12 * one_by_one.variance());

    // Empty, one sample, −0 stored as +0, and non-finite samples rejected.
    CHECK(RunningStats::of({}).count() == 0);
    CHECK(RunningStats::of(std::vector<double>{3.5}).mean() == 3.5);
    const RunningStats zeros = RunningStats::of(std::vector<double>{-0.0, 0.0});
    CHECK(!std::signbit(zeros.min()));
    CHECK(!std::signbit(zeros.max()));
    CHECK_THROWS_AS(RunningStats::of(std::vector<double>{1, std::numeric_limits<double>::quiet_NaN()}),
                    std::invalid_argument);
    CHECK_THROWS_AS(RunningStats::of(std::vector<double>{std::numeric_limits<double>::infinity()}),
                    std::invalid_argument);
}

TEST_CASE("RunningStats mean_estimate covers the true mean of N(3 - 2²) within 4 standard errors") {
    constexpr std::size_t n = 100'000;
    const RunningStats s = stats_of(normal_sample(13, n, 3.0, 2.0));
    const Estimate m = s.mean_estimate();
    // z = (x̄ − μ)/se ~ N(0, 1).
    CHECK(std::fabs(m.value - 3.0) / m.std_error < 4.0);
    // se should be σ/√n; s/σ has sd ≈ 1/√(2(n−1)), so |se/(σ/√n) − 1| < 4/√(2(n−1)) ≈ 0.0089.
    const double se_true = 2.0 / std::sqrt(static_cast<double>(n));
    CHECK(std::fabs(m.std_error / se_true - 1.0) < 4.0 / std::sqrt(2.0 * (n - 1)));
    // The interval is value ∓ z·se (up to a rounding or two on numbers of order 3).
    CHECK(std::fabs(m.ci_low - (m.value - kZ95 * m.std_error)) <= 1e-14);
    CHECK(std::fabs(m.ci_high - (m.value + kZ95 * m.std_error)) <= 1e-14);
}

// ------------------------------------------------------------------------------------------------
// Wilson interval

TEST_CASE("proportion_estimate gives the hand-computed Wilson interval for 10 hits in 100") {
    // p̂ = 0.1, se = √(0.1·0.9/100) = 0.03. z² = 3.841459, z²/n = 0.03841459:
    //   centre = (0.1 + 0.01920729)/1.03841459 = 0.11479740,
    //   half   = 1.95996398/1.03841459 · √(0.0009 + 0.00009603647)
    //          = 1.8874572·0.0315600 = 0.0595683,
    //   CI     = [0.0552291, 0.1743657]  (the textbook 5.5%–17.4%).
    // Tolerance 1e-12: a dozen roundings on numbers of order 0.1.
    const Estimate e = thesis::proportion_estimate(10, 100);
    CHECK(e.value == 0.1);
    CHECK(std::fabs(e.std_error - 0.03) <= 1e-15);
    CHECK(std::fabs(e.ci_low - 0.0552291370606751) <= 1e-12);
    CHECK(std::fabs(e.ci_high - 0.17436566150491345) <= 1e-12);
}

TEST_CASE("proportion_estimate at 0 or n hits gives the closed-form one-sided Wilson bounds") {
    // p̂ = 0: centre = half = (z²/2n)/(1 + z²/n), so CI = [0, z²/(n + z²)]: [0, 0.2775328] at
    // n = 10.
    const double z2 = kZ95 * kZ95;
    const Estimate none = thesis::proportion_estimate(0, 10);
    CHECK(none.value == 0.0);
    CHECK(none.std_error == 0.0);
    CHECK(none.ci_low == 0.0);
    CHECK(std::fabs(none.ci_high - z2 / (10.0 + z2)) <= 1e-14);
    // p̂ = 1 mirrors it: CI = [n/(n + z²), 1] = [0.7224672, 1].
    const Estimate all = thesis::proportion_estimate(10, 10);
    CHECK(all.value == 1.0);
    CHECK(all.ci_high == 1.0);
    CHECK(std::fabs(all.ci_low - 10.0 / (10.0 + z2)) <= 1e-14);
}

TEST_CASE("proportion_estimate rejects zero trials and more hits than trials") {
    CHECK_THROWS_AS(thesis::proportion_estimate(0, 0), std::invalid_argument);
    CHECK_THROWS_AS(thesis::proportion_estimate(11, 10), std::invalid_argument);
}

// ------------------------------------------------------------------------------------------------
// QuantileSketch
