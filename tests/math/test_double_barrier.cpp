// Tests for thesis/double_barrier.h: published reference values, agreement of the two series,
// limits with closed forms, and an independent numerical method (Laplace-transform inversion).

#include "thesis/math/double_barrier.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <vector>

namespace {

using thesis::barrier_touch_probability;
using thesis::double_barrier_odds;
using thesis::DoubleBarrierOdds;
using thesis::DoubleBarrierSeries;

double max_abs_difference(const DoubleBarrierOdds& a, const DoubleBarrierOdds& b) {
    return std::max({std::fabs(a.p_upper_first - b.p_upper_first),
                     std::fabs(a.p_lower_first - b.p_lower_first), std::fabs(a.p_neither - b.p_neither)});
}

// ------------------------------------------------------------------------------------------------
// Haug's reference values, as written out in QuantLib's test-suite (lballabio/QuantLib at commit
// 2a13d455048c748b9fb5c2ff3bb4f4cf56dfb9a9; the rows are the same at tag QuantLib-v1.29), copied
// from shared/reference/haug_tables.json.

/// A cash-or-nothing double-barrier binary paid at expiry, cash 10, continuous monitoring, under
/// dS/S = (r − q)dt + vol dW. Its PV is cash·e^{−rT}·P, so the probability it pays is exactly
/// P = PV·e^{rT}/cash, with tolerance tol·e^{rT}/cash:
///  * KnockOut (double no-touch) pays if neither barrier is touched: P(neither) = PV·e^{rT}/cash;
///  * KnockIn (double one-touch at expiry) pays if either is: P(neither) = 1 − PV·e^{rT}/cash.
struct DoubleBinaryRow {
    bool knock_in;
    double lower, upper, spot, q, r, t, vol, expected_pv, tol;
    int source_line;  ///< line of test-suite/doublebinaryoption.cpp
};

// Table `double_barrier_binary_cash_or_nothing`, QuantLib test-suite/doublebinaryoption.cpp,
// testHaugValues. Lines 87–105: KnockOut rows printed in Haug, The Complete Guide to Option
// Pricing Formulas, 2nd ed. (2007), p.181. Lines 128–146: KnockIn rows QuantLib computed with
// Haug's VBA code. Left out: the KIKO/KOKI rows (lines 107–125, 148–166) pay at the hitting time
// and are discounted at r = 0.05 from that random time, so they are not probabilities (only r = 0
// rows would be, and there are none); the degenerate rows (169–176) are checked separately below.
// Example of the conversion (line 88): 8.9307·e^{0.05·0.25}/10 = 0.904306 = P(neither).
constexpr DoubleBinaryRow kHaugDoubleBinary[] = {
    {false, 80, 120, 100, 0.02, 0.05, 0.25, 0.1, 9.8716, 0.0001, 87},
    {false, 80, 120, 100, 0.02, 0.05, 0.25, 0.2, 8.9307, 0.0001, 88},
    {false, 80, 120, 100, 0.02, 0.05, 0.25, 0.3, 6.3272, 0.0001, 89},
    {false, 80, 120, 100, 0.02, 0.05, 0.25, 0.5, 1.9094, 0.0001, 90},
    {false, 85, 115, 100, 0.02, 0.05, 0.25, 0.1, 9.7961, 0.0001, 92},
    {false, 85, 115, 100, 0.02, 0.05, 0.25, 0.2, 7.23, 0.0001, 93},
    {false, 85, 115, 100, 0.02, 0.05, 0.25, 0.3, 3.71, 0.0001, 94},
    {false, 85, 115, 100, 0.02, 0.05, 0.25, 0.5, 0.4271, 0.0001, 95},
    {false, 90, 110, 100, 0.02, 0.05, 0.25, 0.1, 8.9054, 0.0001, 97},
    {false, 90, 110, 100, 0.02, 0.05, 0.25, 0.2, 3.6752, 0.0001, 98},
    {false, 90, 110, 100, 0.02, 0.05, 0.25, 0.3, 0.796, 0.0001, 99},
    {false, 90, 110, 100, 0.02, 0.05, 0.25, 0.5, 0.0059, 0.0001, 100},
    {false, 95, 105, 100, 0.02, 0.05, 0.25, 0.1, 3.6323, 0.0001, 102},
    {false, 95, 105, 100, 0.02, 0.05, 0.25, 0.2, 0.0911, 0.0001, 103},
    {false, 95, 105, 100, 0.02, 0.05, 0.25, 0.3, 0.0002, 0.0001, 104},
    {false, 95, 105, 100, 0.02, 0.05, 0.25, 0.5, 0.0, 0.0001, 105},
    {true, 80, 120, 100, 0.02, 0.05, 0.25, 0.1, 0.0042, 0.0001, 128},
    {true, 80, 120, 100, 0.02, 0.05, 0.25, 0.2, 0.945, 0.0001, 129},
    {true, 80, 120, 100, 0.02, 0.05, 0.25, 0.3, 3.5486, 0.0001, 130},
    {true, 80, 120, 100, 0.02, 0.05, 0.25, 0.5, 7.9663, 0.0001, 131},
    {true, 85, 115, 100, 0.02, 0.05, 0.25, 0.1, 0.0797, 0.0001, 133},
    {true, 85, 115, 100, 0.02, 0.05, 0.25, 0.2, 2.6458, 0.0001, 134},
    {true, 85, 115, 100, 0.02, 0.05, 0.25, 0.3, 6.1658, 0.0001, 135},
    {true, 85, 115, 100, 0.02, 0.05, 0.25, 0.5, 9.4486, 0.0001, 136},
    {true, 90, 110, 100, 0.02, 0.05, 0.25, 0.1, 0.9704, 0.0001, 138},
    {true, 90, 110, 100, 0.02, 0.05, 0.25, 0.2, 6.2006, 0.0001, 139},
    {true, 90, 110, 100, 0.02, 0.05, 0.25, 0.3, 9.0798, 0.0001, 140},
    {true, 90, 110, 100, 0.02, 0.05, 0.25, 0.5, 9.8699, 0.0001, 141},
    {true, 95, 105, 100, 0.02, 0.05, 0.25, 0.1, 6.2434, 0.0001, 143},
    {true, 95, 105, 100, 0.02, 0.05, 0.25, 0.2, 9.7847, 0.0001, 144},
    {true, 95, 105, 100, 0.02, 0.05, 0.25, 0.3, 9.8756, 0.0001, 145},
    {true, 95, 105, 100, 0.02, 0.05, 0.25, 0.5, 9.8758, 0.0001, 146},
};
constexpr double kDoubleBinaryCash = 10;

/// A single-barrier cash-or-nothing paid at expiry, cash 15, r = 0.1, q = 0: PV = 15·e^{−rT}·P.
/// A Put with spot above the strike H is a down barrier, a Call with spot below it an up barrier.
/// knock_in (one-touch): P(touch) = PV·e^{rT}/15; no-touch: P(touch) = 1 − PV·e^{rT}/15.
struct TouchRow {
    bool knock_in;
    double barrier, spot, q, r, t, vol, expected_pv, tol;
    int source_line;  ///< line of test-suite/digitaloption.cpp
};

// Table `single_barrier_touch_cash_at_expiry`, QuantLib test-suite/digitaloption.cpp,
// testCashAtExpiryOrNothingAmericanValues: the four book rows (lines 378–381), Haug, Option
// Pricing Formulas, 1st ed. (1998), p.95, cases 5, 6, 9, 10. Example (line 379, up barrier):
// 11.2223·e^{0.05}/15 = 0.786522 = P(touch 100 from 95 within 6 months).
constexpr TouchRow kHaugTouch[] = {
    {true, 100, 105, 0.0, 0.1, 0.5, 0.2, 9.3604, 0.0001, 378},
    {true, 100, 95, 0.0, 0.1, 0.5, 0.2, 11.2223, 0.0001, 379},
    {false, 100, 105, 0.0, 0.1, 0.5, 0.2, 4.9081, 0.0001, 380},
    {false, 100, 95, 0.0, 0.1, 0.5, 0.2, 3.0461, 0.0001, 381},
};
constexpr double kTouchCash = 15;

// ------------------------------------------------------------------------------------------------
// Independent check: invert the exit-time Laplace transform numerically (no series at all).

using Complex = std::complex<long double>;

/// 1 − e^z, by its Taylor series near 0 where the subtraction would cancel.
Complex one_minus_exp(Complex z) {
    if (std::abs(z) > 0.5L) return 1.0L - std::exp(z);
    Complex term = z;
    Complex sum = z;
    for (int k = 2; k < 30; ++k) {
        term *= z / static_cast<long double>(k);
        sum += term;
    }
    return -sum;
}

/// ψ(λ) = E[e^{−λτ}; upper barrier first] for X = ln(S/L), dX = ν dt + σ dW, X_0 = x in (0, w).
/// Hand derivation: ψ solves (σ²/2)ψ'' + νψ' = λψ with ψ(0) = 0, ψ(w) = 1; e^{ρx} solves it for
/// ρ = −α ± γ, α = ν/σ², γ = √(α² + 2λ/σ²), so ψ(x) = e^{α(w−x)}·sinh(γx)/sinh(γw)
/// = e^{(α−γ)(w−x)}·(1 − e^{−2γx})/(1 − e^{−2γw}). The lower-first transform is the same with
/// x ↔ w − x and α → −α.
Complex upper_first_transform(long double x, long double x_up, long double alpha, long double sigma,
                              Complex lambda) {
    const long double w = x + x_up;
    const Complex two_lambda = 2.0L * lambda / (sigma * sigma);
    const Complex gamma = std::sqrt(alpha * alpha + two_lambda);  // principal root: Re γ >= 0
    // α − γ = −(2λ/σ²)/(α + γ) avoids cancellation for large positive α.
    const Complex decay = alpha > 0 ? -two_lambda / (alpha + gamma) : alpha - gamma;
    return std::exp(decay * x_up) * one_minus_exp(-2.0L * gamma * x) / one_minus_exp(-2.0L * gamma * w);
}

/// f(t) from its Laplace transform F by the fixed Talbot contour with m nodes (J. Abate and
/// P. P. Valkó, "Multi-precision Laplace transform inversion", Int. J. Numer. Meth. Engng 60,
/// 2004): r = 2m/(5t), θ_k = kπ/m, s(θ) = rθ(cot θ + i), σ(θ) = θ + (θ cot θ − 1)cot θ,
/// f(t) ≈ (r/m)[½F(r)e^{rt} + Σ_{k=1}^{m−1} Re(e^{t s(θ_k)} F(s(θ_k)) (1 + iσ(θ_k)))].
/// With m = 32 in 64-bit-mantissa long double it agreed with 40-digit mpmath to ~1e-14 on every
/// case used below (it is ill-conditioned for very strong drift at tiny σ²T/w², so those are not).
template <class Transform>
long double fixed_talbot(Transform transform, long double t, int m) {
    const long double pi = std::numbers::pi_v<long double>;
    const long double r = 2.0L * m / (5.0L * t);
    long double sum = 0.5L * (transform(Complex(r, 0)) * std::exp(r * t)).real();
    for (int k = 1; k < m; ++k) {
        const long double theta = k * pi / m;
        const long double cot = std::cos(theta) / std::sin(theta);
        const Complex s(r * theta * cot, r * theta);
        const long double sigma = theta + (theta * cot - 1) * cot;
        sum += (std::exp(t * s) * transform(s) * Complex(1, sigma)).real();
    }
    return r / m * sum;
}

/// The three probabilities by Talbot inversion of ψ_U(λ)/λ, ψ_L(λ)/λ and (1 − ψ_U − ψ_L)/λ.
DoubleBarrierOdds laplace_inversion_odds(double spot, double lower, double upper, double drift,
                                         double volatility, double horizon) {
    const long double x = std::log(static_cast<long double>(spot) / lower);
    const long double x_up = std::log(static_cast<long double>(upper) / spot);
    const long double sigma = volatility;
    const long double alpha = (drift - 0.5L * sigma * sigma) / (sigma * sigma);
    auto up = [&](Complex l) { return upper_first_transform(x, x_up, alpha, sigma, l); };
    auto down = [&](Complex l) { return upper_first_transform(x_up, x, -alpha, sigma, l); };
    constexpr int kNodes = 32;
    const auto invert = [&](auto transform) {
        return static_cast<double>(fixed_talbot(transform, horizon, kNodes));
    };
    return {invert([&](Complex l) { return up(l) / l; }), invert([&](Complex l) { return down(l) / l; }),
            invert([&](Complex l) { return (1.0L - up(l) - down(l)) / l; })};
}

struct Case {
    double spot, lower, upper, drift, volatility, horizon;
};

}  // namespace

// ------------------------------------------------------------------------------------------------

TEST_CASE("double no-touch probabilities match Haug's double-barrier binary values") {
    for (const auto& row : kHaugDoubleBinary) {
        CAPTURE(row.source_line);
        const double growth = std::exp(row.r * row.t);
        const double paid = row.expected_pv * growth / kDoubleBinaryCash;
        const double expected_neither = row.knock_in ? 1 - paid : paid;
        const auto odds = double_barrier_odds(row.spot, row.lower, row.upper, row.r - row.q, row.vol, row.t);
        CHECK(std::fabs(odds.p_neither - expected_neither) <= row.tol * growth / kDoubleBinaryCash);
    }
}

TEST_CASE("a spot already outside the band is rejected - not priced (Haug's degenerate rows)") {
    // Table double_barrier_binary_cash_or_nothing, doublebinaryoption.cpp lines 169–170: band
    // 95–105 with spot 80 and 110. QuantLib prices them as already knocked; we refuse them.
    CHECK_THROWS_AS(double_barrier_odds(80, 95, 105, 0.03, 0.1, 0.25), std::invalid_argument);
    CHECK_THROWS_AS(double_barrier_odds(110, 95, 105, 0.03, 0.1, 0.25), std::invalid_argument);
}

TEST_CASE("single-barrier touch probabilities match Haug's one-touch and no-touch values") {
    for (const auto& row : kHaugTouch) {
        CAPTURE(row.source_line);
        const double growth = std::exp(row.r * row.t);
        const double paid = row.expected_pv * growth / kTouchCash;
        const double expected_touch = row.knock_in ? paid : 1 - paid;
        const double touch = barrier_touch_probability(row.spot, row.barrier, row.r - row.q, row.vol, row.t);
        CHECK(std::fabs(touch - expected_touch) <= row.tol * growth / kTouchCash);
    }
}

TEST_CASE("the worked example: 770 between 600 and 1000 - 10% drift - 50% vol - one year") {
    // Reference: the image series, the eigenfunction series and mpmath's Talbot inversion of the
    // Laplace transforms, each in 40-digit arithmetic, agree on all 20 digits shown:
    // up 0.47011858533249516784, down 0.51864670126755390003, neither 0.011234713399950932133.
    const auto odds = double_barrier_odds(770, 600, 1000, 0.10, 0.50, 1.0);
    CHECK(odds.p_upper_first == doctest::Approx(0.47011858533249516784).epsilon(1e-12));
    CHECK(odds.p_lower_first == doctest::Approx(0.51864670126755390003).epsilon(1e-12));
    CHECK(odds.p_neither == doctest::Approx(0.011234713399950932133).epsilon(1e-12));
}

TEST_CASE("image and eigenfunction series agree around the horizon where the choice switches") {
    // The automatic choice switches at s = σ²T/w² = 2/π; check a decade either side and at it.
    const Case bands[] = {
        {770, 600, 1000, 0.10, 0.50, 0},   {100, 99, 101, 0.05, 0.30, 0}, {100, 1, 10000, 0.10, 0.50, 0},
        {100, 70, 130, -0.50, 0.15, 0},    {100, 90, 105, 0.10, 0.01, 0}, {100, 80, 125, 0.045, 0.30, 0},
        {100, 99.999, 110, 0.05, 0.20, 0}, {100, 60, 150, -2.0, 3.00, 0},
    };
    for (const auto& band : bands) {
        const double w = std::log(band.upper / band.lower);
        for (const double s : {0.2, 2 / std::numbers::pi, 2.0}) {
            const double horizon = s * w * w / (band.volatility * band.volatility);
            CAPTURE(band.spot);
            CAPTURE(band.lower);
            CAPTURE(band.upper);
            CAPTURE(band.drift);
            CAPTURE(horizon);
            const auto images = double_barrier_odds(band.spot, band.lower, band.upper, band.drift,
                                                    band.volatility, horizon, DoubleBarrierSeries::images);
            const auto eigen =
                double_barrier_odds(band.spot, band.lower, band.upper, band.drift, band.volatility, horizon,
                                    DoubleBarrierSeries::eigenfunctions);
            CHECK(max_abs_difference(images, eigen) <= 1e-12);
        }
    }
}

TEST_CASE("zero log-drift in a log-symmetric band is equally likely to exit either side") {
    // drift = σ²/2 makes ln S driftless; 80 = 100/1.25 and 125 = 100·1.25 are symmetric in log
    // space, so by reflection the two exits are equally likely at every horizon.
    const double volatility = 0.3;
    for (const double horizon : {1e-4, 0.01, 0.5, 2.0, 10.0, 100.0}) {
        CAPTURE(horizon);
        const auto odds =
            double_barrier_odds(100, 80, 125, 0.5 * volatility * volatility, volatility, horizon);
        CHECK(std::fabs(odds.p_upper_first - odds.p_lower_first) <= 1e-15);
    }
}

TEST_CASE("a very long horizon gives the gambler's-ruin odds") {
    // P(upper first) = (1 − (S/L)^{−2ν/σ²})/(1 − (U/L)^{−2ν/σ²}), ν = drift − σ²/2 (scale function
    // of ln S). S = 100, L = 80, U = 125, drift 0.10, σ = 0.20: ν = 0.08, 2ν/σ² = 4, so
    // P = (1 − 0.8⁴)/(1 − 0.64⁴) = 0.5904/0.83222784 = 0.70942... (by hand). After 200 years the
    // chance of still being inside is about e^{−(π²/w² + ν²/σ⁴)σ²T/2} = e^{−198−16}, 1e-93.
    const double expected = (1 - std::pow(0.8, 4)) / (1 - std::pow(0.64, 4));
    const auto odds = double_barrier_odds(100, 80, 125, 0.10, 0.20, 200);
    CHECK(odds.p_upper_first == doctest::Approx(expected).epsilon(1e-14));
    CHECK(odds.p_lower_first == doctest::Approx(1 - expected).epsilon(1e-14));
    CHECK(odds.p_neither < 1e-90);
}

TEST_CASE("zero drift and a long horizon give the martingale odds (S - L)/(U - L)") {
    // With drift 0 the price is a martingale, so by optional stopping
    // P(upper first) = (770 − 600)/(1000 − 600) = 0.425 exactly.
    const auto odds = double_barrier_odds(770, 600, 1000, 0.0, 0.50, 500);
    CHECK(odds.p_upper_first == doctest::Approx(0.425).epsilon(1e-14));
    CHECK(odds.p_lower_first == doctest::Approx(0.575).epsilon(1e-14));
}

TEST_CASE("the three probabilities lie in [0 - 1] and sum to 1 across extreme inputs") {
    const double bands[][2] = {{99, 101}, {99.99, 100.01}, {50, 200}, {1, 10000}, {99.999, 150}};
    for (const auto& band : bands)
        for (const double drift : {-5.0, -0.3, 0.0, 0.05, 1.0, 5.0})
            for (const double volatility : {0.01, 0.2, 1.0, 3.0})
                for (const double horizon : {1e-4, 0.01, 0.25, 1.0, 5.0, 30.0, 1000.0}) {
                    const auto odds = double_barrier_odds(100, band[0], band[1], drift, volatility, horizon);
                    CAPTURE(band[0]);
                    CAPTURE(band[1]);
                    CAPTURE(drift);
                    CAPTURE(volatility);
                    CAPTURE(horizon);
                    for (const double p : {odds.p_upper_first, odds.p_lower_first, odds.p_neither})
                        CHECK((p >= 0 && p <= 1));
                    CHECK(std::fabs(odds.p_upper_first + odds.p_lower_first + odds.p_neither - 1) <= 1e-15);
                }
}

TEST_CASE("a longer horizon never makes staying inside more likely") {
    DoubleBarrierOdds previous;
    for (double horizon = 1e-4; horizon < 50; horizon *= 1.5) {
        CAPTURE(horizon);
        const auto odds = double_barrier_odds(100, 90, 115, -0.1, 0.25, horizon);
        CHECK(odds.p_neither <= previous.p_neither + 1e-15);
        CHECK(odds.p_upper_first >= previous.p_upper_first - 1e-15);
        CHECK(odds.p_lower_first >= previous.p_lower_first - 1e-15);
        previous = odds;
    }
}

TEST_CASE("an unreachable second barrier reduces to the single-barrier touch probability") {
    // A barrier 18 log-units away (61 standard deviations over the year) is never touched.
    const auto far_lower = double_barrier_odds(100, 1e-6, 120, 0.05, 0.3, 1.0);
    CHECK(far_lower.p_lower_first < 1e-300);
    CHECK(far_lower.p_upper_first ==
          doctest::Approx(barrier_touch_probability(100, 120, 0.05, 0.3, 1.0)).epsilon(1e-13));
    const auto far_upper = double_barrier_odds(100, 85, 1e8, 0.05, 0.3, 1.0);
    CHECK(far_upper.p_upper_first < 1e-300);
    CHECK(far_upper.p_lower_first ==
          doctest::Approx(barrier_touch_probability(100, 85, 0.05, 0.3, 1.0)).epsilon(1e-13));
}

TEST_CASE("hard cases match an independent Laplace-transform inversion to 1e-8") {
    // Each was also checked against the series in 40-digit mpmath (agreement ~1e-14).
    const Case cases[] = {
        {100, 99, 101, 0.05, 0.30, 0.5},       // tight band: exits within days
        {100, 99, 101, 0.05, 0.50, 1e-4},      // tight band, one hour
        {100, 99, 101, 0.0, 0.20, 30},         // tight band, 30 years
        {100, 50, 200, 0.07, 0.20, 30},        // long horizon
        {100, 60, 150, 0.10, 3.00, 2},         // very high volatility
        {100, 70, 130, -0.50, 0.15, 5},        // strong negative drift
        {100, 80, 120, -2.0, 0.05, 0.3},       // very strong negative drift, low volatility
        {100, 90, 105, 0.10, 0.01, 1},         // 1% volatility: drift decides
        {100, 1, 10000, 0.10, 0.50, 30},       // very wide band, long horizon
        {100, 99.999, 110, 0.05, 0.20, 0.01},  // spot a hair above the lower barrier
        {100, 10, 1000, -1.0, 3.00, 30},       // wide band, high vol, negative drift
        {770, 600, 1000, 0.10, 0.50, 1.0},     // the worked example
    };
    for (const auto& c : cases) {
        CAPTURE(c.lower);
        CAPTURE(c.upper);
        CAPTURE(c.drift);
        CAPTURE(c.volatility);
        CAPTURE(c.horizon);
        const auto odds = double_barrier_odds(c.spot, c.lower, c.upper, c.drift, c.volatility, c.horizon);
        const auto inverted =
            laplace_inversion_odds(c.spot, c.lower, c.upper, c.drift, c.volatility, c.horizon);
        CHECK(max_abs_difference(odds, inverted) <= 1e-8);
    }
}

TEST_CASE("a zero horizon means neither barrier is touched") {
    const auto odds = double_barrier_odds(100, 90, 110, 0.1, 0.2, 0.0);
    CHECK(odds.p_upper_first == 0.0);
    CHECK(odds.p_lower_first == 0.0);
    CHECK(odds.p_neither == 1.0);
    CHECK(barrier_touch_probability(100, 110, 0.1, 0.2, 0.0) == 0.0);
    CHECK(barrier_touch_probability(100, 100, 0.1, 0.2, 0.0) == 1.0);
}

TEST_CASE("invalid inputs are rejected with std::invalid_argument") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(double_barrier_odds(90, 90, 110, 0.1, 0.2, 1), std::invalid_argument);
    CHECK_THROWS_AS(double_barrier_odds(110, 90, 110, 0.1, 0.2, 1), std::invalid_argument);
    CHECK_THROWS_AS(double_barrier_odds(100, 110, 90, 0.1, 0.2, 1), std::invalid_argument);
    CHECK_THROWS_AS(double_barrier_odds(100, 0, 110, 0.1, 0.2, 1), std::invalid_argument);
    CHECK_THROWS_AS(double_barrier_odds(100, 90, 110, 0.1, 0.0, 1), std::invalid_argument);
    CHECK_THROWS_AS(double_barrier_odds(100, 90, 110, 0.1, -0.2, 1), std::invalid_argument);
    CHECK_THROWS_AS(double_barrier_odds(100, 90, 110, 0.1, 0.2, -1), std::invalid_argument);
    CHECK_THROWS_AS(double_barrier_odds(nan, 90, 110, 0.1, 0.2, 1), std::invalid_argument);
    CHECK_THROWS_AS(double_barrier_odds(100, 90, inf, 0.1, 0.2, 1), std::invalid_argument);
    CHECK_THROWS_AS(double_barrier_odds(100, 90, 110, nan, 0.2, 1), std::invalid_argument);
    CHECK_THROWS_AS(double_barrier_odds(100, 90, 110, 0.1, inf, 1), std::invalid_argument);
    CHECK_THROWS_AS(double_barrier_odds(100, 90, 110, 0.1, 0.2, inf), std::invalid_argument);
    CHECK_THROWS_AS(barrier_touch_probability(100, 0, 0.1, 0.2, 1), std::invalid_argument);
    CHECK_THROWS_AS(barrier_touch_probability(100, 110, 0.1, 0.0, 1), std::invalid_argument);
    CHECK_THROWS_AS(barrier_touch_probability(100, 110, 0.1, 0.2, nan), std::invalid_argument);
}
