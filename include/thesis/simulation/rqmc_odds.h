#pragma once
// The bracket's odds by randomised quasi-Monte Carlo (`thesis odds --method rqmc`): scrambled
// Sobol' points (sobol.h) turned into GBM paths by the Brownian-bridge construction (rqmc.h),
// observed at every step (discrete monitoring), with the error bar from independent scrambles.

#include "thesis/core/units.h"
#include "thesis/math/statistics.h"

#include <cstdint>

namespace thesis {

/// What rqmc_barrier_odds measures, and how.
struct RqmcOddsSettings {
    Price spot = 0, lower = 0, upper = 0;  ///< lower < spot < upper
    double drift = 0, volatility = 0;      ///< dS/S = drift dt + volatility dW, a year
    Years horizon = 0;
    int steps = 252;          ///< observations, equally spaced, the last at the horizon
    std::uint64_t paths = 0;  ///< in all: paths / replicates points per scramble
    int replicates = 16;      ///< independent scrambles (≥ 2)
    std::uint64_t seed = 1;   ///< keys the scrambles
    unsigned threads = 0;     ///< 0: all cores; the result does not depend on it
};

/// The odds that an observation reaches the upper level first (at or above it), the lower level
/// first (at or below it), or neither by the horizon: the discrete_barrier_odds question,
/// estimated. Each of the `replicates` scrambles of the first paths/replicates Sobol' points in
/// `steps` dimensions (past 3,667 dimensions the bridge's finest normals come from the
/// pseudo-random generator, which keeps every estimate unbiased) gives one estimate of each
/// probability; the result is their mean, with replicate_estimate's error bar. The same seed
/// gives the same bits at any thread count. Throws std::invalid_argument for levels out of
/// order, a volatility or horizon not positive, steps < 1, fewer than 2 replicates, or fewer
/// paths than replicates; the points per scramble must also fit Sobol's 2^32.
struct RqmcOdds {
    Estimate p_upper_first, p_lower_first, p_neither;
    std::uint64_t paths = 0;  ///< replicates × points per scramble
    int replicates = 0;
};
RqmcOdds rqmc_barrier_odds(const RqmcOddsSettings& settings);

}  // namespace thesis
