#include "thesis/simulation/path.h"

#include "thesis/core/errors.h"
#include "thesis/valuation/valuation.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <algorithm>
#include <cmath>

namespace thesis {

TimeGrid make_time_grid(Years horizon, int steps_per_year) {
    THESIS_REQUIRE(horizon > 0 && steps_per_year > 0, "horizon {} steps/year {}", horizon, steps_per_year);
    TimeGrid g;
    const double steps = std::max(1.0, std::round(horizon * steps_per_year));
    if (steps > 10'000'000)
        throw InputError({}, "simulation.steps_per_year",
                         fmt::format("{:.0f} steps on one path is too many; at most 10,000,000", steps));
    g.steps = static_cast<int>(steps);
    g.dt = horizon / steps;
    g.horizon = horizon;
    return g;
}

PathGenerator::PathGenerator(const Thesis& t, Years horizon, bool every_policy)
    : grid_(make_time_grid(horizon, t.simulation.steps_per_year)), events_(t.model.events) {
    c_.kind = t.model.kind;
    c_.monitoring = every_policy ? Monitoring::Sessions : t.simulation.monitoring;
    c_.every_policy = every_policy;
    c_.seed = t.simulation.seed;
    c_.steps = grid_.steps;
    c_.dt = grid_.dt;
    const PriceModel& m = t.model;
    const double dt = grid_.dt;
    c_.x0 = std::log(t.stock.price);
    if (c_.kind == ModelKind::Fundamentals) {
        if (!(t.stock.sector_pe > 0))
            throw InputError({}, "stock.sector_pe", "the fundamentals model needs a sector P/E to revert to");
        const Bridge b = bridge(t.stock);
        c_.eps0 = std::log(b.eps);
        c_.multiple0 = std::log(t.stock.pe);
        c_.multiple_target = std::log(t.stock.sector_pe);
        // log EPS: dE = (g − σₑ²/2) dt + σₑ dW₁, so E[EPS_t] = EPS₀ e^{g t}.
        c_.eps_drift_step = (m.eps_growth - 0.5 * m.eps_volatility * m.eps_volatility) * dt;
        c_.eps_vol_step = m.eps_volatility * std::sqrt(dt);
        // log multiple: Ornstein–Uhlenbeck toward ln(sector P/E), κ = ln 2 / half-life, stepped
        // exactly: m' = θ + (m − θ)a + σₘ √((1 − a²)/(2κ)) Z, a = e^{−κ dt}.
        c_.reversion = std::exp(-std::numbers::ln2 / m.multiple_half_life * dt);
        const double kappa = std::numbers::ln2 / m.multiple_half_life;
        c_.multiple_vol_step =
            m.multiple_volatility * std::sqrt((1 - c_.reversion * c_.reversion) / (2 * kappa));
        // Correlated shocks through the Cholesky factor of the correlation matrix.
        Eigen::Matrix2d correlation;
        correlation << 1, m.eps_multiple_correlation, m.eps_multiple_correlation, 1;
        Eigen::LLT<Eigen::Matrix2d> llt(correlation);
        if (llt.info() != Eigen::Success) {
            // |ρ| = 1 is semi-definite: the factor is then [[1, 0], [ρ, 0]].
            c_.chol_21 = m.eps_multiple_correlation;
            c_.chol_22 = 0;
        } else {
            const Eigen::Matrix2d l = llt.matrixL();
            c_.chol_21 = l(1, 0);
            c_.chol_22 = l(1, 1);
        }
        // Per-year variance of d(log price) = d(log EPS) + d(log multiple), for the bridge.
        variance_ = m.eps_volatility * m.eps_volatility + m.multiple_volatility * m.multiple_volatility +
                    2 * m.eps_multiple_correlation * m.eps_volatility * m.multiple_volatility;
        if (t.opportunity.revenue_unlock != 0) {
            const double g =
                eps_change_from_revenue(t.opportunity.revenue_unlock, t.stock.net_margin, b.earnings);
            if (!(1 + g > 0))
                throw InputError({}, "opportunity.revenue_unlock",
                                 "the unlock would make EPS negative; a P/E model cannot price it");
            c_.unlock_log_step = std::log1p(g);
        }
    } else {
        double compensator = 0;
        if (c_.kind == ModelKind::Merton) {
            // Merton (1976): N ~ Poisson(λ dt) jumps per step, each log-normal(m, s²). The
            // diffusion drift subtracts λκ, κ = e^{m + s²/2} − 1, so that E[S_t] = S₀ e^{μ t}:
            // μ is the total expected return, jumps included.
            const double kappa = std::exp(m.jump_mean + 0.5 * m.jump_sd * m.jump_sd) - 1;
            compensator = m.jump_intensity * kappa;
            c_.jump_rate_step = m.jump_intensity * dt;
            c_.jump_probability_zero = std::exp(-c_.jump_rate_step);
            c_.jump_mean = m.jump_mean;
            c_.jump_sd = m.jump_sd;
        }
        // GBM in log space: each step has mean (μ − σ²/2 − λκ) dt and sd σ √dt.
        c_.drift_step = (m.drift - 0.5 * m.volatility * m.volatility - compensator) * dt;
        c_.vol_step = m.volatility * std::sqrt(dt);
        variance_ = m.volatility * m.volatility;
    }
    c_.bridge_variance = variance_ * grid_.dt;
    const double share = t.simulation.overnight_variance_share;
    c_.overnight_share = share;
    c_.overnight_sd = std::sqrt(share * (1 - share) * c_.bridge_variance);
    c_.session_variance = (1 - share) * c_.bridge_variance;
    c_.events = &events_;
    // Merton's horizon price draws its jump count by inversion, which stays short and exact only
    // for a modest expected count.
    c_.settle_early = c_.kind != ModelKind::Merton || c_.jump_rate_step * c_.steps <= 30;
}

double PathGenerator::horizon_log_price(const Constants& c, std::uint64_t path, int k, double x, double e,
                                        double m, const int* event_steps, const double* event_jumps) {
    const int left = c.steps - k;
    if (left <= 0) return x;
    const std::vector<CatalystEvent>& events = *c.events;
    PathRandom r(c.seed, path, RandomStream::Horizon);
    const double z = r.normal();
    if (c.kind == ModelKind::Fundamentals) {
        // After `left` steps: log EPS = e + left·drift + σₑ√dt ΣZ₁; log multiple =
        // θ + (m − θ)aᴸ + σₘ' Σ a^(L−j) (c₂₁Z₁ⱼ + c₂₂Z₂ⱼ), a the per-step reversion. Their sum
        // is normal with variance L σₑ'² + 2σₑ'σₘ'c₂₁ Σaⁱ + σₘ'²(c₂₁² + c₂₂²) Σa²ⁱ, i < L.
        const double a = c.reversion, aL = std::pow(a, left);
        const double sum_a = a < 1 ? (1 - aL) / (1 - a) : left;
        const double sum_a2 = a < 1 ? (1 - aL * aL) / (1 - a * a) : left;
        const double variance = left * c.eps_vol_step * c.eps_vol_step +
                                2 * c.eps_vol_step * c.multiple_vol_step * c.chol_21 * sum_a +
                                c.multiple_vol_step * c.multiple_vol_step *
                                    (c.chol_21 * c.chol_21 + c.chol_22 * c.chol_22) * sum_a2;
        double eps = e + left * c.eps_drift_step;
        double multiple = c.multiple_target + (m - c.multiple_target) * aL;
        // Events still to come: a re-rating decays with the multiple from its step on; an unlock
        // steps EPS for good.
        for (std::size_t i = 0; i < events.size(); ++i) {
            if (event_steps[i] <= k) continue;
            multiple += event_jumps[i] * std::pow(a, c.steps - event_steps[i]);
            if (events[i].unlocks_revenue) eps += c.unlock_log_step;
        }
        return eps + multiple + std::sqrt(std::max(0.0, variance)) * z;
    }
    double y = x + left * c.drift_step + c.vol_step * std::sqrt(static_cast<double>(left)) * z;
    for (std::size_t i = 0; i < events.size(); ++i)
        if (event_steps[i] > k) y += event_jumps[i];
    if (c.kind == ModelKind::Merton) {
        // The steps' Poisson counts add up to Poisson(λ dt L); the jumps' normal sizes to
        // N(count·m, count·s²).
        const double rate = c.jump_rate_step * left;
        const int count = poisson_by_inversion(r.uniform(), std::exp(-rate), rate);
        y += count * c.jump_mean + c.jump_sd * std::sqrt(static_cast<double>(count)) * r.normal();
    }
    return y;
}

void PathGenerator::generate(std::uint64_t path, PricePath& out) const {
    PathBatch batch;
    generate_batch(path, batch);
    out = std::move(batch.paths[0]);
}

namespace {
// Watches nothing: the kernel then only records.
class RecordOnly final : public LaneObserver {
  public:
    std::span<LaneWatch> watches() override { return {}; }
    void start(int, std::uint64_t, int, double, const int*) override {}
    void step(std::size_t, int, unsigned, const LaneStep&) override {}
    void finish(int, double) override {}
};
}  // namespace

void PathGenerator::generate_batch(std::uint64_t first_path, PathBatch& batch) const {
    RecordOnly observer;
    simulate_recorded(first_path, observer, batch);
}

}  // namespace thesis
