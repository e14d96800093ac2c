#pragma once
// One plan on one path, played step by step as the engine shows it the steps where something can
// happen (PlanTracker), and what it is shown (StepView). Internals of the simulation: the engine,
// PlanBook and trade_on_path play plans with it; the tests check the lanes against it.

#include "thesis/simulation/trade.h"

namespace thesis {

/// What a plan sees of one path at step k ≥ 1, in log prices: the observation before (the
/// previous close), the open (sessions: after the overnight move, the step's jumps and its
/// events; equal to `before` otherwise), the end of the step's diffusion (continuous: before
/// the step's jumps and events), the observation after (the close), and the uniforms and key
/// for the bridge's draws.
struct StepView {
    double before = 0, open = 0, diffusive_end = 0, observed = 0;
    double u_low = 0.5, u_high = 0.5;                  ///< place the step's minimum and maximum (bridge.h)
    double minus_log_u_low = 0, minus_log_u_high = 0;  ///< −ln u where known already; 0 if not
    double bridge_variance = 0;        ///< σ² dt: continuous monitoring's bridge, before → diffusive_end
    double session_variance = 0;       ///< (1 − overnight share) σ² dt: the session's, open → observed
    std::uint64_t seed = 0, path = 0;  ///< key the draws of a split bridge (refinement_random)
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
    static PlanTracker resumed(const PlanRules& rules, Monitoring monitoring, bool in_trade, int entry_step,
                               double entry_log);
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
    int event_step_ = -1;  ///< AfterEvent: the step its event fired at
    double watch_low_ = 0, watch_high_ = 0, split_low_ = 0, split_high_ = 0;
    int forced_step_ = 0;
    bool for_lanes_ = false;  ///< resumed for the engine's lanes: log prices, no watches
};

}  // namespace thesis
