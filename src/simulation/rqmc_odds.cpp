// The bracket's odds by randomised QMC (rqmc_odds.h).
#include "thesis/simulation/rqmc_odds.h"

#include "thesis/math/rng.h"
#include "thesis/math/rqmc.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <thread>
#include <vector>

namespace thesis {

namespace {
/// One scramble's estimates: the shares of its points whose path reached the upper level first,
/// the lower level first, or neither.
struct ReplicateOdds {
    double upper = 0, lower = 0, neither = 0;
};

ReplicateOdds one_scramble(const RqmcOddsSettings& s, std::uint64_t points, int replicate) {
    const int n = s.steps;
    // Each scramble's own key, from the seed and the replicate's index; its paths as the engine
    // builds them under simulation.method rqmc.
    const SobolBridgeNormals normals(
        n, mix64(s.seed ^ mix64(static_cast<std::uint64_t>(replicate) + 0x632BE59BD9B4E019u)));
    const double dt = s.horizon / n;
    const double drift_step = (s.drift - 0.5 * s.volatility * s.volatility) * dt;
    const double vol_step = s.volatility * std::sqrt(dt);
    const double x0 = std::log(s.spot), low = std::log(s.lower), high = std::log(s.upper);
    std::vector<double> dw(static_cast<std::size_t>(n));
    SobolBridgeNormals::Workspace work(normals);
    std::uint64_t upper = 0, lower = 0;
    for (std::uint64_t i = 0; i < points; ++i) {
        normals.increments(i, dw, work);
        double x = x0;
        for (int k = 0; k < n; ++k) {
            x += drift_step + vol_step * dw[static_cast<std::size_t>(k)];
            if (x >= high) {
                ++upper;
                break;
            }
            if (x <= low) {
                ++lower;
                break;
            }
        }
    }
    const double count = static_cast<double>(points);
    return {static_cast<double>(upper) / count, static_cast<double>(lower) / count,
            static_cast<double>(points - upper - lower) / count};
}
}  // namespace

RqmcOdds rqmc_barrier_odds(const RqmcOddsSettings& s) {
    if (!(s.lower > 0 && s.lower < s.spot && s.spot < s.upper && std::isfinite(s.upper)))
        throw std::invalid_argument("rqmc_barrier_odds needs 0 < lower < spot < upper");
    if (!(s.volatility > 0 && s.horizon > 0 && std::isfinite(s.volatility) && std::isfinite(s.horizon) &&
          std::isfinite(s.drift)))
        throw std::invalid_argument("rqmc_barrier_odds needs a positive volatility and horizon");
    if (s.steps < 1) throw std::invalid_argument("rqmc_barrier_odds needs at least one step");
    if (s.replicates < 2) throw std::invalid_argument("rqmc_barrier_odds needs at least two scrambles");
    const auto replicates = static_cast<std::uint64_t>(s.replicates);
    if (s.paths < replicates)
        throw std::invalid_argument("rqmc_barrier_odds needs a path per scramble at least");
    const std::uint64_t points = s.paths / replicates;
    if (points > (std::uint64_t{1} << 32))
        throw std::invalid_argument("rqmc_barrier_odds: at most 2^32 points per scramble");

    std::vector<ReplicateOdds> results(replicates);
    std::atomic<std::uint64_t> next{0};
    const auto work = [&] {
        for (std::uint64_t r; (r = next.fetch_add(1)) < replicates;)
            results[r] = one_scramble(s, points, static_cast<int>(r));
    };
    unsigned threads = s.threads != 0 ? s.threads : std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::uint64_t>(threads, replicates));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (std::thread& t : pool) t.join();

    std::vector<double> upper, lower, neither;
    for (const ReplicateOdds& r : results) {
        upper.push_back(r.upper);
        lower.push_back(r.lower);
        neither.push_back(r.neither);
    }
    return {replicate_estimate(upper), replicate_estimate(lower), replicate_estimate(neither),
            points * replicates, s.replicates};
}

}  // namespace thesis
