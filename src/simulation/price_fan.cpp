#include "thesis/simulation/price_fan.h"

#include "thesis/math/statistics.h"
#include "thesis/simulation/monte_carlo.h"
#include "thesis/simulation/path.h"

#include <algorithm>
#include <cmath>

namespace thesis {

PriceFan price_fan(const Thesis& thesis, std::uint64_t paths, int points) {
    const PathGenerator generator(thesis, MonteCarlo::horizon_of(thesis));
    const TimeGrid& grid = generator.grid();
    // The observation steps: 0, then about `points` evenly spaced steps ending at the grid's end.
    std::vector<int> steps{0};
    const int wanted = std::clamp(points, 1, grid.steps);
    for (int i = 1; i <= wanted; ++i) {
        const int k = static_cast<int>(std::lround(static_cast<double>(i) * grid.steps / wanted));
        if (k > steps.back()) steps.push_back(k);
    }
    std::vector<QuantileSketch> sketches(steps.size());
    PathBatch batch;
    for (std::uint64_t first = 0; first < paths; first += kLanes) {
        generator.generate_batch(first, batch);
        const std::uint64_t lanes = std::min<std::uint64_t>(kLanes, paths - first);
        for (std::uint64_t l = 0; l < lanes; ++l) {
            const std::vector<double>& x = batch.paths[l].log_price;
            for (std::size_t i = 0; i < steps.size(); ++i) {
                const double log_price = x[static_cast<std::size_t>(steps[i])];
                sketches[i].add_with_log(std::exp(log_price), log_price);
            }
        }
    }
    PriceFan fan;
    fan.paths = paths;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        fan.years.push_back(steps[i] * grid.dt);
        std::array<double, kFanLevels.size()> q{};
        for (std::size_t j = 0; j < kFanLevels.size(); ++j)
            q[j] = paths > 0 ? sketches[i].quantile(kFanLevels[j]) : 0.0;
        fan.price.push_back(q);
    }
    return fan;
}

}  // namespace thesis
