// Double-barrier hitting probabilities for GBM: see thesis/double_barrier.h.
//
// Set-up (all in log space). X_t = ln(S_t/L) is a Brownian motion with drift ν = drift − σ²/2 and
// volatility σ, started at x = ln(S/L) in (0, w), w = ln(U/L); x_up = w − x = ln(U/S). Write
// α = ν/σ² and T for the horizon. By Girsanov, the drifted law of paths that stay inside the band
// is the driftless one times exp(α(X_T − x) − ν²T/(2σ²)); every formula below follows from that and
// from the driftless kernel killed at 0 and w, written as images or as a sine series.
//
// Every series term is evaluated as sign·exp(log magnitude), because its factors (e^{2nαw}, normal
// tails) over- and underflow separately for strong drift or low volatility while their product is
// at most about 1. Each series is summed until a rigorous bound on what is left is below
// kTailTarget; the bounds are derived where they are used.

#include "thesis/math/double_barrier.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <numbers>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace thesis {

namespace {

/// Each series stops once its remainder is provably below this (absolute probability).
constexpr double kTailTarget = 1e-17;
/// A guard against a series that never meets its bound; automatic mode needs about ten terms.
constexpr int kMaxTerms = 50'000'000;
/// σ²T/w² at which both series shrink equally fast per term: exp(−2n²/s) = exp(−π²s n²/2).
constexpr double kSwitchPoint = 2.0 / std::numbers::pi;

const double kLogTailTarget = std::log(kTailTarget);
constexpr double kInf = std::numeric_limits<double>::infinity();

/// log(1 − e^a) for a < 0 without cancellation (M. Mächler, "Accurately computing
/// log(1 − exp(−|a|))", R package Rmpfr vignette, 2012).
double log1m_exp(double a) {
    return a > -std::numbers::ln2 ? std::log(-std::expm1(a)) : std::log1p(-std::exp(a));
}

/// log(e^a + e^b).
double log_add_exp(double a, double b) {
    if (a < b) std::swap(a, b);
    if (b == -kInf) return a;
    return a + std::log1p(std::exp(b - a));
}

/// log Φ(z). erfc keeps full relative accuracy down to z ≈ −37 (Φ ≈ 1e-299); below that
/// Φ(z) = φ(z)·R(−z) with the Mills ratio R(t) = 1/(t + 1/(t + 2/(t + 3/(t + …)))) (Abramowitz &
/// Stegun 26.2.14), whose truncation error at depth 60 and t ≥ 37 is far below rounding.
double log_normal_cdf(double z) {
    if (z >= 0) return std::log1p(-0.5 * std::erfc(z / std::numbers::sqrt2));
    if (z > -37) return std::log(0.5 * std::erfc(-z / std::numbers::sqrt2));
    const double t = -z;
    double f = t;
    for (int k = 60; k >= 1; --k) f = t + k / f;
    return -0.5 * t * t - 0.5 * std::log(2 * std::numbers::pi) - std::log(f);
}

/// log(Φ(h) − Φ(l)) for l <= h, keeping relative accuracy when both lie in the same far tail.
double log_normal_mass(double l, double h) {
    if (h <= 0) {
        const double log_h = log_normal_cdf(h);
        return log_h + log1m_exp(log_normal_cdf(l) - log_h);
    }
    if (l >= 0) return log_normal_mass(-h, -l);
    // Straddles 0: the mass is at least Φ(h) − 1/2, so 1 − Φ(l) − Φ(−h) does not cancel badly.
    return std::log1p(-0.5 * (std::erfc(-l / std::numbers::sqrt2) + std::erfc(h / std::numbers::sqrt2)));
}

/// The problem in log space (see the top of this file).
struct Band {
    double x;      ///< ln(S/L), distance to the lower barrier
    double x_up;   ///< ln(U/S), distance to the upper barrier
    double w;      ///< ln(U/L), band width
    double nu;     ///< drift of ln S
    double sigma;  ///< volatility
    double t;      ///< horizon in years

    /// The same problem upside down (X → w − X): "lower first" becomes "upper first".
    Band mirrored() const { return {x_up, x, w, -nu, sigma, t}; }
    double alpha() const { return nu / (sigma * sigma); }
    double variance() const { return sigma * sigma * t; }
};

/// Sums sign·exp(log_term(n)) for n = first, first+1, … . The caller guarantees |term(n+j)| <=
/// ρ(n)^j·|term(n)| for j >= 1, with log ρ(n) = log_ratio(n); once ρ < 1 the remainder is then at
/// most |term(n)|·ρ/(1 − ρ), and summing stops when that is below kTailTarget.
template <class LogTerm, class LogRatio>
double sum_geometric_tail(int first, double sign, LogTerm log_term, LogRatio log_ratio) {
    double sum = 0;
    for (int n = first; n < first + kMaxTerms; ++n) {
        const double log_magnitude = log_term(n);
        sum += sign * std::exp(log_magnitude);
        const double log_rho = log_ratio(n);
        if (log_rho < 0 && log_magnitude + log_rho - log1m_exp(log_rho) < kLogTailTarget) return sum;
    }
    throw std::runtime_error("double_barrier: image series did not converge");
}

// ------------------------------------------------------------------------------------------------
// Images (short horizons)

/// P(no touch by T). The killed driftless density is Σ_n [g(y − x − 2nw) − g(y + x − 2nw)], g the
/// N(0, σ²T) density (Cox & Miller, The Theory of Stochastic Processes, 1965, ch. 5). With the
/// Girsanov factor, the image at z contributes e^{α(z−x)}·[Φ((w − z − νT)/σ√T) − Φ((−z − νT)/σ√T)]
/// (the flat-barrier case of Kunitomo & Ikeda 1992).
///
/// Bound: for two images on the same side of the band, z' = z + 2wj beyond z (δ = distance of z
/// from the band), the integrand ratio g(y − z')/g(y − z) <= exp(−2wδj/(σ²T)) for every y in the
/// band, and the Girsanov factor is common to both, so ρ = exp(−2wδ/(σ²T)).
double images_no_touch(const Band& b) {
    const double sd = std::sqrt(b.variance());
    const double shift = b.nu * b.t;
    const double alpha = b.alpha();
    const double w = b.w;
    // log of the contribution of the image at z, whose Girsanov exponent is α(z − x).
    auto log_image = [&](double z, double girsanov) {
        return girsanov + log_normal_mass((-z - shift) / sd, (w - z - shift) / sd);
    };
    auto log_rho = [&](double delta) { return -2 * w * delta / b.variance(); };

    const double source = std::exp(log_image(b.x, 0.0));
    // Direct images x ± 2nw (sign +) and reflected images 2nw − x (sign −), above and below.
    const double direct_up = sum_geometric_tail(
        1, +1.0, [&](int n) { return log_image(b.x + 2 * n * w, 2 * n * w * alpha); },
        [&](int n) { return log_rho(b.x + (2 * n - 1) * w); });
    const double direct_down = sum_geometric_tail(
        1, +1.0, [&](int n) { return log_image(b.x - 2 * n * w, -2 * n * w * alpha); },
        [&](int n) { return log_rho(b.x_up + (2 * n - 1) * w); });
    const double reflected_up = sum_geometric_tail(
        1, -1.0, [&](int n) { return log_image(2 * n * w - b.x, alpha * (2 * n * w - 2 * b.x)); },
        [&](int n) { return log_rho(b.x_up + (2 * n - 2) * w); });
    const double reflected_down = sum_geometric_tail(
        0, -1.0, [&](int n) { return log_image(-2 * n * w - b.x, -alpha * (2 * n * w + 2 * b.x)); },
        [&](int n) { return log_rho(b.x + 2 * n * w); });
    return source + (direct_up + direct_down) + (reflected_up + reflected_down);
}

/// log P(a Brownian motion with drift μ, volatility σ reaches level d > 0 by T)
/// = log[Φ((μT − d)/σ√T) + e^{2μd/σ²}·Φ((−μT − d)/σ√T)] (reflection principle plus Girsanov).
double log_first_passage(double d, double mu, double sigma, double t) {
    const double sd = sigma * std::sqrt(t);
    return log_add_exp(log_normal_cdf((mu * t - d) / sd),
                       2 * mu * d / (sigma * sigma) + log_normal_cdf((-mu * t - d) / sd));
}

/// P(upper touched by T, before lower). Differentiating the image density at y = w gives the
/// driftless first-exit density Σ_m h(t, (2m+1)w − x) with h(t, d) = d/(σ√(2πt³))·e^{−d²/(2σ²t)}
/// (T. W. Anderson, "A modification of the sequential probability ratio test to reduce the sample
/// size", Annals of Mathematical Statistics 31(1), 1960). With the Girsanov factor
/// e^{α(w−x) − ν²t/(2σ²)}, each term integrates over (0, T) to ± e^{∓2mαw} times a one-barrier
/// first-passage probability F at distance |(2m+1)w − x| with drift ±ν, so
///   P = Σ_{m>=0} e^{−2mαw}·F(2mw + x_up, ν) − Σ_{m>=1} e^{2mαw}·F((2m−1)w + x, −ν).
///
/// Bound: the magnitude of the term at distance D is e^{α(w−x)}∫_0^T h(t, D)e^{−ν²t/(2σ²)}dt, and
/// for D' = D + 2wj, t <= T: h(t, D')/h(t, D) <= (D'/D)·e^{−(D'² − D²)/(2σ²T)} <=
/// exp(2wj/D − 2wDj/(σ²T)), so ρ = exp(2w/D − 2wD/(σ²T)).
double images_upper_first(const Band& b) {
    const double alpha = b.alpha();
    const double w = b.w;
    auto log_rho = [&](double d) { return 2 * w / d - 2 * w * d / b.variance(); };
    const double toward = sum_geometric_tail(
        0, +1.0,
        [&](int m) { return -2 * m * w * alpha + log_first_passage(2 * m * w + b.x_up, b.nu, b.sigma, b.t); },
        [&](int m) { return log_rho(2 * m * w + b.x_up); });
    const double away = sum_geometric_tail(
        1, -1.0,
        [&](int m) {
            return 2 * m * w * alpha + log_first_passage((2 * m - 1) * w + b.x, -b.nu, b.sigma, b.t);
        },
        [&](int m) { return log_rho((2 * m - 1) * w + b.x); });
    return toward + away;
}

// ------------------------------------------------------------------------------------------------
// Eigenfunctions (long horizons)

/// P(upper touched first, ever) = (1 − e^{−2αx})/(1 − e^{−2αw}) (gambler's ruin with the scale
/// function e^{−2αy}; Karlin & Taylor, A Second Course in Stochastic Processes, 1981, ch. 15);
/// x/w when α = 0. Written with expm1 so it neither overflows nor cancels for any α.
double ruin_upper_first(const Band& b) {
    const double alpha = b.alpha();
    if (alpha == 0) return b.x / b.w;
    if (alpha > 0) return std::expm1(-2 * alpha * b.x) / std::expm1(-2 * alpha * b.w);
    // Divide through by e^{−2αw}, which overflows when α is very negative.
    return std::exp(2 * alpha * b.x_up) * std::expm1(2 * alpha * b.x) / std::expm1(2 * alpha * b.w);
}

/// P(upper touched first, but after T). The killed density is
///   p(y) = (2/w)·e^{α(y−x) − ν²T/(2σ²)}·Σ_n sin(k_n x)·sin(k_n y)·e^{−k_n²σ²T/2},  k_n = nπ/w
/// (Cox & Miller 1965, ch. 5); its flux −(σ²/2)∂p/∂y at y = w, integrated over (T, ∞), gives
///   (2/w)·e^{α x_up}·Σ_n k_n·sin(k_n x_up)/(α² + k_n²)·e^{−(α² + k_n²)σ²T/2}
/// (using sin(k_n x) = −(−1)^n sin(k_n x_up)); this is Hui's (1996) series.
///
/// Bound: k/(α² + k²) <= 1/k, so the n-th term is at most (2/(nπ))·e^{E − q n²} with
/// E = α x_up − ν²T/(2σ²) and q = π²σ²T/(2w²); for n > N, n² >= (N+1)² + 2(N+1)(n−N−1), so the
/// remainder after N is at most 2/((N+1)π)·e^{E − q(N+1)²}/(1 − e^{−2q(N+1)}). E <= w²/(2σ²T),
/// i.e. at most 1/(2·kSwitchPoint) ≈ 0.8 where this series is used, so cancellation is mild.
double eigen_upper_after(const Band& b) {
    const double alpha = b.alpha();
    const double q = std::numbers::pi * std::numbers::pi * b.variance() / (2 * b.w * b.w);
    const double common = alpha * b.x_up - 0.5 * alpha * b.nu * b.t;
    const double alpha_sq = alpha * alpha;
    double sum = 0;
    for (int n = 1; n <= kMaxTerms; ++n) {
        const double k = n * std::numbers::pi / b.w;
        sum +=
            k * std::sin(k * b.x_up) / (alpha_sq + k * k) * std::exp(common - q * static_cast<double>(n) * n);
        const double next = n + 1.0;
        const double log_remainder =
            std::log(2 / (next * std::numbers::pi)) + common - q * next * next - log1m_exp(-2 * q * next);
        if (log_remainder < kLogTailTarget) return 2 / b.w * sum;
    }
    throw std::runtime_error("double_barrier: eigenfunction series did not converge");
}

// ------------------------------------------------------------------------------------------------

/// A number as a person would write it (std::to_string prints 1e-9 as 0.000000).
std::string show(double v) {
    std::ostringstream out;
    out << v;
    return out.str();
}

void require(bool ok, const std::string& message) {
    if (!ok) throw std::invalid_argument("double_barrier_odds: " + message);
}

/// ln(hi/lo) for 0 < lo <= hi, through log1p so a tight band keeps full relative accuracy.
double log_ratio(double hi, double lo) {
    const double excess = (hi - lo) / lo;
    return std::isfinite(excess) ? std::log1p(excess) : std::log(hi) - std::log(lo);
}

}  // namespace

DoubleBarrierOdds double_barrier_odds(double spot, double lower, double upper, double drift,
                                      double volatility, double horizon) {
    return double_barrier_odds(spot, lower, upper, drift, volatility, horizon,
                               DoubleBarrierSeries::automatic);
}

DoubleBarrierOdds double_barrier_odds(double spot, double lower, double upper, double drift,
                                      double volatility, double horizon, DoubleBarrierSeries series) {
    for (const double v : {spot, lower, upper, drift, volatility, horizon})
        require(std::isfinite(v), "inputs must be finite, got " + show(v));
    require(lower > 0, "lower barrier must be positive, got " + show(lower));
    require(lower < spot && spot < upper,
            "spot " + show(spot) + " must lie strictly between " + show(lower) + " and " + show(upper));
    require(volatility > 0, "volatility must be positive, got " + show(volatility));
    require(horizon >= 0, "horizon must not be negative, got " + show(horizon));
    if (horizon == 0) return {};

    const Band band{.x = log_ratio(spot, lower),
                    .x_up = log_ratio(upper, spot),
                    .w = log_ratio(upper, lower),
                    .nu = drift - 0.5 * volatility * volatility,
                    .sigma = volatility,
                    .t = horizon};
    if (series == DoubleBarrierSeries::automatic)
        series = band.variance() / (band.w * band.w) < kSwitchPoint ? DoubleBarrierSeries::images
                                                                    : DoubleBarrierSeries::eigenfunctions;

    DoubleBarrierOdds odds;
    if (series == DoubleBarrierSeries::images) {
        odds.p_upper_first = images_upper_first(band);
        odds.p_lower_first = images_upper_first(band.mirrored());
        odds.p_neither = images_no_touch(band);
    } else {
        const double upper_after = eigen_upper_after(band);
        const double lower_after = eigen_upper_after(band.mirrored());
        odds.p_upper_first = ruin_upper_first(band) - upper_after;
        odds.p_lower_first = ruin_upper_first(band.mirrored()) - lower_after;
        odds.p_neither = upper_after + lower_after;
    }
    double* p[] = {&odds.p_upper_first, &odds.p_lower_first, &odds.p_neither};
    for (double* q : p) *q = std::clamp(*q, 0.0, 1.0);
    // Each was summed to ~1e-16; make the three add up by recomputing the largest from the other
    // two, which keeps the relative accuracy of the small ones.
    std::sort(std::begin(p), std::end(p), [](double* a, double* b) { return *a < *b; });
    *p[2] = std::max(0.0, 1 - *p[0] - *p[1]);
    return odds;
}

double barrier_touch_probability(double spot, double barrier, double drift, double volatility,
                                 double horizon) {
    for (const double v : {spot, barrier, drift, volatility, horizon})
        if (!std::isfinite(v))
            throw std::invalid_argument("barrier_touch_probability: inputs must be finite");
    if (!(spot > 0 && barrier > 0 && volatility > 0 && horizon >= 0))
        throw std::invalid_argument(
            "barrier_touch_probability: need spot > 0, barrier > 0, volatility > 0, horizon >= 0");
    if (spot == barrier) return 1;
    if (horizon == 0) return 0;
    const double nu = drift - 0.5 * volatility * volatility;
    const bool up = barrier > spot;
    const double distance = up ? log_ratio(barrier, spot) : log_ratio(spot, barrier);
    return std::min(1.0, std::exp(log_first_passage(distance, up ? nu : -nu, volatility, horizon)));
}

}  // namespace thesis

namespace thesis {

DoubleBarrierOdds discrete_barrier_odds(double spot, double lower, double upper, double drift,
                                        double volatility, double horizon, int steps, int grid) {
    if (!(lower > 0 && lower < spot && spot < upper) || !(volatility > 0) || !(horizon > 0) || steps < 1 ||
        grid < 3 || !std::isfinite(spot + lower + upper + drift + volatility + horizon))
        throw std::invalid_argument(
            "discrete_barrier_odds: expected 0 < lower < spot < upper, "
            "volatility > 0, horizon > 0, steps >= 1");
    const double dt = horizon / steps;
    const double mean = (drift - 0.5 * volatility * volatility) * dt;  // of one log step
    const double sd = volatility * std::sqrt(dt);
    const double a = std::log(lower / spot), b = std::log(upper / spot);  // today's log is 0
    const int m = grid;
    const double h = (b - a) / (m - 1);
    const double inv_sqrt_2pi = 0.3989422804014327;
    const auto phi = [&](double z) { return inv_sqrt_2pi * std::exp(-0.5 * z * z) / sd; };
    const auto upper_tail = [](double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); };
    // Kernel on the grid: phi((y_j − y_i − mean)/sd) depends on j − i only.
    std::vector<double> kernel(2 * m - 1);
    for (int d = -(m - 1); d <= m - 1; ++d) kernel[d + m - 1] = phi((d * h - mean) / sd);
    std::vector<double> weight(m, h);
    weight.front() = weight.back() = 0.5 * h;  // trapezoid

    DoubleBarrierOdds out{0, 0, 0};
    // Observation 1 from the point mass at 0.
    out.p_upper_first += upper_tail((b - mean) / sd);
    out.p_lower_first += upper_tail((mean - a) / sd);
    std::vector<double> density(m), next(m);
    for (int j = 0; j < m; ++j) density[j] = phi((a + j * h - mean) / sd);
    for (int k = 2; k <= steps; ++k) {
        // Mass exiting at observation k from each grid point, then the surviving density.
        double up = 0, down = 0;
        for (int i = 0; i < m; ++i) {
            const double x = a + i * h;
            const double w = weight[i] * density[i];
            up += w * upper_tail((b - x - mean) / sd);
            down += w * upper_tail((x + mean - a) / sd);
        }
        out.p_upper_first += up;
        out.p_lower_first += down;
        for (int j = 0; j < m; ++j) {
            double sum = 0;
            const double* row = &kernel[j + m - 1];
            for (int i = 0; i < m; ++i) sum += weight[i] * density[i] * row[-i];
            next[j] = sum;
        }
        density.swap(next);
    }
    for (int i = 0; i < m; ++i) out.p_neither += weight[i] * density[i];
    return out;
}

}  // namespace thesis
