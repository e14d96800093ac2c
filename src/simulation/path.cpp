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

double event_log_growth(const CatalystEvent& e, Years by) {
    const double width = e.window_end - e.window_start;
    const double inside =
        width > 0 ? std::clamp((by - e.window_start) / width, 0.0, 1.0) : (e.window_start <= by ? 1.0 : 0.0);
    const double q = e.probability * inside;
    return std::log1p(q * std::expm1(e.jump_mean + 0.5 * e.jump_sd * e.jump_sd));
}

namespace {

// Per event, the scenarios (bit i: scenario i) on whose paths it may fire.
std::vector<std::uint64_t> event_scenario_masks(const Thesis& t) {
    std::vector<std::uint64_t> masks;
    for (const CatalystEvent& e : t.model.events) {
        if (e.scenarios.empty()) {
            masks.push_back(~std::uint64_t{0});
            continue;
        }
        std::uint64_t mask = 0;
        for (const std::string& name : e.scenarios) {
            const auto it = std::find_if(t.scenarios.begin(), t.scenarios.end(),
                                         [&](const Scenario& s) { return s.name == name; });
            if (it == t.scenarios.end() || it - t.scenarios.begin() >= 64)
                throw InputError({}, "model.events." + e.name + ".scenarios",
                                 fmt::format("no scenario named '{}' (of the first 64)", name));
            mask |= std::uint64_t{1} << (it - t.scenarios.begin());
        }
        masks.push_back(mask);
    }
    return masks;
}

}  // namespace

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
    } else if (c_.kind == ModelKind::Scenarios) {
        setup_scenarios(t);
    } else {
        setup_diffusion(m, c_.kind == ModelKind::Merton);
    }
    c_.bridge_variance = variance_ * grid_.dt;
    const double share = t.simulation.overnight_variance_share;
    c_.overnight_share = share;
    c_.overnight_sd = std::sqrt(share * (1 - share) * c_.bridge_variance);
    c_.session_variance = (1 - share) * c_.bridge_variance;
    if (c_.kind != ModelKind::Scenarios) {
        // No scenario drawn: an event tied to scenarios fires on the same share of all paths.
        const std::vector<std::uint64_t> masks = event_scenario_masks(t);
        for (std::size_t i = 0; i < events_.size(); ++i) {
            if (events_[i].scenarios.empty()) continue;
            double tied_share = 0;
            for (std::size_t j = 0; j < t.scenarios.size() && j < 64; ++j)
                if (masks[i] >> j & 1u) tied_share += t.scenarios[j].probability;
            events_[i].probability *= tied_share;
        }
        event_scenarios_.assign(events_.size(), ~std::uint64_t{0});
    }
    c_.events = &events_;
    c_.scenarios = &scenarios_;
    c_.event_scenarios = &event_scenarios_;
    // Merton's horizon price draws its jump count by inversion, which stays short and exact only
    // for a modest expected count.
    c_.settle_early = c_.jump_rate_step * c_.steps <= 30;
}

// The scenarios model. A path draws scenario j with its probability p_j, then a log landing price
// L ~ N(μ_j, d_j²); its log price is a Brownian bridge of volatility σ from ln S₀ to L at the
// scenario's step K_j (`by` on the grid), then a GBM with the model's drift. Events add to the log
// price on top of the bridge (which pulls the diffusive part, not the jumps, to L), so at K_j the
// log price is L plus the events fired by then, J. The landing law makes E[S_by | j] the
// scenario's price P_j exactly: E[e^{L + J}] = e^{μ_j + d_j²/2} E[e^J] = P_j when
// μ_j = ln P_j − d_j²/2 − ln E[e^J] (event_log_growth, with the events tied to j).
//
// Stepping: given y_k (the diffusive part at step k < K) and L, a Brownian bridge's next point is
// normal with mean y_k + (L − y_k)/(K − k) and variance σ²Δt (K − k − 1)/(K − k) (Glasserman,
// "Monte Carlo Methods in Financial Engineering", 2004, §3.1.1, eq. 3.7, with t = k Δt, T = K Δt),
// which is exact, so the steps need no refinement. With the default d_j = σ√(K Δt), L has the
// law of a Brownian motion's end at K, so each scenario's path is a plain GBM whose drift lands
// its mean at P_j.
//
// Monitoring inside a step: given both ends of a step and L, the bridge over the step is a
// Brownian bridge of variance σ²Δt between them, independent of L (the Markov property of
// Brownian motion: conditioning on L at K adds nothing once the step's end is known), and so is
// it given the step's ends alone. The barrier-crossing laws of a step (bridge.h) therefore hold
// as for GBM, with the same σ²Δt; sessions' overnight point likewise.
double PathGenerator::setup_diffusion(const PriceModel& m, bool jumps) {
    const double dt = grid_.dt;
    double compensator = 0;
    if (jumps) {
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
    return compensator;
}

void PathGenerator::setup_scenarios(const Thesis& t) {
    const PriceModel& m = t.model;
    const double dt = grid_.dt;
    if (t.scenarios.empty())
        throw InputError({}, "model.kind", "the scenarios model needs scenarios with probabilities");
    if (t.scenarios.size() > 64)
        throw InputError({}, "scenarios", "the scenarios model draws from at most 64 scenarios");
    // Merton's jumps, when model.jumps has an intensity: after the landing compensated in the
    // drift as for Merton, before it in the landing's mean (ln E[e^{jumps by T}] = λκT).
    const double compensator = setup_diffusion(m, m.jump_intensity > 0);
    event_scenarios_ = event_scenario_masks(t);
    double cumulative = 0;
    for (std::size_t j = 0; j < t.scenarios.size(); ++j) {
        const Scenario& sc = t.scenarios[j];
        ScenarioLanding s;
        s.name = sc.name;
        s.probability = sc.probability;
        cumulative += sc.probability;
        s.cumulative = cumulative;
        s.price = value_scenario(sc, t.stock).price;
        const std::string key = "scenarios." + sc.name;
        if (!(s.price > 0))
            throw InputError({}, key, "the scenarios model needs a positive price for every scenario");
        const Years by = sc.by.value_or(t.simulation.horizon);
        if (!(by > 0)) throw InputError({}, key + ".by", "expected a date after the valuation date");
        const double steps = std::max(1.0, std::round(by / dt));
        if (steps > 1e9) throw InputError({}, key + ".by", "too far from the valuation date");
        s.landing_step = static_cast<int>(steps);
        const Years landing = s.landing_step * dt;
        s.landing_sd = sc.dispersion.value_or(m.volatility * std::sqrt(landing));
        double growth = compensator * landing;
        for (std::size_t i = 0; i < events_.size(); ++i)
            if (event_scenarios_[i] >> j & 1u) growth += event_log_growth(events_[i], landing);
        s.landing_mean = std::log(s.price) - 0.5 * s.landing_sd * s.landing_sd - growth;
        scenarios_.push_back(std::move(s));
    }
    if (std::fabs(cumulative - 1) > 1e-6)
        throw InputError({}, "scenarios",
                         fmt::format("the scenarios model draws each path's scenario by its probability; "
                                     "expected probabilities summing to 1, got {:.4g}",
                                     cumulative));
    scenarios_.back().cumulative = 1;  // rounding never leaves a uniform without a scenario
}

ScenarioDraw PathGenerator::draw_scenario(const Constants& c, std::uint64_t path) {
    if (c.kind != ModelKind::Scenarios || c.scenarios == nullptr || c.scenarios->empty()) return {};
    const std::vector<ScenarioLanding>& s = *c.scenarios;
    PathRandom r(c.seed, path, RandomStream::Scenario);
    const double u = r.uniform();
    std::size_t j = 0;
    while (j + 1 < s.size() && !(u < s[j].cumulative)) ++j;
    return {static_cast<int>(j), s[j].landing_mean + s[j].landing_sd * r.normal()};
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
    if (c.kind == ModelKind::Scenarios) {
        // `e` is the bridge's target: the landing L plus the events and jumps so far, J. The
        // diffusive part y = x − J reaches L at step K exactly, then a GBM; if K lies past the
        // grid's end, the bridge's marginal at the end given y and L: mean
        // y + (n − k)/(K − k)·(L − y), variance σ²Δt (n − k)(K − n)/(K − k). Then the events and
        // jumps still to come.
        const ScenarioDraw draw = draw_scenario(c, path);
        const int landing_step = (*c.scenarios)[static_cast<std::size_t>(draw.scenario)].landing_step;
        const double fired = e - draw.landing;
        double later = 0;
        for (std::size_t i = 0; i < events.size(); ++i)
            if (event_steps[i] > k) later += event_jumps[i];
        const double y = x - fired;
        double end;
        if (k >= landing_step) {
            end = y + left * c.drift_step + c.vol_step * std::sqrt(static_cast<double>(left)) * z;
        } else if (landing_step <= c.steps) {
            const int after = c.steps - landing_step;
            end =
                draw.landing + after * c.drift_step + c.vol_step * std::sqrt(static_cast<double>(after)) * z;
        } else {
            const double to_landing = landing_step - k;
            const double mean = y + left / to_landing * (draw.landing - y);
            const double variance = c.vol_step * c.vol_step * left * (landing_step - c.steps) / to_landing;
            end = mean + std::sqrt(variance) * z;
        }
        if (c.jump_rate_step > 0) {  // as Merton's below
            const double rate = c.jump_rate_step * left;
            const int count = poisson_by_inversion(r.uniform(), std::exp(-rate), rate);
            later += count * c.jump_mean + c.jump_sd * std::sqrt(static_cast<double>(count)) * r.normal();
        }
        return end + fired + later;
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
