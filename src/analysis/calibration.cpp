// Maximum-likelihood fits of GBM and Merton to daily log returns (calibration.h).
#include "thesis/analysis/calibration.h"

#include "thesis/core/errors.h"

#include <fmt/format.h>
#include <Eigen/Dense>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>

namespace thesis {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kLogRootTwoPi = 0.5 * std::log(2 * std::numbers::pi);

double log_normal_density(double x, double mean, double variance) {
    const double d = x - mean;
    return -kLogRootTwoPi - 0.5 * std::log(variance) - d * d / (2 * variance);
}

// ln L of GBM at (μ, σ).
double gbm_log_likelihood(const std::vector<double>& x, double dt, double mu, double sigma) {
    if (!(sigma > 0)) return -kInf;
    const double mean = (mu - 0.5 * sigma * sigma) * dt, variance = sigma * sigma * dt;
    double sum = 0;
    for (double r : x) sum += log_normal_density(r, mean, variance);
    return sum;
}

// ln L of Merton's jump diffusion at (μ, σ, λ, m, s): each return's density is the Poisson
// mixture Σ_k P(N = k) φ(x; a + k m, σ²Δt + k s²), summed in log space (log-sum-exp) until the
// Poisson weights fall below 10⁻¹⁴ of the largest (and past the mean count).
double merton_log_likelihood(const std::vector<double>& x, double dt, const std::array<double, 5>& p) {
    const auto [mu, sigma, lambda, m, s] = p;
    if (!(sigma > 0) || !(lambda >= 0) || !(s > 0)) return -kInf;
    const double rate = lambda * dt;
    const double kappa = std::exp(m + 0.5 * s * s) - 1;
    const double a = (mu - 0.5 * sigma * sigma - lambda * kappa) * dt;
    // The mixture's terms: log weights, means and variances, shared by every return.
    std::vector<double> log_weight, mean, variance, half_log_variance;
    double log_p = -rate;  // ln P(N = 0)
    for (int k = 0; k < 60; ++k) {
        if (k > 0) log_p += std::log(rate) - std::log(k);
        log_weight.push_back(log_p);
        mean.push_back(a + k * m);
        variance.push_back(sigma * sigma * dt + k * s * s);
        // The weight and the normal's constant together: ln P(N = k) − ln √(2π v_k).
        half_log_variance.push_back(log_p - kLogRootTwoPi - 0.5 * std::log(variance.back()));
        if (k > rate && log_p < log_weight.front() - 32.2) break;  // e^{−32.2} ≈ 10⁻¹⁴
        if (rate == 0) break;
    }
    double sum = 0;
    std::vector<double> terms(log_weight.size());
    for (double r : x) {
        double top = -kInf;
        for (std::size_t k = 0; k < terms.size(); ++k) {
            const double d = r - mean[k];
            terms[k] = half_log_variance[k] - d * d / (2 * variance[k]);
            top = std::max(top, terms[k]);
        }
        double total = 0;
        for (double t : terms) total += std::exp(t - top);
        sum += top + std::log(total);
    }
    return sum;
}

// Nelder & Mead (1965), with the standard coefficients (reflection 1, expansion 2, contraction
// ½, shrink ½): minimises f from `start` with initial steps `step`. Returns the best point and
// whether the simplex's values agreed to `tolerance` within the iteration budget.
template <std::size_t N>
std::pair<std::array<double, N>, bool> nelder_mead(
    const std::function<double(const std::array<double, N>&)>& f, std::array<double, N> start,
    const std::array<double, N>& step, double tolerance, int iterations) {
    std::array<std::array<double, N>, N + 1> point{};
    std::array<double, N + 1> value{};
    point[0] = start;
    for (std::size_t i = 0; i < N; ++i) {
        point[i + 1] = start;
        point[i + 1][i] += step[i];
    }
    for (std::size_t i = 0; i <= N; ++i) value[i] = f(point[i]);
    bool converged = false;
    for (int it = 0; it < iterations; ++it) {
        std::array<std::size_t, N + 1> order{};
        for (std::size_t i = 0; i <= N; ++i) order[i] = i;
        std::sort(order.begin(), order.end(),
                  [&](std::size_t a, std::size_t b) { return value[a] < value[b]; });
        const std::size_t best = order[0], worst = order[N], second = order[N - 1];
        if (std::fabs(value[worst] - value[best]) <= tolerance * (1 + std::fabs(value[best]))) {
            converged = true;
            break;
        }
        std::array<double, N> centre{};
        for (std::size_t i = 0; i <= N; ++i)
            if (i != worst)
                for (std::size_t d = 0; d < N; ++d) centre[d] += point[i][d] / N;
        const auto along = [&](double t) {
            std::array<double, N> q{};
            for (std::size_t d = 0; d < N; ++d) q[d] = centre[d] + t * (point[worst][d] - centre[d]);
            return q;
        };
        const std::array<double, N> reflected = along(-1);
        const double fr = f(reflected);
        if (fr < value[best]) {
            const std::array<double, N> expanded = along(-2);
            const double fe = f(expanded);
            if (fe < fr) point[worst] = expanded, value[worst] = fe;
            else point[worst] = reflected, value[worst] = fr;
        } else if (fr < value[second]) {
            point[worst] = reflected, value[worst] = fr;
        } else {
            const std::array<double, N> contracted = fr < value[worst] ? along(-0.5) : along(0.5);
            const double fc = f(contracted);
            if (fc < std::min(fr, value[worst])) {
                point[worst] = contracted, value[worst] = fc;
            } else {
                for (std::size_t i = 0; i <= N; ++i) {
                    if (i == best) continue;
                    for (std::size_t d = 0; d < N; ++d)
                        point[i][d] = point[best][d] + 0.5 * (point[i][d] - point[best][d]);
                    value[i] = f(point[i]);
                }
            }
        }
    }
    const std::size_t best =
        static_cast<std::size_t>(std::min_element(value.begin(), value.end()) - value.begin());
    return {point[best], converged};
}

// Standard errors from the observed information −∂² ln L at the maximum (central differences,
// steps h_i), inverted with Eigen; NaN where the information is not positive definite.
template <std::size_t N>
std::array<double, N> standard_errors(const std::function<double(const std::array<double, N>&)>& log_l,
                                      const std::array<double, N>& at, const std::array<double, N>& h) {
    Eigen::Matrix<double, N, N> info;
    const double centre = log_l(at);
    const auto shifted = [&](std::size_t i, double di, std::size_t j, double dj) {
        std::array<double, N> q = at;
        q[i] += di * h[i];
        q[j] += dj * h[j];
        return log_l(q);
    };
    for (std::size_t i = 0; i < N; ++i) {
        const double up = shifted(i, 1, i, 0), down = shifted(i, -1, i, 0);
        info(i, i) = -(up - 2 * centre + down) / (h[i] * h[i]);
        for (std::size_t j = 0; j < i; ++j) {
            const double d =
                shifted(i, 1, j, 1) - shifted(i, 1, j, -1) - shifted(i, -1, j, 1) + shifted(i, -1, j, -1);
            info(i, j) = info(j, i) = -d / (4 * h[i] * h[j]);
        }
    }
    std::array<double, N> se{};
    se.fill(std::numeric_limits<double>::quiet_NaN());
    const Eigen::LLT<Eigen::Matrix<double, N, N>> llt(info);
    if (llt.info() != Eigen::Success) return se;
    const Eigen::Matrix<double, N, N> covariance = llt.solve(Eigen::Matrix<double, N, N>::Identity());
    for (std::size_t i = 0; i < N; ++i)
        if (covariance(i, i) > 0) se[i] = std::sqrt(covariance(i, i));
    return se;
}

FittedParameter fitted(std::string name, double value, double se) {
    return {std::move(name), normal_estimate(value, se)};
}

}  // namespace

ModelFit fit_gbm(const std::vector<double>& x, double dt) {
    // In closed form: the sample mean and the (1/n) variance of the log returns.
    const double count = static_cast<double>(x.size());
    double mean = 0;
    for (double r : x) mean += r / count;
    double variance = 0;
    for (double r : x) variance += (r - mean) * (r - mean) / count;
    const double sigma = std::sqrt(variance / dt);
    const double mu = mean / dt + 0.5 * sigma * sigma;
    const std::function<double(const std::array<double, 2>&)> log_l = [&](const std::array<double, 2>& p) {
        return gbm_log_likelihood(x, dt, p[0], p[1]);
    };
    const auto se = standard_errors<2>(log_l, {mu, sigma}, {1e-4 * (std::fabs(mu) + 0.1), 1e-4 * sigma});
    ModelFit fit;
    fit.model = "gbm";
    fit.parameters = {fitted("model.drift", mu, se[0]), fitted("model.volatility", sigma, se[1])};
    fit.log_likelihood = log_l({mu, sigma});
    fit.aic = 2 * 2 - 2 * fit.log_likelihood;
    return fit;
}

ModelFit fit_merton(const std::vector<double>& x, double dt) {
    // Nelder–Mead over (μ, ln σ, ln λ, m, ln s) from a few starts, the best kept. The diffusion's
    // σ stays within [σ_GBM / 20, 2σ_GBM]: as σ → 0 one return at the mean would make the
    // likelihood unbounded (the mixture's degenerate maximum, not a fit).
    const ModelFit gbm = fit_gbm(x, dt);
    const double mu = gbm.parameters[0].value.value, sigma = gbm.parameters[1].value.value;
    const double daily = sigma * std::sqrt(dt);
    const auto unpack = [](const std::array<double, 5>& q) {
        return std::array<double, 5>{q[0], std::exp(q[1]), std::exp(q[2]), q[3], std::exp(q[4])};
    };
    const std::function<double(const std::array<double, 5>&)> objective =
        [&](const std::array<double, 5>& q) {
            const auto p = unpack(q);
            if (p[1] < sigma / 20 || p[1] > 2 * sigma || p[2] > 1000 || p[4] > 2 || p[4] < 1e-5) return kInf;
            const double l = merton_log_likelihood(x, dt, p);
            return std::isfinite(l) ? -l : kInf;
        };
    std::array<double, 5> best{};
    double best_value = kInf;
    bool converged = false;
    for (const double lambda : {5.0, 40.0}) {
        const std::array<double, 5> start{mu, std::log(0.8 * sigma), std::log(lambda), 0.0,
                                          std::log(3 * daily)};
        auto [q, ok] = nelder_mead<5>(objective, start, {0.1, 0.1, 0.5, 0.5 * daily, 0.3}, 1e-10, 4000);
        // A restart from the end point: Nelder–Mead can stall on a ridge.
        std::tie(q, ok) = nelder_mead<5>(objective, q, {0.05, 0.05, 0.2, 0.2 * daily, 0.1}, 1e-12, 4000);
        const double v = objective(q);
        if (v < best_value) best_value = v, best = q, converged = ok;
    }
    const auto p = unpack(best);
    const std::function<double(const std::array<double, 5>&)> log_l = [&](const std::array<double, 5>& q) {
        return merton_log_likelihood(x, dt, q);
    };
    const auto se = standard_errors<5>(log_l, p,
                                       {1e-4 * (std::fabs(p[0]) + 0.1), 1e-4 * p[1], 1e-4 * p[2],
                                        1e-4 * (std::fabs(p[3]) + 0.01), 1e-4 * p[4]});
    ModelFit fit;
    fit.model = "merton";
    fit.parameters = {fitted("model.drift", p[0], se[0]), fitted("model.volatility", p[1], se[1]),
                      fitted("model.jumps.intensity", p[2], se[2]), fitted("model.jumps.mean", p[3], se[3]),
                      fitted("model.jumps.sd", p[4], se[4])};
    fit.log_likelihood = -best_value;
    fit.aic = 2 * 5 + 2 * best_value;
    fit.converged = converged && std::all_of(se.begin(), se.end(), [](double v) { return std::isfinite(v); });
    return fit;
}

Calibration calibrate(const PriceSeries& series) {
    Calibration c;
    const std::size_t n = series.close.size();
    if (n < 31)
        throw InputError({series.source}, "prices",
                         fmt::format("expected at least 31 daily prices (30 returns), got {}", n));
    std::vector<double> x;
    for (std::size_t i = 1; i < n; ++i) x.push_back(std::log(series.close[i] / series.close[i - 1]));
    c.returns = x.size();
    c.from = series.dates.front();
    c.to = series.dates.back();
    c.gbm = fit_gbm(x, c.years_per_step);
    c.merton = fit_merton(x, c.years_per_step);

    // The overnight share: the variance from each close to the next open against the whole day's.
    if (!series.open.empty()) {
        std::vector<double> overnight, session;
        for (std::size_t i = 1; i < n; ++i) {
            overnight.push_back(std::log(series.open[i] / series.raw_close[i - 1]));
            session.push_back(std::log(series.raw_close[i] / series.open[i]));
        }
        const auto var = [](const std::vector<double>& v) {
            double m = 0;
            for (double r : v) m += r / static_cast<double>(v.size());
            double s = 0;
            for (double r : v) s += (r - m) * (r - m);
            return s / static_cast<double>(v.size() - 1);
        };
        const double o = var(overnight), s = var(session);
        if (o + s > 0) c.overnight_variance_share = o / (o + s);
    }
    return c;
}

}  // namespace thesis
