#pragma once
// The seed article's stock and a scenario on it, for the valuation and findings tests.

#include "thesis/core/thesis.h"

#include <string>

namespace article {

using thesis::Scenario;
using thesis::ScenarioLevers;
using thesis::Stock;

// The article's stock: "$1,000 (a 30% upside)" → spot 1000 / 1.3 = 769.2308; P/E 52x; cap $4T.
inline Stock nvda() {
    Stock s;
    s.name = "NVIDIA";
    s.price = 1000.0 / 1.3;
    s.pe = 52;
    s.sector_pe = 25;
    s.market_cap = 4e12;
    s.net_margin = 0.5;
    s.revenue = 130.5e9;
    return s;
}
inline Scenario scenario(std::string name, ScenarioLevers levers, double p = 0) {
    Scenario s;
    s.name = std::move(name);
    s.levers = levers;
    s.probability = p;
    s.stock = nvda();
    return s;
}

}  // namespace article
