#pragma once
// Model inputs from a price history: GBM's drift and volatility and Merton's jumps by maximum
// likelihood, each with a standard error from the observed information, and the share of the
// daily variance that accrues overnight. Pure: a price series in, estimates out (the CSV is read
// by io/price_history.h).

#include "thesis/core/units.h"
#include "thesis/math/statistics.h"

#include <optional>
#include <string>
#include <vector>

namespace thesis {

/// Daily prices in date order: the closes (adjusted, normally) and, when the file has them, the
/// opens and raw closes that date the overnight move.
struct PriceSeries {
    std::string source;  ///< the file, for messages
    std::string column;  ///< the column the closes came from
    std::vector<Date> dates;
    std::vector<double> close;
    std::vector<double> open, raw_close;  ///< both or neither, as long as `close`
};

/// One fitted parameter: its maximum-likelihood value, its standard error (√ of the inverse
/// observed information's diagonal; NaN when the information is not positive definite) and the
/// normal 95% interval.
struct FittedParameter {
    std::string name;  ///< the scenario file's key: model.drift, model.jumps.intensity, …
    Estimate value;
};

/// A model fitted to the log returns: its parameters, log-likelihood and AIC = 2k − 2 ln L.
struct ModelFit {
    std::string model;  ///< "gbm" or "merton"
    std::vector<FittedParameter> parameters;
    double log_likelihood = 0;
    double aic = 0;
    bool converged = true;
};

struct Calibration {
    std::size_t returns = 0;
    Date from{}, to{};
    double years_per_step = 1.0 / 252;  ///< one trading day
    ModelFit gbm, merton;
    /// Var(ln open / previous close) / [that + Var(ln close / open)]: the overnight share of the
    /// daily variance (simulation.overnight_variance_share), when the file has opens.
    std::optional<double> overnight_variance_share;
};

/// GBM and Merton fitted to daily log returns `x` (Δt years each); calibrate() calls both.
ModelFit fit_gbm(const std::vector<double>& x, double dt);
ModelFit fit_merton(const std::vector<double>& x, double dt);

/// Fits GBM and Merton to the series' daily log returns (Δt = 1/252 a trading day).
/// GBM: x ~ N((μ − σ²/2)Δt, σ²Δt), μ the drift of dS/S (the file's model.drift).
/// Merton (1976): x = (μ − σ²/2 − λκ)Δt + σ√Δt Z + Σ_{j ≤ N} Y_j, N ~ Poisson(λΔt),
/// Y ~ N(m, s²), κ = e^{m + s²/2} − 1; its density is the Poisson mixture of normals, summed
/// until the Poisson tail is below 10⁻¹⁴. Maximised by Nelder–Mead over (μ, ln σ, ln λ, m, ln s)
/// from several starts; the standard errors from a central-difference Hessian of ln L in the
/// model's own parameters, inverted with Eigen. Throws InputError for fewer than 30 returns.
Calibration calibrate(const PriceSeries& series);

}  // namespace thesis
