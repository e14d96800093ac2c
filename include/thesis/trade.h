#pragma once
// A trade plan played out on one simulated path (the Monte Carlo "path pricer"): when it fills,
// how it leaves, at what price, and the P&L. Fill rules are a named monitoring policy:
//  - Discrete: an order fills at the first observed price at or beyond its level, at that price;
//    a gap through a stop therefore fills past it.
//  - Continuous: between observations the diffusion is a Brownian bridge (path.h); a diffusive
//    crossing fills at the level, a jump across it at the post-jump price.

#include "thesis/path.h"
#include "thesis/plan.h"

#include <array>
#include <limits>
#include <optional>
#include <string_view>

namespace thesis {

enum class ExitReason { Unfilled, Target, Stop, GapThroughStop, Horizon };
inline constexpr std::array kExitReasons{ExitReason::Unfilled, ExitReason::Target,
                                         ExitReason::Stop, ExitReason::GapThroughStop,
                                         ExitReason::Horizon};
std::string_view to_string(ExitReason reason);

/// What happened to one plan on one path.
struct TradeOutcome {
    ExitReason reason = ExitReason::Unfilled;
    Price entry_price = 0;     ///< where the entry filled (before slippage)
    Price exit_price = 0;      ///< where the exit filled (before slippage)
    double pnl_per_share = 0;  ///< direction × (exit fill − entry fill) − commissions; 0 unfilled
    int entry_step = -1, exit_step = -1;
    double stop_shortfall = 0; ///< stop exits: per share lost beyond the stop level (≥ 0)
    bool touched_target = false, touched_stop = false;  ///< the price reached the level, any time
};

/// A plan compiled against a time grid: levels in log price, steps as indices.
struct PlanRules {
    Side side = Side::Long;
    Entry::Kind entry = Entry::Kind::Market;
    double log_limit = 0;
    int entry_step = 0;            ///< OnDate: the first observation at or after the date
    int entry_event = -1;          ///< AfterEvent: index into the model's events
    Stop::Kind stop = Stop::Kind::None;
    double log_stop = 0;           ///< Fixed
    double stop_price = 0;         ///< Fixed: exp(log_stop), once
    double log_stop_offset = 0;    ///< Percent/Trailing: ln(1 − direction × distance)
    Target::Kind target = Target::Kind::None;
    double log_target = 0;
    double log_target_offset = 0;  ///< Percent: ln(1 + direction × distance)
    int last_step = 0;             ///< the plan's horizon
    double slippage = 0;           ///< fraction per fill
    double commission = 0;         ///< per share per fill
    double gap_threshold = 0.01;   ///< discrete: a stop fill this far past the level is a gap
    /// The same in log price: a long's fill below level × (1 − g), a short's above level × (1 + g).
    double log_gap_allowed = 0.01005033585350145;
    double touch_log_stop = 0, touch_log_target = 0;   ///< levels at the expected entry
    bool has_touch_stop = false, has_touch_target = false;
};

/// Whether the engine can play the plan in its vector lanes (path_kernel.cpp) rather than with
/// a PlanTracker per lane: a market or limit entry and a fixed stop and target, if any, whose
/// levels are the same on every path. Continuous monitoring is for the tracker alone.
bool lane_playable(const PlanRules& rules);

/// Closes a filled trade (out.entry_step and out.entry_price set) at step k, at exp(exit_log):
/// the exit, the stop shortfall (past the stop level stop_price, stop exits only) and the P&L,
/// pnl = dir × (exit × (1 − dir·slippage) − entry × (1 + dir·slippage)) − 2 × commission.
/// The one formula PlanTracker and the engine's lanes both use, so their outcomes match bit for bit.
void close_trade(const PlanRules& rules, TradeOutcome& out, ExitReason reason, int k, double exit_log,
                 double stop_price);

/// Compiles `plan` for `grid`. `spot` sets the expected entry for percent levels' touch checks;
/// `events` names the model's events for AfterEvent entries.
/// `default_horizon` is the simulation's horizon, for plans without one of their own.
PlanRules compile_plan(const Plan& plan, Price spot, const TimeGrid& grid,
                       const std::vector<CatalystEvent>& events, double gap_threshold,
                       std::optional<Years> default_horizon = std::nullopt, bool touch_odds = true);

/// What a plan sees of one path at step k ≥ 1: the observation before, the end of the step's
/// diffusion, the observation after (jumps included), and under continuous monitoring the two
/// uniforms that place the Brownian bridge's extremes (bridge_low/bridge_high below).
struct StepView {
    double before = 0, diffusive_end = 0, observed = 0;
    double u_low = 0.5, u_high = 0.5;
    double bridge_variance = 0;   ///< σ² dt of the log price's diffusion
    /// A stored path's extremes (PricePath::bridge_low/high), used instead of the uniforms.
    bool extremes_given = false;
    double bridge_low_value = 0, bridge_high_value = 0;
};

/// The extremes of the Brownian bridge from a to b over a step with variance v = σ² dt, sampled
/// by inversion: P(min ≤ m) = exp(−2 (a − m)(b − m) / v) for m ≤ min(a, b), so
/// m = (a + b − √((a − b)² − 2 v ln u)) / 2 (as QuantLib's BarrierPathPricer; Glasserman,
/// "Monte Carlo Methods in Financial Engineering" §6.4). The maximum mirrors it with its own u.
double bridge_low(double a, double b, double v, double u);
double bridge_high(double a, double b, double v, double u);

/// Whether an order filled during a step, and where.
struct Fill {
    bool filled = false;
    double log_price = 0;
    bool by_jump = false;   ///< continuous monitoring: filled past the level, not at it (a gap)
};
/// Where an order at `level` fills during `step` under continuous monitoring, if it does: at
/// the step's start if the price is already past the level (a gap), at the level if the
/// bridge reaches it, else past it if a jump took the price there (a gap). `down` orders fill
/// at or below the level (a long's limit buy and stop, a short's target), up orders at or above.
/// PlanTracker's rule, for the engine's lanes to share.
Fill bridge_fill(const StepView& step, double level, bool down);

/// One plan on one path, played step by step: the fill rules of trade_on_path, in a form the
/// SIMD engine can call only at the steps where something can happen. Between calls the plan
/// is waiting for the price to reach watch_low() or watch_high(), or for step forced_step();
/// a step that reaches none of them (discrete: the observation; continuous: the observation,
/// the step's start or the bridge's extremes) would change nothing, so it may be skipped.
class PlanTracker {
  public:
    /// Step 0: `x0` is today's log price; `event_steps` the step each model event fired at
    /// (−1 if it did not), for entries that wait for an event.
    void start(const PlanRules& rules, Monitoring monitoring, double x0, const int* event_steps);
    /// Step k (1 ≤ k ≤ rules.last_step, in order; steps may be skipped as above).
    void step(const PlanRules& rules, int k, const StepView& view);

    bool done() const { return phase_ == Phase::Done; }
    /// Done and watching nothing more (its touches decided, or not measured): no later step can
    /// change its outcome.
    bool settled() const {
        return phase_ == Phase::Done && watch_low_ == -kSettledInf && watch_high_ == kSettledInf;
    }
    /// The levels (log price) at or beyond which something happens; ∓∞ when none.
    double watch_low() const { return watch_low_; }
    double watch_high() const { return watch_high_; }
    /// The next step that must be shown whatever the price (a dated entry, an event, the
    /// horizon; every step for a trailing stop); a huge number once done.
    int forced_step() const { return forced_step_; }
    const TradeOutcome& outcome() const { return out_; }

  private:
    static constexpr double kSettledInf = std::numeric_limits<double>::infinity();
    enum class Phase { Waiting, InTrade, Done };
    void enter(const PlanRules& r, int k, double log_price);
    void finish(const PlanRules& r, ExitReason reason, int k, double log_price);
    void update_watch(const PlanRules& r, int k);

    TradeOutcome out_;
    Phase phase_ = Phase::Waiting;
    Monitoring monitoring_ = Monitoring::Discrete;
    double entry_log_ = 0, log_stop_ = 0, log_target_ = 0, best_ = 0;
    int event_step_ = -1;   ///< AfterEvent: the step its event fired at
    double watch_low_ = 0, watch_high_ = 0;
    int forced_step_ = 0;
};

/// Plays the plan on a stored path (every step). Pure: the same path gives the same outcome,
/// equal to what the engine's PlanTracker gives on the same draws.
TradeOutcome trade_on_path(const PlanRules& rules, const PricePath& path, Monitoring monitoring);

}  // namespace thesis
