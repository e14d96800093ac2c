#pragma once
// A trade plan played out on one simulated path (the Monte Carlo "path pricer"): when it fills,
// how it leaves, at what price, and the P&L. Fill rules are a named monitoring policy:
//  - Discrete (close-only): an order fills at the first observed price at or beyond its level,
//    at that price; a gap through a stop therefore fills past it.
//  - Continuous: between observations the diffusion is a Brownian bridge (bridge.h); an order
//    fills at its level when the bridge reaches it, and at the post-jump price when a jump (or a
//    catalyst event) takes the price across it.
//  - Sessions: each step is a trading day. An overnight move (a share of the day's variance, plus
//    the day's jumps and events) takes the close to the open; then the session is a Brownian
//    bridge from the open to the close. Orders fill at the open price when the open is already
//    beyond them, else at their level when the session's bridge reaches it.
// Under continuous and session monitoring the order in which a step's bridge reaches its levels is
// exact: PlanTracker walks the bridge in time order (trade.cpp), splitting it at its midpoint
// wherever orders on both sides of the price could fill, so a step that reaches both the stop and
// the target takes whichever it reached first, and a limit filled inside a step is followed by its
// stop and target for the rest of the step.

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
    double gap_threshold = 0.01;   ///< a stop fill this far past the level is a gap
    /// The same in log price, −ln(1 − g): a long's fill below level × (1 − g), a short's above
    /// level / (1 − g) (the mirror image in log terms).
    double log_gap_allowed = 0.01005033585350145;
    double touch_log_stop = 0, touch_log_target = 0;   ///< levels at the expected entry
    bool has_touch_stop = false, has_touch_target = false;
};

/// Whether the engine can play the plan in its vector lanes (path_kernel.cpp) rather than with
/// a PlanTracker per lane: a market or limit entry and a fixed stop and target, if any, whose
/// levels are the same on every path.
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

/// What a plan sees of one path at step k ≥ 1, in log prices: the observation before (the
/// previous close), the open (sessions: after the overnight move, the step's jumps and its
/// events; equal to `before` otherwise), the end of the step's diffusion (continuous: before
/// the step's jumps and events), the observation after (the close), and the uniforms and key
/// for the bridge's draws.
struct StepView {
    double before = 0, open = 0, diffusive_end = 0, observed = 0;
    double u_low = 0.5, u_high = 0.5;   ///< place the step's minimum and maximum (bridge.h)
    double minus_log_u_low = 0, minus_log_u_high = 0;   ///< −ln u where known already; 0 if not
    double bridge_variance = 0;         ///< σ² dt: continuous monitoring's bridge, before → diffusive_end
    double session_variance = 0;        ///< (1 − overnight share) σ² dt: the session's, open → observed
    std::uint64_t seed = 0, path = 0;   ///< key the draws of a split bridge (refinement_random)
};

/// One plan on one path, played step by step: the fill rules of trade_on_path, in a form the
/// SIMD engine can call only at the steps where something can happen. Between calls the plan
/// is waiting for the price to reach watch_low() or watch_high(), or for step forced_step().
/// A step that reaches none of them (discrete: the observation; continuous and sessions: the
/// step's start, its open, its close or its bridge's extremes) changes nothing, and may be
/// skipped, unless (continuous and sessions) the bridge may visit both split_low() and
/// split_high(): the walk then splits the bridge, and the step must be shown.
class PlanTracker {
  public:
    /// Step 0: `x0` is today's log price; `event_steps` the step each model event fired at
    /// (−1 if it did not), for entries that wait for an event.
    void start(const PlanRules& rules, Monitoring monitoring, double x0, const int* event_steps);
    /// A lane_playable plan (no touches) as the engine's lanes hold it between steps: waiting
    /// for its limit, or in a trade entered at step `entry_step` at log price `entry_log`. The
    /// lanes price the trade themselves (close_trade), so a resumed tracker keeps its fills in
    /// log prices: its outcome() has the reason and the steps, not the prices or the P&L.
    static PlanTracker resumed(const PlanRules& rules, Monitoring monitoring, bool in_trade,
                               int entry_step, double entry_log);
    /// Step k (1 ≤ k ≤ rules.last_step, in order; steps may be skipped as above).
    void step(const PlanRules& rules, int k, const StepView& view);

    bool done() const { return phase_ == Phase::Done; }
    bool in_trade() const { return phase_ == Phase::InTrade; }
    /// Done and watching nothing more (its touches decided, or not measured): no later step can
    /// change its outcome.
    bool settled() const {
        return phase_ == Phase::Done && watch_low_ == -kSettledInf && watch_high_ == kSettledInf;
    }
    /// The levels (log price) at or beyond which something happens; ∓∞ when none.
    double watch_low() const { return watch_low_; }
    double watch_high() const { return watch_high_; }
    /// The nearest order levels below and above (log price; ∓∞ when none), counting the stop and
    /// target a waiting limit would bring: continuous and session monitoring split a step's
    /// bridge only where it may visit both (bridge_may_visit).
    double split_low() const { return split_low_; }
    double split_high() const { return split_high_; }
    /// The next step that must be shown whatever the price (a dated entry, an event, the
    /// horizon; every step for a trailing stop); a huge number once done.
    int forced_step() const { return forced_step_; }
    const TradeOutcome& outcome() const { return out_; }
    double entry_log() const { return entry_log_; }
    double exit_log() const { return exit_log_; }

  private:
    static constexpr double kSettledInf = std::numeric_limits<double>::infinity();
    enum class Phase { Waiting, InTrade, Done };
    struct BridgeDraws;
    void enter(const PlanRules& r, int k, double log_price);
    void finish(const PlanRules& r, ExitReason reason, int k, double log_price);
    void stop_out(const PlanRules& r, int k, double log_price);
    void update_watch(const PlanRules& r, int k);
    void discrete_step(const PlanRules& r, int k, const StepView& view);
    void price_at(const PlanRules& r, int k, double x);
    void walk(const PlanRules& r, int k, double a, double b, double v, int depth, BridgeDraws& draws);
    void leaf(const PlanRules& r, int k, double a, double b, double v, int side, BridgeDraws& draws);
    bool bridge_settled(const PlanRules& r) const;

    TradeOutcome out_;
    Phase phase_ = Phase::Waiting;
    Monitoring monitoring_ = Monitoring::Discrete;
    double entry_log_ = 0, exit_log_ = 0, log_stop_ = 0, log_target_ = 0, best_ = 0;
    int event_step_ = -1;   ///< AfterEvent: the step its event fired at
    double watch_low_ = 0, watch_high_ = 0, split_low_ = 0, split_high_ = 0;
    int forced_step_ = 0;
    bool for_lanes_ = false;   ///< resumed for the engine's lanes: log prices, no watches
};

/// Plays the plan on a stored path (every step). Pure: the same path gives the same outcome,
/// equal to what the engine's PlanTracker gives on the same draws.
TradeOutcome trade_on_path(const PlanRules& rules, const PricePath& path, Monitoring monitoring);

}  // namespace thesis
