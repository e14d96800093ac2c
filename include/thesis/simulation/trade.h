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

#include "thesis/core/plan.h"
#include "thesis/math/black_scholes.h"
#include "thesis/simulation/path.h"

#include <array>
#include <limits>
#include <optional>
#include <string_view>

namespace thesis {

enum class ExitReason { Unfilled, Target, Stop, GapThroughStop, Horizon };
inline constexpr std::array kExitReasons{ExitReason::Unfilled, ExitReason::Target, ExitReason::Stop,
                                         ExitReason::GapThroughStop, ExitReason::Horizon};
std::string_view to_string(ExitReason reason);

/// What happened to one plan on one path.
struct TradeOutcome {
    ExitReason reason = ExitReason::Unfilled;
    Price entry_price = 0;     ///< where the entry filled (before slippage)
    Price exit_price = 0;      ///< where the exit filled (before slippage)
    double pnl_per_share = 0;  ///< direction × (exit fill − entry fill) − commissions; 0 unfilled
    int entry_step = -1, exit_step = -1;
    double stop_shortfall = 0;  ///< stop exits: per share lost beyond the stop level (≥ 0)
    double hedge_pnl = 0;       ///< the options' part of pnl_per_share: sold at exit less bought at entry
    /// The carry's part of pnl_per_share: dividends received (a long) or paid (a short), less a
    /// short's borrow fee, over the holding on the average of the entry and exit prices.
    double carry = 0;
    /// The position's size at this path's fill: the plan's share count, or its risk budget over
    /// the risk per share from the fill, capped by what the capital buys (0 unfilled or unsized).
    double shares = 0;
    /// Per share lost beyond the plan's floor: the loss its stop promises at the level, or its
    /// protective option at the strike plus the premium, whichever is smaller (≥ 0; 0 without one).
    double floor_shortfall = 0;
    bool touched_target = false, touched_stop = false;  ///< the price reached the level, any time
};

/// One option of a plan's hedge, compiled: its position per share of stock held (+ bought, −
/// sold: the cover ratio), and what prices it.
struct HedgeLeg {
    OptionType type = OptionType::Put;
    double position = 0;
    double strike = 0, expiry = 0, volatility = 0;  ///< expiry in years from the valuation date
};

/// A plan's options, bought when the entry fills and sold when the trade exits, at their
/// Black–Scholes–Merton value for the time left (the intrinsic value at expiry).
struct HedgeRules {
    int legs = 0;  ///< 0: no hedge
    std::array<HedgeLeg, 2> leg{};
    double rate = 0, dividend_yield = 0, dt = 0;  ///< dt: years per step, to date a fill
};

/// The hedge's value per share of stock at step k and price S: Σ position × option value.
double hedge_value(const HedgeRules& hedge, int step, double price);

/// A plan compiled against a time grid: levels in log price, steps as indices.
struct PlanRules {
    Side side = Side::Long;
    Entry::Kind entry = Entry::Kind::Market;
    double log_limit = 0;
    int entry_step = 0;    ///< OnDate: the first observation at or after the date
    int entry_event = -1;  ///< AfterEvent: index into the model's events
    Stop::Kind stop = Stop::Kind::None;
    double log_stop = 0;         ///< Fixed
    double stop_price = 0;       ///< Fixed: exp(log_stop), once
    double log_stop_offset = 0;  ///< Percent/Trailing: ln(1 − direction × distance)
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
    double touch_log_stop = 0, touch_log_target = 0;  ///< levels at the expected entry
    bool has_touch_stop = false, has_touch_target = false;
    HedgeRules hedge;
    double dt = 0;  ///< years per step: the holding's length for the carry
    /// Carry per year, as fractions of the price: the dividend yield (received long, paid short)
    /// and a short's borrow rate.
    double dividend_yield = 0, borrow_rate = 0;
    /// Sizing at the fill (payoff.h's rule at the fill's price): a fixed count, or the risk
    /// budget capital × risk_per_trade over the risk per share, never more than the capital buys.
    std::optional<double> fixed_shares;
    double capital = 0, risk_budget = 0;
};

/// The position's shares when the entry fills at `entry_price` (before slippage).
double shares_at_fill(const PlanRules& rules, double entry_price);

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

/// Compiles `plan` for `grid` in `thesis` (its spot, events, simulation settings, and the rate and
/// dividend yield that price a hedge). Throws InputError for a hedge whose quoted premium no
/// volatility gives or whose contracts need a size the plan does not have.
PlanRules compile_plan(const Plan& plan, const Thesis& thesis, const TimeGrid& grid);

/// Compiles `plan` (which must have no hedge) for `grid`, without dividends. `spot` sets the
/// expected entry for percent levels' touch checks; `events` names the model's events for
/// AfterEvent entries.
/// `default_horizon` is the simulation's horizon, for plans without one of their own.
PlanRules compile_plan(const Plan& plan, Price spot, const TimeGrid& grid,
                       const std::vector<CatalystEvent>& events, double gap_threshold,
                       std::optional<Years> default_horizon = std::nullopt, bool touch_odds = true);

/// Plays the plan on a stored path (every step). Pure: the same path gives the same outcome,
/// equal to what the engine's PlanTracker gives on the same draws.
TradeOutcome trade_on_path(const PlanRules& rules, const PricePath& path, Monitoring monitoring);

}  // namespace thesis
