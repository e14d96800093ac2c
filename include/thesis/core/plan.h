#pragma once
// A trade plan: how a position is entered, where it is stopped out, where profit is taken, how
// big it is and what it costs. Pure value types and the per-share arithmetic of risk and reward.

#include "thesis/core/units.h"

#include <optional>
#include <string>

namespace thesis {

enum class Side { Long, Short };

/// How a plan gets into the position.
struct Entry {
    enum class Kind { Market, Limit, OnDate, AfterEvent };
    Kind kind = Kind::Market;
    Price limit = 0;    ///< Limit: fills the first time the price is at or beyond it
    Years at = 0;       ///< OnDate: years after the valuation date
    std::string event;  ///< AfterEvent: the catalyst's name
};

/// Where the stop sits: a price, a percentage of the entry price, or trailing the best price.
struct Stop {
    enum class Kind { None, Fixed, Percent, Trailing };
    Kind kind = Kind::None;
    Price level = 0;        ///< Fixed
    Fraction distance = 0;  ///< Percent / Trailing: 0.15 = 15% away from entry (or the best price)
};

/// Where profit is taken: a price or a percentage beyond the entry price.
struct Target {
    enum class Kind { None, Fixed, Percent };
    Kind kind = Kind::None;
    Price level = 0;
    Fraction distance = 0;
};

/// Position sizing: either a fixed share count or a risk budget (capital × risk per trade).
struct Sizing {
    Amount capital = 0;            ///< money available for the trade
    Fraction risk_per_trade = 0;   ///< of capital lost if the stop fills at its level
    std::optional<double> shares;  ///< fixed share count, overrides the risk budget
};

/// Costs per fill: a commission per share and slippage against the trader in basis points.
struct Costs {
    double commission_per_share = 0;
    double slippage_bps = 0;
    /// A short's annual fee for borrowing the shares, on the position's value while it is open.
    Fraction borrow_rate = 0;
};

/// One European option of a hedge, bought (or, for a collar's financing leg, sold) when the plan's
/// entry fills and sold back when it exits (or settled at expiry).
struct OptionLeg {
    Price strike = 0;
    Years expiry = 0;               ///< years after the valuation date
    std::optional<Amount> premium;  ///< quoted today per share; its implied volatility prices it later
    std::optional<double> implied_volatility;  ///< or the volatility that prices it (Black–Scholes–Merton)
};

/// Options held against the position. A long is protected by a put (`Put`), a short by a call
/// (`Call`); a collar adds the other type, sold, to finance the protection. By default the
/// contracts cover the position share for share.
struct Hedge {
    enum class Kind { None, Put, Call, Collar };
    Kind kind = Kind::None;
    OptionLeg protection;             ///< the bought option: a put for a long, a call for a short
    OptionLeg financing;              ///< Collar: the sold option (a call for a long, a put for a short)
    double contract_size = 100;       ///< shares per contract
    std::optional<double> contracts;  ///< default: the position's shares / contract size
};

struct Plan {
    std::string name;
    std::string description;
    Side side = Side::Long;
    Entry entry;
    Stop stop;
    Target target;
    Sizing sizing;
    Costs costs;
    std::optional<Years> horizon;  ///< overrides the simulation horizon
    Hedge hedge;
};

/// The price a plan expects to enter at: the limit for a limit order, else `spot` (the best
/// guess for a market order or a later entry).
Price expected_entry(const Plan& plan, Price spot);
/// The stop's price for an entry at `entry`; nullopt without a stop. A trailing stop starts at
/// its distance from the entry. Example: 15% stop on a long at 700 → 595.
std::optional<Price> stop_price(const Plan& plan, Price entry);
/// The target's price for an entry at `entry`; nullopt without a target.
std::optional<Price> target_price(const Plan& plan, Price entry);

/// +1 for long, -1 for short: P&L per share = direction × (exit − entry).
inline double direction(Side side) { return side == Side::Long ? 1.0 : -1.0; }

/// What is wrong with a plan's levels, if anything, and which field it concerns.
struct PlanProblem {
    std::string field;    ///< "stop", "target", "entry", ...
    std::string message;  ///< "expected a price below entry (700), got 750"
};
/// Checks stop < entry < target for a long (reversed for a short), positive prices and sizes.
std::optional<PlanProblem> check_plan(const Plan& plan, Price spot);

/// Option shares per share of stock the hedge holds: contracts × contract size / the position's
/// shares, or 1 without a contract count (the options cover the position share for share).
double cover_ratio(const Hedge& hedge, double position_shares);
/// Whether the plan has a floor under its loss: a stop, or a protective option covering at least
/// every share (TradeOutcome::floor_shortfall measures the loss past it).
bool has_floor(const Plan& plan, double position_shares);

std::string_view to_string(Side side);
std::string to_string(const Entry& entry);
std::string to_string(const Stop& stop);
std::string to_string(const Target& target);
/// "put 600 (Dec 2026)"-like text: "put 600, 1y" or "collar 600/900, 1y"; "none" without a hedge.
std::string to_string(const Hedge& hedge);

}  // namespace thesis
