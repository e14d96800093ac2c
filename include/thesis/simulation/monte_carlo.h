#pragma once
// The Monte Carlo engine: every plan of a thesis on the same simulated paths (common random
// numbers), streaming statistics, all cores, and results bit-identical for any thread count or
// chunk size.
//
// Reproducibility: paths are reduced in fixed blocks of kBlockPaths. Each block's floating-point
// statistics are computed alone and merged into the total in block order (a reorder buffer), so
// neither the schedule nor the chunk size (a whole number of blocks handed to a thread) changes a
// bit. Quantile sketches hold integer counts, so they merge in any order.

#include "thesis/core/thesis.h"
#include "thesis/math/statistics.h"
#include "thesis/simulation/control_variate.h"
#include "thesis/simulation/path.h"
#include "thesis/simulation/trade.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace thesis {

inline constexpr std::uint64_t kBlockPaths = 1024;
inline constexpr std::string_view kGeneratorName = "xoshiro256++/ziggurat";

/// The generator a run's stamp names: kGeneratorName, or under simulation.method rqmc the
/// scrambled Sobol' points that drive the diffusion, e.g. "Sobol' (Owen-scrambled, 16
/// scrambles, Brownian bridge) + xoshiro256++/ziggurat".
std::string generator_name(const SimulationSettings& simulation);

/// One plan on the paths of one scenario (the scenarios model): how many paths drew it, and how
/// the plan ended on them.
struct ScenarioTally {
    std::uint64_t paths = 0, target = 0, stop = 0, gap = 0;  ///< stop: at the level or through a gap
    RunningStats pnl;                                        ///< per share
    RunningStats pnl_position;                               ///< per position, sized at each path's fill

    void merge(const ScenarioTally& other);
};

/// Mergeable per-plan statistics whose result depends on merge order (floating point sums).
struct PlanTally {
    std::array<std::uint64_t, kExitReasons.size()> outcomes{};
    RunningStats pnl;              ///< per share, every path (unfilled counts as 0)
    RunningStats pnl_position;     ///< per position sized at the path's fill, every path
    RunningStats carry;            ///< per share, the dividends and borrow part of pnl, every path
    RunningStats wins, losses;     ///< per share, P&L > 0 and < 0
    RunningStats holding;          ///< years from fill to exit, filled paths
    RunningStats stop_shortfall;   ///< per share beyond the stop level, stop exits
    RunningStats hedge_pnl;        ///< per share, the options' part of pnl, every path
    RunningStats floor_shortfall;  ///< per share beyond the plan's floor, every path
    std::uint64_t past_floor = 0;  ///< paths that lost more than the floor
    std::uint64_t touched_target = 0, touched_stop = 0;
    std::uint64_t stopped_in_profit = 0;   ///< stop exits (at the level or through a gap) with P&L > 0
    std::vector<ScenarioTally> scenarios;  ///< per scenario of the scenarios model, else empty
    /// simulation.control_variate martingale: per ControlledMetric, each path's outcome less its
    /// control (control_variate.h), every path; empty otherwise.
    std::array<RunningStats, kControlledMetrics> controlled;

    void merge(const PlanTally& other);
};

/// What one plan gave under another fill policy than the thesis's, on the same paths, less what
/// it gave under the thesis's: per path, the difference of the target, stop and gap-through
/// indicators and of the P&L per share (MonteCarlo's policy bracket).
struct PairedTally {
    RunningStats target, stop, gap, pnl;
    void merge(const PairedTally& other);
};

/// Plan `plan` against plan `reference` of the same thesis, path by path (MonteCarlo::pair_plans).
struct PlanPair {
    std::size_t plan = 0, reference = 0;
};

/// Everything one run measured.
struct SimulationResult {
    std::uint64_t paths = 0;
    bool interrupted = false;
    bool touch_odds = true;  ///< whether touched_target / touched_stop were measured
    TimeGrid grid;
    std::vector<PlanTally> plans;     ///< in the thesis's plan order
    std::vector<QuantileSketch> pnl;  ///< per plan, P&L per share
    RunningStats terminal;            ///< price at the simulation horizon
    /// The scenarios model's scenarios, in the thesis's order, and the price at the horizon on
    /// each one's paths (both empty for other models).
    std::vector<std::string> scenarios;
    std::vector<RunningStats> terminal_by_scenario;
    QuantileSketch terminal_sketch;
    /// The fill policies the plans were played under, the thesis's own first: `plans` and `pnl`
    /// hold policy p's plan i at p × (plans per policy) + i, so the first plans are the thesis's.
    std::vector<Monitoring> policies;
    /// Policy p ≥ 1's plan i against the thesis's policy, at (p − 1) × (plans per policy) + i.
    std::vector<PairedTally> paired;
    /// The pairs of plans compared path by path (under the thesis's policy), and their tallies.
    std::vector<PlanPair> plan_pairs;
    std::vector<PairedTally> plan_paired;
    /// simulation.method rqmc: each scramble's own result, in order (the fields above pool
    /// them); their spread is every error bar's (summarize, with_replicate_error). Empty for
    /// Monte Carlo.
    std::vector<SimulationResult> replicates;
};

/// `pooled` with its error bar from the replicates' spread when `result` has them (rqmc): the
/// standard error and 95% interval of replicate_estimate (Student's t) over of(replicate),
/// centred on the pooled value. Otherwise, or where some replicate has no finite value, `pooled`
/// as it is.
Estimate with_replicate_error(const SimulationResult& result, const Estimate& pooled,
                              const std::function<double(const SimulationResult&)>& of);

/// How to run: threads (0 = all cores), chunk size (paths per task, rounded up to whole blocks),
/// a flag that stops the run at the next chunk boundary, and a progress callback.
struct RunControl {
    unsigned threads = 0;
    std::uint64_t chunk_paths = 8 * kBlockPaths;
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

/// A simulation of one thesis that can be extended: run(n) simulates paths up to index n, so a
/// run to 2n continues a run to n and gives the same bits as one run to 2n.
class MonteCarlo {
  public:
    /// `other_policies`: play every plan under these fill policies too, on the same paths (the
    /// policy bracket; SimulationResult::policies and paired); not under simulation.method rqmc
    /// (InputError). Under rqmc with replicates ≥ 2, run(n) runs n / replicates paths of each
    /// scramble, each scramble a run of its own whose seed is derived from the thesis's.
    explicit MonteCarlo(const Thesis& thesis, const std::vector<Monitoring>& other_policies = {});

    /// Also tallies each pair's per-path differences (a hedge against a stop, say): plan less
    /// reference, in SimulationResult::plan_paired. Before the first run only. Throws InputError
    /// under simulation.method rqmc (paired differences have Monte Carlo's error bars only).
    void pair_plans(std::vector<PlanPair> pairs);

    /// Simulates until `total_paths` paths are done (or cancelled). Extending a run requires the
    /// paths so far to be whole blocks. Throws InputError for 0 or over 10¹¹ paths.
    void run(std::uint64_t total_paths, const RunControl& control = {});

    const SimulationResult& result() const { return result_; }
    const PathGenerator& generator() const { return generator_; }
    const std::vector<PlanRules>& rules() const { return rules_; }

    /// The longest horizon the thesis needs: the simulation's, or a plan's if longer.
    static Years horizon_of(const Thesis& thesis);

  private:
    void make_replicates();
    void run_replicates(std::uint64_t total_paths, const RunControl& control);

    Thesis thesis_;
    PathGenerator generator_;
    std::vector<PlanRules> rules_;
    SimulationResult result_;
    /// simulation.method rqmc: one run a scramble, each with its own seed; result_ pools them.
    std::vector<std::unique_ptr<MonteCarlo>> replicates_;
    /// simulation.control_variate martingale: each plan's tables (per scenario), in rules_' order.
    std::optional<MartingaleControl> control_;
    /// Each worker's tape of closes for the controls, kept from one run to the next (--tolerance
    /// rounds): 2 MB a worker, whose first touch costs page faults.
    std::vector<CloseTape> tapes_;
    SimulationResult empty_;  // result_ before any path: what the pooling starts from
};

/// A plan conditional on one scenario's paths: the scenario's share of the paths and, on its
/// paths, the plan's odds and mean P&L (the scenarios model).
struct ScenarioOutcome {
    std::string scenario;
    Estimate share;
    Estimate p_target, p_stop, p_gap_through_stop;
    Estimate pnl_per_share, pnl_per_position;
};

/// Estimates for one plan, each with a 95% confidence interval (statistics.h's Estimate).
struct PlanMetrics {
    std::string plan;
    std::uint64_t paths = 0;
    std::array<Estimate, kExitReasons.size()> outcome;  ///< probability of each exit reason
    Estimate stopped;  ///< probability of a stop exit, at the level or through a gap (p_stop)
    /// probability of a stop exit that gains (a trailing stop locking in a profit)
    Estimate stopped_in_profit;
    Estimate pnl_per_share, pnl_per_position;
    double shares = 0;
    double pnl_sd = 0;
    std::vector<std::pair<double, Estimate>> pnl_quantiles;  ///< (level, quantile)
    Estimate probability_of_loss;
    Estimate var95, var99, es95, es99;                  ///< per share, losses positive
    std::optional<Estimate> expectancy_r;               ///< mean P&L / risk per share
    std::optional<Estimate> average_win, average_loss;  ///< per share; loss positive
    std::optional<Estimate> profit_factor;              ///< Σ wins / Σ |losses|
    std::optional<Estimate> holding_years;
    std::optional<Estimate> kelly;           ///< p − (1 − p) / b
    std::optional<Estimate> stop_shortfall;  ///< per share past the stop
    /// A plan with a hedge: the options' mean P&L per share (premium, decay and payoff), every path.
    std::optional<Estimate> hedge_pnl;
    /// A plan with carry (a dividend yield, a short's borrow rate): its mean per share, every path.
    std::optional<Estimate> carry;
    /// A plan with a floor (has_floor): the mean loss per share past it, and how often a loss is.
    std::optional<Estimate> floor_shortfall, past_floor;
    Estimate touch_target, touch_stop;  ///< only when touch_odds (SimulationSettings)
    bool has_stop = false, has_target = false, touch_odds = true;
    /// P(target), P(stop) and E[P&L] per share (and what derives from it: the expectancy in R)
    /// are the martingale control variate's (simulation.control_variate).
    bool controlled = false;
    double risk_per_share = 0;
    std::vector<ScenarioOutcome> by_scenario;  ///< the scenarios model's, in order; else empty
};

/// The reported quantile levels.
inline constexpr std::array kQuantileLevels{0.01, 0.05, 0.25, 0.50, 0.75, 0.95, 0.99};

/// The model's expected price at `horizon` years, in closed form (nullopt for fundamentals). GBM
/// and Merton: E[S_H] = S₀ e^{μH} (Merton's jumps are compensated) times, for each catalyst
/// event, 1 − q + q·e^{m + s²/2}, where q is the chance it fires by the horizon (its probability
/// times the share of its window that lies within the horizon) and N(m, s²) its log jump.
/// Scenarios: Σ p_j E[S_H | j], each P_j grown from its landing to the horizon (path.cpp).
/// Example: the seed under GBM (μ 10%, its five events, 1y) gives $868.6.
std::optional<Price> expected_horizon_price(const Thesis& thesis, Years horizon);

/// The drift under which a GBM or Merton model expects `price` at `horizon`: the model's own
/// drift plus ln(price / expected_horizon_price) / horizon (the events' factor does not depend on
/// the drift). nullopt for fundamentals.
std::optional<double> drift_for_horizon_price(const Thesis& thesis, Years horizon, Price price);

/// Turns a plan's tallies into estimates with confidence intervals (formulas in the README).
PlanMetrics summarize(const SimulationResult& result, std::size_t plan_index, const Plan& plan, Price spot);

/// Under simulation.method rqmc (result.replicates): every error bar of `m`, plan `plan_index`'s
/// pooled metrics, replaced by the spread of the scrambles' own (with_replicate_error), each
/// metric's pooled value kept; a metric some scramble lacks (no win on its paths, say) keeps Monte
/// Carlo's. summarize calls it.
void use_replicate_errors(PlanMetrics& m, const SimulationResult& result, std::size_t plan_index,
                          const Plan& plan, Price spot);

/// Expected shortfall at `level` with its standard error (Yamai & Yoshiba 2002; Manistre &
/// Hancock 2005): Var(ES) ≈ [Var(X | X ≤ q) + (1 − a)(ES − q)²] / (n a), a = 1 − level, losses
/// reported positive.
Estimate expected_shortfall_estimate(const QuantileSketch& pnl, double level);

}  // namespace thesis
