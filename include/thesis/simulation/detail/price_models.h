#pragma once
// The price models, one type per kind: everything the simulation knows of a model is here. Each
// model is a struct with
//
//   kind, by_lane, jumps      its ModelKind; whether its step's law varies by lane (the kernel then
//                             steps it one step at a time through LaneState::step; otherwise the
//                             kernel's diffusion loops step it); whether it may have Merton's
//                             jumps, drawn ahead with the normals (where setup sets jump_rate_step);
//   second_normal             whether a step draws a second normal (the Rerating stream);
//   setup(Setup&)             its per-step constants (PathGenerator::Constants), the diffusion's
//                             variance (the bridge's between observations), its scenario laws;
//   horizon_log_price(…)      its law at the horizon given a path's state now, for a path that
//                             ends early (every model has one: settles_early());
//   expected_price(…)         E[S at a horizon] in closed form, if it has one, on the grid of
//                             grid_horizon (the simulation's events);
//   typed_drift               whether model.drift sets that growth (so a drift can be solved for);
//   describe(…), reads(…)     its line in the simulation's stamp, and the keys of the file it reads
//                             (the assumptions a run rests on);
//   LaneState<K>              its state in the kernel's vectors (K: the SIMD level's vector
//                             types, kernel_lanes.inc's ModelVectors): a lane's start, a step,
//                             an event's jump, what the horizon law needs. Vectors go in and out
//                             by reference: this code is compiled outside the SIMD levels, and
//                             Clang refuses a vector passed by value between a function with
//                             AVX-512 and one without (it changes the calling convention).
//
// and one line in with_model() at the end. Adding a model touches this file, the ModelKind and
// its parameters in core/thesis.h, and its keys in io/read_sections.cpp (CONTRIBUTING.md).

#include "thesis/core/errors.h"
#include "thesis/core/thesis.h"
#include "thesis/core/units.h"
#include "thesis/math/rng.h"
#include "thesis/simulation/path.h"
#include "thesis/valuation/valuation.h"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace thesis::models {

using Constants = PathGenerator::Constants;

/// What a model's setup fills: the generator's constants and laws.
struct Setup {
    const Thesis& thesis;
    const TimeGrid& grid;
    Constants& c;
    double& variance;  ///< per-year variance of the log price's diffusion (σ² for GBM)
    const std::vector<CatalystEvent>& events;
    std::vector<ScenarioLanding>& scenarios;
    /// Per event, the scenarios (bit i: scenario i) on whose paths it may fire; a model that
    /// draws no scenario leaves it empty (every event then fires on its share of all paths).
    std::vector<std::uint64_t>& event_scenarios;
};

/// A path's state when it ends early, for its law at the horizon: its log price x after kernel
/// step k, `left` steps before the grid's end; e and m as the model's LaneState gives them.
struct HorizonFrom {
    std::uint64_t path = 0;
    int k = 0, left = 0;
    double x = 0, e = 0, m = 0;
    const int* event_steps = nullptr;
    const double* event_jumps = nullptr;
};

/// Per event, the scenarios (bit i: scenario i) on whose paths it may fire.
inline std::vector<std::uint64_t> event_scenario_masks(const Thesis& t) {
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

/// GBM's step, with Merton's jumps and their compensation when `jumps`: the drift and
/// volatility per step, the jumps' constants; returns the compensator λκ.
inline double setup_diffusion(Setup& s, bool jumps) {
    const PriceModel& m = s.thesis.model;
    Constants& c = s.c;
    const double dt = s.grid.dt;
    double compensator = 0;
    if (jumps) {
        // Merton (1976): N ~ Poisson(λ dt) jumps per step, each log-normal(m, s²). The
        // diffusion drift subtracts λκ, κ = e^{m + s²/2} − 1, so that E[S_t] = S₀ e^{μ t}:
        // μ is the total expected return, jumps included.
        const double kappa = std::exp(m.jump_mean + 0.5 * m.jump_sd * m.jump_sd) - 1;
        compensator = m.jump_intensity * kappa;
        c.jump_rate_step = m.jump_intensity * dt;
        c.jump_probability_zero = std::exp(-c.jump_rate_step);
        c.jump_mean = m.jump_mean;
        c.jump_sd = m.jump_sd;
    }
    // GBM in log space: each step has mean (μ − σ²/2 − λκ) dt and sd σ √dt.
    c.drift_step = (m.drift - 0.5 * m.volatility * m.volatility - compensator) * dt;
    c.vol_step = m.volatility * std::sqrt(dt);
    s.variance = m.volatility * m.volatility;
    return compensator;
}

/// Merton's jumps over `left` steps: their Poisson counts add up to Poisson(λ dt L), their
/// normal sizes to N(count·m, count·s²).
inline double jumps_over(const Constants& c, PathRandom& r, int left) {
    const double rate = c.jump_rate_step * left;
    const int count = poisson_by_inversion(r.uniform(), std::exp(-rate), rate);
    return count * c.jump_mean + c.jump_sd * std::sqrt(static_cast<double>(count)) * r.normal();
}

inline std::string jumps_text(const PriceModel& m) {
    return fmt::format(", jumps {:g}/y mean {} sd {}", m.jump_intensity, format_percent(m.jump_mean, 0),
                       format_percent(m.jump_sd, 0));
}

/// Every lane x (the kernel's vectors, in a model's LaneState).
template <class F>
[[gnu::always_inline]] inline F splat_of(double x) {
    return F{} + x;
}

/// mask ? a : b, lane by lane (mask lanes all ones or all zeros), as the kernel's select.
template <class K>
[[gnu::always_inline]] inline typename K::F lane_select(typename K::I mask, typename K::F a,
                                                        typename K::F b) {
    if constexpr (K::bit_select) {
        using U = decltype(__builtin_bit_cast(typename K::I, a));
        const U m = mask, ua = __builtin_bit_cast(U, a), ub = __builtin_bit_cast(U, b);
        return __builtin_bit_cast(typename K::F, (ua & m) | (ub & ~m));
    } else {
        return mask != 0 ? a : b;
    }
}

/// The kernel's state of a model whose log price is the whole state (GBM, Merton): a lane starts
/// at ln S₀ and an event's jump moves the price.
template <class K>
struct PriceLaneState {
    using F = typename K::F;
    /// Whether an event's jump lands at the session's open (sessions monitoring).
    static constexpr bool events_at_open = true;
    explicit PriceLaneState(const Constants&) {}
    [[gnu::always_inline]] void initial(const Constants& c, F& x) const { x = splat_of<typename K::F>(c.x0); }
    [[gnu::always_inline]] void start(const Constants& c, int l, std::uint64_t, int, F& x) { x[l] = c.x0; }
    [[gnu::always_inline]] void jumped(const F&) {}
    [[gnu::always_inline]] void event(const Constants&, int l, std::size_t, double jump, F& x) {
        x[l] += jump;
    }
    [[gnu::always_inline]] void after_events(F&) {}
    [[gnu::always_inline]] double horizon_e(int) const { return 0; }
    [[gnu::always_inline]] double horizon_m(int) const { return 0; }
};

/// GBM: dS/S = μ dt + σ dW, with the thesis's catalyst events.
struct Gbm {
    static constexpr ModelKind kind = ModelKind::Gbm;
    static constexpr bool by_lane = false, jumps = false, second_normal = false;
    static constexpr bool typed_drift = true;

    static void setup(Setup& s) { setup_diffusion(s, false); }

    /// The Gaussian increment over the steps left, plus the events still to come.
    static double horizon_log_price(const Constants& c, PathRandom&, double z, const HorizonFrom& h) {
        double y = h.x + h.left * c.drift_step + c.vol_step * std::sqrt(static_cast<double>(h.left)) * z;
        for (std::size_t i = 0; i < c.events->size(); ++i)
            if (h.event_steps[i] > h.k) y += h.event_jumps[i];
        return y;
    }

    /// S₀ e^{μH} times each event's E[e^J] by H (event_log_growth).
    static std::optional<Price> expected_price(const Thesis& t, Years horizon, Years grid_horizon) {
        // The simulation's own events (an event tied to scenarios, under a model without them,
        // fires on their share of the paths).
        const PathGenerator g(t, grid_horizon);
        double growth = t.model.drift * horizon;
        for (const CatalystEvent& e : *g.constants().events) growth += event_log_growth(e, horizon);
        return t.stock.price * std::exp(growth);
    }

    static std::string describe(const Thesis& t) {
        return fmt::format("{} μ {} σ {}", to_string(t.model.kind), format_percent(t.model.drift, 0),
                           format_percent(t.model.volatility, 0));
    }
    static bool reads(const Thesis&, std::string_view key) {
        return key.starts_with("model.") && !key.starts_with("model.jumps.") &&
               !key.starts_with("model.fundamentals.");
    }

    template <class K>
    using LaneState = PriceLaneState<K>;
};

/// Merton's jump diffusion (1976): GBM plus compound Poisson log-normal jumps, compensated so
/// that μ stays the total expected return.
struct Merton {
    static constexpr ModelKind kind = ModelKind::Merton;
    static constexpr bool by_lane = false, jumps = true, second_normal = false;
    static constexpr bool typed_drift = true;

    static void setup(Setup& s) { setup_diffusion(s, true); }
    static double horizon_log_price(const Constants& c, PathRandom& r, double z, const HorizonFrom& h) {
        return Gbm::horizon_log_price(c, r, z, h) + jumps_over(c, r, h.left);
    }
    static std::optional<Price> expected_price(const Thesis& t, Years horizon, Years grid_horizon) {
        return Gbm::expected_price(t, horizon, grid_horizon);  // the jumps are compensated in the drift
    }
    static std::string describe(const Thesis& t) { return Gbm::describe(t) + jumps_text(t.model); }
    static bool reads(const Thesis&, std::string_view key) {
        return key.starts_with("model.") && !key.starts_with("model.fundamentals.");
    }

    template <class K>
    using LaneState = PriceLaneState<K>;
};

/// Fundamentals: price = EPS × P/E; log EPS a random walk with drift, the log multiple an
/// Ornstein–Uhlenbeck process reverting to the sector P/E, their shocks correlated; events re-rate
/// the multiple, and the revenue unlock steps EPS.
struct Fundamentals {
    static constexpr ModelKind kind = ModelKind::Fundamentals;
    static constexpr bool by_lane = true, jumps = false, second_normal = true;
    static constexpr bool typed_drift = false;

    static void setup(Setup& s) {
        const Thesis& t = s.thesis;
        const PriceModel& m = t.model;
        Constants& c = s.c;
        const double dt = s.grid.dt;
        if (!(t.stock.sector_pe > 0))
            throw InputError({}, "stock.sector_pe", "the fundamentals model needs a sector P/E to revert to");
        const Bridge b = bridge(t.stock);
        c.eps0 = std::log(b.eps);
        c.multiple0 = std::log(t.stock.pe);
        c.multiple_target = std::log(t.stock.sector_pe);
        // log EPS: dE = (g − σₑ²/2) dt + σₑ dW₁, so E[EPS_t] = EPS₀ e^{g t}.
        c.eps_drift_step = (m.eps_growth - 0.5 * m.eps_volatility * m.eps_volatility) * dt;
        c.eps_vol_step = m.eps_volatility * std::sqrt(dt);
        // log multiple: Ornstein–Uhlenbeck toward ln(sector P/E), κ = ln 2 / half-life, stepped
        // exactly: m' = θ + (m − θ)a + σₘ √((1 − a²)/(2κ)) Z, a = e^{−κ dt}.
        c.reversion = std::exp(-std::numbers::ln2 / m.multiple_half_life * dt);
        const double kappa = std::numbers::ln2 / m.multiple_half_life;
        c.multiple_vol_step =
            m.multiple_volatility * std::sqrt((1 - c.reversion * c.reversion) / (2 * kappa));
        // Correlated shocks through the Cholesky factor of the correlation matrix.
        Eigen::Matrix2d correlation;
        correlation << 1, m.eps_multiple_correlation, m.eps_multiple_correlation, 1;
        Eigen::LLT<Eigen::Matrix2d> llt(correlation);
        if (llt.info() != Eigen::Success) {
            // |ρ| = 1 is semi-definite: the factor is then [[1, 0], [ρ, 0]].
            c.chol_21 = m.eps_multiple_correlation;
            c.chol_22 = 0;
        } else {
            const Eigen::Matrix2d l = llt.matrixL();
            c.chol_21 = l(1, 0);
            c.chol_22 = l(1, 1);
        }
        // Per-year variance of d(log price) = d(log EPS) + d(log multiple), for the bridge.
        s.variance = m.eps_volatility * m.eps_volatility + m.multiple_volatility * m.multiple_volatility +
                     2 * m.eps_multiple_correlation * m.eps_volatility * m.multiple_volatility;
        if (t.opportunity.revenue_unlock != 0) {
            const double g =
                eps_change_from_revenue(t.opportunity.revenue_unlock, t.stock.net_margin, b.earnings);
            if (!(1 + g > 0))
                throw InputError({}, "opportunity.revenue_unlock",
                                 "the unlock would make EPS negative; a P/E model cannot price it");
            c.unlock_log_step = std::log1p(g);
        }
    }

    static double horizon_log_price(const Constants& c, PathRandom&, double z, const HorizonFrom& h) {
        // After `left` steps: log EPS = e + left·drift + σₑ√dt ΣZ₁; log multiple =
        // θ + (m − θ)aᴸ + σₘ' Σ a^(L−j) (c₂₁Z₁ⱼ + c₂₂Z₂ⱼ), a the per-step reversion. Their sum
        // is normal with variance L σₑ'² + 2σₑ'σₘ'c₂₁ Σaⁱ + σₘ'²(c₂₁² + c₂₂²) Σa²ⁱ, i < L.
        const int left = h.left;
        const double a = c.reversion, aL = std::pow(a, left);
        const double sum_a = a < 1 ? (1 - aL) / (1 - a) : left;
        const double sum_a2 = a < 1 ? (1 - aL * aL) / (1 - a * a) : left;
        const double variance = left * c.eps_vol_step * c.eps_vol_step +
                                2 * c.eps_vol_step * c.multiple_vol_step * c.chol_21 * sum_a +
                                c.multiple_vol_step * c.multiple_vol_step *
                                    (c.chol_21 * c.chol_21 + c.chol_22 * c.chol_22) * sum_a2;
        double eps = h.e + left * c.eps_drift_step;
        double multiple = c.multiple_target + (h.m - c.multiple_target) * aL;
        // Events still to come: a re-rating decays with the multiple from its step on; an unlock
        // steps EPS for good.
        const std::vector<CatalystEvent>& events = *c.events;
        for (std::size_t i = 0; i < events.size(); ++i) {
            if (h.event_steps[i] <= h.k) continue;
            multiple += h.event_jumps[i] * std::pow(a, c.steps - h.event_steps[i]);
            if (events[i].unlocks_revenue) eps += c.unlock_log_step;
        }
        return eps + multiple + std::sqrt(std::max(0.0, variance)) * z;
    }

    static std::optional<Price> expected_price(const Thesis&, Years, Years) { return std::nullopt; }

    static std::string describe(const Thesis& t) {
        const PriceModel& m = t.model;
        return fmt::format("fundamentals: EPS {}/y σ {}, P/E → {} half-life {:g}y σ {}",
                           format_percent(m.eps_growth, 0, true), format_percent(m.eps_volatility, 0),
                           format_multiple(t.stock.sector_pe, 0), m.multiple_half_life,
                           format_percent(m.multiple_volatility, 0));
    }
    static bool reads(const Thesis&, std::string_view key) {
        return key.starts_with("model.") && !key.starts_with("model.jumps.") && key != "model.drift" &&
               key != "model.volatility";
    }

    /// Log EPS and log multiple in every lane; the price is their sum.
    template <class K>
    struct LaneState {
        using F = typename K::F;
        static constexpr bool events_at_open = false;
        F e{}, m{};
        explicit LaneState(const Constants& c)
            : e(splat_of<typename K::F>(c.eps0)), m(splat_of<typename K::F>(c.multiple0)) {}
        [[gnu::always_inline]] void initial(const Constants&, F& x) const { x = e + m; }
        [[gnu::always_inline]] void start(const Constants& c, int l, std::uint64_t, int, F& x) {
            e[l] = c.eps0;
            m[l] = c.multiple0;
            x[l] = c.eps0 + c.multiple0;
        }
        /// A step from kernel step g: log EPS a random walk; log multiple Ornstein–Uhlenbeck,
        /// stepped exactly, with shocks correlated through the Cholesky factor (setup).
        [[gnu::always_inline]] void step(const Constants& c, const F&, const F& z1, const F& z2, int,
                                         F& end) {
            e = e + (c.eps_drift_step + c.eps_vol_step * z1);
            m = c.multiple_target + (m - c.multiple_target) * c.reversion +
                c.multiple_vol_step * (c.chol_21 * z1 + c.chol_22 * z2);
            end = e + m;
        }
        [[gnu::always_inline]] void jumped(const F&) {}
        /// An event re-rates the multiple; the unlock steps EPS.
        [[gnu::always_inline]] void event(const Constants& c, int l, std::size_t i, double jump, F&) {
            m[l] += jump;
            if ((*c.events)[i].unlocks_revenue) e[l] += c.unlock_log_step;
        }
        [[gnu::always_inline]] void after_events(F& x) { x = e + m; }
        [[gnu::always_inline]] double horizon_e(int l) const { return e[l]; }
        [[gnu::always_inline]] double horizon_m(int l) const { return m[l]; }
    };
};

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
struct Scenarios {
    static constexpr ModelKind kind = ModelKind::Scenarios;
    // Merton's jumps where model.jumps has an intensity (setup sets jump_rate_step).
    static constexpr bool by_lane = true, jumps = true, second_normal = false;
    static constexpr bool typed_drift = false;  // the drift acts after landing only

    static void setup(Setup& s) {
        const Thesis& t = s.thesis;
        const PriceModel& m = t.model;
        const double dt = s.grid.dt;
        if (t.scenarios.empty())
            throw InputError({}, "model.kind", "the scenarios model needs scenarios with probabilities");
        if (t.scenarios.size() > 64)
            throw InputError({}, "scenarios", "the scenarios model draws from at most 64 scenarios");
        // Merton's jumps, when model.jumps has an intensity: after the landing compensated in the
        // drift as for Merton, before it in the landing's mean (ln E[e^{jumps by T}] = λκT).
        const double compensator = setup_diffusion(s, m.jump_intensity > 0);
        s.event_scenarios = event_scenario_masks(t);
        double cumulative = 0;
        for (std::size_t j = 0; j < t.scenarios.size(); ++j) {
            const Scenario& sc = t.scenarios[j];
            ScenarioLanding l;
            l.name = sc.name;
            l.probability = sc.probability;
            cumulative += sc.probability;
            l.cumulative = cumulative;
            l.price = value_scenario(sc, t.stock).price;
            const std::string key = "scenarios." + sc.name;
            if (!(l.price > 0))
                throw InputError({}, key, "the scenarios model needs a positive price for every scenario");
            const Years by = sc.by.value_or(t.simulation.horizon);
            if (!(by > 0)) throw InputError({}, key + ".by", "expected a date after the valuation date");
            const double steps = std::max(1.0, std::round(by / dt));
            if (steps > 1e9) throw InputError({}, key + ".by", "too far from the valuation date");
            l.landing_step = static_cast<int>(steps);
            const Years landing = l.landing_step * dt;
            l.landing_sd = sc.dispersion.value_or(m.volatility * std::sqrt(landing));
            double growth = compensator * landing;
            for (std::size_t i = 0; i < s.events.size(); ++i)
                if (s.event_scenarios[i] >> j & 1u) growth += event_log_growth(s.events[i], landing);
            l.landing_mean = std::log(l.price) - 0.5 * l.landing_sd * l.landing_sd - growth;
            s.scenarios.push_back(std::move(l));
        }
        if (std::fabs(cumulative - 1) > 1e-6)
            throw InputError({}, "scenarios",
                             fmt::format("the scenarios model draws each path's scenario by its probability; "
                                         "expected probabilities summing to 1, got {:.4g}",
                                         cumulative));
        s.scenarios.back().cumulative = 1;  // rounding never leaves a uniform without a scenario
    }

    static double horizon_log_price(const Constants& c, PathRandom& r, double z, const HorizonFrom& h) {
        // `e` is the bridge's target: the landing L plus the events and jumps so far, J. The
        // diffusive part y = x − J reaches L at step K exactly, then a GBM; if K lies past the
        // grid's end, the bridge's marginal at the end given y and L: mean
        // y + (n − k)/(K − k)·(L − y), variance σ²Δt (n − k)(K − n)/(K − k). Then the events and
        // jumps still to come.
        const ScenarioDraw draw = PathGenerator::draw_scenario(c, h.path);
        const int landing_step = (*c.scenarios)[static_cast<std::size_t>(draw.scenario)].landing_step;
        const int k = h.k, left = h.left;
        const double fired = h.e - draw.landing;
        double later = 0;
        for (std::size_t i = 0; i < c.events->size(); ++i)
            if (h.event_steps[i] > k) later += h.event_jumps[i];
        const double y = h.x - fired;
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
        if (c.jump_rate_step > 0) later += jumps_over(c, r, left);  // as Merton's
        return end + fired + later;
    }

    // On scenario j's paths the price at its landing time T has mean P_j; after T the drift and
    // the events still to fire add their growth. Before T (a landing past the horizon) the
    // diffusive part is the bridge's marginal: normal with mean x₀ + (H/T)(μ_j − x₀) and variance
    // σ²H(T − H)/T + (H/T)² d_j², times the events and jumps by H.
    static std::optional<Price> expected_price(const Thesis& t, Years horizon, Years grid_horizon) {
        const PathGenerator g(t, grid_horizon);
        const PriceModel& m = t.model;
        const std::vector<CatalystEvent>& events = *g.constants().events;
        const double dt = g.grid().dt, x0 = std::log(t.stock.price);
        const std::vector<std::uint64_t>& tied = *g.constants().event_scenarios;
        double expected = 0;
        const std::vector<ScenarioLanding>& landings = g.scenario_landings();
        for (std::size_t j = 0; j < landings.size(); ++j) {
            const ScenarioLanding& s = landings[j];
            const Years landing = s.landing_step * dt;
            double events_by_horizon = 0, events_by_landing = 0;
            for (std::size_t i = 0; i < events.size(); ++i) {
                if (!(tied[i] >> j & 1u)) continue;
                events_by_horizon += event_log_growth(events[i], horizon);
                events_by_landing += event_log_growth(events[i], landing);
            }
            double log_mean;
            if (landing <= horizon) {
                log_mean =
                    std::log(s.price) + m.drift * (horizon - landing) + events_by_horizon - events_by_landing;
            } else {
                const double w = horizon / landing;
                const double variance =
                    m.volatility * m.volatility * horizon * (landing - horizon) / landing +
                    w * w * s.landing_sd * s.landing_sd;
                // Jumps by H (compensated in the landing's mean, not in the bridge): ln E = λκH.
                const double jumps =
                    m.jump_intensity > 0
                        ? m.jump_intensity * std::expm1(m.jump_mean + 0.5 * m.jump_sd * m.jump_sd) * horizon
                        : 0.0;
                log_mean = x0 + w * (s.landing_mean - x0) + 0.5 * variance + events_by_horizon + jumps;
            }
            expected += s.probability * std::exp(log_mean);
        }
        return expected;
    }

    static std::string describe(const Thesis& t) {
        const PriceModel& m = t.model;
        return fmt::format("scenarios: {} of them, σ {}, drift {} after landing", t.scenarios.size(),
                           format_percent(m.volatility, 0), format_percent(m.drift, 0)) +
               (m.jump_intensity > 0 ? jumps_text(m) : "");
    }
    /// Every scenario input counts: the paths travel to the scenarios.
    static bool reads(const Thesis& t, std::string_view key) {
        return key.starts_with("scenarios.") ||
               (key.starts_with("model.") && !key.starts_with("model.fundamentals.") &&
                !(key.starts_with("model.jumps.") && !(t.model.jump_intensity > 0)));
    }

    /// Each lane's landing plus the events and jumps so far (the point its bridge pulls to), and
    /// the kernel step at which it lands, as a double so that the steps left compute in the
    /// vectors (exact: whole numbers far below 2⁵³).
    template <class K>
    struct LaneState {
        using F = typename K::F;
        static constexpr bool events_at_open = true;
        F target = splat_of<typename K::F>(0), landing_at = splat_of<typename K::F>(0);
        explicit LaneState(const Constants&) {}
        [[gnu::always_inline]] void initial(const Constants& c, F& x) const {
            x = splat_of<typename K::F>(c.x0);
        }
        [[gnu::always_inline]] void start(const Constants& c, int l, std::uint64_t path, int g, F& x) {
            x[l] = c.x0;
            const ScenarioDraw draw = PathGenerator::draw_scenario(c, path);
            target[l] = draw.landing;
            landing_at[l] =
                g + static_cast<double>((*c.scenarios)[static_cast<std::size_t>(draw.scenario)].landing_step);
        }
        /// A step from kernel step g: before its landing step K a lane's bridge moves 1/(K − g)
        /// of the way to its target, with sd σ√Δt √((K − g − 1)/(K − g)); after it, GBM.
        [[gnu::always_inline]] void step(const Constants& c, const F& x, const F& z, const F&, int g,
                                         F& end) {
            const F left = landing_at - static_cast<double>(g);  // steps to landing
            const auto bridging = left > 0.0;
            // Where a lane has landed these are not finite; the selects drop them.
            const F ratio = (left - 1.0) / left;
            F root;
            for (int l = 0; l < K::kLanes; ++l) root[l] = std::sqrt(ratio[l]);
            const F pull = lane_select<K>(bridging, 1.0 / left, F{});
            const F add = lane_select<K>(bridging, F{}, F{} + c.drift_step);
            const F sd = lane_select<K>(bridging, c.vol_step * root, F{} + c.vol_step);
            end = x + pull * (target - x) + add + sd * z;
        }
        /// Jumps come after the step's diffusion (as Merton's), and the bridge pulls the
        /// diffusive part only: its target moves with them.
        [[gnu::always_inline]] void jumped(const F& size) { target = target + size; }
        [[gnu::always_inline]] void event(const Constants&, int l, std::size_t, double jump, F& x) {
            x[l] += jump;
            target[l] += jump;  // the bridge pulls the rest
        }
        [[gnu::always_inline]] void after_events(F&) {}
        [[gnu::always_inline]] double horizon_e(int l) const { return target[l]; }
        [[gnu::always_inline]] double horizon_m(int) const { return 0; }
    };
};

/// Calls f.template operator()<Model>() with the model type of `kind`.
template <class Visitor>
decltype(auto) with_model(ModelKind kind, Visitor&& f) {
    switch (kind) {
        case ModelKind::Gbm: return f.template operator()<Gbm>();
        case ModelKind::Merton: return f.template operator()<Merton>();
        case ModelKind::Fundamentals: return f.template operator()<Fundamentals>();
        case ModelKind::Scenarios: return f.template operator()<Scenarios>();
    }
    return f.template operator()<Gbm>();
}

}  // namespace thesis::models
