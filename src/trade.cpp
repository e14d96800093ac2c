#include "thesis/trade.h"

#include "thesis/errors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

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
                       std::optional<Years> default_horizon, bool touch_odds) {
    PlanRules r;
    const double dir = direction(plan.side);
    r.side = plan.side;
    r.entry = plan.entry.kind;
    switch (plan.entry.kind) {
        case Entry::Kind::Market: break;
        case Entry::Kind::Limit: r.log_limit = std::log(plan.entry.limit); break;
        case Entry::Kind::OnDate:
            // Clamped before the cast: a date past the grid never fills.
            r.entry_step = static_cast<int>(
                std::clamp(std::ceil(plan.entry.at / grid.dt - 1e-9), 0.0, grid.steps + 1.0));
            break;
        case Entry::Kind::AfterEvent:
            for (std::size_t i = 0; i < events.size(); ++i)
                if (events[i].name == plan.entry.event) r.entry_event = static_cast<int>(i);
            THESIS_REQUIRE(r.entry_event >= 0, "plan {} waits for unknown event {}", plan.name,
                           plan.entry.event);
            break;
    }
    r.stop = plan.stop.kind;
    if (plan.stop.kind == Stop::Kind::Fixed) {
        r.log_stop = std::log(plan.stop.level);
        r.stop_price = std::exp(r.log_stop);   // the level as the engine sees it, not plan.stop.level
    }
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
    r.log_gap_allowed = plan.side == Side::Long ? -std::log1p(-std::min(gap_threshold, 0.999))
                                                : std::log1p(gap_threshold);
    const Price expected = expected_entry(plan, spot);
    if (auto s = stop_price(plan, expected); s && touch_odds) {
        r.has_touch_stop = true;
        r.touch_log_stop = std::log(*s);
    }
    if (auto t = target_price(plan, expected); t && touch_odds) {
        r.has_touch_target = true;
        r.touch_log_target = std::log(*t);
    }
    return r;
}

double bridge_low(double a, double b, double v, double u) {
    return 0.5 * (a + b - std::sqrt((a - b) * (a - b) - 2 * v * std::log(u)));
}
double bridge_high(double a, double b, double v, double u) {
    return 0.5 * (a + b + std::sqrt((a - b) * (a - b) - 2 * v * std::log(u)));
}

namespace {

constexpr int kNever = std::numeric_limits<int>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The step's extremes under continuous monitoring, each computed at most once.
struct Bridge {
    const StepView& view;
    std::optional<double> low, high;
    double lowest() {
        if (view.extremes_given) return view.bridge_low_value;
        if (!low) low = bridge_low(view.before, view.diffusive_end, view.bridge_variance, view.u_low);
        return *low;
    }
    double highest() {
        if (view.extremes_given) return view.bridge_high_value;
        if (!high)
            high = bridge_high(view.before, view.diffusive_end, view.bridge_variance, view.u_high);
        return *high;
    }
};

// Where an order at `level` fills during the bridge's step, if it does. `down` orders fill at or
// below the level (a long's limit buy and stop; a short's target), up orders at or above.
Fill crossing(Bridge& bridge, double level, bool down, Monitoring monitoring) {
    const StepView& s = bridge.view;
    if (monitoring == Monitoring::Discrete) {
        if (down ? s.observed <= level : s.observed >= level) return {true, s.observed, false};
        return {};
    }
    // Continuous: an order whose level the price is already past when it starts watching (an
    // exit placed at a fill beyond it) fills at once, at that price: a gap, not a fill at the level.
    if (down ? s.before <= level : s.before >= level) return {true, s.before, true};
    // Else the bridge from the last observation to the diffusion's end, then any jump. A bridge
    // that ends past the level by far more than the rounding of its extreme (which is at most
    // min(a, b), or at least max(a, b), give or take a few ulp of the log prices) reached it:
    // no log needed.
    const double margin = 1e-12 * (1 + std::fabs(level));
    if (down ? s.diffusive_end < level - margin : s.diffusive_end > level + margin) return {true, level, false};
    if (down ? bridge.lowest() <= level : bridge.highest() >= level) return {true, level, false};
    if (down ? s.observed <= level : s.observed >= level) return {true, s.observed, true};
    return {};
}

}  // namespace

Fill bridge_fill(const StepView& step, double level, bool down) {
    Bridge bridge{step, {}, {}};
    return crossing(bridge, level, down, Monitoring::Continuous);
}

void PlanTracker::start(const PlanRules& r, Monitoring monitoring, double x0,
                        const int* event_steps) {
    out_ = {};
    phase_ = Phase::Waiting;
    monitoring_ = monitoring;
    event_step_ = r.entry == Entry::Kind::AfterEvent ? event_steps[r.entry_event] : -1;
    const bool is_long = r.side == Side::Long;
    // Touches of the stop and target levels (at the expected entry) over the plan's horizon,
    // today's price included.
    if (r.has_touch_stop) out_.touched_stop = is_long ? x0 <= r.touch_log_stop : x0 >= r.touch_log_stop;
    if (r.has_touch_target)
        out_.touched_target = is_long ? x0 >= r.touch_log_target : x0 <= r.touch_log_target;
    switch (r.entry) {
        case Entry::Kind::Market: enter(r, 0, x0); break;
        // A limit buy (sell) fills the first time the price is at or below (above) it; if
        // today's price already is, it fills now, at today's price.
        case Entry::Kind::Limit:
            if (is_long ? x0 <= r.log_limit : x0 >= r.log_limit) enter(r, 0, x0);
            break;
        case Entry::Kind::OnDate:
            if (r.entry_step == 0) enter(r, 0, x0);
            break;
        case Entry::Kind::AfterEvent: break;   // events fire at step 1 or later
    }
    if (r.last_step == 0) {
        if (phase_ == Phase::InTrade) finish(r, ExitReason::Horizon, 0, x0);
        phase_ = Phase::Done;
    }
    update_watch(r, 0);
}

void PlanTracker::enter(const PlanRules& r, int k, double log_price) {
    phase_ = Phase::InTrade;
    out_.entry_step = k;
    out_.entry_price = std::exp(log_price);
    entry_log_ = log_price;
    log_stop_ = r.log_stop;
    if (r.stop == Stop::Kind::Percent || r.stop == Stop::Kind::Trailing)
        log_stop_ = log_price + r.log_stop_offset;
    log_target_ = r.target == Target::Kind::Percent ? log_price + r.log_target_offset : r.log_target;
    best_ = log_price;   // trailing: the best observed log price since the fill
}

bool lane_playable(const PlanRules& r) {
    return (r.entry == Entry::Kind::Market || r.entry == Entry::Kind::Limit) &&
           (r.stop == Stop::Kind::None || r.stop == Stop::Kind::Fixed) &&
           (r.target == Target::Kind::None || r.target == Target::Kind::Fixed);
}

void close_trade(const PlanRules& r, TradeOutcome& out, ExitReason reason, int k, double exit_log,
                 double stop_price) {
    const double dir = r.side == Side::Long ? 1.0 : -1.0;
    out.reason = reason;
    out.exit_step = k;
    out.exit_price = std::exp(exit_log);
    if (reason == ExitReason::Stop || reason == ExitReason::GapThroughStop)
        out.stop_shortfall = std::max(0.0, dir * (stop_price - out.exit_price));
    const double entry_fill = out.entry_price * (1 + dir * r.slippage);
    const double exit_fill = out.exit_price * (1 - dir * r.slippage);
    out.pnl_per_share = dir * (exit_fill - entry_fill) - 2 * r.commission;
}

void PlanTracker::finish(const PlanRules& r, ExitReason reason, int k, double log_price) {
    phase_ = Phase::Done;
    const bool stopped = reason == ExitReason::Stop || reason == ExitReason::GapThroughStop;
    const double stop_price = !stopped ? 0 : r.stop == Stop::Kind::Fixed ? r.stop_price : std::exp(log_stop_);
    close_trade(r, out_, reason, k, log_price, stop_price);
}

void PlanTracker::step(const PlanRules& r, int k, const StepView& view) {
    if (k > r.last_step) return;
    const bool is_long = r.side == Side::Long;
    const double dir = is_long ? 1.0 : -1.0;
    const bool continuous = monitoring_ == Monitoring::Continuous;
    Bridge bridge{view, {}, {}};

    // Touches (the bridge's extremes too, under continuous monitoring).
    if (r.has_touch_stop && !out_.touched_stop)
        out_.touched_stop =
            is_long ? view.observed <= r.touch_log_stop ||
                          (continuous && bridge.lowest() <= r.touch_log_stop)
                    : view.observed >= r.touch_log_stop ||
                          (continuous && bridge.highest() >= r.touch_log_stop);
    if (r.has_touch_target && !out_.touched_target)
        out_.touched_target =
            is_long ? view.observed >= r.touch_log_target ||
                          (continuous && bridge.highest() >= r.touch_log_target)
                    : view.observed <= r.touch_log_target ||
                          (continuous && bridge.lowest() <= r.touch_log_target);

    if (phase_ == Phase::Waiting) {
        switch (r.entry) {
            case Entry::Kind::Market: break;
            case Entry::Kind::Limit: {
                const Fill f = crossing(bridge, r.log_limit, is_long, monitoring_);
                if (f.filled) enter(r, k, f.log_price);
                break;
            }
            case Entry::Kind::OnDate:
                if (k == r.entry_step) enter(r, k, view.observed);
                break;
            case Entry::Kind::AfterEvent:
                if (k == event_step_) enter(r, k, view.observed);
                break;
        }
    } else if (phase_ == Phase::InTrade && k > out_.entry_step) {
        // Exits are checked from the observation after the fill: the stop first.
        if (r.stop == Stop::Kind::Trailing) log_stop_ = best_ + r.log_stop_offset;
        if (r.stop != Stop::Kind::None) {
            const Fill f = crossing(bridge, log_stop_, is_long, monitoring_);
            if (f.filled) {
                // Past the level: by a jump (continuous), or further than the gap threshold
                // (discrete observations always land a little past it).
                // Long: fill < level × (1 − g); short: fill > level × (1 + g).
                const double past = dir * (log_stop_ - f.log_price);
                const bool gap = continuous ? f.by_jump : past > r.log_gap_allowed;
                finish(r, gap ? ExitReason::GapThroughStop : ExitReason::Stop, k, f.log_price);
            }
        }
        if (phase_ == Phase::InTrade && r.target != Target::Kind::None) {
            const Fill f = crossing(bridge, log_target_, !is_long, monitoring_);
            if (f.filled) finish(r, ExitReason::Target, k, f.log_price);
        }
        best_ = is_long ? std::max(best_, view.observed) : std::min(best_, view.observed);
    }
    if (k == r.last_step) {
        if (phase_ == Phase::InTrade) finish(r, ExitReason::Horizon, k, view.observed);
        phase_ = Phase::Done;
    }
    update_watch(r, k);
}

void PlanTracker::update_watch(const PlanRules& r, int k) {
    watch_low_ = -kInf;
    watch_high_ = kInf;
    forced_step_ = kNever;
    if (k >= r.last_step) return;
    const bool is_long = r.side == Side::Long;
    // A level below the price is watched from above (low), one above from below (high).
    const auto watch = [&](double level, bool down) {
        if (down) watch_low_ = std::max(watch_low_, level);
        else watch_high_ = std::min(watch_high_, level);
    };
    if (r.has_touch_stop && !out_.touched_stop) watch(r.touch_log_stop, is_long);
    if (r.has_touch_target && !out_.touched_target) watch(r.touch_log_target, !is_long);
    int forced = r.last_step;   // the horizon
    if (phase_ == Phase::Waiting) {
        if (r.entry == Entry::Kind::Limit) watch(r.log_limit, is_long);
        if (r.entry == Entry::Kind::OnDate && r.entry_step > k) forced = std::min(forced, r.entry_step);
        if (r.entry == Entry::Kind::AfterEvent && event_step_ > k) forced = std::min(forced, event_step_);
    } else if (phase_ == Phase::InTrade) {
        if (r.stop == Stop::Kind::Trailing) forced = k + 1;   // its level moves every step
        else if (r.stop != Stop::Kind::None) watch(log_stop_, is_long);
        if (r.target != Target::Kind::None) watch(log_target_, !is_long);
    }
    forced_step_ = forced;
}

TradeOutcome trade_on_path(const PlanRules& r, const PricePath& p, Monitoring monitoring) {
    PlanTracker t;
    t.start(r, monitoring, p.log_price[0], p.event_step.data());
    for (int k = 1; k <= r.last_step; ++k) {
        StepView view{p.log_price[k - 1], p.diffusive_end[k], p.log_price[k]};
        if (monitoring == Monitoring::Continuous) {
            view.bridge_low_value = p.bridge_low[k];
            view.bridge_high_value = p.bridge_high[k];
            view.extremes_given = true;
        }
        t.step(r, k, view);
    }
    return t.outcome();
}

}  // namespace thesis
