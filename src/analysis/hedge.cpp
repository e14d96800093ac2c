// The protection comparison (hedge.h): the variants of one plan, as plans of one thesis.
#include "thesis/analysis/hedge.h"

#include "thesis/core/errors.h"
#include "thesis/simulation/trade.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

namespace thesis {

namespace {

std::string money(Price p) { return format_money(p, p == std::round(p) ? 0 : 2); }

std::string expiry_text(Years y) { return fmt::format("{:.4g}y", y); }

}  // namespace

HedgeComparison hedge_comparison(const Thesis& thesis, const HedgeRequest& request) {
    const Plan* found = thesis.find_plan(request.plan);
    if (!found) {
        std::vector<std::string> names;
        for (const Plan& p : thesis.plans) names.push_back(p.name);
        const std::string hint = did_you_mean(request.plan, names);
        throw InputError({"command line"}, "plan",
                         fmt::format("no plan named '{}'{}; the file has: {}", request.plan,
                                     hint.empty() ? "" : " (did you mean '" + hint + "'?)",
                                     names.empty() ? "no plans" : fmt::format("{}", fmt::join(names, ", "))));
    }
    const Plan& plan = *found;
    const bool is_long = plan.side == Side::Long;
    const double dir = direction(plan.side);
    const Price entry = expected_entry(plan, thesis.stock.price);
    const auto stop_level = stop_price(plan, entry);
    const auto target_level = target_price(plan, entry);
    const Hedge& own = plan.hedge;
    const bool has_own = own.kind != Hedge::Kind::None;
    const bool own_collar = own.kind == Hedge::Kind::Collar;
    const char* protective_name = is_long ? "put" : "call";

    // The options' terms: the request's, else the plan's hedge's, else from its levels.
    const Years expiry = request.expiry ? *request.expiry
                         : has_own      ? own.protection.expiry
                                        : plan.horizon.value_or(thesis.simulation.horizon);
    const Years horizon = plan.horizon.value_or(thesis.simulation.horizon);
    if (expiry + 1e-9 < horizon)
        throw InputError(
            {"command line"}, "expiry",
            fmt::format("expected an expiry at or after the plan's horizon ({:g}y), got {:.4g}y: an "
                        "option that expires during the trade is not simulated",
                        horizon, expiry));
    const bool terms_changed = request.expiry || request.implied_volatility;
    const auto leg_at = [&](Price strike, const OptionLeg* written) {
        // The plan's own leg as written (a quoted premium stays), when nothing overrides it.
        if (written && !terms_changed && written->strike == strike) return *written;
        OptionLeg leg;
        leg.strike = strike;
        leg.expiry = expiry;
        if (request.implied_volatility) leg.implied_volatility = *request.implied_volatility;
        else if (written && written->implied_volatility)
            leg.implied_volatility = *written->implied_volatility;
        else if (thesis.model.volatility > 0) leg.implied_volatility = thesis.model.volatility;
        else
            throw InputError({"command line"}, "implied_vol",
                             "the model has no single volatility to price the options with: give one");
        return leg;
    };
    const auto check_strike = [](Price strike, const char* what) {
        if (!(strike >= limits::kMinPrice && strike <= limits::kMaxPrice))
            throw InputError(
                {"command line"}, what,
                fmt::format("expected a price from $0.01 to $1,000,000,000,000, got {:g}", strike));
    };

    const Price strike = request.strike ? *request.strike
                         : has_own      ? own.protection.strike
                         : stop_level   ? *stop_level
                                        : entry * (1 - dir * 0.10);
    check_strike(strike, "strike");
    std::vector<Price> strikes = request.strikes.empty() ? std::vector<Price>{strike} : request.strikes;
    for (Price k : strikes) check_strike(k, "strikes");
    const Price financing = request.financing_strike ? *request.financing_strike
                            : own_collar             ? own.financing.strike
                            : target_level           ? *target_level
                                                     : entry * (1 + dir * 0.20);
    check_strike(financing, "collar_strike");
    if (is_long ? !(financing > strike) : !(financing < strike))
        throw InputError(
            {"command line"}, "collar_strike",
            fmt::format("expected the collar's {} strike {} the {}'s ({}), got {}", is_long ? "call" : "put",
                        is_long ? "above" : "below", protective_name, money(strike), money(financing)));

    HedgeComparison c;
    c.thesis = thesis;
    c.plan = plan.name;
    Plan bare = plan;
    bare.hedge = {};
    bare.hedge.contracts = own.contracts;
    bare.hedge.contract_size = own.contract_size;
    Plan unstopped = bare;
    unstopped.stop = {};
    const auto protected_by = [&](Plan p, Price k) {
        p.hedge.kind = is_long ? Hedge::Kind::Put : Hedge::Kind::Call;
        p.hedge.protection = leg_at(k, has_own ? &own.protection : nullptr);
        return p;
    };
    const auto add = [&](std::string kind, std::string id, std::string label, Plan p) {
        p.name = std::move(id);
        p.description = label;
        c.variants.push_back({std::move(kind), std::move(label), std::move(p)});
    };
    // A fixed stop by its price; a percent or trailing one as written (its level moves with the fill).
    const std::string stop_label = !stop_level                           ? ""
                                   : plan.stop.kind == Stop::Kind::Fixed ? "stop " + money(*stop_level)
                                                                         : "stop " + to_string(plan.stop);
    add("none", "none", "none", unstopped);
    if (stop_level) {
        c.reference = c.variants.size();
        add("stop", "stop", stop_label, bare);
    }
    for (Price k : strikes)
        add(protective_name,
            strikes.size() > 1 ? fmt::format("{}_{:g}", protective_name, k) : protective_name,
            fmt::format("{} {}", protective_name, money(k)), protected_by(unstopped, k));
    {
        Plan p = unstopped;
        p.hedge.kind = Hedge::Kind::Collar;
        p.hedge.protection = leg_at(strike, has_own ? &own.protection : nullptr);
        p.hedge.financing = leg_at(financing, own_collar ? &own.financing : nullptr);
        add("collar", "collar",
            is_long ? fmt::format("collar {}/{}", money(strike), money(financing))
                    : fmt::format("collar {}/{}", money(financing), money(strike)),
            p);
    }
    if (stop_level)
        add(std::string("stop_and_") + protective_name, std::string("stop_and_") + protective_name,
            fmt::format("{} + {} {}", stop_label, protective_name, money(strike)),
            protected_by(bare, strike));

    c.thesis.plans.clear();
    for (const ProtectionVariant& v : c.variants) c.thesis.plans.push_back(v.plan);
    for (std::size_t i = 0; i < c.variants.size(); ++i)
        if (i != c.reference) c.pairs.push_back({i, c.reference});
    // Every variant's options priced once here, so that a premium no volatility gives fails now.
    const TimeGrid grid = make_time_grid(horizon, c.thesis.simulation.steps_per_year);
    for (const Plan& p : c.thesis.plans) (void)compile_plan(p, c.thesis, grid);
    return c;
}

namespace {
// A plan's options as the engine compiles them (the volatility a quoted premium implies included).
HedgeRules plan_hedge(const Thesis& t, const Plan& plan) {
    const TimeGrid grid = make_time_grid(t.simulation.horizon, t.simulation.steps_per_year);
    return compile_plan(plan, t, grid).hedge;
}
HedgeRules compiled_hedge(const HedgeComparison& c, std::size_t variant) {
    return plan_hedge(c.thesis, c.thesis.plans.at(variant));
}
}  // namespace

double hedge_cost(const Thesis& thesis, const Plan& plan, Price entry) {
    return hedge_value(plan_hedge(thesis, plan), 0, entry);
}

double hedge_payoff(const Thesis& thesis, const Plan& plan, Price at_expiry) {
    HedgeRules h = plan_hedge(thesis, plan);
    for (int l = 0; l < h.legs; ++l) h.leg[static_cast<std::size_t>(l)].expiry = 0;  // no time left
    return hedge_value(h, 0, at_expiry);
}

double cost_today(const HedgeComparison& c, std::size_t variant) {
    return hedge_cost(c.thesis, c.thesis.plans.at(variant), c.thesis.stock.price);
}

OptionGreeks position_greeks(const HedgeComparison& c, std::size_t variant) {
    const HedgeRules h = compiled_hedge(c, variant);
    OptionGreeks total;
    total.delta = direction(c.thesis.plans.at(variant).side);
    total.price = 0;
    for (int l = 0; l < h.legs; ++l) {
        const HedgeLeg& leg = h.leg[static_cast<std::size_t>(l)];
        const OptionGreeks g = option_greeks({leg.type, c.thesis.stock.price, leg.strike, leg.expiry, h.rate,
                                              h.dividend_yield, leg.volatility});
        total.price += leg.position * g.price;
        total.delta += leg.position * g.delta;
        total.gamma += leg.position * g.gamma;
        total.vega += leg.position * g.vega;
        total.theta += leg.position * g.theta;
        total.rho += leg.position * g.rho;
    }
    return total;
}

std::vector<OpeningOption> opening_options(const HedgeComparison& c) {
    std::vector<OpeningOption> out;
    for (std::size_t i = 0; i < c.variants.size(); ++i) {
        const HedgeRules h = compiled_hedge(c, i);
        for (int l = 0; l < h.legs; ++l) {
            const HedgeLeg& leg = h.leg[static_cast<std::size_t>(l)];
            const OptionInputs in{leg.type, c.thesis.stock.price, leg.strike,    leg.expiry,
                                  h.rate,   h.dividend_yield,     leg.volatility};
            const bool bought = leg.position > 0;
            const bool seen = std::any_of(out.begin(), out.end(), [&](const OpeningOption& o) {
                return o.bought == bought && o.inputs.type == in.type && o.inputs.strike == in.strike &&
                       o.inputs.years == in.years && o.inputs.volatility == in.volatility;
            });
            if (seen) continue;
            const std::string label = fmt::format("{} {}, {}", leg.type == OptionType::Put ? "put" : "call",
                                                  money(leg.strike), expiry_text(leg.expiry));
            out.push_back({label, bought, in, option_greeks(in)});
        }
    }
    return out;
}

}  // namespace thesis
