#include "thesis/plan.h"

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

std::optional<PlanProblem> check_plan(const Plan& plan, Price spot) {
    if (plan.entry.kind == Entry::Kind::Limit && !(plan.entry.limit > 0))
        return PlanProblem{"entry", fmt::format("expected a positive limit price, got {}",
                                                plan.entry.limit)};
    const Price entry = expected_entry(plan, spot);
    const bool is_long = plan.side == Side::Long;
    if (plan.stop.kind == Stop::Kind::Fixed) {
        if (!(plan.stop.level > 0))
            return PlanProblem{"stop", fmt::format("expected a positive price, got {}",
                                                   plan.stop.level)};
        if (is_long ? plan.stop.level >= entry : plan.stop.level <= entry)
            return PlanProblem{"stop", fmt::format("expected a price {} entry ({}) for a {} plan, "
                                                   "got {}", is_long ? "below" : "above",
                                                   entry, to_string(plan.side), plan.stop.level)};
    } else if (plan.stop.kind != Stop::Kind::None) {
        if (!(plan.stop.distance > 0) || (is_long && plan.stop.distance >= 1))
            return PlanProblem{"stop", fmt::format("expected a distance between 0% and {}, got {}%",
                                                   is_long ? "100%" : "any positive percentage",
                                                   plan.stop.distance * 100)};
    }
    if (plan.target.kind == Target::Kind::Fixed) {
        if (!(plan.target.level > 0))
            return PlanProblem{"target", fmt::format("expected a positive price, got {}",
                                                     plan.target.level)};
        if (is_long ? plan.target.level <= entry : plan.target.level >= entry)
            return PlanProblem{"target", fmt::format("expected a price {} entry ({}) for a {} "
                                                     "plan, got {}", is_long ? "above" : "below",
                                                     entry, to_string(plan.side),
                                                     plan.target.level)};
    } else if (plan.target.kind == Target::Kind::Percent) {
        if (!(plan.target.distance > 0) || (!is_long && plan.target.distance >= 1))
            return PlanProblem{"target", fmt::format("expected a positive distance{}, got {}%",
                                                     is_long ? "" : " below 100%",
                                                     plan.target.distance * 100)};
    }
    if (plan.sizing.shares && !(*plan.sizing.shares > 0))
        return PlanProblem{"shares", fmt::format("expected a positive share count, got {}",
                                                 *plan.sizing.shares)};
    if (plan.sizing.capital < 0)
        return PlanProblem{"capital", "expected a non-negative amount"};
    if (plan.sizing.risk_per_trade < 0 || plan.sizing.risk_per_trade > 1)
        return PlanProblem{"risk_per_trade", fmt::format("expected a fraction in [0, 1], got {}",
                                                         plan.sizing.risk_per_trade)};
    if (plan.costs.commission_per_share < 0)
        return PlanProblem{"commission", "expected a non-negative commission per share"};
    if (plan.costs.slippage_bps < 0 || plan.costs.slippage_bps >= 10000)
        return PlanProblem{"slippage_bps", "expected basis points in [0, 10000)"};
    if (plan.horizon && !(*plan.horizon > 0))
        return PlanProblem{"horizon", "expected a positive duration"};
    return std::nullopt;
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

}  // namespace thesis
