#include "thesis/valuation/payoff.h"

#include "thesis/core/errors.h"

#include <algorithm>
#include <cmath>

namespace thesis {

namespace {
// A fill's price after slippage: the trader always pays the spread (buys higher, sells lower).
Price slipped(Price level, double bps, bool buying) {
    const double s = bps * 1e-4;
    return buying ? level * (1 + s) : level * (1 - s);
}
}  // namespace

Fraction breakeven_win_rate(double reward, double risk) {
    // Expectation p·reward − (1 − p)·risk = 0  ⇒  p = risk / (risk + reward).
    if (!(reward + risk > 0)) return 0;
    return risk / (risk + reward);
}

TradeEconomics trade_economics(const Plan& plan, Price spot) {
    TradeEconomics e;
    e.side = plan.side;
    e.entry = expected_entry(plan, spot);
    const bool is_long = plan.side == Side::Long;
    e.entry_fill = slipped(e.entry, plan.costs.slippage_bps, /*buying=*/is_long);
    e.stop = stop_price(plan, e.entry);
    e.target = target_price(plan, e.entry);
    const double commission = 2 * plan.costs.commission_per_share;
    e.round_trip_costs =
        std::fabs(e.entry_fill - e.entry) + e.entry * plan.costs.slippage_bps * 1e-4 + commission;
    const double dir = direction(plan.side);
    if (e.stop) {
        const Price exit_fill = slipped(*e.stop, plan.costs.slippage_bps, /*buying=*/!is_long);
        e.risk_per_share = -(dir * (exit_fill - e.entry_fill) - commission);
    }
    if (e.target) {
        const Price exit_fill = slipped(*e.target, plan.costs.slippage_bps, /*buying=*/!is_long);
        e.reward_per_share = dir * (exit_fill - e.entry_fill) - commission;
    }
    if (e.stop && e.target && e.risk_per_share > 0) {
        e.reward_risk = e.reward_per_share / e.risk_per_share;
        e.breakeven_win_rate = breakeven_win_rate(e.reward_per_share, e.risk_per_share);
    }
    if (e.stop && e.target && *e.stop != e.entry) {
        const double gross_risk = std::fabs(e.entry - *e.stop);
        const double gross_reward = std::fabs(*e.target - e.entry);
        e.gross_reward_risk = gross_reward / gross_risk;
        e.gross_breakeven_win_rate = breakeven_win_rate(gross_reward, gross_risk);
    }
    // Size: a fixed count wins; else risk budget / risk per share, never more than the capital
    // buys outright (no leverage); without a stop the whole capital.
    const double affordable = e.entry_fill > 0 ? std::floor(plan.sizing.capital / e.entry_fill) : 0;
    if (plan.sizing.shares) {
        e.shares = *plan.sizing.shares;
    } else if (e.stop && e.risk_per_share > 0 && plan.sizing.risk_per_trade > 0) {
        const double budget = plan.sizing.capital * plan.sizing.risk_per_trade;
        e.shares = std::min(std::floor(budget / e.risk_per_share), affordable);
    } else {
        e.shares = affordable;
    }
    e.position_value = e.shares * e.entry_fill;
    e.capital_at_risk = e.stop ? e.shares * e.risk_per_share : e.position_value;
    return e;
}

Price exit_level(const TradeEconomics& e, ExitRule rule, Price final_price) {
    const bool is_long = e.side == Side::Long;
    if (rule != ExitRule::Hold && e.stop) {
        if (is_long ? final_price <= *e.stop : final_price >= *e.stop) return *e.stop;
    }
    if (rule == ExitRule::StopAndTarget && e.target) {
        if (is_long ? final_price >= *e.target : final_price <= *e.target) return *e.target;
    }
    return final_price;
}

PnL pnl_at(const Plan& plan, const TradeEconomics& e, Price exit) {
    const bool is_long = plan.side == Side::Long;
    const Price exit_fill = slipped(exit, plan.costs.slippage_bps, /*buying=*/!is_long);
    PnL p;
    p.per_share = direction(plan.side) * (exit_fill - e.entry_fill) - 2 * plan.costs.commission_per_share;
    p.per_position = p.per_share * e.shares;
    p.of_entry = e.entry_fill > 0 ? p.per_share / e.entry_fill : 0;
    return p;
}

std::vector<Price> price_grid(Price from, Price to, Price step) {
    if (!(step > 0) || !std::isfinite(step))
        throw InputError({"command line"}, "grid.step",
                         fmt::format("expected a positive step, got {}", step));
    if (!(from <= to) || !std::isfinite(from) || !std::isfinite(to))
        throw InputError({"command line"}, "grid.from",
                         fmt::format("expected the grid's first price ({}) at most its last ({})", from, to));
    if (from < 0) throw InputError({"command line"}, "grid.from", "expected a non-negative price");
    const double rows = std::floor((to - from) / step + 1e-9) + 1;
    if (rows > 10000)
        throw InputError({"command line"}, "grid.step",
                         fmt::format("{} rows is too many; at most 10,000", rows));
    std::vector<Price> grid;
    for (int i = 0; i < static_cast<int>(rows); ++i) grid.push_back(from + i * step);
    return grid;
}

std::vector<Price> default_price_grid(const TradeEconomics& e, const std::vector<Price>& also_include) {
    double lo = e.entry, hi = e.entry;
    for (const auto& level : {e.stop, e.target})
        if (level) lo = std::min(lo, *level), hi = std::max(hi, *level);
    for (Price p : also_include) lo = std::min(lo, p), hi = std::max(hi, p);
    lo *= 0.9;
    hi *= 1.1;
    // A round step (1, 2, 2.5, 5 × 10^k) giving 12–25 rows.
    const double raw = (hi - lo) / 16;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (raw <= m * magnitude * 1.25) {
            step = m * magnitude;
            break;
        }
    const double from = std::max(0.0, std::floor(lo / step) * step);
    const double to = std::ceil(hi / step) * step;
    return price_grid(from, to, step);
}

std::vector<PayoffRow> payoff_table(const Plan& plan, const TradeEconomics& e,
                                    const std::vector<Price>& grid) {
    std::vector<PayoffRow> rows;
    rows.reserve(grid.size());
    for (Price x : grid) {
        PayoffRow row;
        row.exit = x;
        row.hold = pnl_at(plan, e, exit_level(e, ExitRule::Hold, x));
        row.stop_only = pnl_at(plan, e, exit_level(e, ExitRule::StopOnly, x));
        row.stop_and_target = pnl_at(plan, e, exit_level(e, ExitRule::StopAndTarget, x));
        rows.push_back(row);
    }
    return rows;
}

}  // namespace thesis
