#pragma once
// The deterministic valuation engine: price = EPS × multiple, scenarios, their expectation, the
// numbers a thesis implies and an audit of where its numbers disagree. Pure functions; no RNG.

#include "thesis/core/thesis.h"

#include <string>
#include <vector>

namespace thesis {

/// The valuation bridge derived from price, P/E and market cap:
/// EPS = price / P/E, shares = cap / price, earnings = cap / P/E = EPS × shares.
struct Bridge {
    Price price = 0;
    Multiple pe = 0;  ///< 0 when not meaningful (EPS ≤ 0)
    double eps = 0;
    std::optional<double> forward_eps;
    /// The EPS a multiple applies to: the trailing EPS when positive, else the forward EPS when
    /// positive; nullopt when neither is (no multiple can price the stock).
    std::optional<double> valuation_eps() const;
    double shares = 0;
    Amount earnings = 0;
    Amount market_cap = 0;
    Fraction net_margin = 0;
};

/// Example: bridge of $769.23, 52x, $4T → EPS $14.79, 5.2B shares, $76.9B earnings. With a
/// trailing `eps` instead of a P/E: P/E = price / EPS when EPS > 0 (else 0, not meaningful),
/// earnings = EPS × shares.
Bridge bridge(const Stock& stock);

/// EPS change a revenue change brings at a net margin: Δrevenue × margin / earnings.
/// Example: $8B × 50% / $76.9B = 5.2%.
Fraction eps_change_from_revenue(Amount revenue_change, Fraction net_margin, Amount earnings);

/// A scenario resolved into price, multiple and EPS, with its return from today's price.
struct ScenarioValue {
    std::string name;
    std::string description;
    double probability = 0;
    Price price = 0;
    Multiple multiple = 0;
    double eps = 0;
    Fraction eps_change = 0;     ///< vs today's EPS (0 when not meaningful: has_eps_change)
    bool has_eps_change = true;  ///< false when today's EPS is not positive
    Fraction price_return = 0;   ///< price / today's price − 1
};

/// Resolves a scenario's levers against the base stock (see ScenarioLevers for the rules).
/// Throws InputError naming the scenario when the levers over- or under-determine the price.
ScenarioValue value_scenario(const Scenario& scenario, const Stock& base);

/// Probability-weighted summary of scenario values.
struct ScenarioExpectation {
    Price expected_price = 0;          ///< Σ pᵢ priceᵢ
    Fraction expected_return = 0;      ///< expected price / today's price − 1
    Fraction expected_upside = 0;      ///< Σ pᵢ max(rᵢ, 0)
    Fraction expected_downside = 0;    ///< Σ pᵢ max(−rᵢ, 0), as a positive number
    double upside_downside_ratio = 0;  ///< upside / downside; 0 when there is no downside
    double probability_sum = 0;
};
ScenarioExpectation expectation(const std::vector<ScenarioValue>& values, Price spot);

/// Spot implied by "target is an upside of u": target / (1 + u). Example: 1000 / 1.3 = 769.23.
Price implied_spot(Price target, Fraction upside);
/// The multiple that a price change implies at constant EPS: P/E × (1 + change).
/// Example: 52x after a 40% drop → 31.2x.
Multiple implied_multiple(Multiple pe, Fraction price_change);
/// EPS growth a target price needs at a multiple: target / (multiple × EPS) − 1.
/// Example: $1,000 at 52x with EPS $14.79 → +30%.
Fraction required_eps_growth(Price target, Multiple multiple, double eps);

/// Key paths of the levers a scenario sets: {"scenarios.bull.price"}.
std::vector<std::string> lever_keys(const Scenario& scenario);

/// Which of `keys` the thesis marks as assumptions (so a reader knows what an output rests on).
std::vector<std::string> assumed(const Thesis& thesis, const std::vector<std::string>& keys);

}  // namespace thesis
