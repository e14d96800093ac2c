#pragma once
// Fixtures shared by the engine's tests (test_random.cpp, test_early_exit.cpp, test_plan_lanes.cpp,
// the rqmc and antithetic runs): the SIMD levels
// and a guard that restores the level, bit patterns of doubles, plans by name, and a thesis that
// exercises every fill rule the engine skips steps for.

#include "thesis/core/thesis.h"
#include "thesis/simulation/monte_carlo.h"
#include "thesis/simulation/path.h"
#include "thesis/simulation/self_check.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace thesis::test {

inline constexpr const char* kLevels[] = {"portable", "avx2", "avx512"};

/// The SIMD levels a test compares: every level this CPU runs. A level it cannot run is a reported
/// skip (a line on stderr), never a silent one; and every level THESIS_REQUIRE_SIMD names
/// (comma-separated: .ci/run sets it to the levels /proc/cpuinfo lists) must run here, or the
/// test fails, so a machine that has a level cannot skip comparing it. `needs_avx512`: the test
/// compares something only AVX-512 code does (the lanes play plans there alone), which it says
/// when the level is missing.
inline std::vector<const char*> simd_levels_to_compare(bool needs_avx512 = false) {
    std::vector<const char*> levels;
    for (const char* level : kLevels) {
        if (simd_level_available(level)) levels.push_back(level);
        else
            std::fprintf(stderr, "thesis_tests: SIMD level %s skipped: this CPU cannot run it%s\n", level,
                         needs_avx512 && std::string_view(level) == "avx512"
                             ? " (the lanes are then compared with the trackers they fall back to)"
                             : "");
    }
    if (const char* required = std::getenv("THESIS_REQUIRE_SIMD")) {
        std::string list = required;
        for (std::size_t start = 0; start <= list.size();) {
            const std::size_t end = std::min(list.find(',', start), list.size());
            const std::string name = list.substr(start, end - start);
            if (!name.empty())
                CHECK_MESSAGE(simd_level_available(name), "THESIS_REQUIRE_SIMD names ", name,
                              ", which this CPU does not run here: its comparison would be skipped");
            start = end + 1;
        }
    }
    return levels;
}

// Restores the SIMD level a test switched away from.
struct SimdLevelGuard {
    std::string saved{simd_level()};
    ~SimdLevelGuard() { set_simd_level(saved); }
};

inline std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

inline Plan plan_named(std::string name, Entry entry, Stop stop, Target target, Side side = Side::Long) {
    Plan p;
    p.name = std::move(name);
    p.side = side;
    p.entry = entry;
    p.stop = stop;
    p.target = target;
    return p;
}

// W1's stock and model (bench/thesis_bench.cpp): GBM from $770, μ = 10%, σ = 50%, a year of 252
// daily steps, no plans yet; tests add their plans and choose the monitoring.
inline Thesis gbm_770() {
    Thesis t;
    t.source = "test";
    t.stock.price = 770;
    t.stock.pe = 52;
    t.stock.sector_pe = 25;
    t.stock.market_cap = 1.9e12;
    t.stock.net_margin = 0.5;
    t.model.drift = 0.10;
    t.model.volatility = 0.50;
    t.simulation.horizon = 1;
    t.simulation.steps_per_year = 252;
    return t;
}

// A thesis exercising every fill rule the engine skips steps for: limit, market, dated and
// event entries; fixed, percent and trailing stops; fixed and percent targets; a short; and
// catalyst events, one of which can fire at the first step.
inline Thesis busy_thesis(ModelKind kind, Monitoring monitoring) {
    Thesis t = gbm_770();
    t.model.kind = kind;
    t.model.jump_intensity = 3;
    t.model.jump_mean = -0.05;
    t.model.jump_sd = 0.10;
    t.model.multiple_half_life = 1;
    t.model.multiple_volatility = 0.3;
    t.model.eps_growth = 0.15;
    t.model.eps_volatility = 0.35;
    t.model.eps_multiple_correlation = 0.3;
    CatalystEvent licence;
    licence.name = "licence";
    licence.probability = 0.6;
    licence.window_start = 0;
    licence.window_end = 0.5;
    licence.jump_mean = 0.08;
    licence.jump_sd = 0.05;
    licence.unlocks_revenue = true;
    CatalystEvent curbs = licence;
    curbs.name = "curbs";
    curbs.probability = 0.3;
    curbs.window_start = 0.2;
    curbs.window_end = 0.9;
    curbs.jump_mean = -0.15;
    t.model.events = {licence, curbs};
    t.simulation.monitoring = monitoring;
    t.simulation.seed = 424242;
    using EK = Entry::Kind;
    using SK = Stop::Kind;
    using TK = Target::Kind;
    t.plans = {
        plan_named("limit", {.kind = EK::Limit, .limit = 700}, {.kind = SK::Fixed, .level = 600},
                   {.kind = TK::Fixed, .level = 1000}),
        plan_named("market_percent", {}, {.kind = SK::Percent, .distance = 0.12},
                   {.kind = TK::Percent, .distance = 0.25}),
        plan_named("trailing", {.kind = EK::OnDate, .at = 0.1}, {.kind = SK::Trailing, .distance = 0.15}, {}),
        plan_named("after_event", {.kind = EK::AfterEvent, .event = "licence"},
                   {.kind = SK::Fixed, .level = 650}, {.kind = TK::Fixed, .level = 950}),
        plan_named("short", {.kind = EK::Limit, .limit = 820}, {.kind = SK::Fixed, .level = 900},
                   {.kind = TK::Fixed, .level = 650}, Side::Short),
    };
    t.plans[3].horizon = 0.5;
    return t;
}

/// The article's bracket on a GBM: $770 between $600 and $1,000, μ 10%, σ 50%, a year observed
/// weekly, one market-entry plan; under a replicated `method` with `replicates` replicates.
inline Thesis replicated_bracket(SimulationMethod method, std::uint64_t seed, int replicates,
                                 int steps_per_year = 52) {
    Thesis t = odds_thesis(770, 600, 1000, 0.10, 0.50, 1.0, Monitoring::Discrete, 4096, seed, steps_per_year);
    t.simulation.method = method;
    t.simulation.replicates = replicates;
    return t;
}

/// The bits of a run's headline numbers (P(target) and E[P&L] with their error bars, the horizon
/// price's mean), to compare runs at other SIMD levels and thread counts.
inline std::vector<std::uint64_t> run_bits(const Thesis& t, std::uint64_t paths, unsigned threads) {
    MonteCarlo mc(t);
    mc.run(paths, {.threads = threads});
    const PlanMetrics m = summarize(mc.result(), 0, t.plans[0], t.stock.price);
    return {bits(m.outcome[1].value), bits(m.outcome[1].std_error), bits(m.pnl_per_share.value),
            bits(m.pnl_per_share.std_error), bits(mc.result().terminal.mean())};
}

}  // namespace thesis::test
