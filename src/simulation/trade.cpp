#include "thesis/simulation/trade.h"

#include "thesis/core/errors.h"
#include "thesis/math/bridge.h"
#include "thesis/simulation/detail/plan_tracker.h"
#include "thesis/valuation/payoff.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
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
    THESIS_REQUIRE(plan.hedge.kind == Hedge::Kind::None, "plan {}'s hedge needs the thesis's market",
                   plan.name);
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
        r.stop_price = std::exp(r.log_stop);  // the level as the engine sees it, not plan.stop.level
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
    r.dt = grid.dt;
    r.borrow_rate = plan.side == Side::Short ? plan.costs.borrow_rate : 0;
    r.fixed_shares = plan.sizing.shares;
    r.capital = plan.sizing.capital;
    if (plan.stop.kind != Stop::Kind::None) r.risk_budget = plan.sizing.capital * plan.sizing.risk_per_trade;
    // −ln(1 − g) on both sides: a long's stop fill below S(1 − g), a short's above S/(1 − g).
    r.log_gap_allowed = -std::log1p(-std::min(gap_threshold, 0.999));
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

double shares_at_fill(const PlanRules& r, double entry_price) {
    if (r.fixed_shares) return *r.fixed_shares;
    const double dir = r.side == Side::Long ? 1.0 : -1.0;
    const double entry_fill = entry_price * (1 + dir * r.slippage);
    const double affordable = entry_fill > 0 ? std::floor(r.capital / entry_fill) : 0;
    if (r.risk_budget > 0) {
        // The loss at the stop's level from this fill (a percent or trailing stop sits its distance
        // from the fill), costs included: payoff.h's risk per share.
        const double level =
            r.stop == Stop::Kind::Fixed ? r.stop_price : entry_price * std::exp(r.log_stop_offset);
        const double risk = -(dir * (level * (1 - dir * r.slippage) - entry_fill) - 2 * r.commission);
        if (risk > 0) return std::min(std::floor(r.risk_budget / risk), affordable);
    }
    return affordable;
}

double hedge_value(const HedgeRules& hedge, int step, double price) {
    double value = 0;
    for (int i = 0; i < hedge.legs; ++i) {
        const HedgeLeg& leg = hedge.leg[static_cast<std::size_t>(i)];
        const double left = std::max(0.0, leg.expiry - step * hedge.dt);
        value += leg.position * option_price({leg.type, price, leg.strike, left, hedge.rate,
                                              hedge.dividend_yield, leg.volatility});
    }
    return value;
}

namespace {

// A leg's volatility: as written, or the one its quoted premium implies at today's price.
HedgeLeg compile_leg(const OptionLeg& leg, OptionType type, double position, const Thesis& t,
                     const std::string& key) {
    HedgeLeg out{type, position, leg.strike, leg.expiry, 0};
    if (leg.implied_volatility) {
        out.volatility = *leg.implied_volatility;
        return out;
    }
    const OptionInputs today{
        type, t.stock.price, leg.strike, leg.expiry, t.simulation.risk_free_rate, t.stock.dividend_yield, 0};
    const auto implied = implied_volatility(today, *leg.premium);
    if (!implied) {
        const double intrinsic = option_price({type, t.stock.price, leg.strike, leg.expiry,
                                               t.simulation.risk_free_rate, t.stock.dividend_yield, 0});
        throw InputError({t.source}, key + ".premium",
                         fmt::format("no volatility from 0% to 1000% prices this {} at {} (today's price "
                                     "{}, strike {}, {:.4g}y; its value without volatility is {})",
                                     type == OptionType::Put ? "put" : "call", format_money(*leg.premium),
                                     format_money(t.stock.price), format_money(leg.strike), leg.expiry,
                                     format_money(intrinsic)));
    }
    out.volatility = *implied;
    return out;
}

}  // namespace

PlanRules compile_plan(const Plan& plan, const Thesis& t, const TimeGrid& grid) {
    Plan unhedged = plan;
    unhedged.hedge = {};
    PlanRules r = compile_plan(unhedged, t.stock.price, grid, t.model.events, t.simulation.gap_threshold,
                               t.simulation.horizon, t.simulation.touch_odds);
    r.dividend_yield = t.stock.dividend_yield;
    const Hedge& h = plan.hedge;
    if (h.kind == Hedge::Kind::None) return r;
    const std::string key = "plans." + plan.name + ".hedge";
    // The cover ratio: option shares per share of stock held.
    const double shares = trade_economics(plan, t.stock.price).shares;
    if (h.contracts && !(shares > 0))
        throw InputError({t.source}, key + ".contracts",
                         "a contract count needs the plan's size (shares, or capital with "
                         "risk_per_trade); without it the options cover the position share for share");
    const double ratio = cover_ratio(h, shares);
    const bool is_long = plan.side == Side::Long;
    const OptionType protective = is_long ? OptionType::Put : OptionType::Call;
    const OptionType financing = is_long ? OptionType::Call : OptionType::Put;
    const std::string protective_key =
        key + (h.kind == Hedge::Kind::Collar ? ".collar." : ".") + (is_long ? "put" : "call");
    r.hedge.leg[0] = compile_leg(h.protection, protective, ratio, t, protective_key);
    r.hedge.legs = 1;
    if (h.kind == Hedge::Kind::Collar) {
        r.hedge.leg[1] =
            compile_leg(h.financing, financing, -ratio, t, key + ".collar." + (is_long ? "call" : "put"));
        r.hedge.legs = 2;
    }
    r.hedge.rate = t.simulation.risk_free_rate;
    r.hedge.dividend_yield = t.stock.dividend_yield;
    r.hedge.dt = grid.dt;
    return r;
}

// (a − b)² + 2v·(−ln u): the negation is exact, so either entry gives the same bits.
double bridge_low_at(double a, double b, double v, double minus_log_u) {
    return 0.5 * (a + b - std::sqrt((a - b) * (a - b) + 2 * v * minus_log_u));
}
double bridge_high_at(double a, double b, double v, double minus_log_u) {
    return 0.5 * (a + b + std::sqrt((a - b) * (a - b) + 2 * v * minus_log_u));
}
double bridge_low(double a, double b, double v, double u) { return bridge_low_at(a, b, v, -std::log(u)); }
double bridge_high(double a, double b, double v, double u) { return bridge_high_at(a, b, v, -std::log(u)); }

namespace {

constexpr int kNever = std::numeric_limits<int>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

namespace {
constexpr int kMaxDepth = 40;
constexpr int kMaxSplits = 1 << 20;  // a guard against absurd inputs (a bracket of 10⁻⁹ step SDs)
enum BridgeSides : int { kNone = 0, kDown = 1, kUp = 2 };  // where a piece's orders may fill
}  // namespace

struct PlanTracker::BridgeDraws {
    const StepView& view;
    int step;
    int splits = 0;
    std::optional<PathRandom> refinement;

    PathRandom& random() {
        if (!refinement) refinement.emplace(refinement_random(view.seed, view.path, step));
        return *refinement;
    }
};

void PlanTracker::start(const PlanRules& r, Monitoring monitoring, double x0, const int* event_steps) {
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
        case Entry::Kind::AfterEvent: break;  // events fire at step 1 or later
    }
    if (r.last_step == 0) {
        if (phase_ == Phase::InTrade) finish(r, ExitReason::Horizon, 0, x0);
        phase_ = Phase::Done;
    }
    update_watch(r, 0);
}

PlanTracker PlanTracker::resumed(const PlanRules& r, Monitoring monitoring, bool in_trade, int entry_step,
                                 double entry_log) {
    PlanTracker t;
    t.monitoring_ = monitoring;
    t.for_lanes_ = true;
    if (in_trade) t.enter(r, entry_step, entry_log);
    return t;
}

void PlanTracker::enter(const PlanRules& r, int k, double log_price) {
    phase_ = Phase::InTrade;
    out_.entry_step = k;
    if (!for_lanes_) out_.entry_price = std::exp(log_price);
    entry_log_ = log_price;
    log_stop_ = r.log_stop;
    if (r.stop == Stop::Kind::Percent || r.stop == Stop::Kind::Trailing)
        log_stop_ = log_price + r.log_stop_offset;
    log_target_ = r.target == Target::Kind::Percent ? log_price + r.log_target_offset : r.log_target;
    best_ = log_price;  // trailing: the best observed log price since the fill
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
    out.shares = shares_at_fill(r, out.entry_price);
    if (r.dividend_yield != 0 || r.borrow_rate != 0) {
        // Held (k − entry step)Δt years; the average of the entry and exit prices stands for the
        // price over the holding (the trapezoid rule for ∫ q S_t dt).
        const double years = (k - out.entry_step) * r.dt;
        const double price = 0.5 * (out.entry_price + out.exit_price);
        out.carry = (dir * r.dividend_yield - r.borrow_rate) * price * years;
        out.pnl_per_share += out.carry;
    }
    if (r.hedge.legs == 0 && r.stop == Stop::Kind::None) return;

    // The floor: the loss the stop promises at its level (a trailing stop's first level: it only
    // climbs), and the one the protective option promises at its strike (a cover ratio of at
    // least 1), each with the exit's slippage there and, with a hedge, all the options cost at
    // entry (the most they can lose). The plan promises the smaller.
    double floor = std::numeric_limits<double>::infinity();
    if (r.stop != Stop::Kind::None) {
        const double level =
            r.stop == Stop::Kind::Fixed ? r.stop_price : out.entry_price * std::exp(r.log_stop_offset);
        floor = dir * (entry_fill - level * (1 - dir * r.slippage)) + 2 * r.commission;
    }
    floor -= std::min(0.0, out.carry);  // the carry paid is a cost too
    if (r.hedge.legs > 0) {
        const double bought = hedge_value(r.hedge, out.entry_step, out.entry_price);
        out.hedge_pnl = hedge_value(r.hedge, k, out.exit_price) - bought;
        out.pnl_per_share += out.hedge_pnl;
        floor += bought;
        const HedgeLeg& protection = r.hedge.leg[0];
        if (protection.position >= 1)
            floor = std::min(floor, dir * (entry_fill - protection.strike * (1 - dir * r.slippage)) +
                                        2 * r.commission + bought - std::min(0.0, out.carry));
    }
    // Within rounding of the floor is at the floor.
    const double past = -out.pnl_per_share - floor;
    out.floor_shortfall = past > 1e-9 * out.entry_price ? past : 0;
}

void PlanTracker::finish(const PlanRules& r, ExitReason reason, int k, double log_price) {
    phase_ = Phase::Done;
    exit_log_ = log_price;
    if (for_lanes_) {
        out_.reason = reason;
        out_.exit_step = k;
        return;
    }
    const bool stopped = reason == ExitReason::Stop || reason == ExitReason::GapThroughStop;
    const double stop_price = !stopped ? 0 : r.stop == Stop::Kind::Fixed ? r.stop_price : std::exp(log_stop_);
    close_trade(r, out_, reason, k, log_price, stop_price);
}

// The stop fills at log_price: past the level by more than the gap threshold (a close, an open or
// a jump beyond it), it is a gap through the stop. Long: fill < level × (1 − g); short: fill >
// level / (1 − g). A fill at the level inside a bridge is never a gap.
void PlanTracker::stop_out(const PlanRules& r, int k, double log_price) {
    const double dir = r.side == Side::Long ? 1.0 : -1.0;
    const bool gap = dir * (log_stop_ - log_price) > r.log_gap_allowed;
    finish(r, gap ? ExitReason::GapThroughStop : ExitReason::Stop, k, log_price);
}

void PlanTracker::step(const PlanRules& r, int k, const StepView& view) {
    if (k > r.last_step) return;
    if (monitoring_ == Monitoring::Discrete) {
        discrete_step(r, k, view);
    } else {
        if (phase_ == Phase::InTrade && r.stop == Stop::Kind::Trailing) log_stop_ = best_ + r.log_stop_offset;
        BridgeDraws draws{view, k};
        if (monitoring_ == Monitoring::Sessions) {
            // The overnight move (with the step's jumps and events) ends at the open: orders it
            // took the price past fill there; then the session's bridge to the close.
            price_at(r, k, view.open);
            walk(r, k, view.open, view.observed, view.session_variance, 0, draws);
        } else {
            // Orders placed beyond the price (exits of a fill past them) fill at once; then the
            // bridge; then the step's jumps and events, which fill at the price they land on.
            price_at(r, k, view.before);
            walk(r, k, view.before, view.diffusive_end, view.bridge_variance, 0, draws);
            price_at(r, k, view.observed);
        }
        // Entries at the observation: their exits watch from the next step.
        if (phase_ == Phase::Waiting && ((r.entry == Entry::Kind::OnDate && k == r.entry_step) ||
                                         (r.entry == Entry::Kind::AfterEvent && k == event_step_)))
            enter(r, k, view.observed);
        else if (phase_ == Phase::InTrade)
            best_ = r.side == Side::Long ? std::max(best_, view.observed) : std::min(best_, view.observed);
    }
    if (k == r.last_step) {
        if (phase_ == Phase::InTrade) finish(r, ExitReason::Horizon, k, view.observed);
        phase_ = Phase::Done;
    }
    if (!for_lanes_) update_watch(r, k);  // the lanes watch their own levels
}

void PlanTracker::discrete_step(const PlanRules& r, int k, const StepView& view) {
    const bool is_long = r.side == Side::Long;
    const double x = view.observed;
    if (r.has_touch_stop && !out_.touched_stop)
        out_.touched_stop = is_long ? x <= r.touch_log_stop : x >= r.touch_log_stop;
    if (r.has_touch_target && !out_.touched_target)
        out_.touched_target = is_long ? x >= r.touch_log_target : x <= r.touch_log_target;
    if (phase_ == Phase::Waiting) {
        switch (r.entry) {
            case Entry::Kind::Market: break;
            case Entry::Kind::Limit:
                if (is_long ? x <= r.log_limit : x >= r.log_limit) enter(r, k, x);
                break;
            case Entry::Kind::OnDate:
                if (k == r.entry_step) enter(r, k, x);
                break;
            case Entry::Kind::AfterEvent:
                if (k == event_step_) enter(r, k, x);
                break;
        }
    } else if (phase_ == Phase::InTrade && k > out_.entry_step) {
        // Exits are checked from the observation after the fill: the stop first.
        if (r.stop == Stop::Kind::Trailing) log_stop_ = best_ + r.log_stop_offset;
        if (r.stop != Stop::Kind::None && (is_long ? x <= log_stop_ : x >= log_stop_)) stop_out(r, k, x);
        else if (r.target != Target::Kind::None && (is_long ? x >= log_target_ : x <= log_target_))
            finish(r, ExitReason::Target, k, x);
        best_ = is_long ? std::max(best_, x) : std::min(best_, x);
    }
}

// The price is x at one instant, arrived at by a jump (an open, an observation after a jump or
// event) or at a step's start: touches, then orders at or past their level fill at x (the limit,
// then the stop, then the target).
void PlanTracker::price_at(const PlanRules& r, int k, double x) {
    const bool is_long = r.side == Side::Long;
    if (r.has_touch_stop && !out_.touched_stop)
        out_.touched_stop = is_long ? x <= r.touch_log_stop : x >= r.touch_log_stop;
    if (r.has_touch_target && !out_.touched_target)
        out_.touched_target = is_long ? x >= r.touch_log_target : x <= r.touch_log_target;
    if (phase_ == Phase::Waiting && r.entry == Entry::Kind::Limit &&
        (is_long ? x <= r.log_limit : x >= r.log_limit))
        enter(r, k, x);
    if (phase_ != Phase::InTrade) return;
    if (r.stop != Stop::Kind::None && (is_long ? x <= log_stop_ : x >= log_stop_)) stop_out(r, k, x);
    else if (r.target != Target::Kind::None && (is_long ? x >= log_target_ : x <= log_target_))
        finish(r, ExitReason::Target, k, x);
}

// The walk over one step's bridge. A bridge whose orders can fill on one side of the price only
// is decided by one extreme: its minimum (maximum) says which levels below (above) it reached, and
// a path that starts above levels L₁ > L₂ reaches L₁ first, so the orders fill in level order (a
// limit, then the stop it brings). Touches never depend on the order, so both extremes decide
// them. Where orders on both sides may fill (a stop and a target, or a limit and the target it
// brings), the order matters: the bridge is split at its midpoint, drawn from its exact law, and
// each half walked in time order, until every piece can fill on one side at most.
//
// Exactness. A piece treats a level it visits with probability below ε = e^−40 (bridge_may_visit)
// as out of reach; that is the only approximation, at most ε per level a piece ignores. Splitting
// stops at kMaxDepth or after kMaxSplits pieces; a piece cut off there takes the lower side's
// orders first (the rule before this walk existed). Bound on reaching the depth cut: let w be the
// distance between the nearest levels below and above, c = 20 (= 40/2), v_d = v·2^−d. A piece of
// variance v_d splits only if both levels are within reach: (y₀ − L)(y₁ − L) ≤ c·v_d and (U − y₀)(U
// − y₁) ≤ c·v_d with U − L = w. Once v_d < w²/(8c), that forces one end within 2c·v_d/w of L and
// the other within 2c·v_d/w of U, i.e. an increment |y₁ − y₀| ≥ w − 4c·v_d/w ≥ w/2 over the piece.
// A bridge's increment over one of the 2^d dyadic pieces is normal with mean (b − a)·2^−d and
// variance at most v_d, so P(a split at depth d) ≤ 2^{d+1}·exp(−(w/2 − |b − a|2^−d)²/(2v_d)). At
// d = 40 and w ≥ 10⁻⁴√v (a bracket a ten-thousandth of a step's standard deviation wide, a few
// cents on most stocks) with |b − a| ≤ 40√v, the exponent exceeds 1,300: the bound is below
// 10^−560. A step the walk splits a few hundred times visits at most about as many pieces, each
// ignoring at most four levels, so the error per step stays below 10⁻¹² by far.
// Whether nothing the bridge does can change the plan's outcome: no order rests in the book and
// no touch is pending.
bool PlanTracker::bridge_settled(const PlanRules& r) const {
    if ((r.has_touch_stop && !out_.touched_stop) || (r.has_touch_target && !out_.touched_target))
        return false;
    return phase_ == Phase::Done || (phase_ == Phase::Waiting && r.entry != Entry::Kind::Limit);
}

void PlanTracker::walk(const PlanRules& r, int k, double a, double b, double v, int depth,
                       BridgeDraws& draws) {
    if (bridge_settled(r)) return;
    const bool is_long = r.side == Side::Long;
    // The nearest order levels the bridge can fill by falling (down) or rising (up) to them; a
    // waiting limit brings its stop and target, placed as they would be at a fill at the limit.
    double down = -kInf, up = kInf;
    const auto add = [&](double level, bool falls) {
        if (falls) down = std::max(down, level);
        else up = std::min(up, level);
    };
    if (phase_ == Phase::Waiting && r.entry == Entry::Kind::Limit) {
        add(r.log_limit, is_long);
        if (bridge_may_visit(a, b, v, r.log_limit)) {
            if (r.stop == Stop::Kind::Fixed) add(r.log_stop, is_long);
            else if (r.stop != Stop::Kind::None) add(r.log_limit + r.log_stop_offset, is_long);
            if (r.target == Target::Kind::Fixed) add(r.log_target, !is_long);
            else if (r.target == Target::Kind::Percent) add(r.log_limit + r.log_target_offset, !is_long);
        }
    } else if (phase_ == Phase::InTrade) {
        if (r.stop != Stop::Kind::None) add(log_stop_, is_long);
        if (r.target != Target::Kind::None) add(log_target_, !is_long);
    }
    const bool reach_down = down > -kInf && bridge_may_visit(a, b, v, down);
    const bool reach_up = up < kInf && bridge_may_visit(a, b, v, up);
    if (reach_down && reach_up && depth < kMaxDepth && draws.splits < kMaxSplits) {
        ++draws.splits;
        // The midpoint: normal with mean (a + b)/2 and variance v/4; the halves are independent
        // bridges of variance v/2 given it (bridge.h).
        const double middle = 0.5 * (a + b) + 0.5 * std::sqrt(v) * draws.random().normal();
        walk(r, k, a, middle, 0.5 * v, depth + 1, draws);
        walk(r, k, middle, b, 0.5 * v, depth + 1, draws);
        return;
    }
    leaf(r, k, a, b, v, (reach_down ? kDown : kNone) | (reach_up ? kUp : kNone), draws);
}

// A piece of the bridge on which orders fill on one side at most (both only where splitting was
// cut off): its extremes decide the touches, and the orders on that side in level order.
void PlanTracker::leaf(const PlanRules& r, int k, double a, double b, double v, int side,
                       BridgeDraws& draws) {
    const bool is_long = r.side == Side::Long;
    // Which extremes matter: the low one for orders filled by a fall and the touch level below
    // (a long's stop level, a short's target level), the high one for the others.
    const bool touch_low =
        is_long ? r.has_touch_stop && !out_.touched_stop : r.has_touch_target && !out_.touched_target;
    const bool touch_high =
        is_long ? r.has_touch_target && !out_.touched_target : r.has_touch_stop && !out_.touched_stop;
    // The unsplit step uses the view's uniforms; a piece draws both of its own, needed or not, so
    // the draws that follow (and so the trade) do not depend on whether touches are measured.
    double u_low = draws.view.u_low, u_high = draws.view.u_high;
    // −ln u where the engine took it already (0: not yet).
    double known_low = draws.view.minus_log_u_low, known_high = draws.view.minus_log_u_high;
    if (draws.splits > 0) {
        u_low = draws.random().uniform();
        u_high = draws.random().uniform();
        known_low = known_high = 0;
    }
    // Whether the piece went down to `level` (falls) or up to it: surely where the level lies
    // between its ends; not where a bound on −ln u from u's exponent (u ≥ 2^e) rules it out,
    // with a margin far above rounding, so without a log; else by its extreme, computed once.
    const auto may_reach = [&](double level, double u) {
        const auto e = static_cast<int>(std::bit_cast<std::uint64_t>(u) >> 52) - 1023;
        const double bound = -e * std::numbers::ln2 * (1 + 1e-9);
        return 2 * (a - level) * (b - level) <= v * bound;
    };
    std::optional<double> low, high;
    const auto reached = [&](bool falls, double level) {
        if (falls ? level >= std::min(a, b) : level <= std::max(a, b)) return true;
        std::optional<double>& extreme = falls ? low : high;
        if (!extreme) {
            const double u = falls ? u_low : u_high, known = falls ? known_low : known_high;
            if (known > 0) extreme = falls ? bridge_low_at(a, b, v, known) : bridge_high_at(a, b, v, known);
            else if (may_reach(level, u)) extreme = falls ? bridge_low(a, b, v, u) : bridge_high(a, b, v, u);
            else return false;
        }
        return falls ? *extreme <= level : *extreme >= level;
    };
    if (touch_low) {
        if (is_long) out_.touched_stop = reached(true, r.touch_log_stop);
        else out_.touched_target = reached(true, r.touch_log_target);
    }
    if (touch_high) {
        if (is_long) out_.touched_target = reached(false, r.touch_log_target);
        else out_.touched_stop = reached(false, r.touch_log_stop);
    }
    // Orders filled by a fall to their level (a long's limit, then its stop; a short's target)
    // or a rise (a long's target; a short's limit, then its stop), at the level.
    const auto fill_side = [&](bool falls) {
        const bool entries = falls == is_long;  // the limit and the stop lie on the entry's side
        if (entries) {
            if (phase_ == Phase::Waiting && r.entry == Entry::Kind::Limit && reached(falls, r.log_limit))
                enter(r, k, r.log_limit);
            if (phase_ == Phase::InTrade && r.stop != Stop::Kind::None && reached(falls, log_stop_))
                stop_out(r, k, log_stop_);
        } else if (phase_ == Phase::InTrade && r.target != Target::Kind::None &&
                   reached(falls, log_target_)) {
            finish(r, ExitReason::Target, k, log_target_);
        }
    };
    if (side & kDown) fill_side(true);
    if (side & kUp) fill_side(false);
}

void PlanTracker::update_watch(const PlanRules& r, int k) {
    watch_low_ = split_low_ = -kInf;
    watch_high_ = split_high_ = kInf;
    forced_step_ = kNever;
    if (k >= r.last_step) return;
    const bool is_long = r.side == Side::Long;
    // A level below the price is watched from above (low), one above from below (high).
    const auto watch = [&](double level, bool down) {
        if (down) watch_low_ = std::max(watch_low_, level);
        else watch_high_ = std::min(watch_high_, level);
    };
    const auto split = [&](double level, bool down) {
        if (down) split_low_ = std::max(split_low_, level);
        else split_high_ = std::min(split_high_, level);
    };
    if (r.has_touch_stop && !out_.touched_stop) watch(r.touch_log_stop, is_long);
    if (r.has_touch_target && !out_.touched_target) watch(r.touch_log_target, !is_long);
    int forced = r.last_step;  // the horizon
    if (phase_ == Phase::Waiting) {
        if (r.entry == Entry::Kind::Limit) {
            watch(r.log_limit, is_long);
            split(r.log_limit, is_long);
            if (r.target == Target::Kind::Fixed) split(r.log_target, !is_long);
            else if (r.target == Target::Kind::Percent) split(r.log_limit + r.log_target_offset, !is_long);
        }
        if (r.entry == Entry::Kind::OnDate && r.entry_step > k) forced = std::min(forced, r.entry_step);
        if (r.entry == Entry::Kind::AfterEvent && event_step_ > k) forced = std::min(forced, event_step_);
    } else if (phase_ == Phase::InTrade) {
        if (r.stop == Stop::Kind::Trailing) forced = k + 1;  // its level moves every step
        else if (r.stop != Stop::Kind::None) watch(log_stop_, is_long);
        if (r.stop != Stop::Kind::None) split(log_stop_, is_long);
        if (r.target != Target::Kind::None) {
            watch(log_target_, !is_long);
            split(log_target_, !is_long);
        }
    }
    forced_step_ = forced;
}

TradeOutcome trade_on_path(const PlanRules& r, const PricePath& p, Monitoring monitoring) {
    PlanTracker t;
    t.start(r, monitoring, p.log_price[0], p.event_step.data());
    for (int k = 1; k <= r.last_step; ++k) {
        StepView view;
        view.before = p.log_price[k - 1];
        view.open = p.open[k];
        view.diffusive_end = p.diffusive_end[k];
        view.observed = p.log_price[k];
        view.u_low = p.u_low[k];
        view.u_high = p.u_high[k];
        view.bridge_variance = p.bridge_variance;
        view.session_variance = p.session_variance;
        view.seed = p.seed;
        view.path = p.index;
        t.step(r, k, view);
    }
    return t.outcome();
}

}  // namespace thesis
