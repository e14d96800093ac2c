#pragma once
// Price paths in log space. A PathGenerator turns (seed, path index) into one path of a price
// model — GBM, Merton jump diffusion, catalyst events, fundamentals (price = EPS × P/E), or the
// thesis's own scenarios (a Brownian bridge to each path's scenario price) — on a fixed time grid. The draws come from PathRandom streams keyed by (seed, path, stream), so a
// path is the same on any thread.
//
// The engine simulates kLanes paths at once, one path per SIMD lane, step by step, without
// storing them (simulate(), path_kernel.cpp): each step it tests every plan's watched levels in
// all lanes with a few vector compares and calls a LaneObserver only for the lanes where
// something can happen. A lane whose path is over takes the next path of the range, so a path
// whose plans have settled can end early, its price at the horizon drawn exactly
// (horizon_log_price). generate_batch() runs the same kernel to the horizon and records the
// paths, for the tests, the self-check and paired sweeps.

#include "thesis/core/thesis.h"
#include "thesis/core/unzeroed.h"
#include "thesis/math/rng.h"
#include "thesis/math/rqmc.h"
#include "thesis/math/simd.h"
#include "thesis/simulation/detail/lanes.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace thesis {

/// ln E[e^J] of a catalyst event's part of the log price by time `by`: ln(1 − q + q·e^{m + s²/2}),
/// q its probability times the share of its window that lies before `by` (all or nothing for a
/// fixed date), N(m, s²) its log jump. An event fires at a uniform time in its window.
double event_log_growth(const CatalystEvent& event, Years by);

/// The close an event at time t moves on a grid of step dt: max(1, ⌈t/dt⌉) (the first close for
/// a time before it), as a double so that a time past the horizon compares before any cast.
inline double event_close(Years time, double dt) { return std::max(1.0, std::ceil(time / dt - 1e-9)); }

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
    std::vector<double> log_price;  ///< [0..steps]: observed log prices
    /// [1..steps]: log price at the end of step k's diffusion, before step k's jumps (equal to
    /// log_price[k] when nothing jumped). A crossing between log_price[k−1] and this is diffusive
    /// (fills at the level); one between this and log_price[k] is a jump (fills past it).
    std::vector<double> diffusive_end;
    /// [1..steps]: the open of step k under session monitoring (after the overnight move, the
    /// step's jumps and its events), and the uniforms that place the step's bridge's minimum and
    /// maximum (bridge.h): what continuous and session monitoring read besides the prices.
    std::vector<double> open, u_low, u_high;
    std::vector<int> event_step;     ///< per model event: the step it fired at, or -1
    std::vector<double> event_jump;  ///< per model event: its log jump (drawn even if it didn't fire)
    std::uint64_t index = 0;
    std::uint64_t seed = 0;       ///< with index, keys a split bridge's draws (refinement_random)
    double bridge_variance = 0;   ///< σ²Δt: continuous monitoring's bridge over a step
    double session_variance = 0;  ///< (1 − overnight share)·σ²Δt: a session's bridge
};

/// The scenarios model's law for one scenario (PathGenerator): a path draws the scenario with its
/// probability, then a log landing price N(landing_mean, landing_sd²) that its log price reaches,
/// by a Brownian bridge, at step landing_step; a GBM with the model's drift after that.
struct ScenarioLanding {
    std::string name;
    double probability = 0;
    double cumulative = 0;  ///< the probabilities up to and including this scenario's
    Price price = 0;        ///< the valuation's price for the scenario: E[S at landing] on its paths
    double landing_mean = 0, landing_sd = 0;
    int landing_step = 0;  ///< the grid step of scenarios.NAME.by (may lie past the grid's end)
};

/// One path's scenario and its log landing price, from the path's Scenario stream.
struct ScenarioDraw {
    int scenario = -1;  ///< index into the thesis's scenarios; −1 when the model draws none
    double landing = 0;
};

/// kLanes recorded paths.
struct PathBatch {
    std::array<PricePath, kLanes> paths;
};

/// The closes of a range of paths as simulate() steps them, for readers of whole paths that
/// need no second run (the martingale control variate). The kernel's lanes share one clock: path
/// first + i ran in lane `lane` from kernel step `origin`, its close k (1 … its last simulated
/// step) at close[(origin + k) × kLanes + lane], today's at `x0`. A path that settled early has
/// its closes to the step it settled at only (what came after in its lane is another path's, or
/// nothing's).
struct CloseTape {
    struct Start {
        int lane = 0, origin = 0;
        double x0 = 0;
    };
    UnzeroedVector<double> close;  ///< [kernel step × kLanes + lane]; grows, never shrinks
    std::vector<Start> starts;     ///< [path − first]
    std::vector<int> event_step;   ///< [(path − first) × events + event]: as PricePath's
    std::uint64_t first = 0;
    /// Path first + i's close k (k ≥ 1).
    double at(std::size_t i, int k) const {
        const Start& s = starts[i];
        return close[static_cast<std::size_t>(s.origin + k) * kLanes + static_cast<std::size_t>(s.lane)];
    }
};

/// Generates paths of one model. Construction precomputes every per-step constant; generate()
/// allocates nothing once `out` has been sized by a first call.
class PathGenerator {
  public:
    /// `horizon` is the longest horizon any plan needs. Throws InputError for a model it cannot
    /// simulate (e.g. fundamentals without a sector P/E). With `every_policy`, the steps carry
    /// what every fill policy reads (the open and the bridge's uniforms) and are shown to a plan
    /// wherever any policy's rules could act: for plans played under different policies on the
    /// same paths (MonteCarlo's policy bracket).
    PathGenerator(const Thesis& thesis, Years horizon, bool every_policy = false);

    /// One path. Equal, bit for bit, to lane 0 of generate_batch(path, ...).
    void generate(std::uint64_t path, PricePath& out) const;

    /// Paths first_path … first_path + kLanes − 1, recorded. Each lane depends on its own path
    /// index only.
    void generate_batch(std::uint64_t first_path, PathBatch& batch) const;

    /// Simulates paths first … last − 1 without storing them, kLanes at a time, telling
    /// `observer` (see LaneObserver). A lane starts the next path when its path is over: at the
    /// horizon, or as soon as the observer has settled, when the model allows (settles_early());
    /// the price at the horizon is then drawn exactly from the path's last simulated step
    /// (horizon_log_price), from its own stream. Each path's results depend on its index only.
    void simulate(std::uint64_t first, std::uint64_t last, LaneObserver& observer) const;
    /// The same run, every path's closes also written to `tape` (the same outcomes and the same
    /// bits; the plans are then played by the observer, not inside the step loop).
    void simulate(std::uint64_t first, std::uint64_t last, LaneObserver& observer, CloseTape& tape) const;

    /// Paths first … first + kLanes − 1, every step simulated (no early end), telling `observer`
    /// and recording them in `record`: for the tests that check the engine against stored paths.
    void simulate_recorded(std::uint64_t first, LaneObserver& observer, PathBatch& record) const;

    /// Whether a path can end before the horizon once settled: the model's price at the horizon
    /// has a closed form given the price now (GBM, fundamentals, scenarios; with Merton's jumps, at
    /// most 30 expected over the horizon, where Poisson inversion stays short).
    bool settles_early() const { return c_.settle_early; }

    /// The per-step constants of the model, as the kernel reads them.
    struct Constants {
        ModelKind kind = ModelKind::Gbm;
        Monitoring monitoring = Monitoring::Discrete;
        bool every_policy = false;  ///< sessions' steps, watched for every policy (constructor)
        int steps = 0;
        double dt = 0;
        std::uint64_t seed = 0;
        double x0 = 0, drift_step = 0, vol_step = 0, bridge_variance = 0;
        /// Sessions: the overnight move is the diffusion's point at the share s of the step's
        /// variance, given both its ends: mean s·(end − start), sd √(s(1 − s)·σ²Δt) (a
        /// Brownian bridge's marginal). The session's bridge has variance (1 − s)·σ²Δt.
        double overnight_share = 0, overnight_sd = 0, session_variance = 0;
        double jump_probability_zero = 1, jump_rate_step = 0, jump_mean = 0, jump_sd = 0;
        double eps0 = 0, multiple0 = 0, multiple_target = 0, eps_drift_step = 0, eps_vol_step = 0;
        double reversion = 0, multiple_vol_step = 0, chol_21 = 0, chol_22 = 1, unlock_log_step = 0;
        bool settle_early = false;
        const std::vector<CatalystEvent>* events = nullptr;
        /// Scenarios model: the scenarios' laws; and per event, the scenarios (bit i: scenario i)
        /// on whose paths it may fire (all bits for an untied event).
        const std::vector<ScenarioLanding>* scenarios = nullptr;
        const std::vector<std::uint64_t>* event_scenarios = nullptr;
        /// simulation.method rqmc: where each path's diffusion normals come from instead of its
        /// Diffusion stream (the path's index is its Sobol' point); nullptr for Monte Carlo.
        const SobolBridgeNormals* rqmc = nullptr;
        /// simulation.method antithetic: path 2k + 1 takes path 2k's diffusion (and re-rating)
        /// normals negated, and the opposite scenario draw and horizon normal (stream_path).
        bool antithetic = false;
    };

    /// The path whose streams path `path` draws its paired normals from: under antithetic
    /// pairs its pair's first (2k for 2k and 2k + 1), else itself; odd paths then negate them.
    static std::uint64_t stream_path(const Constants& c, std::uint64_t path) {
        return c.antithetic ? path & ~std::uint64_t{1} : path;
    }
    /// −1 where path `path` takes its pair's normals negated (antithetic, odd), else 1.
    static double antithetic_sign(const Constants& c, std::uint64_t path) {
        return c.antithetic && (path & 1u) != 0 ? -1.0 : 1.0;
    }

    /// Path `path`'s scenario and landing (scenario −1 unless the model is scenarios): the first
    /// uniform of its Scenario stream picks the scenario by the cumulative probabilities, the
    /// first normal places the landing.
    static ScenarioDraw draw_scenario(const Constants& c, std::uint64_t path);
    /// The index of path `path`'s scenario in the thesis's scenarios, −1 for a model without them.
    int scenario_of(std::uint64_t path) const { return draw_scenario(c_, path).scenario; }
    /// The scenarios model's laws, in the thesis's order (empty for other models).
    const std::vector<ScenarioLanding>& scenario_landings() const { return scenarios_; }

    /// The log price at the horizon of a path at log price x after its step k (settles_early()),
    /// drawn from the path's Horizon stream: GBM's Gaussian increment over the steps left, plus
    /// the events still to come, plus (Merton) a compound Poisson sum of jumps; fundamentals: log
    /// EPS's random walk plus the multiple's Ornstein–Uhlenbeck step over the steps left, with
    /// their correlation; scenarios: the bridge's landing, then a GBM (path.cpp). `e` and `m` are
    /// log EPS and log multiple (fundamentals), or `e` the bridge's target (scenarios: the landing
    /// plus the events and jumps so far); event_steps and event_jumps as in PricePath.
    static double horizon_log_price(const Constants& c, std::uint64_t path, int k, double x, double e,
                                    double m, const int* event_steps, const double* event_jumps);

    const Constants& constants() const { return c_; }
    const TimeGrid& grid() const { return grid_; }
    /// Per-year variance of the log price's diffusion (σ² for GBM), used by the bridge.
    double diffusion_variance() const { return variance_; }
    /// Log-price jump added when the revenue unlock arrives (fundamentals mode).
    double unlock_log_step() const { return c_.unlock_log_step; }

  private:
    TimeGrid grid_;
    Constants c_;
    double variance_ = 0;
    std::vector<CatalystEvent> events_;
    std::vector<ScenarioLanding> scenarios_;
    std::vector<std::uint64_t> event_scenarios_;
    std::shared_ptr<const SobolBridgeNormals> rqmc_;  // shared: a copy keeps c_.rqmc valid
};

/// The model's line in the simulation's stamp, e.g. "gbm μ 10% σ 50%" (price_models.h's describe).
std::string describe_model(const Thesis& thesis);
/// Whether the simulation reads the file's value at `key` (a key path such as "model.drift"):
/// the running model's own parameters (price_models.h's reads).
bool model_reads(const Thesis& thesis, std::string_view key);

/// The engine's normals for paths first_path … first_path + kLanes − 1 of one stream, `count`
/// per path, as the kernel draws them: out[i * kLanes + l] is draw i of path first_path + l,
/// equal bit for bit to the i-th PathRandom(seed, first_path + l, stream).normal().
void lane_normals(std::uint64_t seed, std::uint64_t first_path, RandomStream stream, int count, double* out);
/// The roofline benchmark's work: the same normals of the Diffusion stream, summed over lanes.
double lane_normals_sum(std::uint64_t seed, std::uint64_t first_path, int count);

}  // namespace thesis
