#pragma once
// The price's distribution over time, for the report's fan chart: quantiles at a set of
// observations, streamed one quantile sketch per observation, so memory does not grow with paths.

#include "thesis/core/thesis.h"

#include <array>
#include <cstdint>
#include <vector>

namespace thesis {

/// The fan's quantile levels: 5, 25, 50, 75 and 95%.
inline constexpr std::array kFanLevels{0.05, 0.25, 0.50, 0.75, 0.95};

struct PriceFan {
    std::uint64_t paths = 0;
    std::vector<double> years;                                 ///< observation times, from 0
    std::vector<std::array<double, kFanLevels.size()>> price;  ///< quantiles at each time
};

/// The fan of the run's first `paths` paths (the very paths a run simulates: paths are keyed by
/// index, path.h), at about `points` observations evenly over the simulation's grid, every step of
/// each path simulated (no early end). Example: the seed, 20,000 paths, 52 points → 53 times from
/// 0 to 1y, the median at 0 being today's $769.23.
PriceFan price_fan(const Thesis& thesis, std::uint64_t paths, int points = 52);

}  // namespace thesis
