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
    double log_stop_offset = 0;    ///< Percent/Trailing: ln(1 − direction × distance)
    Target::Kind target = Target::Kind::None;
    double log_target = 0;
    double log_target_offset = 0;  ///< Percent: ln(1 + direction × distance)
    int last_step = 0;             ///< the plan's horizon
    double slippage = 0;           ///< fraction per fill
    double commission = 0;         ///< per share per fill
    double gap_threshold = 0.01;   ///< discrete: a stop fill this far past the level is a gap
    double touch_log_stop = 0, touch_log_target = 0;   ///< levels at the expected entry
    bool has_touch_stop = false, has_touch_target = false;
};

/// Compiles `plan` for `grid`. `spot` sets the expected entry for percent levels' touch checks;
/// `events` names the model's events for AfterEvent entries.
/// `default_horizon` is the simulation's horizon, for plans without one of their own.
PlanRules compile_plan(const Plan& plan, Price spot, const TimeGrid& grid,
                       const std::vector<CatalystEvent>& events, double gap_threshold,
                       std::optional<Years> default_horizon = std::nullopt);

/// Plays the plan on the path. Pure: the same path gives the same outcome.
TradeOutcome trade_on_path(const PlanRules& rules, const PricePath& path, Monitoring monitoring);

}  // namespace thesis
