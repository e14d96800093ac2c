#include "thesis/simulation/price_fan.h"

#include "thesis/math/statistics.h"
#include "thesis/simulation/monte_carlo.h"
#include "thesis/simulation/path.h"

#include <algorithm>
#include <cmath>
#include <thread>

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
    // Batches of kLanes paths dealt to the cores in turn; each worker keeps its own sketches, and
    // sketches hold integer counts, so merging them gives the same fan for any thread count.
    const std::uint64_t batches = (paths + kLanes - 1) / kLanes;
    const unsigned workers = static_cast<unsigned>(std::clamp<std::uint64_t>(
        std::thread::hardware_concurrency(), 1, std::max<std::uint64_t>(1, batches)));
    std::vector<std::vector<QuantileSketch>> mine(workers, std::vector<QuantileSketch>(steps.size()));
    const auto work = [&](unsigned w) {
        PathBatch batch;
        for (std::uint64_t b = w; b < batches; b += workers) {
            const std::uint64_t first = b * kLanes;
            generator.generate_batch(first, batch);
            const std::uint64_t lanes = std::min<std::uint64_t>(kLanes, paths - first);
            for (std::uint64_t l = 0; l < lanes; ++l) {
                const std::vector<double>& x = batch.paths[l].log_price;
                for (std::size_t i = 0; i < steps.size(); ++i) {
                    const double log_price = x[static_cast<std::size_t>(steps[i])];
                    mine[w][i].add_with_log(std::exp(log_price), log_price);
                }
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned w = 1; w < workers; ++w) pool.emplace_back(work, w);
    work(0);
    for (std::thread& t : pool) t.join();
    std::vector<QuantileSketch>& sketches = mine[0];
    for (unsigned w = 1; w < workers; ++w)
        for (std::size_t i = 0; i < steps.size(); ++i) sketches[i].merge(mine[w][i]);
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
