#pragma once
// European options on a stock paying a continuous dividend yield: the Black–Scholes–Merton price,
// its greeks and the volatility a quoted premium implies. What a hedge (a protective put, a
// collar) costs when it is bought and is worth when it is sold.
//
// With d₁ = [ln(S/K) + (r − q + σ²/2)T] / (σ√T) and d₂ = d₁ − σ√T (Merton, "Theory of rational
// option pricing", Bell J. Economics 4(1), 1973; Hull, Options, Futures, and Other Derivatives,
// 9th ed., 2015, §17.4; Haug, The Complete Guide to Option Pricing Formulas, 2nd ed., 2007, §1.1):
//   call = S e^{−qT} N(d₁) − K e^{−rT} N(d₂),   put = K e^{−rT} N(−d₂) − S e^{−qT} N(−d₁).

#include <optional>

namespace thesis {

enum class OptionType { Call, Put };

/// One European option and its market: spot S, strike K, years to expiry T, risk-free rate r and
/// dividend yield q (continuously compounded, annual), volatility σ (annual).
struct OptionInputs {
    OptionType type = OptionType::Put;
    double spot = 0, strike = 0, years = 0, rate = 0, dividend_yield = 0, volatility = 0;
};

/// The price and its sensitivities (Hull §19; Haug §2.1): delta ∂V/∂S, gamma ∂²V/∂S², vega ∂V/∂σ
/// (per 1.00 of volatility, not per point), theta ∂V/∂t (per year, calendar time passing: the
/// negative of ∂V/∂T), rho ∂V/∂r (per 1.00 of rate).
struct OptionGreeks {
    double price = 0, delta = 0, gamma = 0, vega = 0, theta = 0, rho = 0;
};

/// The Black–Scholes–Merton price. At expiry (T = 0) or with no volatility, the discounted
/// intrinsic value of the forward: max(0, ±(S e^{−qT} − K e^{−rT})); the same at S = 0, where a
/// stock that has lost everything stays (a payoff grid may start there). Requires S ≥ 0, K > 0,
/// T ≥ 0, σ ≥ 0, all finite (std::invalid_argument otherwise).
double option_price(const OptionInputs& option);

/// The price and its greeks; at T = 0, σ = 0 or S = 0 the greeks of the intrinsic value (gamma and vega
/// 0, delta ±e^{−qT} in the money, else 0).
OptionGreeks option_greeks(const OptionInputs& option);

/// The volatility at which option_price equals `premium` (the option's `volatility` is ignored),
/// found by TOMS 748 (Alefeld, Potra & Shi 1995; Boost.Math) on [1e-6, 10] to 1e-12 relative;
/// the price rises with σ (vega > 0), so the root is unique. nullopt when the premium lies outside
/// the prices those volatilities give (below the discounted intrinsic value: an arbitrage; above
/// the 1000% price).
std::optional<double> implied_volatility(const OptionInputs& option, double premium);

}  // namespace thesis
