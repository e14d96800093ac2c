#pragma once
// Price paths in log space. A PathGenerator turns (seed, path index) into one path of a price
// model — GBM, Merton jump diffusion, catalyst events, or fundamentals (price = EPS × P/E) — on a
// fixed time grid. The draws come from PathRandom, so a path is the same on any thread.

#include "thesis/lane_random.h"
#include "thesis/thesis.h"

#include <array>
#include <cstdint>
#include <vector>

namespace thesis {

/// The simulation's time grid: steps of dt years, observations at steps 1..steps.
struct TimeGrid {
    int steps = 0;
    Years dt = 0;
    Years horizon = 0;
};

/// steps = max(1, round(horizon × steps_per_year)), dt = horizon / steps.
/// Example: make_time_grid(1.0, 252) → 252 steps of 1/252.
TimeGrid make_time_grid(Years horizon, int steps_per_year);

/// One simulated path. Index k is the end of step k (k = 0 is today).
struct PricePath {
    std::vector<double> log_price;   ///< [0..steps]: observed log prices
    /// [1..steps]: log price at the end of step k's diffusion, before step k's jumps (equal to
    /// log_price[k] when nothing jumped). A crossing between log_price[k−1] and this is diffusive
    /// (fills at the level); one between this and log_price[k] is a jump (fills past it).
    std::vector<double> diffusive_end;
    /// [1..steps]: the extremes of the Brownian bridge from log_price[k−1] to diffusive_end[k]
    /// (continuous monitoring only; not filled under discrete monitoring).
    std::vector<double> bridge_low, bridge_high;
    std::vector<int> event_step;     ///< per model event: the step it fired at, or -1
    std::vector<double> event_jump;  ///< per model event: its log jump (drawn even if it didn't fire)
    std::uint64_t index = 0;
};

/// kLanes paths generated together, and the generator's scratch space (reused, so generating a
/// batch allocates nothing after the first).
struct PathBatch {
    std::array<PricePath, kLanes> paths;
    std::vector<double> normals, second_normals, uniforms;   ///< [draw][lane]
};

/// Generates paths of one model. Construction precomputes every per-step constant; generate()
/// allocates nothing once `out` has been sized by a first call.
class PathGenerator {
  public:
    /// `horizon` is the longest horizon any plan needs. Throws InputError for a model it cannot
    /// simulate (e.g. fundamentals without a sector P/E).
    PathGenerator(const Thesis& thesis, Years horizon);

    /// One path. Equal, bit for bit, to lane 0 of generate_batch(path, ...).
    void generate(std::uint64_t path, PricePath& out) const;

    /// Paths first_path … first_path + kLanes − 1. The diffusion's normals and the bridge's
    /// uniforms come eight lanes at a time from vectorised Philox and Box–Muller (lane_random.h);
    /// each lane depends on its own path index only.
    void generate_batch(std::uint64_t first_path, PathBatch& batch) const;

    const TimeGrid& grid() const { return grid_; }
    /// Per-year variance of the log price's diffusion (σ² for GBM), used by the bridge.
    double diffusion_variance() const { return variance_; }
    /// Log-price jump added when the revenue unlock arrives (fundamentals mode).
    double unlock_log_step() const { return unlock_log_step_; }

  private:
    TimeGrid grid_;
    ModelKind kind_;
    Monitoring monitoring_;
    std::uint64_t seed_;
    double x0_ = 0;            // log spot
    double drift_step_ = 0;    // mean log step of the diffusion
    double vol_step_ = 0;      // sd of the log step
    double variance_ = 0;
    // Merton
    double jump_probability_zero_ = 1, jump_rate_step_ = 0, jump_mean_ = 0, jump_sd_ = 0;
    // Fundamentals: log EPS random walk and an Ornstein–Uhlenbeck log multiple.
    double eps0_ = 0, multiple0_ = 0, multiple_target_ = 0;
    double eps_drift_step_ = 0, eps_vol_step_ = 0;
    double reversion_ = 0, multiple_vol_step_ = 0;
    double chol_21_ = 0, chol_22_ = 1;   // Cholesky factor of [[1, ρ], [ρ, 1]]
    double unlock_log_step_ = 0;
    std::vector<CatalystEvent> events_;
};

}  // namespace thesis
