// Tests for the plans the engine plays in its vector lanes (path_kernel_body.inc, PlanLanes):
// a market or limit entry and a fixed stop and target, if any, under discrete monitoring. They
// must give what a PlanTracker per lane gives, bit for bit: every outcome field and every
// path's price at the horizon (which depends on the step a path settled at), for every model,
// with and without touch odds. The lanes play plans in AVX-512 code; the SSE2 and AVX2 code keeps
// the trackers, and is compared too.

#include "thesis/simulation/detail/plan_book.h"
#include "thesis/simulation/detail/plan_tracker.h"
#include "thesis/simulation/monte_carlo.h"
#include "thesis/simulation/path.h"
#include "thesis/simulation/trade.h"

#include "engine_fixtures.h"

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

using namespace thesis;
using namespace thesis::test;

namespace {

using EK = Entry::Kind;
using SK = Stop::Kind;
using TK = Target::Kind;

// Every shape of plan the lanes play: long and short, market and limit entries (one that fills
// today), a stop and a target alone, both, or neither; a plan horizon shorter than the grid and
// one that rounds to step 0; slippage and commissions; and the busy thesis's catalyst events.
Thesis lane_thesis(ModelKind kind, bool touch_odds) {
    Thesis t = busy_thesis(kind, Monitoring::Discrete);
    t.simulation.touch_odds = touch_odds;
    t.simulation.gap_threshold = 0.02;
    t.plans = {
        plan_named("dip", {.kind = EK::Limit, .limit = 700}, {.kind = SK::Fixed, .level = 600},
                   {.kind = TK::Fixed, .level = 1000}),
        plan_named("market_target", {}, {}, {.kind = TK::Fixed, .level = 900}),
        plan_named("short", {.kind = EK::Limit, .limit = 820}, {.kind = SK::Fixed, .level = 900},
                   {.kind = TK::Fixed, .level = 650}, Side::Short),
        plan_named("hold", {}, {}, {}),
        plan_named("stop_only", {.kind = EK::Limit, .limit = 760}, {.kind = SK::Fixed, .level = 700}, {}),
        plan_named("fills_today", {.kind = EK::Limit, .limit = 800}, {.kind = SK::Fixed, .level = 690},
                   {.kind = TK::Fixed, .level = 880}),
        plan_named("short_market", {}, {.kind = SK::Fixed, .level = 850}, {}, Side::Short),
        plan_named("no_time", {.kind = EK::Limit, .limit = 780}, {.kind = SK::Fixed, .level = 600}, {}),
    };
    t.plans[1].horizon = 0.4;
    t.plans[4].costs = {.commission_per_share = 0.01, .slippage_bps = 5};
    t.plans[6].horizon = 0.75;
    t.plans[7].horizon = 0.001;  // rounds to step 0: over before the first step
    return t;
}

// Every shape of single plan the step loop plays (play_in_loop, play_bridged_in_loop): long and
// short, limit and market entries (one that fills today), a stop and a target alone, both, or
// neither. Plan 3 gets costs in the tests.
std::vector<Plan> single_plans() {
    return {
        plan_named("dip", {.kind = EK::Limit, .limit = 700}, {.kind = SK::Fixed, .level = 600},
                   {.kind = TK::Fixed, .level = 1000}),
        plan_named("short", {.kind = EK::Limit, .limit = 820}, {.kind = SK::Fixed, .level = 900},
                   {.kind = TK::Fixed, .level = 650}, Side::Short),
        plan_named("market_target", {}, {}, {.kind = TK::Fixed, .level = 900}),
        plan_named("stop_only", {.kind = EK::Limit, .limit = 760}, {.kind = SK::Fixed, .level = 700}, {}),
        plan_named("fills_today", {.kind = EK::Limit, .limit = 800}, {.kind = SK::Fixed, .level = 690},
                   {.kind = TK::Fixed, .level = 880}),
        plan_named("short_market", {}, {.kind = SK::Fixed, .level = 850}, {}, Side::Short),
        plan_named("hold", {}, {}, {}),
        // Fills today at 770, 3.8% past its stop: the stop fills at once, a gap (the only one a
        // diffusion without jumps makes under continuous monitoring).
        plan_named("fills_past_stop", {.kind = EK::Limit, .limit = 850}, {.kind = SK::Fixed, .level = 800},
                   {.kind = TK::Fixed, .level = 900}),
    };
}

struct Ran {
    std::vector<TradeOutcome> outcomes;  // [path][plan]
    std::vector<double> terminal;
};

Ran run_book(const MonteCarlo& mc, Monitoring monitoring, bool in_lanes, std::uint64_t count) {
    PlanBook book(mc.rules(), monitoring, in_lanes);
    CHECK((book.lane_plans() != nullptr) == in_lanes);
    book.begin(0, count);
    mc.generator().simulate(0, count, book);
    Ran r;
    for (std::uint64_t i = 0; i < count; ++i) {
        for (std::size_t p = 0; p < mc.rules().size(); ++p) r.outcomes.push_back(book.outcome(i, p));
        r.terminal.push_back(book.terminal_log_price(i));
    }
    return r;
}

void check_same(const TradeOutcome& a, const TradeOutcome& b) {
    CHECK(a.reason == b.reason);
    CHECK(bits(a.entry_price) == bits(b.entry_price));
    CHECK(bits(a.exit_price) == bits(b.exit_price));
    CHECK(bits(a.pnl_per_share) == bits(b.pnl_per_share));
    CHECK(a.entry_step == b.entry_step);
    CHECK(a.exit_step == b.exit_step);
    CHECK(bits(a.stop_shortfall) == bits(b.stop_shortfall));
    CHECK(a.touched_target == b.touched_target);
    CHECK(a.touched_stop == b.touched_stop);
}

// Plan i of single_plans() alone (plan 3 with costs), without events, under `monitoring`.
Thesis single_plan_thesis(ModelKind kind, Monitoring monitoring, std::size_t i, bool short_horizon) {
    Thesis t = lane_thesis(kind, false);
    t.model.events.clear();
    t.simulation.monitoring = monitoring;
    t.plans = {single_plans()[i]};
    if (short_horizon) t.plans[0].horizon = 0.6;
    if (i == 3) t.plans[0].costs = {.commission_per_share = 0.01, .slippage_bps = 5};
    return t;
}

// The plans played in the lanes against a tracker per lane, at every SIMD level the CPU has:
// every outcome field and horizon price, bit for bit. Counts the exit reasons met in `seen`.
void check_lanes_match_trackers(const MonteCarlo& mc, Monitoring monitoring,
                                std::array<int, kExitReasons.size()>& seen) {
    constexpr std::uint64_t kPaths = 3001;  // not a whole number of lanes or blocks
    for (const char* level : simd_levels_to_compare(true)) {
        set_simd_level(level);
        CAPTURE(level);
        const Ran lanes = run_book(mc, monitoring, true, kPaths);
        const Ran trackers = run_book(mc, monitoring, false, kPaths);
        REQUIRE(lanes.outcomes.size() == trackers.outcomes.size());
        for (std::size_t j = 0; j < lanes.outcomes.size(); ++j) {
            check_same(lanes.outcomes[j], trackers.outcomes[j]);
            ++seen[static_cast<std::size_t>(trackers.outcomes[j].reason)];
        }
        for (std::size_t j = 0; j < kPaths; ++j) CHECK(bits(lanes.terminal[j]) == bits(trackers.terminal[j]));
    }
}

}  // namespace

TEST_CASE("lane_playable: market or limit entries with fixed or no stop and target") {
    const TimeGrid grid = make_time_grid(1, 252);
    const auto rules = [&](Plan p) { return compile_plan(p, 770, grid, {}, 0.01); };
    CHECK(lane_playable(
        rules(plan_named("a", {.kind = EK::Limit, .limit = 700}, {.kind = SK::Fixed, .level = 600},
                         {.kind = TK::Fixed, .level = 1000}))));
    CHECK(lane_playable(rules(plan_named("b", {}, {}, {}, Side::Short))));
    CHECK_FALSE(lane_playable(rules(plan_named("c", {}, {.kind = SK::Percent, .distance = 0.1}, {}))));
    CHECK_FALSE(lane_playable(rules(plan_named("d", {}, {.kind = SK::Trailing, .distance = 0.1}, {}))));
    CHECK_FALSE(lane_playable(rules(plan_named("e", {}, {}, {.kind = TK::Percent, .distance = 0.2}))));
    CHECK_FALSE(lane_playable(rules(plan_named("f", {.kind = EK::OnDate, .at = 0.1}, {}, {}))));
}

TEST_CASE("a thesis the lanes cannot play keeps a tracker per plan and lane") {
    const Thesis busy = busy_thesis(ModelKind::Gbm, Monitoring::Discrete);  // trailing stops and more
    MonteCarlo mc(busy);
    CHECK(PlanBook(mc.rules(), Monitoring::Discrete).lane_plans() == nullptr);
    // Under continuous monitoring the lanes play one plan without touches (in GBM's step loop).
    Thesis continuous = lane_thesis(ModelKind::Gbm, false);
    continuous.simulation.monitoring = Monitoring::Continuous;
    MonteCarlo mc_continuous(continuous);
    CHECK(PlanBook(mc_continuous.rules(), Monitoring::Continuous).lane_plans() == nullptr);
    continuous.plans.resize(1);
    CHECK(PlanBook(MonteCarlo(continuous).rules(), Monitoring::Continuous).lane_plans() != nullptr);
    continuous.simulation.touch_odds = true;
    CHECK(PlanBook(MonteCarlo(continuous).rules(), Monitoring::Continuous).lane_plans() == nullptr);
    Thesis many = lane_thesis(ModelKind::Gbm, false);
    while (many.plans.size() <= kMaxLanePlans) many.plans.push_back(many.plans[0]);
    MonteCarlo mc_many(many);
    CHECK(PlanBook(mc_many.rules(), Monitoring::Discrete).lane_plans() == nullptr);
    MonteCarlo mc_lanes(lane_thesis(ModelKind::Gbm, false));
    CHECK(PlanBook(mc_lanes.rules(), Monitoring::Discrete).lane_plans() != nullptr);
}

TEST_CASE("plans played in the lanes give the trackers' outcomes and horizon prices bit for bit") {
    SimdLevelGuard guard;
    constexpr std::uint64_t kPaths = 3001;  // not a whole number of lanes or blocks
    for (const ModelKind kind : {ModelKind::Gbm, ModelKind::Merton, ModelKind::Fundamentals}) {
        for (const bool touch_odds : {true, false}) {
            const Thesis t = lane_thesis(kind, touch_odds);
            MonteCarlo mc(t);
            for (const char* level : simd_levels_to_compare(true)) {
                set_simd_level(level);
                CAPTURE(level);
                CAPTURE(static_cast<int>(kind));
                CAPTURE(touch_odds);
                const Ran lanes = run_book(mc, Monitoring::Discrete, true, kPaths);
                const Ran trackers = run_book(mc, Monitoring::Discrete, false, kPaths);
                REQUIRE(lanes.outcomes.size() == trackers.outcomes.size());
                std::array<int, kExitReasons.size()> seen{};
                int touches = 0;
                for (std::size_t i = 0; i < lanes.outcomes.size(); ++i) {
                    check_same(lanes.outcomes[i], trackers.outcomes[i]);
                    ++seen[static_cast<std::size_t>(trackers.outcomes[i].reason)];
                    touches += trackers.outcomes[i].touched_stop + trackers.outcomes[i].touched_target;
                }
                for (std::size_t i = 0; i < kPaths; ++i)
                    CHECK(bits(lanes.terminal[i]) == bits(trackers.terminal[i]));
                // The comparison covered every exit (a gap through a stop included) and, when
                // measured, touches.
                for (const int n : seen) CHECK(n > 0);
                CHECK((touches > 0) == touch_odds);
            }
        }
    }
}

TEST_CASE("one plan played inside the step loop of GBM or Merton gives the trackers' outcomes bit for bit") {
    // With one plan, no touch odds and no events, the AVX-512 step loop plays the plan itself
    // (play_in_loop) and a path ends at its exit the next time the engine looks: every plan shape,
    // long and short, against a PlanTracker per lane. Under Merton the loop adds the jumps drawn
    // ahead (LaneJumps), where a jump past a level is a fill or an exit like any other step.
    SimdLevelGuard guard;
    const std::vector<Plan> plans = single_plans();
    std::array<int, kExitReasons.size()> seen{};
    for (const ModelKind kind : {ModelKind::Gbm, ModelKind::Merton}) {
        for (std::size_t i = 0; i < plans.size(); ++i) {
            for (const bool short_horizon : {false, true}) {
                CAPTURE(plans[i].name);
                CAPTURE(short_horizon);
                CAPTURE(static_cast<int>(kind));
                const MonteCarlo mc(single_plan_thesis(kind, Monitoring::Discrete, i, short_horizon));
                check_lanes_match_trackers(mc, Monitoring::Discrete, seen);
            }
        }
    }
    for (const int n : seen) CHECK(n > 0);  // every exit was compared
}

TEST_CASE(
    "one plan played inside GBM's step loop under continuous monitoring gives the trackers' outcomes bit for "
    "bit") {
    // play_bridged_in_loop: the bridge's extremes and the walk's reach tested in the loop,
    // PlanTracker::step itself where something may happen. Every plan shape, long and short, with
    // and without a plan horizon; the trackers run the same engine with the generic loop. Paths
    // that exit at a level settle at the observed price (their horizon price is compared too).
    SimdLevelGuard guard;
    const std::vector<Plan> plans = single_plans();
    std::array<int, kExitReasons.size()> seen{};
    for (std::size_t i = 0; i < plans.size(); ++i) {
        for (const bool short_horizon : {false, true}) {
            CAPTURE(plans[i].name);
            CAPTURE(short_horizon);
            const MonteCarlo mc(single_plan_thesis(ModelKind::Gbm, Monitoring::Continuous, i, short_horizon));
            check_lanes_match_trackers(mc, Monitoring::Continuous, seen);
        }
    }
    // Every exit was compared: a gap through a stop under continuous monitoring without jumps is
    // a stop placed past the price at the fill (fills_past_stop's).
    for (const int n : seen) CHECK(n > 0);
}
