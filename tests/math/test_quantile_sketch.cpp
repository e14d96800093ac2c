// Tests for the quantile sketch of thesis/statistics.h, and VaR/ES from it: order statistics
// within the sketch's relative accuracy, merges in any order, tail means, memory bounds.
// Tolerances as in test_statistics.cpp: hand-worked or closed-form values, |z| < 4 on fixed seeds.
#include "statistics_fixtures.h"

#include <doctest/doctest.h>

using namespace statistics_fixtures;

TEST_CASE("QuantileSketch quantiles of 1..10000 are within α of the exact order statistic") {
    QuantileSketch s;
    for (int i = 1; i <= 10'000; ++i) s.add(i);
    CHECK(s.count() == 10'000);
    CHECK(s.relative_accuracy() == kAlpha);
    // Exact: x_(r) = r + 1 with r = ⌊p·9999⌋. p = 0 and 1 return the exact min and max.
    CHECK(s.quantile(0.0) == 1.0);
    CHECK(s.quantile(1.0) == 10'000.0);
    for (int k = 0; k <= 1000; ++k) {
        const double p = k / 1000.0;
        const double exact = std::floor(p * 9999.0) + 1.0;
        CAPTURE(p);
        CHECK(std::fabs(s.quantile(p) - exact) <= kAlphaSlack * exact);
    }
    // Memory: magnitudes 1..1e4 span S ≤ ln(1e4)/ln γ + 2 buckets, allocation ≤ 1.5·S + 64.
    const double log_gamma = std::log((1 + kAlpha) / (1 - kAlpha));
    CHECK(static_cast<double>(s.bucket_count()) <= 1.5 * (std::log(1e4) / log_gamma + 2) + 64);
}

TEST_CASE("QuantileSketch handles negative - zero and positive values: signs kept - zeros exact") {
    std::vector<double> xs;
    for (int i = 1; i <= 1000; ++i) xs.push_back(-0.37 * i);                        // −370 .. −0.37
    for (int i = 0; i < 700; ++i) xs.push_back(i % 2 ? 0.0 : -0.0);                 // exact zeros, both signs
    for (int i = 0; i <= 800; ++i) xs.push_back(0.01 * std::pow(10.0, i / 200.0));  // 0.01 .. 100
    shuffle(xs, 21);
    const QuantileSketch s = sketch_of(xs);
    std::vector<double> sorted = xs;
    std::sort(sorted.begin(), sorted.end());

    CHECK(s.count() == xs.size());
    CHECK(s.zero_count() == 700);
    CHECK(s.min() == sorted.front());
    CHECK(s.max() == sorted.back());
    const double last = static_cast<double>(xs.size() - 1);
    for (std::size_t r = 0; r < xs.size(); ++r) {
        // p = (r + ½)/(n − 1) has ⌊p·(n − 1)⌋ = r (rounding is far below ½); the last rank is
        // p = 1.
        const double p = std::min(1.0, (static_cast<double>(r) + 0.5) / last);
        const double q = s.quantile(p);
        const double exact = sorted[r];
        CAPTURE(r);
        CAPTURE(exact);
        if (exact == 0.0) {
            CHECK(bits(q) == bits(0.0));  // exactly +0: zeros are counted, not bucketed
        } else {
            CHECK(std::signbit(q) == std::signbit(exact));
            CHECK(std::fabs(q - exact) <= kAlphaSlack * std::fabs(exact));
        }
    }
    // Tail means: within α times the same weighted mean of |x|, plus 1e-6 of that for the
    // summation rounding (≤ n·ε ≈ 3e-13 relative). Reference: exact Acerbi–Tasche tail mean.
    for (double p : {0.01, 0.1, 0.3, 0.5, 0.75, 1.0}) {
        CAPTURE(p);
        const TailMean below = exact_tail_mean_below(sorted, p);
        CHECK(std::fabs(s.tail_mean_below(p) - below.mean) <= kAlpha * (1 + 1e-6) * below.abs_mean);
        const TailMean above = exact_tail_mean_above(sorted, p);
        CHECK(std::fabs(s.tail_mean_above(p) - above.mean) <= kAlpha * (1 + 1e-6) * above.abs_mean);
    }
    CHECK(s.tail_mean_below(0.0) == s.min());
    CHECK(s.tail_mean_above(0.0) == s.max());
}

TEST_CASE("QuantileSketch tail means of {-4 - -2 - 0 - 2 - 4} match the hand-worked fractions") {
    const QuantileSketch s = sketch_of({-4, -2, 0, 2, 4});
    // Lowest 40%: k = 2 samples, (−4 − 2)/2 = −3. −4 is the exact min; −2 is within α.
    CHECK(std::fabs(s.tail_mean_below(0.4) - (-3.0)) <= kAlphaSlack * 3.0);
    // Highest 50%: k = 2.5, (4 + 2 + 0.5·0)/2.5 = 2.4.
    CHECK(std::fabs(s.tail_mean_above(0.5) - 2.4) <= kAlphaSlack * 2.4);
    // Median: rank ⌊0.5·4⌋ = 2 → 0, exactly.
    CHECK(s.quantile(0.5) == 0.0);
}

TEST_CASE("QuantileSketch of a P&L that is mostly exact zeros returns 0 exactly in the middle") {
    std::vector<double> pnl(800, 0.0);
    pnl.insert(pnl.end(), 100, -50.0);
    pnl.insert(pnl.end(), 100, 120.0);
    shuffle(pnl, 22);
    const QuantileSketch s = sketch_of(pnl);
    // Sorted: ranks 0..99 are −50, 100..899 are 0, 900..999 are 120. p = 0.11 → rank ⌊109.89⌋ =
    // 109, p = 0.89 → rank ⌊889.11⌋ = 889: all zeros, returned exactly.
    for (double p : {0.11, 0.25, 0.5, 0.75, 0.89}) CHECK(bits(s.quantile(p)) == bits(0.0));
    // Rank ⌊0.05·999⌋ = 49 is a −50; VaR_95 = 50 and ES_95 = mean of the worst 5% (all −50) → 50.
    CHECK(std::fabs(thesis::value_at_risk(s, 0.95) - 50.0) <= kAlphaSlack * 50.0);
    CHECK(std::fabs(thesis::expected_shortfall(s, 0.95) - 50.0) <= kAlphaSlack * 50.0);
    CHECK(std::fabs(s.quantile(0.95) - 120.0) <= kAlphaSlack * 120.0);
}

TEST_CASE("QuantileSketch add_with_log counts a sample in the bucket add gives it") {
    // Prices simulated in log space: ln S is known, exp(ln S) = S. The bucket ⌈ln S / ln γ⌉ from
    // the known log is add's, up to the rounding of log(exp(y)) vs y at a bucket's edge, which
    // these 10^4 values (e^-3 .. e^7) do not meet; the sketches' answers are the same.
    QuantileSketch by_value, by_log;
    for (int i = 0; i < 10'000; ++i) {
        const double y = -3.0 + 1e-3 * i + 1e-7;
        by_value.add(std::exp(y));
        by_log.add_with_log(std::exp(y), y);
        by_value.add(-std::exp(y));
        by_log.add_with_log(-std::exp(y), y);
    }
    CHECK(by_log.count() == by_value.count());
    for (double p : {0.0, 0.01, 0.25, 0.5, 0.75, 0.99, 1.0})
        CHECK(by_log.quantile(p) == by_value.quantile(p));
    by_log.add_with_log(0.0, -800);  // exp(−800) underflows to 0: a zero
    CHECK(by_log.zero_count() == 1);
    CHECK_THROWS_AS(by_log.add_with_log(std::numeric_limits<double>::infinity(), 1.0), std::invalid_argument);
}

TEST_CASE("QuantileSketch merge order and chunking do not change the sketch or its answers") {
    // A P&L-like mix: 30% exact zeros, a normal body and a heavy cubed tail, in 20 chunks.
    std::vector<double> xs = normal_sample(31, 200'000, 0.0, 100.0);
    for (std::size_t i = 0; i < xs.size(); ++i) {
        if (i % 10 < 3) xs[i] = 0.0;
        else if (i % 97 == 0) xs[i] = xs[i] * xs[i] * xs[i];
    }
    constexpr std::size_t kChunk = 10'000;
    const std::size_t chunks = xs.size() / kChunk;

    // Run for the defaults and for a tiny max_buckets that forces the lowest buckets to collapse.
    for (std::size_t max_buckets : {QuantileSketch::kDefaultMaxBuckets, std::size_t{64}}) {
        CAPTURE(max_buckets);
        std::vector<QuantileSketch> parts;
        for (std::size_t c = 0; c < chunks; ++c) {
            QuantileSketch part(kAlpha, max_buckets);
            for (std::size_t i = c * kChunk; i < (c + 1) * kChunk; ++i) part.add(xs[i]);
            parts.push_back(part);
        }
        const QuantileSketch one_pass = sketch_of(xs, kAlpha, max_buckets);
        QuantileSketch forwards(kAlpha, max_buckets), backwards(kAlpha, max_buckets),
            shuffled(kAlpha, max_buckets);
        for (std::size_t c = 0; c < chunks; ++c) forwards.merge(parts[c]);
        for (std::size_t c = chunks; c-- > 0;) backwards.merge(parts[c]);
        std::vector<std::size_t> order(chunks);
        std::iota(order.begin(), order.end(), std::size_t{0});
        shuffle(order, 32);
        for (std::size_t c : order) shuffled.merge(parts[c]);
        std::vector<QuantileSketch> tree = parts;  // pairwise, as a reduction tree would
        while (tree.size() > 1) {
            std::vector<QuantileSketch> next;
            for (std::size_t i = 0; i + 1 < tree.size(); i += 2) {
                next.push_back(tree[i + 1]);
                next.back().merge(tree[i]);
            }
            if (tree.size() % 2) next.push_back(tree.back());
            tree = next;
        }

        for (const QuantileSketch* m : {&forwards, &backwards, &shuffled, &tree.front()}) {
            CHECK(*m == one_pass);
            CHECK(m->count() == xs.size());
            for (int k = 0; k <= 200; ++k) {
                const double p = k / 200.0;
                CHECK(bits(m->quantile(p)) == bits(one_pass.quantile(p)));
            }
            for (double p : {0.001, 0.01, 0.05, 0.5}) {
                CHECK(bits(m->tail_mean_below(p)) == bits(one_pass.tail_mean_below(p)));
                CHECK(bits(m->tail_mean_above(p)) == bits(one_pass.tail_mean_above(p)));
                const Estimate a = m->quantile_ci(p), b = one_pass.quantile_ci(p);
                CHECK(bits(a.ci_low) == bits(b.ci_low));
                CHECK(bits(a.ci_high) == bits(b.ci_high));
            }
            CHECK(bits(thesis::expected_shortfall(*m, 0.99)) ==
                  bits(thesis::expected_shortfall(one_pass, 0.99)));
        }
    }
}

TEST_CASE("QuantileSketch merged with itself equals the sketch of every sample twice") {
    const std::vector<double> xs = normal_sample(33, 5'000);
    QuantileSketch s = sketch_of(xs);
    s.merge(s);
    QuantileSketch twice = sketch_of(xs);
    for (double x : xs) twice.add(x);
    CHECK(s == twice);
}

TEST_CASE("QuantileSketch quantiles of 10^6 standard normals agree with Phi^-1 within 4 se") {
    constexpr std::size_t n = 1'000'000;
    const QuantileSketch s = sketch_of(normal_sample(41, n));
    CHECK(std::fabs(normal_quantile(0.975) - kZ95) <= 1e-14);  // the reference inverse itself
    for (double p : {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99}) {
        CAPTURE(p);
        const double xi = normal_quantile(p);
        // Asymptotic sd of the sample p-quantile: √(p(1−p)/n)/φ(ξ_p) (e.g. 0.00125 at the median).
        const double se_true = std::sqrt(p * (1 - p) / n) / phi(xi);
        const Estimate q = s.quantile_ci(p);
        CAPTURE(q.value);
        CAPTURE(q.ci_low);
        CAPTURE(q.ci_high);
        // |z| < 4, the sketch's own error α|ξ| added as a deterministic bias bound.
        CHECK(std::fabs(q.value - xi) <= 4 * se_true + kAlphaSlack * std::fabs(xi));
        CHECK(q.ci_low <= q.value);
        CHECK(q.value <= q.ci_high);
        // The order-statistic interval's implied se should be se_true plus the widening by the
        // sketch error, α|ξ|/z. Random part: the interval spans m = 2z·√(np(1−p)) order-statistic
        // gaps (m ≈ 390 at p = 0.01), so its width has relative sd ≈ 1/√m: allow 4 of those.
        // Deterministic part: each end is a bucket representative, off by ≤ α·|end|, which moves
        // the implied se by ≤ α(|ci_low| + |ci_high|)/(2z).
        const double expected_se = se_true + kAlpha * std::fabs(xi) / kZ95;
        const double m = 2 * kZ95 * std::sqrt(n * p * (1 - p));
        CHECK(std::fabs(q.std_error - expected_se) <=
              4 * se_true / std::sqrt(m) +
                  kAlpha * (std::fabs(q.ci_low) + std::fabs(q.ci_high)) / (2 * kZ95));
        // The true quantile within the interval widened to ±4 of its own standard errors.
        CHECK(std::fabs(q.value - xi) <= 4 * q.std_error + kAlphaSlack * std::fabs(xi));
    }
}

TEST_CASE("value_at_risk and expected_shortfall of N(01) P&L match the closed forms") {
    constexpr double n = 1'000'000;
    const QuantileSketch pnl = sketch_of(normal_sample(42, static_cast<std::size_t>(n)));
    struct Case {
        double level, var, es;
    };
    // VaR = Φ⁻¹(level) = a; ES = φ(a)/(1 − level). At 95%: a = 1.6448536, φ(a) = 0.1031356,
    // ES = 0.1031356/0.05 = 2.0627128. At 99%: a = 2.3263479, ES = 0.0266521/0.01 = 2.6652142.
    for (const Case c : {Case{0.95, 1.6448536269514715, 2.062712807507429},
                         Case{0.99, 2.3263478740408408, 2.665214220345806}}) {
        CAPTURE(c.level);
        const double b = 1 - c.level;
        CHECK(std::fabs(normal_quantile(c.level) - c.var) <= 1e-14);
        CHECK(std::fabs(phi(c.var) / b - c.es) <= 1e-13);
        // se(VaR) = √(b(1−b)/n)/φ(a): 0.0021132 at 95%, 0.0037332 at 99%.
        const double se_var = std::sqrt(b * (1 - b) / n) / phi(c.var);
        // se(ES) = √([Var(L | L > a) + (1−b)(ES − a)²] / (n·b)), from ES = a + E[(L−a)⁺]/b with
        // the a-derivative vanishing at the quantile; for the normal tail
        // Var(L | L > a) = 1 + a·ES − ES². Gives 0.0024656 at 95%, 0.0045884 at 99%.
        const double tail_var = 1 + c.var * c.es - c.es * c.es;
        const double gap = c.es - c.var;
        const double se_es = std::sqrt((tail_var + (1 - b) * gap * gap) / (n * b));
        const double var = thesis::value_at_risk(pnl, c.level);
        const double es = thesis::expected_shortfall(pnl, c.level);
        CAPTURE(var);
        CAPTURE(es);
        // |z| < 4 plus the sketch's deterministic bound (α relative; the ES tail is one-signed).
        CHECK(std::fabs(var - c.var) <= 4 * se_var + kAlphaSlack * c.var);
        CHECK(std::fabs(es - c.es) <= 4 * se_es + kAlpha * (1 + 1e-6) * c.es);
        CHECK(es >= var);
    }
}

TEST_CASE("value_at_risk and expected_shortfall report losses as positive numbers") {
    // P&L = k − 20.5 for k = 1..100: −19.5 .. 79.5.
    std::vector<double> pnl;
    for (int k = 1; k <= 100; ++k) pnl.push_back(k - 20.5);
    const QuantileSketch s = sketch_of(pnl);
    // 90%: 1 − 0.9 = 0.0999…98, rank ⌊0.0999…98·99⌋ = 9 → x_(9) = −10.5, VaR = +10.5.
    // ES: k = 9.99…98 ≈ 10 worst outcomes, −19.5 .. −10.5, mean −15 → ES = +15 (the fractional
    // 2e-15 of weight moves it by ~1e-16).
    CHECK(std::fabs(thesis::value_at_risk(s, 0.9) - 10.5) <= kAlphaSlack * 10.5);
    CHECK(std::fabs(thesis::expected_shortfall(s, 0.9) - 15.0) <= kAlpha * (1 + 1e-6) * 15.0);

    // An all-profit P&L 1..100: the 5% quantile x_(4) = 5 is a gain, so VaR_95 = −5; the worst 5
    // outcomes average 3, so ES_95 = −3.
    std::vector<double> gains;
    for (int k = 1; k <= 100; ++k) gains.push_back(k);
    const QuantileSketch g = sketch_of(gains);
    CHECK(std::fabs(thesis::value_at_risk(g, 0.95) - (-5.0)) <= kAlphaSlack * 5.0);
    CHECK(std::fabs(thesis::expected_shortfall(g, 0.95) - (-3.0)) <= kAlpha * (1 + 1e-6) * 3.0);

    CHECK_THROWS_AS(thesis::value_at_risk(s, 0.0), std::invalid_argument);
    CHECK_THROWS_AS(thesis::value_at_risk(s, 1.0), std::invalid_argument);
    CHECK_THROWS_AS(thesis::expected_shortfall(s, 1.5), std::invalid_argument);
    CHECK_THROWS_AS(thesis::value_at_risk(QuantileSketch{}, 0.95), std::logic_error);
}

TEST_CASE("QuantileSketch memory stays under the stated bound for 10^6 values in 1e-6..1e9") {
    constexpr std::size_t n = 1'000'000;
    std::mt19937_64 rng(51);
    std::vector<double> xs(n);
    for (double& x : xs) {
        const double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;  // uniform in [0, 1)
        x = 1e-6 * std::pow(10.0, 15.0 * u);                            // log-uniform
    }
    xs[0] = 1e-6;
    xs[1] = 1e9;
    const QuantileSketch s = sketch_of(xs);

    // Stated bound: a span of S ≤ ln(1e9/1e-6)/ln γ + 2 = 17,271.4 buckets, allocated with at most
    // 50% + 64 slack: ≤ 25,971 slots (8 bytes each, ~200 KB) for any n — not 10⁶.
    const double log_gamma = std::log((1 + kAlpha) / (1 - kAlpha));
    const double span = std::log(1e15) / log_gamma + 2;
    const double bound = 1.5 * span + 64;
    CHECK(static_cast<double>(s.bucket_count()) <= bound);
    CHECK(static_cast<double>(s.bucket_count()) >= span - 2);           // it does use the whole range
    CHECK(s.bucket_count() <= 3 * QuantileSketch::kDefaultMaxBuckets);  // hard cap, 2·⌊1.5·B⌋

    // Fed in ascending order (every sample a new maximum: the worst case for growth) it stays
    // under the same bound, and is the same sketch.
    std::vector<double> sorted = xs;
    std::sort(sorted.begin(), sorted.end());
    const QuantileSketch ascending = sketch_of(sorted);
    CHECK(static_cast<double>(ascending.bucket_count()) <= bound);
    CHECK(ascending == s);

    for (int k = 0; k <= 100; ++k) {
        const double p = k / 100.0;
        const double exact = exact_quantile(sorted, p);
        CAPTURE(p);
        CHECK(std::fabs(s.quantile(p) - exact) <= kAlphaSlack * exact);
    }
}

TEST_CASE("QuantileSketch beyond max_buckets collapses only the smallest magnitudes") {
    // α = 1%, 100 buckets per sign: a magnitude ratio of only γ^100 ≈ e² is kept. Values
    // 10^(k/100), k = 0..400, span 1..1e4 (~461 buckets), so the lowest ones collapse.
    constexpr double alpha = 0.01;
    constexpr std::size_t max_buckets = 100;
    std::vector<double> xs;
    for (int k = 0; k <= 400; ++k) xs.push_back(std::pow(10.0, k / 100.0));
    shuffle(xs, 61);
    const QuantileSketch s = sketch_of(xs, alpha, max_buckets);
    std::vector<double> sorted = xs;
    std::sort(sorted.begin(), sorted.end());

    CHECK(s.bucket_count() <= max_buckets + max_buckets / 2);  // hard cap ⌊1.5·B⌋ for one sign
    const double gamma = (1 + alpha) / (1 - alpha);
    const double max = sorted.back();
    const double last = static_cast<double>(sorted.size() - 1);
    int collapsed = 0;
    for (std::size_t r = 0; r < sorted.size(); ++r) {
        const double p = std::min(1.0, (static_cast<double>(r) + 0.5) / last);
        const double q = s.quantile(p);
        const double exact = sorted[r];
        CAPTURE(exact);
        if (exact >= max * std::pow(gamma, 1.0 - max_buckets) * (1 + 1e-12)) {
            // Within max_buckets buckets of the top: the relative guarantee holds.
            CHECK(std::fabs(q - exact) <= alpha * (1 + 1e-9) * exact);
        } else {
            // Collapsed: absolute error ≤ max·γ^(2 − B) (= 1e4·0.0193 ≈ 193 here), ranks intact.
            ++collapsed;
            CHECK(std::fabs(q - exact) <= max * std::pow(gamma, 2.0 - max_buckets));
        }
    }
    CHECK(collapsed > 300);                    // most of the 401 samples lie below the kept window
    CHECK(s.quantile(0.0) == sorted.front());  // the exact min survives collapsing
}

TEST_CASE("QuantileSketch rejects bad arguments and an empty sketch has no quantiles") {
    CHECK_THROWS_AS(QuantileSketch(0.0), std::invalid_argument);
    CHECK_THROWS_AS(QuantileSketch(0.6), std::invalid_argument);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(QuantileSketch{nan}, std::invalid_argument);
    CHECK_THROWS_AS(QuantileSketch(0.01, 0), std::invalid_argument);

    QuantileSketch s;
    CHECK(s.count() == 0);
    CHECK(s.bucket_count() == 0);
    CHECK_THROWS_AS(s.quantile(0.5), std::logic_error);
    CHECK_THROWS_AS(s.quantile_ci(0.5), std::logic_error);
    CHECK_THROWS_AS(s.tail_mean_below(0.5), std::logic_error);
    CHECK_THROWS_AS(s.min(), std::logic_error);

    s.add(1.0);
    const QuantileSketch before = s;
    CHECK_THROWS_AS(s.add(std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
    CHECK_THROWS_AS(s.add(-std::numeric_limits<double>::infinity()), std::invalid_argument);
    CHECK(s == before);
    CHECK_THROWS_AS(s.quantile(-0.1), std::invalid_argument);
    CHECK_THROWS_AS(s.quantile(1.1), std::invalid_argument);
    CHECK_THROWS_AS(s.quantile(std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
    CHECK(s.quantile(0.3) == 1.0);  // one sample: every quantile is it, exactly

    QuantileSketch other(0.01);
    other.add(2.0);
    CHECK_THROWS_AS(s.merge(other), std::invalid_argument);
}
