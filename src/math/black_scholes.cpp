// Black–Scholes–Merton prices, greeks and implied volatility (formulas in black_scholes.h).
#include "thesis/math/black_scholes.h"

#include <boost/math/distributions/normal.hpp>
#include <boost/math/tools/toms748_solve.hpp>

#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace thesis {

namespace {

double normal_cdf(double x) { return boost::math::cdf(boost::math::normal_distribution<double>(), x); }
double normal_pdf(double x) { return boost::math::pdf(boost::math::normal_distribution<double>(), x); }

void check(const OptionInputs& o) {
    const bool finite = std::isfinite(o.spot) && std::isfinite(o.strike) && std::isfinite(o.years) &&
                        std::isfinite(o.rate) && std::isfinite(o.dividend_yield) &&
                        std::isfinite(o.volatility);
    if (!finite || o.spot < 0 || !(o.strike > 0) || o.years < 0 || o.volatility < 0)
        throw std::invalid_argument(
            "option: expected spot >= 0, a positive strike, years >= 0, "
            "volatility >= 0, all finite");
}

}  // namespace

OptionGreeks option_greeks(const OptionInputs& o) {
    check(o);
    const double sign = o.type == OptionType::Call ? 1.0 : -1.0;
    const double carry = std::exp(-o.dividend_yield * o.years);  // e^{−qT}
    const double discount = std::exp(-o.rate * o.years);         // e^{−rT}
    const double forward = o.spot * carry, strike = o.strike * discount;
    const double root_t = std::sqrt(o.years);
    const double sd = o.volatility * root_t;
    OptionGreeks g;
    if (!(sd > 0) || o.spot == 0) {
        // No randomness left: the option is the forward's intrinsic value, discounted. A stock at
        // 0 stays there (0 absorbs a geometric Brownian motion), so a put is worth K e^{−rT}.
        const bool in_the_money = sign * (forward - strike) > 0;
        if (!in_the_money) return g;
        g.price = sign * (forward - strike);
        g.delta = sign * carry;
        // ∂/∂t = −∂/∂T of ±(S e^{−qT} − K e^{−rT}).
        g.theta = sign * (o.dividend_yield * forward - o.rate * strike);
        g.rho = sign * o.years * strike;
        return g;
    }
    const double d1 = (std::log(forward / strike) + 0.5 * sd * sd) / sd;
    const double d2 = d1 - sd;
    const double n1 = normal_cdf(sign * d1), n2 = normal_cdf(sign * d2);
    const double density = normal_pdf(d1);
    g.price = sign * (forward * n1 - strike * n2);
    g.delta = sign * carry * n1;
    g.gamma = carry * density / (o.spot * sd);
    g.vega = forward * density * root_t;
    g.theta = -forward * density * o.volatility / (2 * root_t) - sign * o.rate * strike * n2 +
              sign * o.dividend_yield * forward * n1;
    g.rho = sign * o.years * strike * n2;
    return g;
}

double option_price(const OptionInputs& option) { return option_greeks(option).price; }

std::optional<double> implied_volatility(const OptionInputs& option, double premium) {
    if (!std::isfinite(premium)) return std::nullopt;
    constexpr double lowest = 1e-6, highest = 10;
    OptionInputs o = option;
    const auto gap = [&](double volatility) {
        o.volatility = volatility;
        return option_price(o) - premium;
    };
    const double at_lowest = gap(lowest), at_highest = gap(highest);
    if (at_lowest == 0) return lowest;
    if (at_highest == 0) return highest;
    if (at_lowest > 0 || at_highest < 0) return std::nullopt;
    std::uintmax_t iterations = 200;
    const auto tolerance = [](double a, double b) { return std::fabs(b - a) <= 1e-12 * std::fabs(a); };
    const auto [a, b] =
        boost::math::tools::toms748_solve(gap, lowest, highest, at_lowest, at_highest, tolerance, iterations);
    return 0.5 * (a + b);
}

}  // namespace thesis
