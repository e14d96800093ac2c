// Tests for thesis/math/black_scholes.h: published prices and greeks, the same closed forms at 40
// digits, put–call parity, implied volatility and the limits at expiry and at zero volatility.

#include "thesis/math/black_scholes.h"

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <stdexcept>

namespace {

using thesis::option_greeks;
using thesis::OptionGreeks;
using thesis::OptionInputs;
using thesis::OptionType;

OptionInputs option(OptionType type, double spot, double strike, double years, double rate, double yield,
                    double volatility) {
    return {type, spot, strike, years, rate, yield, volatility};
}

struct Case {
    const char* name;
    OptionInputs in;
    // 40-digit mpmath evaluations of the closed forms: tools/black_scholes_reference.py prints them.
    std::array<double, 6> exact;  // price, delta, gamma, vega, theta, rho
};

const std::array<Case, 9> kCases{{
    {"hull_call",
     option(OptionType::Call, 42, 40, 0.5, 0.1, 0, 0.2),
     {4.7594223928715334, 0.77913129094266894, 0.049962670405911853, 8.8134150596028514, -4.5590921945926267,
      13.982045913360281}},
    {"hull_put",
     option(OptionType::Put, 42, 40, 0.5, 0.1, 0, 0.2),
     {0.80859937290009365, -0.22086870905733106, 0.049962670405911853, 8.8134150596028514,
      -0.7541744965897705, -5.0425425766539992}},
    {"haug_gbsm_call",
     option(OptionType::Call, 60, 65, 0.25, 0.08, 0, 0.3),
     {2.1333684449161999, 0.37248279796197285, 0.042042755753785171, 11.351544053521996, -8.428174386737371,
      5.0538998582005428}},
    {"haug_merton_put",
     option(OptionType::Put, 100, 95, 0.5, 0.1, 0.05, 0.2),
     {2.4647876467558214, -0.26418159963607241, 0.02283957429626999, 22.839574296269991, -3.0005280963980543,
      -14.441473805181531}},
    {"haug_delta_call",
     option(OptionType::Call, 105, 100, 0.5, 0.1, 0.1, 0.36),
     {12.432844508202189, 0.59462865972999562, 0.013493637110520631, 26.77812284582819, -8.3968397736779292,
      25.001582381723676}},
    {"haug_delta_put",
     option(OptionType::Put, 105, 100, 0.5, 0.1, 0.1, 0.36),
     {7.6766973856986185, -0.35660076477071839, 0.013493637110520631, 26.77812284582819, -8.8724544859282862,
      -22.559888843312025}},
    {"haug_gamma_vega_call",
     option(OptionType::Call, 55, 60, 0.75, 0.1, 0, 0.3),
     {5.3927788241201551, 0.53334138968348474, 0.027821160476940842, 18.93577734961786, -6.1812552307707225,
      17.955748206353629}},
    {"haug_theta_put",
     option(OptionType::Put, 430, 405, 1.0 / 12, 0.07, 0.05, 0.2),
     {1.757059929232948, -0.13614577677063622, 0.0087848021037166931, 27.071831816286944, -31.192350304270557,
      -5.0249786617172103}},
    {"haug_rho_call",
     option(OptionType::Call, 72, 75, 1, 0.09, 0, 0.19),
     {7.2227519482419063, 0.63826745785515247, 0.027392888344874316, 26.980899304167407, -6.04911088545552,
      38.732505017329071}},
}};

const Case& find(const char* name) {
    for (const Case& c : kCases)
        if (std::string_view(c.name) == name) return c;
    throw std::logic_error("no such case");
}

}  // namespace

TEST_CASE("Black-Scholes-Merton: published prices and greeks at their printed precision") {
    // Hull, Options, Futures, and Other Derivatives, 9th ed., Example 15.6: S 42, K 40, r 10%,
    // σ 20%, six months: c = 4.76, p = 0.81 (two decimals).
    CHECK(std::fabs(option_greeks(find("hull_call").in).price - 4.76) < 0.005);
    CHECK(std::fabs(option_greeks(find("hull_put").in).price - 0.81) < 0.005);
    // Haug, The Complete Guide to Option Pricing Formulas, 2nd ed., §1.1.6 (generalised BSM call,
    // 2.1334) and §1.1.2 (Merton's put on a dividend-paying stock, 2.4648); the greeks of §2.1 as
    // QuantLib's test-suite writes them out (test-suite/europeanoption.cpp, testGreekValues):
    // delta 0.5946 / −0.3566, gamma 0.0278, vega 18.9358, theta −31.1924, rho 38.7325 (four decimals).
    const double half_unit = 0.5e-4;
    CHECK(std::fabs(option_greeks(find("haug_gbsm_call").in).price - 2.1334) < half_unit);
    CHECK(std::fabs(option_greeks(find("haug_merton_put").in).price - 2.4648) < half_unit);
    CHECK(std::fabs(option_greeks(find("haug_delta_call").in).delta - 0.5946) < half_unit);
    CHECK(std::fabs(option_greeks(find("haug_delta_put").in).delta + 0.3566) < half_unit);
    CHECK(std::fabs(option_greeks(find("haug_gamma_vega_call").in).gamma - 0.0278) < half_unit);
    CHECK(std::fabs(option_greeks(find("haug_gamma_vega_call").in).vega - 18.9358) < half_unit);
    CHECK(std::fabs(option_greeks(find("haug_theta_put").in).theta + 31.1924) < half_unit);
    CHECK(std::fabs(option_greeks(find("haug_rho_call").in).rho - 38.7325) < half_unit);
}

TEST_CASE("Black-Scholes-Merton: the closed forms to 1e-10 against 40-digit arithmetic") {
    for (const Case& c : kCases) {
        CAPTURE(c.name);
        const OptionGreeks g = option_greeks(c.in);
        const std::array<double, 6> got{g.price, g.delta, g.gamma, g.vega, g.theta, g.rho};
        for (std::size_t k = 0; k < got.size(); ++k) {
            CAPTURE(k);
            CHECK(std::fabs(got[k] - c.exact[k]) < 1e-10);
        }
    }
}

TEST_CASE("Black-Scholes-Merton: put-call parity c - p = S e^{-qT} - K e^{-rT} to 1e-12") {
    for (double spot : {50.0, 95.0, 100.0, 140.0, 770.0})
        for (double years : {0.01, 0.25, 1.0, 3.0})
            for (double volatility : {0.05, 0.3, 0.8})
                for (double yield : {0.0, 0.03}) {
                    const double strike = 100, rate = 0.045;
                    const double call =
                        option_greeks(option(OptionType::Call, spot, strike, years, rate, yield, volatility))
                            .price;
                    const double put =
                        option_greeks(option(OptionType::Put, spot, strike, years, rate, yield, volatility))
                            .price;
                    const double forward = spot * std::exp(-yield * years) - strike * std::exp(-rate * years);
                    CAPTURE(spot);
                    CAPTURE(years);
                    CAPTURE(volatility);
                    CHECK(std::fabs(call - put - forward) < 1e-12 * std::max(1.0, spot));
                }
}

TEST_CASE("Black-Scholes-Merton: greeks agree with finite differences of the price") {
    // Central differences, error O(h²): a check that each greek is the derivative it names.
    const OptionInputs base = option(OptionType::Put, 770, 600, 0.8, 0.04, 0.01, 0.5);
    const auto price = [](OptionInputs o) { return thesis::option_price(o); };
    const OptionGreeks g = option_greeks(base);
    OptionInputs up = base, down = base;
    const double hs = 0.01;
    up.spot += hs;
    down.spot -= hs;
    CHECK(std::fabs((price(up) - price(down)) / (2 * hs) - g.delta) < 1e-7);
    CHECK(std::fabs((price(up) - 2 * price(base) + price(down)) / (hs * hs) - g.gamma) < 1e-6);
    up = down = base;
    up.volatility += 1e-5;
    down.volatility -= 1e-5;
    CHECK(std::fabs((price(up) - price(down)) / 2e-5 - g.vega) < 1e-5);
    up = down = base;
    up.years -= 1e-5;  // time passing: less time to expiry
    down.years += 1e-5;
    CHECK(std::fabs((price(up) - price(down)) / 2e-5 - g.theta) < 1e-5);
    up = down = base;
    up.rate += 1e-5;
    down.rate -= 1e-5;
    CHECK(std::fabs((price(up) - price(down)) / 2e-5 - g.rho) < 1e-5);
}

TEST_CASE("Black-Scholes-Merton: a stock at 0 stays there and the put is worth K e^{-rT}") {
    // A payoff grid may start at $0 (the fuzzer found a hedged plan's table that did and threw).
    // 0 absorbs a geometric Brownian motion: with S = 0 the option is its discounted intrinsic
    // value whatever the volatility, and the limit S -> 0 of the closed form agrees.
    const OptionGreeks put = option_greeks(option(OptionType::Put, 0, 600, 1, 0.05, 0.02, 0.5));
    CHECK(std::fabs(put.price - 600 * std::exp(-0.05)) < 1e-12);
    CHECK(std::fabs(put.delta + std::exp(-0.02)) < 1e-15);
    CHECK(put.gamma == 0);
    CHECK(put.vega == 0);
    CHECK(option_greeks(option(OptionType::Call, 0, 600, 1, 0.05, 0.02, 0.5)).price == 0);
    const double near = option_price(option(OptionType::Put, 1e-6, 600, 1, 0.05, 0.02, 0.5));
    CHECK(std::fabs(near - put.price) < 1e-5);
    CHECK(option_price(option(OptionType::Put, 0, 600, 0, 0.05, 0.02, 0.5)) == 600);
}

TEST_CASE("Black-Scholes-Merton: implied volatility inverts the price") {
    for (const Case& c : kCases) {
        CAPTURE(c.name);
        const auto implied = thesis::implied_volatility(c.in, c.exact[0]);
        REQUIRE(implied);
        CHECK(std::fabs(*implied - c.in.volatility) < 1e-9);
    }
    // Below the discounted intrinsic value no volatility gives the premium (an arbitrage).
    const OptionInputs deep = option(OptionType::Put, 50, 100, 1, 0.0, 0, 0.3);
    CHECK_FALSE(thesis::implied_volatility(deep, 49.0));
    CHECK_FALSE(thesis::implied_volatility(deep, 101.0));  // more than the strike: no volatility gives it
}

TEST_CASE("Black-Scholes-Merton: the discounted intrinsic value at expiry and without volatility") {
    CHECK(option_greeks(option(OptionType::Put, 550, 600, 0, 0.05, 0, 0.5)).price == 50);
    CHECK(option_greeks(option(OptionType::Put, 650, 600, 0, 0.05, 0, 0.5)).price == 0);
    CHECK(option_greeks(option(OptionType::Call, 650, 600, 0, 0.05, 0, 0.5)).price == 50);
    const OptionGreeks flat = option_greeks(option(OptionType::Call, 100, 90, 1, 0.05, 0.02, 0));
    // max(0, 100 e^{−0.02} − 90 e^{−0.05}) = 98.01987 − 85.61075
    CHECK(std::fabs(flat.price - (100 * std::exp(-0.02) - 90 * std::exp(-0.05))) < 1e-12);
    CHECK(std::fabs(flat.delta - std::exp(-0.02)) < 1e-15);
    CHECK(flat.gamma == 0);
    CHECK_THROWS_AS(option_greeks(option(OptionType::Put, -1, 600, 1, 0, 0, 0.5)), std::invalid_argument);
    CHECK_THROWS_AS(option_greeks(option(OptionType::Put, 100, 0, 1, 0, 0, 0.5)), std::invalid_argument);
    CHECK_THROWS_AS(option_greeks(option(OptionType::Put, 100, 600, -1, 0, 0, 0.5)), std::invalid_argument);
}
