// Tests for ending a path early (PathGenerator::simulate, path_kernel_body.inc): once every plan
// of a path is settled, and the model allows it (settles_early()), the engine stops stepping the
// path and draws its log price at the horizon in closed form (PathGenerator::horizon_log_price).
//  1. horizon_log_price against its distribution: GBM and Merton against the closed-form mean and
//     variance, fundamentals against the kernel's own recursion simulated here step by step.
//  2. The engine with touch odds on (paths run to the horizon) and off (paths end early): the same
//     plan outcomes bit for bit, and terminal prices with the same distribution.
//  3. Early ending keeps the results bit-identical across threads, chunk sizes and SIMD levels.
//  4. A settled path really is cut short, at the step it settled, and its horizon price is the
//     closed-form draw from that step's state; a model that cannot settle early never is.
//
// Statistical checks use fixed seeds and allow |z| < 4 against the estimator's standard error.

#include "thesis/math/rng.h"
#include "thesis/simulation/detail/plan_book.h"
#include "thesis/simulation/monte_carlo.h"
#include "thesis/simulation/path.h"

#include "engine_fixtures.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace thesis;
using namespace thesis::test;

namespace {

// Sample mean, unbiased variance and fourth central moment, by two passes.
struct Moments {
    double n = 0, mean = 0, variance = 0, m4 = 0;
    double mean_se() const { return std::sqrt(variance / n); }
    // Var(s²) ≈ (μ₄ − σ⁴)/n for any distribution with a fourth moment.
    double variance_se() const { return std::sqrt(std::max(0.0, m4 - variance * variance) / n); }
};

Moments moments_of(const std::vector<double>& v) {
    Moments m;
    m.n = static_cast<double>(v.size());
    for (double x : v) m.mean += x;
    m.mean /= m.n;
    double s2 = 0, s4 = 0;
    for (double x : v) {
        const double d = (x - m.mean) * (x - m.mean);
        s2 += d;
        s4 += d * d;
    }
    m.variance = s2 / (m.n - 1);
    m.m4 = s4 / m.n;
    return m;
}

CatalystEvent event_named(std::string name, bool unlocks_revenue = false) {
    CatalystEvent e;
    e.name = std::move(name);
    e.probability = 0.5;
    e.window_start = 0;
    e.window_end = 1;
    e.jump_mean = 0.05;
    e.jump_sd = 0.05;
    e.unlocks_revenue = unlocks_revenue;
    return e;
}

// W1 (bench/thesis_bench.cpp): GBM from 770, μ = 10%, σ = 50%, a year of 252 daily steps,
// discrete monitoring; limit buy at 700, stop 600, target 1000.
Thesis w1(bool touch_odds) {
    Thesis t = gbm_770();
    t.source = "W1";
    t.simulation.seed = 1;
    t.simulation.touch_odds = touch_odds;
    t.plans = {plan_named("W1", {.kind = Entry::Kind::Limit, .limit = 700},
                          {.kind = Stop::Kind::Fixed, .level = 600},
                          {.kind = Target::Kind::Fixed, .level = 1000})};
    return t;
}

// W1's model turned into Merton jump diffusion.
Thesis w1_merton(bool touch_odds, double intensity = 2) {
    Thesis t = w1(touch_odds);
    t.model.kind = ModelKind::Merton;
    t.model.jump_intensity = intensity;
    t.model.jump_mean = -0.05;
    t.model.jump_sd = 0.10;
    return t;
}

// W1's plan on the fundamentals model: log EPS a random walk, log P/E reverting from 52 to 25.
Thesis w1_fundamentals(bool touch_odds) {
    Thesis t = w1(touch_odds);
    t.model.kind = ModelKind::Fundamentals;
    t.model.multiple_half_life = 1;
    t.model.multiple_volatility = 0.3;
    t.model.eps_growth = 0.15;
    t.model.eps_volatility = 0.35;
    t.model.eps_multiple_correlation = 0.3;
    return t;
}

// The shared busy thesis (engine_fixtures.h) with touch odds off, so that its paths can end early.
Thesis busy_settling(ModelKind kind, Monitoring monitoring) {
    Thesis t = busy_thesis(kind, monitoring);
    t.simulation.touch_odds = false;
    return t;
}

// Everything of a run that must not depend on threads, chunks or SIMD level, as bits.
std::vector<std::uint64_t> signature(const SimulationResult& r) {
    std::vector<std::uint64_t> s{r.paths, bits(r.terminal.mean()), bits(r.terminal.variance()),
                                 bits(r.terminal.min()), bits(r.terminal.max())};
    for (double p : {0.01, 0.5, 0.99}) s.push_back(bits(r.terminal_sketch.quantile(p)));
    for (const PlanTally& p : r.plans) {
        s.insert(s.end(), p.outcomes.begin(), p.outcomes.end());
        for (const RunningStats* st : {&p.pnl, &p.holding, &p.stop_shortfall}) {
            s.push_back(st->count());
            s.push_back(bits(st->sum()));
            if (st->count() > 1) s.push_back(bits(st->variance()));
        }
        s.push_back(p.touched_stop);
        s.push_back(p.touched_target);
    }
    return s;
}

}  // namespace

// ---- 1. horizon_log_price ----

TEST_CASE("horizon_log_price under GBM has the Gaussian increment plus the events still to come") {
    // dS/S = 0.08 dt + 0.30 dW from a path at log price x after step k = 100 of 252: the log
    // price at the horizon is x + L(μ − σ²/2)dt + σ√(L dt) Z + the jumps of the events after k,
    // L = 152 steps left.
    Thesis t = w1(false);
    t.model.drift = 0.08;
    t.model.volatility = 0.30;
    t.model.events = {event_named("a"), event_named("b"), event_named("c"), event_named("d")};
    const PathGenerator gen(t, 1.0);
    const PathGenerator::Constants& c = gen.constants();
    REQUIRE(c.steps == 252);
    constexpr int k = 100;
    const double L = 252 - k, dt = 1.0 / 252;
    // Event a fired before k, b at k (both already in x), c after k, d never.
    const int steps[] = {40, 100, 180, -1};
    const double jumps[] = {0.10, -0.20, 0.07, 0.30};
    const double x = std::log(120.0);

    constexpr std::size_t kDraws = 200'000;
    std::vector<double> y(kDraws);
    for (std::size_t i = 0; i < kDraws; ++i)
        y[i] = PathGenerator::horizon_log_price(c, i, k, x, 0, 0, steps, jumps);
    const Moments s = moments_of(y);

    const double mean = x + L * (0.08 - 0.5 * 0.09) * dt + 0.07;
    const double variance = L * 0.09 * dt;  // σ² L dt = 0.0543
    const double z_mean = (s.mean - mean) / std::sqrt(variance / s.n);
    // Normal: μ₄ = 3σ⁴, so Var(s²) = 2σ⁴/n.
    const double z_var = (s.variance - variance) / (variance * std::sqrt(2 / s.n));
    CHECK_MESSAGE(std::fabs(z_mean) < 4, "mean ", s.mean, " exact ", mean, " z ", z_mean);
    CHECK_MESSAGE(std::fabs(z_var) < 4, "variance ", s.variance, " exact ", variance, " z ", z_var);
    // Normal: no excess kurtosis. The sample's μ₄/σ⁴ has sd √(24/n) = 0.011 for a normal.
    const double kurtosis = s.m4 / (s.variance * s.variance);
    CHECK_MESSAGE(std::fabs(kurtosis - 3) < 4 * std::sqrt(24 / s.n), "kurtosis ", kurtosis);

    // Nothing left to draw at the horizon itself.
    CHECK(bits(PathGenerator::horizon_log_price(c, 7, 252, x, 0, 0, steps, jumps)) == bits(x));
}

TEST_CASE("horizon_log_price under Merton adds a compensated compound Poisson sum of jumps") {
    // λ = 10 jumps a year of log size N(−0.05, 0.10²), σ = 20%, μ = 8% in total; from step 100 of
    // 252 the jump count over the L = 152 steps left is Poisson(λ L dt = 6.03), so
    //   E[y] = x + L(μ − σ²/2 − λκ)dt + λ L dt·m + (jumps after k),  κ = e^{m + s²/2} − 1,
    //   Var[y] = σ² L dt + λ L dt (s² + m²),
    // and the compensator makes E[e^y] = e^{x + μ L dt + jumps after k}.
    const double mu = 0.08, sigma = 0.20, lambda = 10, jm = -0.05, js = 0.10;
    Thesis t = w1(false);
    t.model.kind = ModelKind::Merton;
    t.model.drift = mu;
    t.model.volatility = sigma;
    t.model.jump_intensity = lambda;
    t.model.jump_mean = jm;
    t.model.jump_sd = js;
    t.model.events = {event_named("before"), event_named("after")};
    const PathGenerator gen(t, 1.0);
    const PathGenerator::Constants& c = gen.constants();
    CHECK(gen.settles_early());  // 10 expected jumps a year ≤ 30
    constexpr int k = 100;
    const double L = 252 - k, dt = 1.0 / 252;
    const int steps[] = {99, 101};
    const double jumps[] = {-0.30, 0.12};
    const double x = std::log(95.0);

    constexpr std::size_t kDraws = 200'000;
    std::vector<double> y(kDraws), price(kDraws);
    for (std::size_t i = 0; i < kDraws; ++i) {
        y[i] = PathGenerator::horizon_log_price(c, i, k, x, 0, 0, steps, jumps);
        price[i] = std::exp(y[i]);
    }
    const Moments s = moments_of(y), p = moments_of(price);

    const double kappa = std::exp(jm + 0.5 * js * js) - 1;
    const double rate = lambda * L * dt;
    const double mean = x + L * (mu - 0.5 * sigma * sigma - lambda * kappa) * dt + rate * jm + 0.12;
    const double variance = sigma * sigma * L * dt + rate * (js * js + jm * jm);
    const double z_mean = (s.mean - mean) / std::sqrt(variance / s.n);
    const double z_var = (s.variance - variance) / s.variance_se();  // jumps: excess kurtosis
    CHECK_MESSAGE(std::fabs(z_mean) < 4, "mean ", s.mean, " exact ", mean, " z ", z_mean);
    CHECK_MESSAGE(std::fabs(z_var) < 4, "variance ", s.variance, " exact ", variance, " z ", z_var);
    const double expected_price = std::exp(x + mu * L * dt + 0.12);
    const double z_price = (p.mean - expected_price) / p.mean_se();
    CHECK_MESSAGE(std::fabs(z_price) < 4, "E[S_T] ", p.mean, " exact ", expected_price, " z ", z_price);

    CHECK(bits(PathGenerator::horizon_log_price(c, 7, 252, x, 0, 0, steps, jumps)) == bits(x));
}

TEST_CASE("horizon_log_price under fundamentals matches the kernel's recursion stepped to the horizon") {
    // Not a re-derivation of the closed form: the recursion the kernel steps (simulate_lanes in
    // path_kernel_body.inc) is run here from (e, m) after step k to the horizon with independent
    // normals, and the two samples' means and variances are compared. Each step j:
    //   e ← e + eps_drift_step + eps_vol_step·z₁
    //   m ← θ + (m − θ)·reversion + multiple_vol_step·(c₂₁ z₁ + c₂₂ z₂)
    // then each event firing at step j: m += its jump, and e += unlock_log_step if it unlocks
    // revenue; the log price is e + m. 52 steps a year with a quarter-year half-life, so the
    // multiple reverts most of the way (reversion³² ≈ 0.18) over the L = 32 steps left.
    Thesis t = w1_fundamentals(false);
    t.opportunity.revenue_unlock = 2e10;  // × 50% margin / $36.5B earnings: EPS +27%
    t.model.multiple_half_life = 0.25;
    t.model.eps_multiple_correlation = -0.4;
    t.simulation.steps_per_year = 52;
    t.model.events = {event_named("unlock", true), event_named("rerating"), event_named("early"),
                      event_named("at_k", true), event_named("never")};
    const PathGenerator gen(t, 1.0);
    const PathGenerator::Constants& c = gen.constants();
    REQUIRE(c.steps == 52);
    REQUIRE(c.unlock_log_step > 0.2);
    REQUIRE(c.chol_21 < 0);
    constexpr int k = 20;
    // After k: the unlock (step 30, decays 22 steps) and a re-rating at the last step (no decay).
    // At or before k (already in e and m): steps 12 and 20. Never: −1.
    const int steps[] = {30, 52, 12, 20, -1};
    const double jumps[] = {0.08, -0.15, 0.20, 0.05, 0.30};
    const double e = c.eps0 + 0.1, m = c.multiple0 - 0.2;
    const double x = e + m;

    // 200,000 closed-form draws; 100,000 stepped paths (32 steps of two normals each).
    constexpr std::size_t kDraws = 200'000, kStepped = 100'000;
    std::vector<double> closed(kDraws), stepped(kStepped);
    for (std::size_t i = 0; i < kDraws; ++i)
        closed[i] = PathGenerator::horizon_log_price(c, i, k, x, e, m, steps, jumps);
    for (std::size_t i = 0; i < kStepped; ++i) {
        PathRandom d(777, i, RandomStream::Diffusion), r(777, i, RandomStream::Rerating);
        double ee = e, mm = m;
        for (int j = k + 1; j <= c.steps; ++j) {
            const double z1 = d.normal(), z2 = r.normal();
            ee += c.eps_drift_step + c.eps_vol_step * z1;
            mm = c.multiple_target + (mm - c.multiple_target) * c.reversion +
                 c.multiple_vol_step * (c.chol_21 * z1 + c.chol_22 * z2);
            for (std::size_t v = 0; v < std::size(steps); ++v) {
                if (steps[v] != j) continue;
                mm += jumps[v];
                if (t.model.events[v].unlocks_revenue) ee += c.unlock_log_step;
            }
        }
        stepped[i] = ee + mm;
    }
    const Moments a = moments_of(closed), b = moments_of(stepped);
    const double z_mean =
        (a.mean - b.mean) / std::sqrt(a.mean_se() * a.mean_se() + b.mean_se() * b.mean_se());
    const double z_var = (a.variance - b.variance) /
                         std::sqrt(a.variance_se() * a.variance_se() + b.variance_se() * b.variance_se());
    CHECK_MESSAGE(std::fabs(z_mean) < 4, "mean closed ", a.mean, " stepped ", b.mean, " z ", z_mean);
    CHECK_MESSAGE(std::fabs(z_var) < 4, "variance closed ", a.variance, " stepped ", b.variance, " z ",
                  z_var);
    // The check has power: leaving out the unlock still to come (0.24) or its re-rating's decay
    // would move the mean by far more than 4 standard errors (≈ 0.004 here).
    CHECK(4 * std::sqrt(a.mean_se() * a.mean_se() + b.mean_se() * b.mean_se()) < 0.01);

    CHECK(bits(PathGenerator::horizon_log_price(c, 7, c.steps, x, e, m, steps, jumps)) == bits(x));
}

// ---- 2. The engine with and without early ending ----

namespace {

// Runs a thesis with touch odds on and off (same seed) and checks that the plans' outcomes are
// the same bits and the terminal prices the same distribution. `exact_mean` (if > 0): E[S_T].
void compare_touch_odds_on_off(const Thesis& on_thesis, double exact_mean) {
    Thesis off_thesis = on_thesis;
    REQUIRE(on_thesis.simulation.touch_odds);
    off_thesis.simulation.touch_odds = false;
    constexpr std::uint64_t kPaths = 20'000;
    MonteCarlo on(on_thesis), off(off_thesis);
    REQUIRE(off.generator().settles_early());
    on.run(kPaths, {.threads = 2});
    off.run(kPaths, {.threads = 2});
    const SimulationResult &a = on.result(), &b = off.result();
    REQUIRE(a.paths == kPaths);
    REQUIRE(b.paths == kPaths);

    // The plan outcomes are decided before a path settles: identical, bit for bit.
    const PlanTally &pa = a.plans[0], &pb = b.plans[0];
    CHECK(pa.outcomes == pb.outcomes);
    CHECK(pa.pnl == pb.pnl);
    CHECK(bits(pa.pnl.mean()) == bits(pb.pnl.mean()));
    CHECK(bits(pa.pnl.variance()) == bits(pb.pnl.variance()));
    CHECK(pa.wins == pb.wins);
    CHECK(pa.losses == pb.losses);
    CHECK(pa.holding == pb.holding);
    CHECK(pa.stop_shortfall == pb.stop_shortfall);
    CHECK(a.pnl[0] == b.pnl[0]);
    // Touches are measured only with touch odds on.
    CHECK(pa.touched_stop > 0);
    CHECK(pa.touched_target > 0);
    CHECK(pb.touched_stop == 0);
    CHECK(pb.touched_target == 0);
    // Filled paths that exit at the stop or target end early with touch odds off, so the terminal
    // prices come from other draws: different bits (else this test would check nothing).
    CHECK(pa.outcomes[1] + pa.outcomes[2] + pa.outcomes[3] > kPaths / 10);
    CHECK(bits(a.terminal.mean()) != bits(b.terminal.mean()));

    // The terminal price: the same mean within 4 standard errors of the difference (taken as if
    // independent; the runs share most paths, so this is conservative), and against E[S_T].
    const double n = static_cast<double>(kPaths);
    const double se_a = a.terminal.std_dev() / std::sqrt(n), se_b = b.terminal.std_dev() / std::sqrt(n);
    const double z = (a.terminal.mean() - b.terminal.mean()) / std::sqrt(se_a * se_a + se_b * se_b);
    CHECK_MESSAGE(std::fabs(z) < 4, "E[S_T] touch odds on ", a.terminal.mean(), " off ", b.terminal.mean(),
                  " z ", z);
    if (exact_mean > 0) {
        const double za = (a.terminal.mean() - exact_mean) / se_a;
        const double zb = (b.terminal.mean() - exact_mean) / se_b;
        CHECK_MESSAGE(std::fabs(za) < 4, "E[S_T] touch odds on ", a.terminal.mean(), " exact ", exact_mean);
        CHECK_MESSAGE(std::fabs(zb) < 4, "E[S_T] touch odds off ", b.terminal.mean(), " exact ", exact_mean);
    }
    // The terminal quantiles (order-statistic intervals of the sketches) agree too: the tails'
    // shape, not just the mean.
    for (double p : {0.05, 0.5, 0.95}) {
        const Estimate qa = a.terminal_sketch.quantile_ci(p), qb = b.terminal_sketch.quantile_ci(p);
        const double zq = (qa.value - qb.value) / std::hypot(qa.std_error, qb.std_error);
        CHECK_MESSAGE(std::fabs(zq) < 4, "quantile ", p, " on ", qa.value, " off ", qb.value, " z ", zq);
    }
}

}  // namespace

TEST_CASE("W1 with and without touch odds: the same outcomes bit for bit and the same terminal law") {
    // E[S_T] = S₀ e^{μT} = 770 e^{0.1}; the median S₀ e^{(μ − σ²/2)T} = 770 e^{−0.025}.
    compare_touch_odds_on_off(w1(true), 770 * std::exp(0.10));
    // The median against the closed form, with touch odds off.
    Thesis t = w1(false);
    MonteCarlo mc(t);
    mc.run(20'000, {.threads = 2});
    const Estimate median = mc.result().terminal_sketch.quantile_ci(0.5);
    const double exact = 770 * std::exp(0.10 - 0.125);
    CHECK_MESSAGE(std::fabs(median.value - exact) < 4 * median.std_error, "median ", median.value, " exact ",
                  exact);
}

TEST_CASE("W1 under Merton jumps with and without touch odds: the same outcomes and terminal law") {
    // The jumps are compensated: E[S_T] = S₀ e^{μT} still.
    compare_touch_odds_on_off(w1_merton(true), 770 * std::exp(0.10));
}

TEST_CASE("W1 under fundamentals with and without touch odds: the same outcomes and terminal mean") {
    compare_touch_odds_on_off(w1_fundamentals(true), 0);
}

// ---- 3. Determinism ----

TEST_CASE("early ending keeps results bit-identical for any threads and chunk size") {
    for (ModelKind kind : {ModelKind::Gbm, ModelKind::Merton, ModelKind::Fundamentals}) {
        const Thesis t = busy_settling(kind, Monitoring::Discrete);
        REQUIRE_FALSE(t.simulation.touch_odds);
        CAPTURE(to_string(kind));
        // 4,100 paths: 4 whole blocks of 1024 and a partial one; 5 chunks of 1024 or 1 of 8192.
        const auto run = [&](const Thesis& thesis, unsigned threads, std::uint64_t chunk) {
            MonteCarlo mc(thesis);
            mc.run(4'100, {.threads = threads, .chunk_paths = chunk});
            return signature(mc.result());
        };
        const auto reference = run(t, 1, 1024);
        CHECK(run(t, 2, 1024) == reference);
        CHECK(run(t, 2, 8192) == reference);
        // Not vacuous: some paths did end early (their terminal prices differ from touch odds on).
        Thesis on = t;
        on.simulation.touch_odds = true;
        CHECK(run(on, 1, 1024)[1] != reference[1]);
    }
}

TEST_CASE("early ending gives the same bits at every SIMD level") {
    SimdLevelGuard guard;
    for (ModelKind kind : {ModelKind::Gbm, ModelKind::Merton, ModelKind::Fundamentals})
        for (Monitoring monitoring : {Monitoring::Discrete, Monitoring::Continuous, Monitoring::Sessions}) {
            const Thesis t = busy_settling(kind, monitoring);
            REQUIRE_FALSE(t.simulation.touch_odds);
            std::vector<std::uint64_t> reference;
            int levels = 0;
            for (const char* level : simd_levels_to_compare()) {
                set_simd_level(level);
                MonteCarlo mc(t);
                mc.run(2000, {.threads = 1});
                const auto got = signature(mc.result());
                if (reference.empty()) reference = got;
                CAPTURE(level);
                CAPTURE(to_string(kind));
                CAPTURE(to_string(monitoring));
                CHECK(got == reference);
                ++levels;
            }
            CHECK(levels >= 1);
        }
}

// ---- 4. A settled path is cut short ----

namespace {

constexpr int kSteps = 252;

// An observer that sees every step of every lane (its one watch's low level is +∞, so every
// price "reaches" it) and reports a path settled once it has seen the path's step settle_at(path).
// It records, per path, the steps it saw and where and with what the path finished.
class SettleAt final : public LaneObserver {
  public:
    explicit SettleAt(std::size_t paths)
        : seen_(paths), finished_at_(paths, -1), terminal_(paths), x_(paths) {
        std::fill(std::begin(watch_[0].low), std::end(watch_[0].low),
                  std::numeric_limits<double>::infinity());
        std::fill(std::begin(watch_[0].high), std::end(watch_[0].high),
                  std::numeric_limits<double>::infinity());
        watch_[0].forced = INT_MAX;
    }
    static int settle_at(std::uint64_t path) { return 1 + static_cast<int>(path * 37 % 250); }  // 1..250

    std::span<LaneWatch> watches() override { return watch_; }
    void start(int lane, std::uint64_t path, int origin, double, const int*) override {
        path_[lane] = path;
        origin_[lane] = origin;
        ++starts;
    }
    void step(std::size_t, int g, unsigned lanes, const LaneStep& s) override {
        for (int l = 0; l < kLanes; ++l) {
            if (!(lanes >> l & 1u)) continue;
            const std::uint64_t p = path_[l];
            const int k = g - origin_[l];
            out_of_order += k != seen_[p] + 1;  // every step, in order
            seen_[p] = k;
            x_[p] = s.observed[l];
        }
    }
    bool settled(int lane) const override {
        const std::uint64_t p = path_[lane];
        return seen_[p] >= settle_at(p);
    }
    void finish(int lane, double y) override {
        const std::uint64_t p = path_[lane];
        finished_twice += finished_at_[p] >= 0;
        finished_at_[p] = seen_[p];
        terminal_[p] = y;
    }

    int seen(std::uint64_t p) const { return seen_[p]; }
    int finished_at(std::uint64_t p) const { return finished_at_[p]; }
    double terminal(std::uint64_t p) const { return terminal_[p]; }
    double last_x(std::uint64_t p) const { return x_[p]; }

    int starts = 0, out_of_order = 0, finished_twice = 0;

  private:
    LaneWatch watch_[1];
    std::uint64_t path_[kLanes] = {};
    int origin_[kLanes] = {};
    std::vector<int> seen_, finished_at_;
    std::vector<double> terminal_, x_;
};

}  // namespace

TEST_CASE("a settled path ends at the step it settled and its horizon price is drawn from there") {
    // GBM and Merton (3 jumps a year) with two events, and fundamentals: each path p is settled
    // from its step settle_at(p) on, so the engine must finish it right there, having shown every
    // step before; its terminal log price is horizon_log_price from that step's state (GBM and
    // Merton: the recorded path's price at that step and its events), bit for bit. Merton at 100
    // jumps a year (100 > 30 expected jumps) cannot end early: every path runs its 252 steps and
    // ends at the recorded path's last price.
    struct Case {
        ModelKind kind;
        double intensity;
    };
    for (const Case& cs : {Case{ModelKind::Gbm, 0}, Case{ModelKind::Merton, 3},
                           Case{ModelKind::Fundamentals, 0}, Case{ModelKind::Merton, 100}}) {
        Thesis t = busy_settling(cs.kind, Monitoring::Discrete);
        t.model.jump_intensity = cs.intensity;
        t.plans.clear();
        const PathGenerator gen(t, 1.0);
        const bool early = cs.intensity <= 30;
        CAPTURE(to_string(cs.kind));
        CAPTURE(cs.intensity);
        REQUIRE(gen.settles_early() == early);
        REQUIRE(gen.grid().steps == kSteps);

        constexpr std::uint64_t kPaths = 200;  // not a multiple of kLanes: a partial last batch
        SettleAt observer(kPaths);
        gen.simulate(0, kPaths, observer);
        CHECK(observer.starts == static_cast<int>(kPaths));
        CHECK(observer.out_of_order == 0);
        CHECK(observer.finished_twice == 0);

        int wrong_step = 0, wrong_price = 0, wrong_terminal = 0;
        PricePath path;
        for (std::uint64_t p = 0; p < kPaths; ++p) {
            const int expected = early ? SettleAt::settle_at(p) : kSteps;
            wrong_step += observer.finished_at(p) != expected || observer.seen(p) != expected;
            gen.generate(p, path);  // every step simulated: the same draws up to the settling step
            wrong_price +=
                bits(observer.last_x(p)) != bits(path.log_price[static_cast<std::size_t>(expected)]);
            if (!early) {
                wrong_terminal += bits(observer.terminal(p)) != bits(path.log_price.back());
            } else if (cs.kind != ModelKind::Fundamentals) {
                const double y = PathGenerator::horizon_log_price(
                    gen.constants(), p, expected, path.log_price[static_cast<std::size_t>(expected)], 0, 0,
                    path.event_step.data(), path.event_jump.data());
                wrong_terminal += bits(observer.terminal(p)) != bits(y);
            }
        }
        CHECK(wrong_step == 0);
        CHECK(wrong_price == 0);
        CHECK(wrong_terminal == 0);
    }
}

namespace {

// PlanBook, watched: forwards everything, and records per path the last step the engine showed
// it and the terminal log price it finished with.
class WatchedBook final : public LaneObserver {
  public:
    WatchedBook(PlanBook& book, std::size_t paths) : book_(book), last_(paths, 0), terminal_(paths) {}

    std::span<LaneWatch> watches() override { return book_.watches(); }
    void start(int lane, std::uint64_t path, int origin, double x0, const int* events) override {
        path_[lane] = path;
        origin_[lane] = origin;
        book_.start(lane, path, origin, x0, events);
    }
    void step(std::size_t plan, int g, unsigned lanes, const LaneStep& s) override {
        for (int l = 0; l < kLanes; ++l)
            if (lanes >> l & 1u) last_[path_[l]] = g - origin_[l];
        book_.step(plan, g, lanes, s);
    }
    bool settled(int lane) const override { return book_.settled(lane); }
    void finish(int lane, double y) override {
        terminal_[path_[lane]] = y;
        book_.finish(lane, y);
    }

    int last_step(std::uint64_t p) const { return last_[p]; }
    double terminal(std::uint64_t p) const { return terminal_[p]; }

  private:
    PlanBook& book_;
    std::uint64_t path_[kLanes] = {};
    int origin_[kLanes] = {};
    std::vector<int> last_;
    std::vector<double> terminal_;
};

}  // namespace

TEST_CASE("W1 without touch odds ends a path at its plan's exit -- never under 100 jumps a year") {
    // W1's plan settles when it exits at the stop or the target: with touch odds off the engine
    // then ends the path at that step, with the closed-form horizon price from the recorded
    // path's price there. Unfilled paths and horizon exits run all 252 steps and end at the
    // recorded path's last price. With touch odds on, or under Merton at 100 jumps a year, no
    // path ends at its exit: its price at the horizon is the recorded path's.
    struct Case {
        Thesis thesis;
        bool early;
    };
    const Case cases[] = {{w1(false), true}, {w1(true), false}, {w1_merton(false, 100), false}};
    for (const Case& cs : cases) {
        const MonteCarlo mc(cs.thesis);
        const PathGenerator& gen = mc.generator();
        CAPTURE(to_string(cs.thesis.model.kind));
        CAPTURE(cs.thesis.simulation.touch_odds);
        constexpr std::uint64_t kPaths = 1000;
        PlanBook book(mc.rules(), cs.thesis.simulation.monitoring);
        book.begin(0, kPaths);
        WatchedBook watched(book, kPaths);
        gen.simulate(0, kPaths, watched);

        int ended_early = 0, exits_before_horizon = 0, mismatches = 0;
        PricePath path;
        for (std::uint64_t p = 0; p < kPaths; ++p) {
            const TradeOutcome& o = book.outcome(p, 0);
            gen.generate(p, path);
            // The outcome is the whole path's, early ending or not.
            const TradeOutcome whole = trade_on_path(mc.rules()[0], path, cs.thesis.simulation.monitoring);
            mismatches += o.reason != whole.reason || o.exit_step != whole.exit_step ||
                          bits(o.pnl_per_share) != bits(whole.pnl_per_share);
            const bool exit_before =
                o.reason != ExitReason::Unfilled && o.reason != ExitReason::Horizon && o.exit_step < kSteps;
            exits_before_horizon += exit_before;
            if (!exit_before) {
                // Unfilled or held to the horizon: the plan is shown its last step, and the path
                // ends at the recorded path's last price.
                mismatches += watched.last_step(p) != kSteps;
                mismatches += bits(watched.terminal(p)) != bits(path.log_price.back());
            } else if (cs.early) {
                // Cut short at the exit: shown no step after it, the horizon price drawn from it.
                ++ended_early;
                mismatches += watched.last_step(p) != o.exit_step;
                const double y = PathGenerator::horizon_log_price(
                    gen.constants(), p, o.exit_step, path.log_price[static_cast<std::size_t>(o.exit_step)], 0,
                    0, nullptr, nullptr);
                mismatches += bits(watched.terminal(p)) != bits(y);
                mismatches += bits(book.terminal_log_price(p)) != bits(y);
            } else if (!(o.touched_stop && o.touched_target)) {
                // Touch odds on: a path whose plan is over still watches the level it has not
                // touched (it may end early only once both are touched). Merton at 100 jumps a
                // year: no early end at all. Either way the path runs to the horizon.
                mismatches += bits(watched.terminal(p)) != bits(path.log_price.back());
            }
        }
        CHECK(mismatches == 0);
        if (cs.early) MESSAGE("paths ended at their plan's exit: " << ended_early << " of " << kPaths);
        CHECK(exits_before_horizon > 200);  // the plan did exit early on many paths
    }
}

TEST_CASE("a tape holds each path's closes as the recorded path has them -- settled early or not") {
    // The busy thesis's five plans on each model and monitoring (the lanes play them under
    // discrete monitoring, the trackers otherwise), 1,003 paths (a partial last batch): each
    // path's start, events and closes on the tape equal the recorded path's bit for bit, to the
    // last step the path is known to have run to: its plans' last exit, at a level or at a plan's
    // horizon (a settled path's lane runs another path after that).
    for (ModelKind kind : {ModelKind::Gbm, ModelKind::Merton, ModelKind::Fundamentals})
        for (Monitoring monitoring : {Monitoring::Discrete, Monitoring::Continuous, Monitoring::Sessions}) {
            const Thesis t = busy_settling(kind, monitoring);
            const PathGenerator gen(t, 1.0);
            std::vector<PlanRules> rules;
            for (const Plan& p : t.plans) rules.push_back(compile_plan(p, t, gen.grid()));
            constexpr std::uint64_t kPaths = 1003, kFirst = 4096;
            PlanBook book(rules, t.simulation.monitoring);
            book.begin(kFirst, kPaths);
            CloseTape tape;
            gen.simulate(kFirst, kFirst + kPaths, book, tape);
            CAPTURE(to_string(kind));
            CAPTURE(to_string(monitoring));
            REQUIRE(tape.first == kFirst);
            REQUIRE(tape.starts.size() == kPaths);
            int wrong = 0, short_paths = 0;
            PricePath path;
            for (std::uint64_t i = 0; i < kPaths; ++i) {
                gen.generate(kFirst + i, path);
                int ran = 0;
                for (std::size_t p = 0; p < rules.size(); ++p) {
                    const TradeOutcome& o = book.outcome(i, p);
                    if (o.reason != ExitReason::Unfilled) ran = std::max(ran, o.exit_step);
                }
                short_paths += ran < kSteps;
                wrong += bits(tape.starts[i].x0) != bits(path.log_price[0]);
                for (std::size_t e = 0; e < path.event_step.size(); ++e)
                    wrong += tape.event_step[i * path.event_step.size() + e] != path.event_step[e];
                for (int k = 1; k <= ran; ++k)
                    wrong += bits(tape.at(i, k)) != bits(path.log_price[static_cast<std::size_t>(k)]);
            }
            CHECK(wrong == 0);
            CHECK(short_paths > 50);  // paths whose plans all settled before the horizon
        }
}
