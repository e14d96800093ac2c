#pragma once
// Payoff of a trade plan at a given exit price: the buy / stop-loss table. Pure functions.

#include "thesis/core/plan.h"

#include <optional>
#include <string>
#include <vector>

namespace thesis {

/// The per-share and per-position economics of a plan entered at its expected entry price.
struct TradeEconomics {
    Side side = Side::Long;
    Price entry = 0;       ///< expected entry level
    Price entry_fill = 0;  ///< after slippage
    std::optional<Price> stop, target;
    double round_trip_costs = 0;            ///< commissions + slippage per share, both fills, at entry
    double risk_per_share = 0;              ///< loss per share if stopped at the level, costs included
    double reward_per_share = 0;            ///< gain per share at the target, costs included
    double reward_risk = 0;                 ///< R = reward / risk; 0 without stop or target
    Fraction breakeven_win_rate = 0;        ///< risk / (risk + reward) = 1 / (1 + R)
    double gross_reward_risk = 0;           ///< R before costs: |target − entry| / |entry − stop|
    Fraction gross_breakeven_win_rate = 0;  ///< before costs
    double shares = 0;                      ///< from the fixed count or the risk budget, no leverage
    Amount position_value = 0;              ///< shares × entry fill
    Amount capital_at_risk = 0;             ///< shares × risk per share
};

/// Example: long limit 700, stop 600, target 1000, no costs → risk 100, reward 300, R 3.0,
/// breakeven 25%; $100,000 capital risking 2% → 20 shares.
TradeEconomics trade_economics(const Plan& plan, Price spot);

/// Breakeven win rate of a bet that wins `reward` or loses `risk`: risk / (risk + reward).
/// Example: breakeven_win_rate(3, 1) == 0.25.
Fraction breakeven_win_rate(double reward, double risk);

/// How the position leaves when the price ends at X.
enum class ExitRule {
    Hold,           ///< buy-and-hold: sells at X
    StopOnly,       ///< stopped at the stop level if X is beyond it, else X
    StopAndTarget,  ///< stopped at the stop, or takes profit at the target, else X
};

/// The price the position exits at under `rule` when the price ends at `final_price`, assuming the
/// price moved there without gapping (a gap through the stop is the simulation's business).
Price exit_level(const TradeEconomics& economics, ExitRule rule, Price final_price);

/// P&L of one exit.
struct PnL {
    double per_share = 0;
    Amount per_position = 0;
    Fraction of_entry = 0;  ///< per share / entry fill
};
/// P&L of exiting at `exit` (before slippage), with the plan's costs. Example: long 700 → 1000
/// without costs: +300 per share, +42.9%.
PnL pnl_at(const Plan& plan, const TradeEconomics& economics, Price exit);

/// A row of the payoff table.
struct PayoffRow {
    std::string label;  ///< "" for a grid row, the scenario name for a scenario's price
    Price exit = 0;
    PnL hold, stop_only, stop_and_target;
};

/// The exit-price grid: from, from + step, ... up to and including `to` (within 1e-9 of a step).
/// Throws InputError if step <= 0, from > to or the grid would exceed 10,000 rows.
std::vector<Price> price_grid(Price from, Price to, Price step);

/// A default grid spanning below the stop to above the target (and any scenario price), with a
/// round step giving about 12–25 rows.
std::vector<Price> default_price_grid(const TradeEconomics& economics,
                                      const std::vector<Price>& also_include);

std::vector<PayoffRow> payoff_table(const Plan& plan, const TradeEconomics& economics,
                                    const std::vector<Price>& grid);

}  // namespace thesis
