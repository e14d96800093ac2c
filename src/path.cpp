#include "thesis/path.h"

#include "thesis/errors.h"
#include "thesis/rng.h"
#include "thesis/valuation.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <algorithm>
#include <cmath>

namespace thesis {

TimeGrid make_time_grid(Years horizon, int steps_per_year) {
    THESIS_REQUIRE(horizon > 0 && steps_per_year > 0, "horizon {} steps/year {}", horizon,
                   steps_per_year);
    TimeGrid g;
    const double steps = std::max(1.0, std::round(horizon * steps_per_year));
    if (steps > 10'000'000)
        throw InputError({}, "simulation.steps_per_year",
                         fmt::format("{:.0f} steps on one path is too many; at most 10,000,000",
                                     steps));
    g.steps = static_cast<int>(steps);
    g.dt = horizon / steps;
    g.horizon = horizon;
    return g;
}

PathGenerator::PathGenerator(const Thesis& t, Years horizon)
    : grid_(make_time_grid(horizon, t.simulation.steps_per_year)),
      kind_(t.model.kind),
      monitoring_(t.simulation.monitoring),
      seed_(t.simulation.seed),
      events_(t.model.events) {
    const PriceModel& m = t.model;
    const double dt = grid_.dt;
    x0_ = std::log(t.stock.price);
    if (kind_ == ModelKind::Fundamentals) {
        if (!(t.stock.sector_pe > 0))
            throw InputError({}, "stock.sector_pe",
                             "the fundamentals model needs a sector P/E to revert to");
        const Bridge b = bridge(t.stock);
        eps0_ = std::log(b.eps);
        multiple0_ = std::log(t.stock.pe);
        multiple_target_ = std::log(t.stock.sector_pe);
        // log EPS: dE = (g − σₑ²/2) dt + σₑ dW₁, so E[EPS_t] = EPS₀ e^{g t}.
        eps_drift_step_ = (m.eps_growth - 0.5 * m.eps_volatility * m.eps_volatility) * dt;
        eps_vol_step_ = m.eps_volatility * std::sqrt(dt);
        // log multiple: Ornstein–Uhlenbeck toward ln(sector P/E), κ = ln 2 / half-life, stepped
        // exactly: m' = θ + (m − θ)a + σₘ √((1 − a²)/(2κ)) Z, a = e^{−κ dt}.
        reversion_ = std::exp(-std::numbers::ln2 / m.multiple_half_life * dt);
        const double kappa = std::numbers::ln2 / m.multiple_half_life;
        multiple_vol_step_ =
            m.multiple_volatility * std::sqrt((1 - reversion_ * reversion_) / (2 * kappa));
        // Correlated shocks through the Cholesky factor of the correlation matrix.
        Eigen::Matrix2d correlation;
        correlation << 1, m.eps_multiple_correlation, m.eps_multiple_correlation, 1;
        Eigen::LLT<Eigen::Matrix2d> llt(correlation);
        if (llt.info() != Eigen::Success) {
            // |ρ| = 1 is semi-definite: the factor is then [[1, 0], [ρ, 0]].
            chol_21_ = m.eps_multiple_correlation;
            chol_22_ = 0;
        } else {
            const Eigen::Matrix2d l = llt.matrixL();
            chol_21_ = l(1, 0);
            chol_22_ = l(1, 1);
        }
        // Per-year variance of d(log price) = d(log EPS) + d(log multiple), for the bridge.
        variance_ = m.eps_volatility * m.eps_volatility +
                    m.multiple_volatility * m.multiple_volatility +
                    2 * m.eps_multiple_correlation * m.eps_volatility * m.multiple_volatility;
        if (t.opportunity.revenue_unlock != 0) {
            const double g = eps_change_from_revenue(t.opportunity.revenue_unlock,
                                                     t.stock.net_margin, b.earnings);
            if (!(1 + g > 0))
                throw InputError({}, "opportunity.revenue_unlock",
                                 "the unlock would make EPS negative; a P/E model cannot price it");
            unlock_log_step_ = std::log1p(g);
        }
    } else {
        double compensator = 0;
        if (kind_ == ModelKind::Merton) {
            // Merton (1976): N ~ Poisson(λ dt) jumps per step, each log-normal(m, s²). The
            // diffusion drift subtracts λκ, κ = e^{m + s²/2} − 1, so that E[S_t] = S₀ e^{μ t}:
            // μ is the total expected return, jumps included.
            const double kappa = std::exp(m.jump_mean + 0.5 * m.jump_sd * m.jump_sd) - 1;
            compensator = m.jump_intensity * kappa;
            jump_rate_step_ = m.jump_intensity * dt;
            jump_probability_zero_ = std::exp(-jump_rate_step_);
            jump_mean_ = m.jump_mean;
            jump_sd_ = m.jump_sd;
        }
        // GBM in log space: each step has mean (μ − σ²/2 − λκ) dt and sd σ √dt.
        drift_step_ = (m.drift - 0.5 * m.volatility * m.volatility - compensator) * dt;
        vol_step_ = m.volatility * std::sqrt(dt);
        variance_ = m.volatility * m.volatility;
    }
}

namespace {

// Poisson(rate) by inversion on one uniform; rate = λ dt is small, so this takes a step or two.
int poisson(double u, double probability_zero, double rate) {
    int k = 0;
    double p = probability_zero, cumulative = p;
    while (u > cumulative && k < 1000) {
        ++k;
        p *= rate / k;
        cumulative += p;
    }
    return k;
}

// The minimum and maximum of a Brownian bridge from a to b over a step with variance v = σ² dt,
// sampled by inversion: P(min ≤ m) = exp(−2 (a − m)(b − m) / v) for m ≤ min(a, b), so
// m = (a + b − √((a − b)² − 2 v ln u)) / 2 (as QuantLib's BarrierPathPricer; Glasserman,
// "Monte Carlo Methods in Financial Engineering" §6.4). The maximum mirrors it with its own u.
double bridge_min(double a, double b, double v, double u) {
    return 0.5 * (a + b - std::sqrt((a - b) * (a - b) - 2 * v * fast_log(u)));
}
double bridge_max(double a, double b, double v, double u) {
    return 0.5 * (a + b + std::sqrt((a - b) * (a - b) - 2 * v * fast_log(u)));
}

}  // namespace

void PathGenerator::generate(std::uint64_t path, PricePath& out) const {
    PathBatch batch;
    generate_batch(path, batch);
    out = std::move(batch.paths[0]);
}

namespace {
// Fills draws[(4b + j) * kLanes + l] with the j-th value of block b of lane l, for `blocks`
// blocks: the stream's values in the order PathRandom would return them.
template <class Fill>
void fill_lanes(std::vector<double>& draws, int blocks, Fill&& fill) {
    draws.resize(static_cast<std::size_t>(blocks) * 4 * kLanes);
    alignas(64) double block[4][kLanes];
    for (int b = 0; b < blocks; ++b) {
        fill(block);
        for (int j = 0; j < 4; ++j)
            for (int l = 0; l < kLanes; ++l)
                draws[(static_cast<std::size_t>(b) * 4 + j) * kLanes + l] = block[j][l];
    }
}
}  // namespace

void PathGenerator::generate_batch(std::uint64_t first_path, PathBatch& batch) const {
    const int n = grid_.steps;
    const int blocks = (n + 3) / 4;
    const bool continuous = monitoring_ == Monitoring::Continuous;
    const double bridge_variance = variance_ * grid_.dt;

    // The diffusion's normals for all lanes, vectorised (step k uses draw k − 1).
    LanePhilox diffusion(seed_, first_path, RandomStream::Diffusion);
    fill_lanes(batch.normals, blocks, [&](double (&out)[4][kLanes]) { normals_for_lanes(diffusion, out); });
    if (kind_ == ModelKind::Fundamentals) {
        LanePhilox rerating(seed_, first_path, RandomStream::Rerating);
        fill_lanes(batch.second_normals, blocks,
                   [&](double (&out)[4][kLanes]) { normals_for_lanes(rerating, out); });
    }
    if (continuous) {   // two uniforms a step: the bridge's minimum, then its maximum
        LanePhilox bridge(seed_, first_path, RandomStream::Bridge);
        fill_lanes(batch.uniforms, (2 * n + 3) / 4,
                   [&](double (&out)[4][kLanes]) { uniforms_for_lanes(bridge, out); });
    }
    const auto draw = [](const std::vector<double>& d, int index, int lane) {
        return d[static_cast<std::size_t>(index) * kLanes + lane];
    };

    for (int lane = 0; lane < kLanes; ++lane) {
        PricePath& out = batch.paths[lane];
        const std::uint64_t path = first_path + static_cast<std::uint64_t>(lane);
        out.index = path;
        out.log_price.resize(n + 1);
        out.diffusive_end.resize(n + 1);
        out.bridge_low.resize(n + 1);
        out.bridge_high.resize(n + 1);
        out.event_step.assign(events_.size(), -1);
        out.event_jump.assign(events_.size(), 0.0);

        // Catalyst events: fire with probability p, at a uniform time in the window, with a
        // normal log jump. Each event draws its three numbers whether it fires or not, so events
        // never shift one another's draws. An event lands at the first step ending at or after
        // its time.
        PathRandom event_draws(seed_, path, RandomStream::Events);
        for (std::size_t i = 0; i < events_.size(); ++i) {
            const CatalystEvent& e = events_[i];
            const double fire = event_draws.uniform();
            const double when = event_draws.uniform();
            out.event_jump[i] = e.jump_mean + e.jump_sd * event_draws.normal();
            if (fire >= e.probability) continue;
            const double time = e.window_start + when * (e.window_end - e.window_start);
            const int step = std::max(1, static_cast<int>(std::ceil(time / grid_.dt - 1e-9)));
            if (step <= n) out.event_step[i] = step;
        }

        if (kind_ == ModelKind::Fundamentals) {
            double e = eps0_, m = multiple0_;
            out.log_price[0] = e + m;
            for (int k = 1; k <= n; ++k) {
                const double z1 = draw(batch.normals, k - 1, lane);
                const double z2 = draw(batch.second_normals, k - 1, lane);
                e += eps_drift_step_ + eps_vol_step_ * z1;
                m = multiple_target_ + (m - multiple_target_) * reversion_ +
                    multiple_vol_step_ * (chol_21_ * z1 + chol_22_ * z2);
                out.diffusive_end[k] = e + m;
                for (std::size_t i = 0; i < events_.size(); ++i) {
                    if (out.event_step[i] != k) continue;
                    m += out.event_jump[i];                                  // re-rating
                    if (events_[i].unlocks_revenue) e += unlock_log_step_;   // the EPS step
                }
                out.log_price[k] = e + m;
            }
        } else {
            const bool merton = kind_ == ModelKind::Merton;
            PathRandom jumps(seed_, path, RandomStream::Jumps);
            double x = x0_;
            out.log_price[0] = x;
            for (int k = 1; k <= n; ++k) {
                x += drift_step_ + vol_step_ * draw(batch.normals, k - 1, lane);
                out.diffusive_end[k] = x;
                if (merton) {
                    const int count =
                        poisson(jumps.uniform(), jump_probability_zero_, jump_rate_step_);
                    if (count > 0)
                        x += count * jump_mean_ +
                             jump_sd_ * std::sqrt(static_cast<double>(count)) * jumps.normal();
                }
                for (std::size_t i = 0; i < events_.size(); ++i)
                    if (out.event_step[i] == k) x += out.event_jump[i];
                out.log_price[k] = x;
            }
        }
        // Discrete monitoring reads the observations only; the bridge is for continuous.
        if (continuous) {
            for (int k = 1; k <= n; ++k) {
                const double a = out.log_price[k - 1], b = out.diffusive_end[k];
                out.bridge_low[k] =
                    bridge_min(a, b, bridge_variance, draw(batch.uniforms, 2 * (k - 1), lane));
                out.bridge_high[k] =
                    bridge_max(a, b, bridge_variance, draw(batch.uniforms, 2 * (k - 1) + 1, lane));
            }
        }
    }
}

}  // namespace thesis
