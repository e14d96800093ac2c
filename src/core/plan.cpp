#include "thesis/core/plan.h"

#include <fmt/format.h>

#include <cmath>

namespace thesis {

Price expected_entry(const Plan& plan, Price spot) {
    return plan.entry.kind == Entry::Kind::Limit ? plan.entry.limit : spot;
}

std::optional<Price> stop_price(const Plan& plan, Price entry) {
    const double dir = direction(plan.side);
    switch (plan.stop.kind) {
        case Stop::Kind::None: return std::nullopt;
        case Stop::Kind::Fixed: return plan.stop.level;
        case Stop::Kind::Percent:
        case Stop::Kind::Trailing: return entry * (1 - dir * plan.stop.distance);
    }
    return std::nullopt;
}

std::optional<Price> target_price(const Plan& plan, Price entry) {
    switch (plan.target.kind) {
        case Target::Kind::None: return std::nullopt;
        case Target::Kind::Fixed: return plan.target.level;
        case Target::Kind::Percent: return entry * (1 + direction(plan.side) * plan.target.distance);
    }
    return std::nullopt;
}

namespace {
// A price for a message: 700, 699.9999, 1e+300.
std::string shown_price(double price) { return fmt::format("{:.10g}", price); }

// A price level out of [kMinPrice, kMaxPrice], or nullopt.
std::optional<std::string> price_out_of_range(double level) {
    if (level >= limits::kMinPrice && level <= limits::kMaxPrice) return std::nullopt;
    return fmt::format("expected a price from $0.01 to $1,000,000,000,000 a share, got {}",
                       shown_price(level));
}
}  // namespace

std::optional<PlanProblem> check_plan(const Plan& plan, Price spot) {
    using namespace limits;
    if (plan.entry.kind == Entry::Kind::Limit) {
        if (!(plan.entry.limit > 0))
            return PlanProblem{"entry", fmt::format("expected a positive limit price, got {}",
                                                    shown_price(plan.entry.limit))};
        if (auto bad = price_out_of_range(plan.entry.limit)) return PlanProblem{"entry", *bad};
    }
    const Price entry = expected_entry(plan, spot);
    const bool is_long = plan.side == Side::Long;
    // A level this close to the entry makes the risk (or the reward) per share zero.
    const double min_gap = kMinLevelGap * entry;
    if (plan.stop.kind == Stop::Kind::Fixed) {
        if (!(plan.stop.level > 0))
            return PlanProblem{
                "stop", fmt::format("expected a positive price, got {}", shown_price(plan.stop.level))};
        if (is_long ? plan.stop.level >= entry : plan.stop.level <= entry)
            return PlanProblem{"stop", fmt::format("expected a price {} entry ({}) for a {} plan, "
                                                   "got {}",
                                                   is_long ? "below" : "above", shown_price(entry),
                                                   to_string(plan.side), shown_price(plan.stop.level))};
        if (std::fabs(entry - plan.stop.level) < min_gap)
            return PlanProblem{"stop", fmt::format("expected a stop at least 0.0001% away from the "
                                                   "entry ({}), got {}: the risk per share would "
                                                   "be zero",
                                                   shown_price(entry), shown_price(plan.stop.level))};
        if (auto bad = price_out_of_range(plan.stop.level)) return PlanProblem{"stop", *bad};
    } else if (plan.stop.kind != Stop::Kind::None) {
        const double max = is_long ? 1 : kMaxDistance;
        if (!(plan.stop.distance >= kMinLevelGap) || !(plan.stop.distance < max))
            return PlanProblem{"stop", fmt::format("expected a distance from 0.0001% to below {}, "
                                                   "got {:g}%",
                                                   is_long ? "100%" : "10,000%", plan.stop.distance * 100)};
    }
    if (plan.target.kind == Target::Kind::Fixed) {
        if (!(plan.target.level > 0))
            return PlanProblem{
                "target", fmt::format("expected a positive price, got {}", shown_price(plan.target.level))};
        if (is_long ? plan.target.level <= entry : plan.target.level >= entry)
            return PlanProblem{"target", fmt::format("expected a price {} entry ({}) for a {} "
                                                     "plan, got {}",
                                                     is_long ? "above" : "below", shown_price(entry),
                                                     to_string(plan.side), shown_price(plan.target.level))};
        if (std::fabs(plan.target.level - entry) < min_gap)
            return PlanProblem{"target", fmt::format("expected a target at least 0.0001% away "
                                                     "from the entry ({}), got {}",
                                                     shown_price(entry), shown_price(plan.target.level))};
        if (auto bad = price_out_of_range(plan.target.level)) return PlanProblem{"target", *bad};
    } else if (plan.target.kind == Target::Kind::Percent) {
        const double max = is_long ? kMaxDistance : 1;
        if (!(plan.target.distance >= kMinLevelGap) || !(plan.target.distance < max))
            return PlanProblem{"target",
                               fmt::format("expected a distance from 0.0001% to below {}, "
                                           "got {:g}%",
                                           is_long ? "10,000%" : "100%", plan.target.distance * 100)};
    }
    if (plan.sizing.shares && !(*plan.sizing.shares > 0))
        return PlanProblem{"shares",
                           fmt::format("expected a positive share count, got {}", *plan.sizing.shares)};
    if (plan.sizing.capital < 0) return PlanProblem{"capital", "expected a non-negative amount"};
    if (plan.sizing.risk_per_trade < 0 || plan.sizing.risk_per_trade > 1)
        return PlanProblem{"risk_per_trade",
                           fmt::format("expected a fraction in [0, 1], got {}", plan.sizing.risk_per_trade)};
    if (plan.costs.commission_per_share < 0)
        return PlanProblem{"commission", "expected a non-negative commission per share"};
    if (plan.costs.slippage_bps < 0 || plan.costs.slippage_bps >= 10000)
        return PlanProblem{"slippage_bps", "expected basis points in [0, 10000)"};
    if (plan.horizon && !(*plan.horizon >= kMinHorizon && *plan.horizon <= kMaxHorizon))
        return PlanProblem{"horizon",
                           fmt::format("expected a horizon from 1d to 100y, got {:g}y", *plan.horizon)};
    // A target whose gain the round trip's costs eat: the plan would lose even when it wins,
    // and its breakeven win rate would pass 100%.
    if (const auto target = target_price(plan, entry)) {
        const double s = plan.costs.slippage_bps * 1e-4;
        const double entry_fill = is_long ? entry * (1 + s) : entry * (1 - s);
        const double exit_fill = is_long ? *target * (1 - s) : *target * (1 + s);
        const double reward =
            direction(plan.side) * (exit_fill - entry_fill) - 2 * plan.costs.commission_per_share;
        if (!(reward > 0))
            return PlanProblem{"target", fmt::format("expected a target that gains after costs: "
                                                     "at {} the round trip (slippage and "
                                                     "commissions) leaves {} a share",
                                                     format_money(*target), format_signed_money(reward))};
    }
    return std::nullopt;
}

double cover_ratio(const Hedge& hedge, double position_shares) {
    if (!hedge.contracts) return 1;
    return position_shares > 0 ? *hedge.contracts * hedge.contract_size / position_shares : 0;
}

bool has_floor(const Plan& plan, double position_shares) {
    return plan.stop.kind != Stop::Kind::None ||
           (plan.hedge.kind != Hedge::Kind::None && cover_ratio(plan.hedge, position_shares) >= 1);
}

std::string_view to_string(Side side) { return side == Side::Long ? "long" : "short"; }

std::string to_string(const Entry& entry) {
    switch (entry.kind) {
        case Entry::Kind::Market: return "at market";
        case Entry::Kind::Limit: return fmt::format("limit {}", format_money(entry.limit));
        case Entry::Kind::OnDate: return fmt::format("on day {:.0f}", entry.at * 365);
        case Entry::Kind::AfterEvent: return fmt::format("after {}", entry.event);
    }
    return "?";
}

std::string to_string(const Stop& stop) {
    switch (stop.kind) {
        case Stop::Kind::None: return "none";
        case Stop::Kind::Fixed: return format_money(stop.level);
        case Stop::Kind::Percent: return format_percent(stop.distance) + " from entry";
        case Stop::Kind::Trailing: return format_percent(stop.distance) + " trailing";
    }
    return "?";
}

std::string to_string(const Target& target) {
    switch (target.kind) {
        case Target::Kind::None: return "none";
        case Target::Kind::Fixed: return format_money(target.level);
        case Target::Kind::Percent: return format_percent(target.distance) + " from entry";
    }
    return "?";
}

std::string to_string(const Hedge& hedge) {
    const auto expiry = [](Years y) { return fmt::format("{:.4g}y", y); };
    switch (hedge.kind) {
        case Hedge::Kind::None: return "none";
        case Hedge::Kind::Put:
            return fmt::format("put {}, {}", format_money(hedge.protection.strike),
                               expiry(hedge.protection.expiry));
        case Hedge::Kind::Call:
            return fmt::format("call {}, {}", format_money(hedge.protection.strike),
                               expiry(hedge.protection.expiry));
        case Hedge::Kind::Collar:
            return fmt::format("collar {}/{}, {}", format_money(hedge.protection.strike),
                               format_money(hedge.financing.strike), expiry(hedge.protection.expiry));
    }
    return "?";
}

}  // namespace thesis
