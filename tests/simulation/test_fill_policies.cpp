// Fill policies (trade.h). Session monitoring: each step an overnight move to the open, with the
// step's jumps and events, then a session's Brownian bridge to the close, checked against the two
// policies it reduces to and against the normal law of the overnight move. The policy bracket:
// every plan under every policy on the same paths, and the paired differences.
#include "thesis/simulation/monte_carlo.h"

#include "engine_fixtures.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using namespace thesis;
using namespace thesis::test;

namespace {

Thesis one_plan(Monitoring monitoring, double share, Plan plan, Years horizon = 1) {
    Thesis t = gbm_770();
    t.simulation.horizon = horizon;
    t.simulation.monitoring = monitoring;
    t.simulation.overnight_variance_share = share;
    t.simulation.seed = 97;
    t.plans = {std::move(plan)};
    return t;
}

Plan dip() {
    return plan_named("dip", {.kind = Entry::Kind::Limit, .limit = 700},
                      {.kind = Stop::Kind::Fixed, .level = 600},
                      {.kind = Target::Kind::Fixed, .level = 1000});
}

std::size_t at(ExitReason r) { return static_cast<std::size_t>(r); }

// Two independent binomial proportions: z of their difference.
double z_two_proportions(std::uint64_t a, std::uint64_t b, std::uint64_t n) {
    const double pa = static_cast<double>(a) / static_cast<double>(n);
    const double pb = static_cast<double>(b) / static_cast<double>(n);
    const double se = std::sqrt((pa * (1 - pa) + pb * (1 - pb)) / static_cast<double>(n));
    return se > 0 ? (pa - pb) / se : 0;
}

}  // namespace

TEST_CASE("sessions with no overnight share and no jumps are continuous monitoring bit for bit") {
    // The open is then the close before (s·Δ + 0·Z = 0) and the session's bridge the whole step's:
    // same draws, same walk. Plans of every kind, with touch odds.
    for (const Plan& plan : busy_thesis(ModelKind::Gbm, Monitoring::Discrete).plans) {
        if (plan.entry.kind == Entry::Kind::AfterEvent) continue;  // no events here
        CAPTURE(plan.name);
        Thesis continuous = one_plan(Monitoring::Continuous, 0, plan);
        Thesis sessions = one_plan(Monitoring::Sessions, 0, plan);
        MonteCarlo a(continuous), b(sessions);
        a.run(4000, {.threads = 1});
        b.run(4000, {.threads = 1});
        const PlanTally &x = a.result().plans[0], &y = b.result().plans[0];
        CHECK(x.outcomes == y.outcomes);
        CHECK(bits(x.pnl.mean()) == bits(y.pnl.mean()));
        CHECK(bits(x.pnl.variance()) == bits(y.pnl.variance()));
        CHECK(bits(x.holding.mean()) == bits(y.holding.mean()));
        CHECK(x.touched_stop == y.touched_stop);
        CHECK(x.touched_target == y.touched_target);
    }
}

TEST_CASE("sessions with the whole variance overnight have close-only monitoring's gap statistics") {
    // s = 1: the open is the close, the session does not move, and an order fills at the open
    // when it is past its level: close-only's rule, gap threshold included. Independent seeds, so
    // the comparison is in distribution: each outcome's two proportions within |z| < 4.
    constexpr std::uint64_t n = 40'000;
    Thesis closes = one_plan(Monitoring::Discrete, 1, dip());
    Thesis sessions = one_plan(Monitoring::Sessions, 1, dip());
    sessions.simulation.seed = 98;
    MonteCarlo a(closes), b(sessions);
    a.run(n);
    b.run(n);
    const PlanTally &x = a.result().plans[0], &y = b.result().plans[0];
    for (ExitReason r : kExitReasons) {
        CAPTURE(to_string(r));
        CHECK(std::fabs(z_two_proportions(x.outcomes[at(r)], y.outcomes[at(r)], n)) < 4);
    }
    CHECK(y.outcomes[at(ExitReason::GapThroughStop)] > 1000);  // a third of the stops gap
    const double se = std::sqrt((x.pnl.variance() + y.pnl.variance()) / static_cast<double>(n));
    CHECK(std::fabs((x.pnl.mean() - y.pnl.mean()) / se) < 4);
    CHECK(std::fabs((x.stop_shortfall.mean() - y.stop_shortfall.mean()) /
                    std::sqrt(x.stop_shortfall.variance() / static_cast<double>(x.stop_shortfall.count()) +
                              y.stop_shortfall.variance() / static_cast<double>(y.stop_shortfall.count()))) <
          4);
}

TEST_CASE("sessions: the overnight gap through a stop k% below has the normal law of the open") {
    // Bought at the market today, a stop k% below, one day. Without jumps the open's log return
    // is N(s·m, s·σ²Δt), m = (μ − σ²/2)Δt, and a stop fills past its level exactly when the open
    // is below it: P(gap) = Φ((ln(1 − k) − s·m)/√(s·σ²Δt)) with a gap threshold of 0. Inside
    // the session the stop fills at its level: P(stop) = P(the day's low reaches it) − P(gap).
    const double dt = 1.0 / 252, mu = 0.10, sigma = 0.50;
    for (const double share : {0.25, 0.6})
        for (const double k : {0.01, 0.03}) {
            CAPTURE(share);
            CAPTURE(k);
            Plan hold = plan_named("hold", {}, {.kind = Stop::Kind::Percent, .distance = k}, {});
            Thesis t = one_plan(Monitoring::Sessions, share, hold, dt);
            t.simulation.gap_threshold = 0;
            MonteCarlo mc(t);
            constexpr std::uint64_t n = 200'000;
            mc.run(n);
            const PlanTally& tally = mc.result().plans[0];
            const double m = (mu - 0.5 * sigma * sigma) * dt;
            const double p = 0.5 * std::erfc(-(std::log(1 - k) - share * m) /
                                             std::sqrt(share * sigma * sigma * dt) / std::sqrt(2.0));
            const double hits = static_cast<double>(tally.outcomes[at(ExitReason::GapThroughStop)]);
            const double se = std::sqrt(p * (1 - p) / static_cast<double>(n));
            CHECK(std::fabs((hits / static_cast<double>(n) - p) / se) < 4);
            CHECK(tally.outcomes[at(ExitReason::Stop)] > 0);  // the session's own crossings, at the level
        }
}

TEST_CASE("sessions: jumps and events land at the open") {
    // A catalyst at step 1 with a certain −20% jump: the open is 20% lower, so a 10% stop fills at
    // the open, a gap, on every path; under continuous monitoring the event lands after the
    // session and the stop still fills past its level, but only at the close.
    Plan hold = plan_named("hold", {}, {.kind = Stop::Kind::Percent, .distance = 0.10}, {});
    Thesis t = one_plan(Monitoring::Sessions, 0.25, hold, 2.0 / 252);
    CatalystEvent e;
    e.name = "shock";
    e.probability = 1;
    e.window_start = e.window_end = 0.5 / 252;
    e.jump_mean = std::log(0.8);
    t.model.events = {e};
    MonteCarlo mc(t);
    mc.run(2000);
    const PlanTally& tally = mc.result().plans[0];
    CHECK(tally.outcomes[at(ExitReason::GapThroughStop)] == 2000);
    // The fill is the open: 20% down, times the overnight diffusion's small move.
    CHECK(tally.holding.max() == doctest::Approx(1.0 / 252));
    CHECK(tally.stop_shortfall.mean() / 693 == doctest::Approx(0.1 / 0.9).epsilon(0.05));
}

TEST_CASE("the policy bracket plays each policy as its own run would - bit for bit") {
    // Under every_policy the engine shows a plan every step any policy could act on; each copy's
    // outcomes must be what a run under that policy alone gives. The busy thesis: every kind of
    // plan, Merton's jumps and catalyst events (which land at the open under sessions only).
    for (ModelKind kind : {ModelKind::Gbm, ModelKind::Merton, ModelKind::Fundamentals}) {
        CAPTURE(to_string(kind));
        const Thesis t = busy_thesis(kind, Monitoring::Sessions);
        MonteCarlo bracket(t, {Monitoring::Discrete, Monitoring::Continuous});
        bracket.run(3000, {.threads = 1});
        const SimulationResult& all = bracket.result();
        REQUIRE(all.policies ==
                std::vector{Monitoring::Sessions, Monitoring::Discrete, Monitoring::Continuous});
        const std::size_t n = t.plans.size();
        for (std::size_t p = 0; p < all.policies.size(); ++p) {
            Thesis alone = t;
            alone.simulation.monitoring = all.policies[p];
            MonteCarlo mc(alone);
            mc.run(3000, {.threads = 1});
            for (std::size_t i = 0; i < n; ++i) {
                CAPTURE(to_string(all.policies[p]));
                CAPTURE(t.plans[i].name);
                const PlanTally &x = all.plans[p * n + i], &y = mc.result().plans[i];
                CHECK(x.outcomes == y.outcomes);
                CHECK(bits(x.pnl.mean()) == bits(y.pnl.mean()));
                CHECK(bits(x.holding.mean()) == bits(y.holding.mean()));
                CHECK(x.touched_stop == y.touched_stop);
                CHECK(x.touched_target == y.touched_target);
            }
        }
    }
}

TEST_CASE("the policy bracket's differences are paired path by path") {
    // The paired difference's mean is the difference of the two means; on common random numbers
    // its standard error is smaller than two independent runs' would be.
    const Thesis t = busy_thesis(ModelKind::Gbm, Monitoring::Sessions);
    MonteCarlo bracket(t, {Monitoring::Discrete});
    bracket.run(8192, {.threads = 2});
    const SimulationResult& r = bracket.result();
    const std::size_t n = t.plans.size();
    REQUIRE(r.paired.size() == n);
    for (std::size_t i = 0; i < n; ++i) {
        CAPTURE(t.plans[i].name);
        const RunningStats &sessions = r.plans[i].pnl, &discrete = r.plans[n + i].pnl;
        const PairedTally& d = r.paired[i];
        CHECK(d.pnl.count() == 8192);
        CHECK(d.pnl.mean() == doctest::Approx(discrete.mean() - sessions.mean()).epsilon(1e-9));
        const double unpaired = std::sqrt((discrete.variance() + sessions.variance()) / 8192);
        if (d.pnl.variance() > 0) CHECK(d.pnl.mean_estimate().std_error < 0.5 * unpaired);
        const auto share = [&](const PlanTally& x, ExitReason e) {
            return static_cast<double>(x.outcomes[at(e)]) / 8192;
        };
        CHECK(d.target.mean() == doctest::Approx(share(r.plans[n + i], ExitReason::Target) -
                                                 share(r.plans[i], ExitReason::Target))
                                     .epsilon(1e-12));
        CHECK(d.gap.mean() == doctest::Approx(share(r.plans[n + i], ExitReason::GapThroughStop) -
                                              share(r.plans[i], ExitReason::GapThroughStop))
                                  .epsilon(1e-12));
    }
}
