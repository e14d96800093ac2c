#include "thesis/valuation/valuation.h"

#include "thesis/core/errors.h"
#include "thesis/valuation/payoff.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace thesis {

Bridge bridge(const Stock& stock) {
    Bridge b;
    b.price = stock.price;
    b.market_cap = stock.market_cap;
    b.shares = stock.market_cap / stock.price;
    b.net_margin = stock.net_margin;
    b.forward_eps = stock.forward_eps;
    if (stock.eps) {
        b.eps = *stock.eps;
        b.pe = b.eps > 0 ? stock.price / b.eps : 0;
        b.earnings = b.eps * b.shares;
    } else {
        b.pe = stock.pe;
        b.eps = stock.price / stock.pe;
        b.earnings = stock.market_cap / stock.pe;
    }
    return b;
}

std::optional<double> Bridge::valuation_eps() const {
    if (eps > 0) return eps;
    if (forward_eps && *forward_eps > 0) return *forward_eps;
    return std::nullopt;
}

Fraction eps_change_from_revenue(Amount revenue_change, Fraction net_margin, Amount earnings) {
    // Constant share count: ΔEPS / EPS = Δearnings / earnings = Δrevenue × margin / earnings.
    return revenue_change * net_margin / earnings;
}

ScenarioValue value_scenario(const Scenario& scenario, const Stock& base) {
    const Bridge today = bridge(base);
    const ScenarioLevers& l = scenario.levers;
    const auto fail = [&](const std::string& what) {
        throw InputError({}, "scenarios." + scenario.name, what);
    };
    if (l.price && l.price_change) fail("give either price or price_change, not both");
    const int eps_levers = int(l.eps_change.has_value()) + int(l.revenue_change.has_value()) +
                           int(l.eps.has_value()) + int(l.revenue.has_value());
    if (eps_levers > 1) fail("give one of eps, eps_change, revenue or revenue_change, not several");
    if (l.eps_change && !(today.eps > 0))
        fail(fmt::format("an EPS change from today's EPS of {} means nothing; give the scenario's eps",
                         format_money(today.eps)));

    std::optional<Price> price = l.price;
    if (l.price_change) price = today.price * (1 + *l.price_change);
    std::optional<double> eps = l.eps;
    if (l.eps_change) eps = today.eps * (1 + *l.eps_change);
    if (l.revenue_change) {
        // Constant share count: the revenue's earnings at the net margin, spread over the shares.
        if (today.earnings > 0)
            eps = today.eps *
                  (1 + eps_change_from_revenue(*l.revenue_change, scenario.stock.net_margin, today.earnings));
        else eps = today.eps + *l.revenue_change * scenario.stock.net_margin / today.shares;
    }
    if (l.revenue) eps = *l.revenue * scenario.stock.net_margin / today.shares;
    std::optional<Multiple> multiple = l.multiple;
    if (price && multiple && eps)
        fail("price, multiple and EPS levers together over-determine the scenario; drop one");

    ScenarioValue v;
    v.name = scenario.name;
    v.description = scenario.description;
    v.probability = scenario.probability;
    // Rules: a price lever alone keeps EPS; an EPS lever alone keeps the multiple.
    if (price && multiple) {
        eps = *price / *multiple;
    } else if (price && eps) {
        multiple = *eps > 0 ? *price / *eps : 0;
    } else if (multiple && eps) {
        price = *multiple * *eps;
    } else if (price) {
        eps = today.eps;
        multiple = *eps > 0 ? *price / *eps : 0;  // a loss: no meaningful multiple
    } else if (multiple) {
        // A multiple prices the trailing EPS, or the forward EPS when trailing earnings are a loss.
        const auto priced = today.valuation_eps();
        if (!priced)
            fail(
                fmt::format("a multiple needs a positive EPS, and today's is {}: give the scenario's eps "
                            "(or stock.forward_eps)",
                            format_money(today.eps)));
        eps = *priced;
        price = *multiple * *eps;
    } else if (eps) {
        // An EPS lever alone keeps the multiple: the scenario's P/E, else today's (forward) one.
        multiple = scenario.stock.pe > 0 ? std::optional<Multiple>(scenario.stock.pe) : std::nullopt;
        if (!multiple && today.valuation_eps()) multiple = today.price / *today.valuation_eps();
        if (!multiple)
            fail(
                "an EPS lever alone keeps today's multiple, and today's EPS gives none: give the "
                "scenario's multiple or price too");
        price = *multiple * *eps;
    } else if (scenario.stock.pe > 0) {
        eps = today.eps;
        multiple = scenario.stock.pe;
        price = *multiple * *eps;
    } else {
        // No lever and no meaningful P/E: today's price and EPS.
        eps = today.eps;
        multiple = 0;
        price = today.price;
    }
    if (!(*price > 0))
        fail(fmt::format("the levers give EPS {} and price {}; a price must be positive", format_money(*eps),
                         format_money(*price)));
    if (!(*eps > 0) && *multiple != 0)
        fail(fmt::format("the levers give EPS {} at {}; a multiple needs a positive EPS", format_money(*eps),
                         format_multiple(*multiple)));
    if (*price > limits::kMaxPrice)
        fail(
            fmt::format("the levers give a price of {} a share; expected at most "
                        "$1,000,000,000,000",
                        *price < 1e15 ? format_money(*price) : fmt::format("${:.4g}", *price)));
    v.price = *price;
    v.multiple = *multiple;
    v.eps = *eps;
    v.has_eps_change = today.eps > 0;
    v.eps_change = v.has_eps_change ? *eps / today.eps - 1 : 0;
    v.price_return = *price / today.price - 1;
    return v;
}

ScenarioExpectation expectation(const std::vector<ScenarioValue>& values, Price spot) {
    ScenarioExpectation e;
    for (const auto& v : values) {
        e.expected_price += v.probability * v.price;
        e.expected_upside += v.probability * std::max(v.price_return, 0.0);
        e.expected_downside += v.probability * std::max(-v.price_return, 0.0);
        e.probability_sum += v.probability;
    }
    e.expected_return = e.expected_price / spot - 1;
    e.upside_downside_ratio = e.expected_downside > 0 ? e.expected_upside / e.expected_downside : 0;
    return e;
}

Price implied_spot(Price target, Fraction upside) { return target / (1 + upside); }
Multiple implied_multiple(Multiple pe, Fraction price_change) { return pe * (1 + price_change); }
Fraction required_eps_growth(Price target, Multiple multiple, double eps) {
    return target / (multiple * eps) - 1;
}

std::vector<std::string> assumed(const Thesis& thesis, const std::vector<std::string>& keys) {
    std::vector<std::string> out;
    for (const auto& key : keys) {
        // A key is assumed if it, or a section above it, is marked.
        for (const auto& [path, note] : thesis.assumptions) {
            // Either way round: a marked value under `key`, or `key` under a marked section.
            if (key == path || key.rfind(path + ".", 0) == 0 || path.rfind(key + ".", 0) == 0) {
                out.push_back(key);
                break;
            }
        }
    }
    return out;
}

std::vector<std::string> lever_keys(const Scenario& s) {
    std::vector<std::string> keys;
    const std::string base = "scenarios." + s.name + ".";
    const ScenarioLevers& l = s.levers;
    if (l.price) keys.push_back(base + "price");
    if (l.price_change) keys.push_back(base + "price_change");
    if (l.eps) keys.push_back(base + "eps");
    if (l.revenue) {
        keys.push_back(base + "revenue");
        keys.push_back("stock.net_margin");
        keys.push_back(base + "stock.net_margin");
    }
    if (l.multiple) keys.push_back(base + "multiple");
    if (l.eps_change) keys.push_back(base + "eps_change");
    if (l.revenue_change) {
        // A revenue change becomes EPS through the net margin, the base's or the scenario's own.
        keys.push_back(base + "revenue_change");
        keys.push_back("stock.net_margin");
        keys.push_back(base + "stock.net_margin");
    }
    return keys;
}

}  // namespace thesis
