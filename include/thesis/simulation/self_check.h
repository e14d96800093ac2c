#pragma once
// The engine checked against closed forms: `thesis check` and the test suite run these cases and
// require |z| < 4 for each (z = (simulated − exact) / standard error, with fixed seeds).

#include "thesis/math/double_barrier.h"
#include "thesis/simulation/monte_carlo.h"

#include <string>
#include <vector>

namespace thesis {

/// A thesis holding one market-entry plan bracketed by a stop and a target on a GBM: what
/// `thesis odds` simulates. Throws InputError unless stop < spot < target (a long) or
/// target < spot < stop (a short) and volatility > 0.
Thesis odds_thesis(Price spot, Price stop, Price target, double drift, double volatility, Years horizon,
                   Monitoring monitoring, std::uint64_t paths, std::uint64_t seed, int steps_per_year = 252,
                   Side side = Side::Long);

/// Simulated odds of the bracket: target first, stop first, neither by the horizon.
struct SimulatedOdds {
    Estimate p_target_first, p_stop_first, p_neither;
    std::uint64_t paths = 0;
};
SimulatedOdds simulate_odds(const Thesis& odds, const RunControl& control = {});

/// One comparison of a simulated quantity with its closed form.
struct CheckRow {
    std::string case_name;
    std::string quantity;
    double simulated = 0, std_error = 0, exact = 0, z = 0;
    bool pass = false;  ///< |z| < 4
};

/// Runs every case with `paths` paths each. Cases: double-barrier odds (continuous monitoring)
/// with positive, zero and negative drift; terminal mean and second moment against the
/// log-normal formulas; Merton's compensated mean; discrete monitoring at 12, 52 and 252 steps a
/// year against the exact discrete odds (discrete_barrier_odds), showing the bias shrink; and
/// the near-level brackets below.
std::vector<CheckRow> run_self_check(std::uint64_t paths, std::uint64_t seed, unsigned threads = 0);

/// The near-level set: brackets whose stop and target lie within a few of one step's standard
/// deviations (σ√Δt) of the price, where one step's bridge can reach both and the order in which
/// it does decides the answer. From $100 at σ = 50% (daily steps, a 5-day horizon), the stop k
/// step SDs below and the target k (symmetric) or 2k (asymmetric) above, k in 0.3, 0.5, 1, 1.5,
/// 2 and 3, with drift 0 and 50%: P(target first), P(stop first) and P(neither) against the
/// Kunitomo–Ikeda series, under continuous monitoring.
std::vector<CheckRow> near_level_checks(std::uint64_t paths, std::uint64_t seed, unsigned threads = 0);

}  // namespace thesis
