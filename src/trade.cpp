#include "thesis/trade.h"

#include "thesis/errors.h"

#include <algorithm>
#include <cmath>

namespace thesis {

std::string_view to_string(ExitReason reason) {
    switch (reason) {
        case ExitReason::Unfilled: return "unfilled";
        case ExitReason::Target: return "target";
        case ExitReason::Stop: return "stop";
        case ExitReason::GapThroughStop: return "gap_through_stop";
        case ExitReason::Horizon: return "horizon";
    }
    return "?";
}

PlanRules compile_plan(const Plan& plan, Price spot, const TimeGrid& grid,
                       const std::vector<CatalystEvent>& events, double gap_threshold,
                       std::optional<Years> default_horizon) {
    PlanRules r;
    const double dir = direction(plan.side);
    r.side = plan.side;
    r.entry = plan.entry.kind;
    switch (plan.entry.kind) {
        case Entry::Kind::Market: break;
        case Entry::Kind::Limit: r.log_limit = std::log(plan.entry.limit); break;
        case Entry::Kind::OnDate:
            r.entry_step = static_cast<int>(std::ceil(plan.entry.at / grid.dt - 1e-9));
            break;
        case Entry::Kind::AfterEvent:
            for (std::size_t i = 0; i < events.size(); ++i)
                if (events[i].name == plan.entry.event) r.entry_event = static_cast<int>(i);
            THESIS_REQUIRE(r.entry_event >= 0, "plan {} waits for unknown event {}", plan.name,
                           plan.entry.event);
            break;
    }
    r.stop = plan.stop.kind;
    if (plan.stop.kind == Stop::Kind::Fixed) r.log_stop = std::log(plan.stop.level);
    if (plan.stop.kind == Stop::Kind::Percent || plan.stop.kind == Stop::Kind::Trailing)
        r.log_stop_offset = std::log(1 - dir * plan.stop.distance);
    r.target = plan.target.kind;
    if (plan.target.kind == Target::Kind::Fixed) r.log_target = std::log(plan.target.level);
    if (plan.target.kind == Target::Kind::Percent)
        r.log_target_offset = std::log(1 + dir * plan.target.distance);
    // A plan's own horizon, else the simulation's (the grid may run longer for another plan).
    r.last_step = grid.steps;
    if (const auto h = plan.horizon ? plan.horizon : default_horizon)
        r.last_step = std::clamp(static_cast<int>(std::round(*h / grid.dt)), 0, grid.steps);
    r.slippage = plan.costs.slippage_bps * 1e-4;
    r.commission = plan.costs.commission_per_share;
    r.gap_threshold = gap_threshold;
    const Price expected = expected_entry(plan, spot);
    if (auto s = stop_price(plan, expected)) {
        r.has_touch_stop = true;
        r.touch_log_stop = std::log(*s);
    }
    if (auto t = target_price(plan, expected)) {
        r.has_touch_target = true;
        r.touch_log_target = std::log(*t);
    }
    return r;
}

namespace {

// Where an order at `level` fills during step k, if it does. `down` orders fill at or below the
// level (a long's limit buy and stop; a short's target), up orders at or above.
struct Fill {
    bool filled = false;
    double log_price = 0;
    bool by_jump = false;
};

Fill crossing(const PricePath& p, int k, double level, bool down, Monitoring monitoring) {
    const double observed = p.log_price[k];
    if (monitoring == Monitoring::Discrete) {
        if (down ? observed <= level : observed >= level) return {true, observed, false};
        return {};
    }
    // Continuous: an order whose level the price is already past when it starts watching (an
    // exit placed at a fill beyond it) fills at once, at that price: a gap, not a fill at the level.
    const double start = p.log_price[k - 1];
    if (down ? start <= level : start >= level) return {true, start, true};
    // Else the bridge from the last observation to the diffusion's end, then any jump.
    if (down ? p.bridge_low[k] <= level : p.bridge_high[k] >= level) return {true, level, false};
    if (down ? observed <= level : observed >= level) return {true, observed, true};
    return {};
}

// The lowest and highest log price over steps 0..last, with four running extremes so the loop
// is not one long dependency chain.
std::pair<double, double> extremes(const double* low, const double* high, int last) {
    double lo[4] = {low[0], low[0], low[0], low[0]}, hi[4] = {high[0], high[0], high[0], high[0]};
    int k = 1;
    for (; k + 3 <= last; k += 4)
        for (int j = 0; j < 4; ++j) {
            lo[j] = std::min(lo[j], low[k + j]);
            hi[j] = std::max(hi[j], high[k + j]);
        }
    for (; k <= last; ++k) {
        lo[0] = std::min(lo[0], low[k]);
        hi[0] = std::max(hi[0], high[k]);
    }
    return {std::min(std::min(lo[0], lo[1]), std::min(lo[2], lo[3])),
            std::max(std::max(hi[0], hi[1]), std::max(hi[2], hi[3]))};
}

std::pair<double, double> price_range(const PricePath& p, int last, Monitoring monitoring) {
    auto range = extremes(p.log_price.data(), p.log_price.data(), last);
    if (monitoring == Monitoring::Continuous && last >= 1) {
        // The bridge's extremes, steps 1..last (index 0 holds no bridge).
        const auto bridge = extremes(p.bridge_low.data() + 1, p.bridge_high.data() + 1, last - 1);
        range = {std::min(range.first, bridge.first), std::max(range.second, bridge.second)};
    }
    return range;
}

}  // namespace

TradeOutcome trade_on_path(const PlanRules& r, const PricePath& p, Monitoring monitoring) {
    TradeOutcome out;
    const bool is_long = r.side == Side::Long;
    const double dir = is_long ? 1.0 : -1.0;
    const int last = r.last_step;

    // Touches of the stop and target levels (at the expected entry) over the plan's horizon:
    // the lowest and highest price seen (the bridge's extremes too, under continuous monitoring).
    if (r.has_touch_stop || r.has_touch_target) {
        const auto [low, high] = price_range(p, last, monitoring);
        const double down_level = is_long ? r.touch_log_stop : r.touch_log_target;
        const double up_level = is_long ? r.touch_log_target : r.touch_log_stop;
        const bool down = low <= down_level, up = high >= up_level;
        if (r.has_touch_stop) out.touched_stop = is_long ? down : up;
        if (r.has_touch_target) out.touched_target = is_long ? up : down;
    }

    // Entry.
    int entry_step = -1;
    double entry_log = 0;
    switch (r.entry) {
        case Entry::Kind::Market:
            entry_step = 0;
            entry_log = p.log_price[0];
            break;
        case Entry::Kind::OnDate:
            if (r.entry_step <= last) {
                entry_step = r.entry_step;
                entry_log = p.log_price[entry_step];
            }
            break;
        case Entry::Kind::AfterEvent: {
            const int fired = p.event_step[r.entry_event];
            if (fired >= 0 && fired <= last) {
                entry_step = fired;
                entry_log = p.log_price[fired];
            }
            break;
        }
        case Entry::Kind::Limit: {
            // A limit buy (sell) fills the first time the price is at or below (above) it; if
            // today's price already is, it fills now, at today's price.
            const double x0 = p.log_price[0];
            if (is_long ? x0 <= r.log_limit : x0 >= r.log_limit) {
                entry_step = 0;
                entry_log = x0;
                break;
            }
            for (int k = 1; k <= last; ++k) {
                const Fill f = crossing(p, k, r.log_limit, is_long, monitoring);
                if (f.filled) {
                    entry_step = k;
                    entry_log = f.log_price;
                    break;
                }
            }
            break;
        }
    }
    if (entry_step < 0) return out;   // unfilled: P&L 0

    out.entry_step = entry_step;
    out.entry_price = std::exp(entry_log);
    double log_stop = r.log_stop;
    if (r.stop == Stop::Kind::Percent || r.stop == Stop::Kind::Trailing)
        log_stop = entry_log + r.log_stop_offset;
    const double log_target =
        r.target == Target::Kind::Percent ? entry_log + r.log_target_offset : r.log_target;
    double best = entry_log;   // trailing: the best observed log price since the fill

    // Exits are checked from the observation after the fill.
    ExitReason reason = ExitReason::Horizon;
    double exit_log = p.log_price[last];
    int exit_step = last;
    double stop_level = log_stop;
    for (int k = entry_step + 1; k <= last; ++k) {
        if (r.stop == Stop::Kind::Trailing) stop_level = best + r.log_stop_offset;
        if (r.stop != Stop::Kind::None) {
            const Fill f = crossing(p, k, stop_level, is_long, monitoring);
            if (f.filled) {
                exit_log = f.log_price;
                exit_step = k;
                // Past the level: by a jump (continuous), or further than the gap threshold
                // (discrete observations always land a little past it).
                // Long: fill < level × (1 − g); short: fill > level × (1 + g).
                const double past = dir * (stop_level - f.log_price);
                const double allowed = is_long ? -std::log1p(-std::min(r.gap_threshold, 0.999))
                                               : std::log1p(r.gap_threshold);
                const bool gap = monitoring == Monitoring::Continuous ? f.by_jump : past > allowed;
                reason = gap ? ExitReason::GapThroughStop : ExitReason::Stop;
                break;
            }
        }
        if (r.target != Target::Kind::None) {
            const Fill f = crossing(p, k, log_target, !is_long, monitoring);
            if (f.filled) {
                exit_log = f.log_price;
                exit_step = k;
                reason = ExitReason::Target;
                break;
            }
        }
        best = is_long ? std::max(best, p.log_price[k]) : std::min(best, p.log_price[k]);
    }
    out.reason = reason;
    out.exit_step = exit_step;
    out.exit_price = std::exp(exit_log);
    if (reason == ExitReason::Stop || reason == ExitReason::GapThroughStop)
        out.stop_shortfall = std::max(0.0, dir * (std::exp(stop_level) - out.exit_price));
    const double entry_fill = out.entry_price * (1 + dir * r.slippage);
    const double exit_fill = out.exit_price * (1 - dir * r.slippage);
    out.pnl_per_share = dir * (exit_fill - entry_fill) - 2 * r.commission;
    return out;
}

}  // namespace thesis
