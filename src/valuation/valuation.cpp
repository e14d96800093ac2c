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
    b.pe = stock.pe;
    b.eps = stock.price / stock.pe;
    b.market_cap = stock.market_cap;
    b.shares = stock.market_cap / stock.price;
    b.earnings = stock.market_cap / stock.pe;
    b.net_margin = stock.net_margin;
    return b;
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
    if (l.eps_change && l.revenue_change) fail("give either eps_change or revenue_change, not both");

    std::optional<Price> price = l.price;
    if (l.price_change) price = today.price * (1 + *l.price_change);
    std::optional<double> eps;
    if (l.eps_change) eps = today.eps * (1 + *l.eps_change);
    if (l.revenue_change)
        eps = today.eps *
              (1 + eps_change_from_revenue(*l.revenue_change, scenario.stock.net_margin, today.earnings));
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
        multiple = *price / *eps;
    } else if (multiple && eps) {
        price = *multiple * *eps;
    } else if (price) {
        eps = today.eps;
        multiple = *price / *eps;
    } else if (multiple) {
        eps = today.eps;
        price = *multiple * *eps;
    } else {
        if (!eps) eps = today.eps;
        multiple = scenario.stock.pe;
        price = *multiple * *eps;
    }
    if (!(*eps > 0) || !(*price > 0))
        fail(fmt::format("the levers give EPS {} and price {}; a P/E valuation needs both positive",
                         format_money(*eps), format_money(*price)));
    if (*price > limits::kMaxPrice)
        fail(
            fmt::format("the levers give a price of {} a share; expected at most "
                        "$1,000,000,000,000",
                        *price < 1e15 ? format_money(*price) : fmt::format("${:.4g}", *price)));
    v.price = *price;
    v.multiple = *multiple;
    v.eps = *eps;
    v.eps_change = *eps / today.eps - 1;
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
