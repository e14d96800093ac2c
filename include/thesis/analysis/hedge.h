#pragma once
// The protection comparison behind `thesis hedge`: one plan played with no protection, its stop, a
// protective option, a collar, and the stop and the option together, all on the same simulated
// paths, so that each is compared with the stop path by path (common random numbers).

#include "thesis/core/thesis.h"
#include "thesis/math/black_scholes.h"
#include "thesis/simulation/monte_carlo.h"

#include <optional>
#include <string>
#include <vector>

namespace thesis {

/// What to compare. Unset fields come from the plan's own hedge, else from its levels: the
/// protective strike at the stop (10% from the entry without one), the collar's other strike at
/// the target (20% from the entry without one), expiry at the plan's horizon, volatility the
/// model's.
struct HedgeRequest {
    std::string plan;
    std::optional<Price> strike;  ///< the protective option's: a put's for a long, a call's for a short
    std::optional<Price> financing_strike;  ///< the collar's sold option's
    std::optional<Years> expiry;
    std::optional<double> implied_volatility;
    std::vector<Price> strikes;  ///< a protective option at each (--strikes), instead of one
};

/// One way to protect the plan, as a plan of its own.
struct ProtectionVariant {
    std::string kind;   ///< none, stop, put (call for a short), collar, stop_and_put (stop_and_call)
    std::string label;  ///< for people: "stop $600", "put $600", "collar $600/$1,000"
    Plan plan;          ///< named by its id in the comparison's thesis
};

/// The comparison to simulate: a thesis whose plans are the variants, in order, and the pairs
/// (variant, reference) whose differences are tallied path by path. The reference is the stop, or
/// no protection for a plan without a stop.
struct HedgeComparison {
    Thesis thesis;
    std::string plan;  ///< the plan compared
    std::vector<ProtectionVariant> variants;
    std::size_t reference = 0;
    std::vector<PlanPair> pairs;  ///< every other variant against the reference
};

/// Builds the comparison for request.plan. Throws InputError (naming the flag's parameter:
/// "plan", "strike", …) for an unknown plan, a strike on the wrong side, or no volatility.
HedgeComparison hedge_comparison(const Thesis& thesis, const HedgeRequest& request);

/// One option of the comparison at the opening: its Black–Scholes–Merton value and greeks at
/// today's price, per option on one share.
struct OpeningOption {
    std::string label;  ///< "put $600, 1y"
    bool bought = true;
    OptionInputs inputs;
    OptionGreeks greeks;
};
/// The options the comparison's variants hold, each once, at today's price.
std::vector<OpeningOption> opening_options(const HedgeComparison& comparison);

/// A plan's options per share of stock held (the cover ratio included): their Black–Scholes value
/// bought today at the price `entry`, and their payoff at expiry at the price `at_expiry` (both 0
/// without a hedge). The payoff table's hedged column: held to expiry, the stock at X gains
/// d × (X − entry) and the options hedge_payoff(X) − hedge_cost(entry).
double hedge_cost(const Thesis& thesis, const Plan& plan, Price entry);
double hedge_payoff(const Thesis& thesis, const Plan& plan, Price at_expiry);

/// The variant's greeks at today's price per share of stock held: the stock's own delta (±1) plus
/// its options', each weighted by its position (the cover ratio, negative for a sold one).
OptionGreeks position_greeks(const HedgeComparison& comparison, std::size_t variant);

/// The variant's options' value per share at today's price (what they cost when bought today;
/// negative for a collar that brings in more than it pays); 0 without options.
double cost_today(const HedgeComparison& comparison, std::size_t variant);

}  // namespace thesis
