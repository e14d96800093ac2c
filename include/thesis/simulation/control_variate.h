#pragma once
// Martingale control variates for a plan's odds and P&L (simulation.control_variate: martingale).
//
// A path's outcome Y (1 if the plan exits at its target, say) has the martingale decomposition
// Y = E[Y] + Σ_k (V_{k+1} − V_k), V_k = E[Y | the path to step k]. Under GBM with close-only
// monitoring V_k is a function of the step, the plan's phase (waiting for its fill, or in the
// trade) and the log price, and the part of each increment linear in the step's normal is
// a(k, x_k)·Z_{k+1}, a(k, x) = E[V_{k+1} Z_{k+1} | x_k = x]. So
//     Y − Σ_k a(k, x_k) Z_{k+1}   (the sum over the steps the plan is still open)
// has the mean E[Y] and, where a is close to the true coefficient, a far smaller variance
// (Glasserman, Monte Carlo Methods in Financial Engineering, 2004, §4.1.4 "martingale control
// variates"; Bouchard & Warin's "regression-later" view of the same sum). Each term has mean zero
// whatever `a` is, as long as a(k, x_k) depends on the path up to step k alone and Z_{k+1} is the
// step's own normal: the tables below only decide how much variance goes, never the mean.
// The increment's next Hermite part is b(k, x_k)·(Z²_{k+1} − 1), b = E[V_{k+1}(Z² − 1)]/2, and by
// Gaussian integration by parts (Stein's identity) b = (s/2)·∂a/∂x, s the step's sd: a's own
// slope between the two grid points a path reads, at no extra table. It has mean zero for the
// same reason, and took W1's P(target) variance ratio from 64 to 92.
//
// The tables come from the plan's value function, solved backwards on a grid of log prices: each
// step's expectation over the next close is a convolution of the piecewise-linear interpolant
// with the normal law, in closed form (value_convolution_weights). The value at today's price is
// the grid's own answer; it is not reported (it is no better than the grid), only the tables are
// used.
//
// Beyond GBM's closes (MartingaleControl): the close-to-close move less its mean takes Z's
// place, ξ_{k+1} = (x_{k+1} − x_k − m_k − j_k)/s, with mean zero given the path so far whenever
// the diffusive part is a random walk with steps N(m_k, s²) and the jumps are independent of it
// with known means j_k (Merton's λΔt·m, and each event's mean jump by its hazard on the steps the
// path has not yet seen it), and ξ² − E[ξ²] in Z² − 1's, E[ξ²] = 1 + v_k/s² with v_k the variance
// of what the jumps and events add over the step given the path so far. A jump's effect is so
// taken to second order: its Taylor terms in the move.
// The scenarios model is such a walk: a Brownian bridge to a landing drawn N(μ_j, s²K) is, over
// the scenario's paths, exactly a random walk with drift (μ_j − x₀)/K (the bridge's own
// construction run backwards), so each scenario gets its own tables, plus one term for the
// scenario's draw,
// V_j(0) − Σ_i p_i V_i(0). Intraday fills (sessions, continuous) are read from the engine's own
// outcome (the fill's and the exit's steps), and the tables move the levels inward by
// Broadie–Glasserman–Kou's 0.5826 σ√Δt (Mathematical Finance 7(4), 1997) so that closes stand
// for the session's range.
//
// Levels set from the fill (a percent stop or target, a dated entry's fill at its close): in the
// trade V depends on the fill y too. The tables hold slices, the in-trade tables of trades filled
// at a few prices across where the fill can be; a path reads the slice nearest its own fill, at
// the point standing between that slice's levels where its close stands between its own.

#include "thesis/core/thesis.h"
#include "thesis/core/unzeroed.h"
#include "thesis/simulation/path.h"
#include "thesis/simulation/trade.h"

#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace thesis {

/// The metrics a plan's control variate adjusts, in ControlValues' order: P(target), P(stop) (at
/// the level or through a gap) and E[P&L] per share.
enum class ControlledMetric { Target, Stop, Pnl };
inline constexpr std::size_t kControlledMetrics = 3;
using ControlValues = std::array<double, kControlledMetrics>;

/// The most steps that share one row of a plan's tables (PlanControl): the row of the group's
/// middle step. A stale coefficient is still known before the step's shock, so every term keeps
/// mean zero, and a's change over a few days is slow: eight steps a row left the seed's variances
/// within 3% of a row a step (docs/performance.md), for an eighth of the tables, whose reads then
/// stay in the caches, and an eighth of the backward pass's slopes. Fewer steps a row where the
/// horizon has few (each row's group a power of two steps, at least kControlRows rows): a weekly
/// grid's 52 steps keep a row each.
inline constexpr int kControlRowStepsMost = 8;
inline constexpr int kControlRows = 30;

/// Whether a plan's control variate can be tabled: a market, limit or dated entry, and a stop and
/// a target, if any, fixed in price or set from the fill (percent). Not a trailing stop (its
/// level follows the path's best price) nor an entry after an event.
bool control_playable(const PlanRules& rules);

/// Why simulation.control_variate martingale cannot run on `thesis` (paths from `generator`), or
/// nullopt where it can: it needs method mc, a model whose diffusion is one random walk per path
/// (gbm, merton, or scenarios at their default dispersion σ√T), no policy bracket, and plans
/// that are control_playable.
std::optional<std::string> control_variate_refusal(const Thesis& thesis, const PathGenerator& generator,
                                                   const std::vector<PlanRules>& rules, bool policy_bracket);

/// The weights of E[f(x_i + m + sZ)] and E[f(x_i + m + sZ)·Z], f piecewise linear through its values
/// f_j on a grid of spacing h: Σ_d w_d f_{i+d} and Σ_d v_d f_{i+d}, d = first … first + size − 1.
struct ConvolutionWeights {
    int first = 0;
    std::vector<double> value, slope;  ///< w_d and v_d
};
/// Exact for the interpolant: each hat function's integral against the normal density in closed
/// form (Φ and φ), taps out to `reach` standard deviations either side.
/// Example: m = 0, s = 2h → value sums to 1 and Σ_d v_d·d·h = s (the interpolant of x is x).
ConvolutionWeights value_convolution_weights(double m, double s, double h, double reach);

/// The step law a plan's tables model: x_{k+1} = x_k + m_k + s·ξ, m_k = `drift` before
/// `switch_step` (a scenario's landing) and `drift_after` from it on. With `level_shift` > 0 the
/// tables read a level as reached at a close that far inside it (intraday fills, BGK), and an exit
/// or fill at a close past its level is worth the level's price (`fills_at_level`).
struct ControlLaw {
    double drift = 0, drift_after = 0, vol = 0;
    int switch_step = std::numeric_limits<int>::max();
    double level_shift = 0;
    bool fills_at_level = false;
    double drift_at(int k) const { return k < switch_step ? drift : drift_after; }
};

/// One plan's control variate tables: a(k, x) for each metric, phase and step.
class PlanControl {
  public:
    /// The plan `rules` (control_playable) on paths of the step law `law` from x0, steps 1 …
    /// rules.last_step observed.
    PlanControl(const PlanRules& rules, double x0, const ControlLaw& law);
    /// GBM's closes: per-step drift m and sd s.
    PlanControl(const PlanRules& rules, double x0, double drift_step, double vol_step)
        : PlanControl(rules, x0,
                      ControlLaw{.drift = drift_step, .drift_after = drift_step, .vol = vol_step}) {}

    /// Σ_k a(k, x_k)·z_k + b(k, x_k)·(z_k² − 1) for each metric on a path whose step normals are
    /// z[0], z[stride], …: x_{k+1} = x_k + (m + s·z_k), the plan's rules played on the closes to
    /// know its phase, the sum running while the plan is open. Subtracted from the path's outcome.
    /// (GBM's closes.)
    ControlValues control(const double* z, std::size_t stride) const;

    /// Σ_k a(k, phase_k, x_k)·ξ_{k+1} + b(k, phase_k, x_k)·(ξ²_{k+1} − E[ξ²_{k+1}]) on a recorded
    /// path's closes log_price[0 … steps], with ξ_{k+1} = xi[k] = (x_{k+1} − x_k − m_k − j_k)/s
    /// (MartingaleControl::controls): j_k the mean of what jumps and events add over step k + 1
    /// given the path so far, so that ξ has mean zero given it, and xi2[k] = ξ²_{k+1} less its
    /// mean given it. The phase and the sum's end are read from the engine's `outcome` on that
    /// path: in the trade from its entry step (at the fill it read there: the entry step's close,
    /// or a limit's fill price), the sum stopping at a stop or target exit's step.
    ControlValues control(const double* log_price, const double* xi, const double* xi2,
                          const TradeOutcome& outcome) const;

    /// The law the tables were built for.
    const ControlLaw& law() const { return law_; }
    /// The grid's value of each metric at today's price (a check on the tables, not an estimate).
    ControlValues value_today() const { return today_; }
    /// The steps the tables cover: the plan's horizon (0 when nothing is random to control).
    int steps() const { return steps_; }
    /// The steps [0, term_end) whose terms control() sums on a path with this outcome: to a stop
    /// or target exit's step, else to the horizon (0 when nothing is random to control).
    int term_end(const TradeOutcome& outcome) const;

  private:
    enum Phase { Waiting = 0, InTrade = 1 };
    // The in-trade tables of the trade filled at log price `fill`: a(k, x) at the grid's points
    // first … first + size − 1 (x = low_ + j/inv_h_), steps trade_from_ … steps_ − 1, at
    // trading_[offset + (row_of(k, trade_from_) × size + i) × kControlledMetrics + metric]. Levels fixed
    // in price need one slice whatever the fill; a level set from the fill (percent), one for each
    // of a few fills across where the fill can be, each over its own corridor between the levels.
    struct Slice {
        double stop = 0, target = 0;  ///< the levels its fill sets (log)
        int first = 0, size = 0;
        std::size_t offset = 0;
    };
    // How the trade filled at y reads the slices: the one whose fill is nearest y (two, weighted
    // by nearness, took 3% more of the seed's cautious plan's variance away at 12% more time), a
    // close x read at its point offset + scale·x, which stands between the slice's levels where
    // x does between y's.
    struct SliceRead {
        const Slice* slice = nullptr;
        double offset = 0, scale = 1;
    };
    SliceRead locate(double fill) const;
    SliceRead read_slice(std::size_t slice, double fill) const;  // slice `slice` for the fill
    double stop_level(double fill) const {
        return rules_.stop == Stop::Kind::Percent ? fill + rules_.log_stop_offset : rules_.log_stop;
    }
    double target_level(double fill) const {
        return rules_.target == Target::Kind::Percent ? fill + rules_.log_target_offset : rules_.log_target;
    }
    // The rows that steps first … first + count − 1 need (one a 2^row_shift_ steps), and whether
    // step k is one that a row is taken at: the middle of its group (the last step of a short
    // last group).
    std::size_t row_count(int count) const {
        return static_cast<std::size_t>((count + (1 << row_shift_) - 1) >> row_shift_);
    }
    bool row_taken_at(int k, int first, int count) const {
        const int j = k - first, start = j >> row_shift_ << row_shift_;
        return j == std::min(start + (1 << row_shift_ >> 1), count - 1);
    }
    std::size_t row_of(int k, int first) const { return static_cast<std::size_t>((k - first) >> row_shift_); }
    const float* waiting_row(int k) const {
        return waiting_.data() + row_of(k, 0) * static_cast<std::size_t>(size_) * kControlledMetrics;
    }
    const float* slice_row(const Slice& s, int k) const {
        return trading_.data() + s.offset +
               row_of(k, trade_from_) * static_cast<std::size_t>(s.size) * kControlledMetrics;
    }
    // The second-order term's coefficient per unit of a's difference between the two points a
    // read at scale `scale` (a slice's stretch; 1 waiting) sits between: b = (s/2)·∂a/∂x, the
    // points 1/(scale·inv_h_) apart in x, times the stretch of the coefficient itself.
    double bend(double scale) const { return law_.vol / 2 * scale * scale * inv_h_; }
    // The row and point of a read at x on points first … first + size − 1 (linearly between them).
    const float* point(const float* row, int first, int size, double x, double& frac) const;
    // The coefficients add_term reads at phase `phase`, step k, close x (nullptr: no term there).
    const float* coefficients(int phase, int k, double x, const SliceRead& read, double& frac) const;
    // a(k, x)·ξ + b(k, x)·xi2 for each metric at phase `phase` (in the trade read through `read`
    // where there are several slices), added to sum.
    void add_term(int phase, int k, double x, const SliceRead& read, double xi, double xi2,
                  ControlValues& sum) const;
    PlanRules rules_;
    double x0_ = 0;
    ControlLaw law_;
    double low_ = 0, inv_h_ = 0;  ///< the grid: x_j = low_ + j / inv_h_
    int size_ = 0, steps_ = 0;
    int wait_steps_ = 0;  ///< the waiting tables' steps: 0 … wait_steps_ − 1
    int row_shift_ = 0;   ///< 2^row_shift_ steps a row (kControlRowStepsMost)
    int trade_from_ = 0;  ///< the first step a trade can be open at (a dated entry's)
    bool starts_in_trade_ = false;
    std::vector<Slice> slices_;
    double first_fill_ = 0, inv_fill_spacing_ = 0;  ///< slice q's fill: first_fill_ + q / inv_fill_spacing_
    // float: the tables decide the variance, never the mean
    // (UnzeroedVector: every coefficient is written once, by the backward pass; no zeros first)
    UnzeroedVector<float>
        waiting_;  // a(k, x_j, metric) at (row_of(k, 0) × size_ + j) × kControlledMetrics + metric
    UnzeroedVector<float> trading_;  // the slices'
    ControlValues today_{};
};

/// A thesis's controls: each plan's tables per scenario (one set for a model without scenarios),
/// and each path's control from its own draws and the engine's outcomes on it.
class MartingaleControl {
  public:
    /// Throws InputError (control_variate_refusal's reason) where the control cannot run. The
    /// tables are built on up to `threads` threads (0: every core), the same bits on any number.
    MartingaleControl(const Thesis& thesis, const PathGenerator& generator,
                      const std::vector<PlanRules>& rules, unsigned threads = 0);

    /// What an event that has not fired yet adds to a close on average, and the variance of it:
    /// h·m and h·(m² + sd²) − (h·m)² for its hazard h there and its jump N(m, sd²).
    struct EventMove {
        double mean = 0, variance = 0;
    };
    /// What the engine did with plan `plan` on path first + i.
    using Outcomes = std::function<const TradeOutcome&(std::size_t i, std::size_t plan)>;
    /// Whether controls() reads the paths' closes from a CloseTape (every model but GBM's
    /// closes without events, whose controls replay the Diffusion normals alone).
    bool needs_tape() const { return !from_normals_; }
    /// The controls of paths first … last − 1 for each plan: out[(path − first) × plans + plan].
    /// GBM's closes replay the normals (path_controls); other models and intraday fills read
    /// each path's closes from `tape` (PathGenerator::simulate's, on the run that gave the
    /// outcomes) and the outcomes.
    void controls(const PathGenerator& generator, const CloseTape* tape, std::uint64_t first,
                  std::uint64_t last, const Outcomes& outcomes, std::vector<ControlValues>& out) const;

    /// Plan `plan`'s tables on scenario j's paths (j = 0 without scenarios).
    const PlanControl& tables(std::size_t scenario, std::size_t plan) const {
        return tables_[scenario * plans_ + plan];
    }

  private:
    std::size_t plans_ = 0;
    bool from_normals_ = false;
    std::vector<PlanControl> tables_;           // [scenario × plans + plan]
    std::vector<ControlValues> scenario_term_;  // [scenario × plans + plan]: V_j(0) − Σ_i p_i V_i(0)
    /// [(scenario × events + event) × steps + k]: what the event adds to close k + 1 on the
    /// scenario's paths where it has not fired by close k, its mean and variance (from its
    /// hazard, the chance that it fires there).
    std::vector<EventMove> event_move_;
    /// [scenario × steps + k]: on a path that has seen none of the events by close k, the centre
    /// of its step k + 1 (the drift and the jumps' and events' mean moves) and E[ξ²_{k+1}].
    std::vector<double> step_centre_, step_second_;
    /// [scenario × events + event]: one past the last step the event can still move on.
    std::vector<int> event_end_;
};

/// The controls of paths first … last − 1 of `generator` (method mc: each path's Diffusion
/// normals, as the engine draws them) for each plan: out[(path − first) × plans + plan].
void path_controls(const PathGenerator& generator, std::span<const PlanControl> plans, std::uint64_t first,
                   std::uint64_t last, std::vector<ControlValues>& out);

}  // namespace thesis
