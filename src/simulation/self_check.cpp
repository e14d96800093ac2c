#include "thesis/simulation/self_check.h"

#include "thesis/core/errors.h"

#include <algorithm>
#include <cmath>

namespace thesis {

Thesis odds_thesis(Price spot, Price stop, Price target, double drift, double volatility, Years horizon,
                   Monitoring monitoring, std::uint64_t paths, std::uint64_t seed, int steps_per_year,
                   Side side) {
    const bool is_short = side == Side::Short;
    const auto require = [](bool ok, const char* input, std::string message) {
        if (!ok) throw InputError({"command line"}, input, std::move(message));
    };
    require(std::isfinite(spot) && spot > 0, "spot", "expected a positive price");
    // A long's stop lies below the spot and its target above; a short's the other way round.
    require(std::isfinite(stop) && stop > 0 && (is_short ? stop > spot : stop < spot), "stop",
            fmt::format("expected a price {} the spot ({}){}, got {}", is_short ? "above" : "below", spot,
                        is_short ? " for a short" : "", stop));
    require(std::isfinite(target) && target > 0 && (is_short ? target < spot : target > spot), "target",
            fmt::format("expected a price {} the spot ({}){}, got {}", is_short ? "below" : "above", spot,
                        is_short ? " for a short" : "", target));
    require(std::isfinite(volatility) && volatility > 0, "volatility", "expected a positive volatility");
    require(std::isfinite(drift), "drift", "expected a finite drift");
    require(std::isfinite(horizon) && horizon > 0, "horizon", "expected a positive horizon");
    Thesis t;
    t.source = "odds";
    t.stock.price = spot;
    t.stock.pe = 1;
    t.stock.market_cap = spot;
    t.model.drift = drift;
    t.model.volatility = volatility;
    t.simulation.paths = paths;
    t.simulation.seed = seed;
    t.simulation.horizon = horizon;
    t.simulation.steps_per_year = steps_per_year;
    t.simulation.monitoring = monitoring;
    Plan p;
    p.name = "bracket";
    p.side = side;
    p.stop = {.kind = Stop::Kind::Fixed, .level = stop};
    p.target = {.kind = Target::Kind::Fixed, .level = target};
    t.plans = {p};
    return t;
}

SimulatedOdds simulate_odds(const Thesis& t, const RunControl& control) {
    MonteCarlo mc(t);
    mc.run(t.simulation.paths, control);
    const PlanTally& tally = mc.result().plans.at(0);
    const std::uint64_t n = mc.result().paths;
    const auto count = [&](ExitReason r) { return tally.outcomes[static_cast<std::size_t>(r)]; };
    SimulatedOdds o;
    o.paths = n;
    o.p_target_first = proportion_estimate(count(ExitReason::Target), n);
    o.p_stop_first = proportion_estimate(count(ExitReason::Stop) + count(ExitReason::GapThroughStop), n);
    o.p_neither = proportion_estimate(count(ExitReason::Horizon), n);
    return o;
}

namespace {

CheckRow row(std::string case_name, std::string quantity, double simulated, double se, double exact) {
    CheckRow r{std::move(case_name), std::move(quantity), simulated, se, exact, 0, false};
    r.z = se > 0 ? (simulated - exact) / se : (simulated == exact ? 0 : 1e9);
    r.pass = std::fabs(r.z) < 4;
    return r;
}

// Calls `use` with the terminal price of paths 0..paths−1, in order, generating them a batch of
// kLanes at a time (generate() alone would compute a whole batch for each path).
template <class Use>
void for_each_terminal_price(const PathGenerator& gen, std::uint64_t paths, Use&& use) {
    PathBatch batch;
    for (std::uint64_t first = 0; first < paths; first += kLanes) {
        gen.generate_batch(first, batch);
        const std::uint64_t lanes = std::min<std::uint64_t>(kLanes, paths - first);
        for (std::uint64_t lane = 0; lane < lanes; ++lane) use(std::exp(batch.paths[lane].log_price.back()));
    }
}

// Binomial standard error at the exact probability (the null hypothesis), so a rare event with
// no hits is still a proper test.
double binomial_se(double p, std::uint64_t n) {
    return std::sqrt(std::max(p * (1 - p), 1e-300) / static_cast<double>(n));
}

}  // namespace

std::vector<CheckRow> run_self_check(std::uint64_t paths, std::uint64_t seed, unsigned threads) {
    std::vector<CheckRow> rows;
    const RunControl control{.threads = threads};

    // 1. Double-barrier odds under continuous monitoring (Kunitomo & Ikeda 1992).
    struct Band {
        const char* name;
        double spot, stop, target, drift, vol, horizon;
    };
    for (const Band& b : {Band{"bracket 600/770/1000, mu 10%, vol 50%, 1y", 770, 600, 1000, 0.10, 0.50, 1.0},
                          Band{"tight 95/100/104, mu 0, vol 30%, 6m", 100, 95, 104, 0.0, 0.30, 0.5},
                          Band{"wide 50/100/300, mu -20%, vol 80%, 3y", 100, 50, 300, -0.20, 0.80, 3.0}}) {
        const Thesis t = odds_thesis(b.spot, b.stop, b.target, b.drift, b.vol, b.horizon,
                                     Monitoring::Continuous, paths, seed);
        const SimulatedOdds sim = simulate_odds(t, control);
        const DoubleBarrierOdds exact =
            double_barrier_odds(b.spot, b.stop, b.target, b.drift, b.vol, b.horizon);
        rows.push_back(row(b.name, "P(target first)", sim.p_target_first.value,
                           binomial_se(exact.p_upper_first, sim.paths), exact.p_upper_first));
        rows.push_back(row(b.name, "P(stop first)", sim.p_stop_first.value,
                           binomial_se(exact.p_lower_first, sim.paths), exact.p_lower_first));
        rows.push_back(row(b.name, "P(neither)", sim.p_neither.value, binomial_se(exact.p_neither, sim.paths),
                           exact.p_neither));
    }

    // 2. Terminal moments: E[S_T] = S₀e^{μT}; E[S_T²] = S₀²e^{(2μ+σ²)T}; E[S_T⁴] = S₀⁴e^{(4μ+6σ²)T}.
    {
        const double s0 = 770, mu = 0.10, sigma = 0.50, T = 1;
        const Thesis t = odds_thesis(s0, 1, 1e12, mu, sigma, T, Monitoring::Discrete, paths, seed, 52);
        RunningStats s1, s2;
        for_each_terminal_price(PathGenerator(t, T), paths, [&](double st) {
            s1.add(st);
            s2.add(st * st);
        });
        const double m1 = s0 * std::exp(mu * T);
        const double m2 = s0 * s0 * std::exp((2 * mu + sigma * sigma) * T);
        const double m4 = std::pow(s0, 4) * std::exp((4 * mu + 6 * sigma * sigma) * T);
        const double n = static_cast<double>(paths);
        const std::string name = "GBM terminal price, mu 10%, vol 50%, 1y";
        rows.push_back(row(name, "E[S_T]", s1.mean(), std::sqrt((m2 - m1 * m1) / n), m1));
        rows.push_back(row(name, "E[S_T^2]", s2.mean(), std::sqrt((m4 - m2 * m2) / n), m2));
    }
    // 3. Merton: the compensated drift keeps E[S_T] = S₀e^{μT}.
    {
        Thesis t = odds_thesis(100, 1, 1e12, 0.08, 0.25, 1, Monitoring::Discrete, paths, seed);
        t.model.kind = ModelKind::Merton;
        t.model.jump_intensity = 2;
        t.model.jump_mean = -0.05;
        t.model.jump_sd = 0.10;
        RunningStats s;
        for_each_terminal_price(PathGenerator(t, 1), paths, [&](double st) { s.add(st); });
        rows.push_back(row("Merton, 2 jumps/y of -5% (sd 10%), vol 25%", "E[S_T]", s.mean(),
                           s.std_dev() / std::sqrt(static_cast<double>(paths)), 100 * std::exp(0.08)));
    }
    // 3b. The scenarios model (path.cpp, setup_scenarios): each scenario's paths land at its
    // price in mean, E[S_T | j] = P_j, with Var(S_T | j) = P_j²(e^{d_j²} − 1) for a log-normal
    // landing of log sd d_j; and a scenario's share of the paths is its probability.
    {
        Thesis t = odds_thesis(100, 1, 1e12, 0.05, 0.40, 1, Monitoring::Discrete, paths, seed, 52);
        t.model.kind = ModelKind::Scenarios;
        const auto scenario = [](std::string name, double probability, double price,
                                 std::optional<double> dispersion) {
            Scenario s;
            s.name = std::move(name);
            s.probability = probability;
            s.levers.price = price;
            s.dispersion = dispersion;
            return s;
        };
        for (Scenario s : {scenario("up", 0.3, 140, std::nullopt), scenario("flat", 0.5, 100, 0.15),
                           scenario("down", 0.2, 60, 0.6)}) {
            s.stock = t.stock;
            t.scenarios.push_back(std::move(s));
        }
        const PathGenerator gen(t, 1);
        std::vector<RunningStats> by(3);
        PathBatch batch;
        for (std::uint64_t first = 0; first < paths; first += kLanes) {
            gen.generate_batch(first, batch);
            for (std::uint64_t lane = 0; lane < std::min<std::uint64_t>(kLanes, paths - first); ++lane)
                by[static_cast<std::size_t>(gen.scenario_of(first + lane))].add(
                    std::exp(batch.paths[lane].log_price.back()));
        }
        for (std::size_t j = 0; j < 3; ++j) {
            const ScenarioLanding& s = gen.scenario_landings()[j];
            const double n = static_cast<double>(by[j].count());
            const std::string name = fmt::format("scenarios model, {} (p {:g}, ${:g}, landing sd {:.2f})",
                                                 s.name, s.probability, s.price, s.landing_sd);
            rows.push_back(row(name, "share of paths", n / static_cast<double>(paths),
                               binomial_se(s.probability, paths), s.probability));
            const double sd = s.price * std::sqrt(std::expm1(s.landing_sd * s.landing_sd));
            rows.push_back(
                row(name, "E[S_T | scenario]", by[j].mean(), sd / std::sqrt(std::max(n, 1.0)), s.price));
        }
    }
    // 4. Discrete monitoring: the simulation against the exact discrete odds (the transition
    // density integrated observation by observation), whose gap to the continuous closed form —
    // the discrete-monitoring bias — shrinks as the step shrinks.
    {
        const double spot = 770, stop = 600, target = 1000, mu = 0.10, sigma = 0.50, T = 1;
        const double continuous = double_barrier_odds(spot, stop, target, mu, sigma, T).p_neither;
        for (int steps : {12, 52, 252}) {
            const Thesis t =
                odds_thesis(spot, stop, target, mu, sigma, T, Monitoring::Discrete, paths, seed, steps);
            const SimulatedOdds sim = simulate_odds(t, control);
            const DoubleBarrierOdds exact = discrete_barrier_odds(spot, stop, target, mu, sigma, T, steps);
            const std::string name =
                fmt::format("discrete {} steps/y, 600/770/1000 (bias vs continuous {:+.4f})", steps,
                            exact.p_neither - continuous);
            rows.push_back(row(name, "P(target first)", sim.p_target_first.value,
                               binomial_se(exact.p_upper_first, sim.paths), exact.p_upper_first));
            rows.push_back(row(name, "P(neither)", sim.p_neither.value,
                               binomial_se(exact.p_neither, sim.paths), exact.p_neither));
        }
    }
    // 5. Brackets within a few step SDs of the price (continuous monitoring).
    for (CheckRow& r : near_level_checks(paths, seed, threads)) rows.push_back(std::move(r));
    return rows;
}

std::vector<CheckRow> near_level_checks(std::uint64_t paths, std::uint64_t seed, unsigned threads) {
    std::vector<CheckRow> rows;
    const RunControl control{.threads = threads};
    constexpr double spot = 100, vol = 0.50;
    constexpr int steps_per_year = 252;
    const double horizon = 5.0 / steps_per_year;
    const double step_sd = vol * std::sqrt(1.0 / steps_per_year);
    for (const double drift : {0.0, 0.5})
        for (const double k : {0.3, 0.5, 1.0, 1.5, 2.0, 3.0})
            for (const double up : {k, 2 * k}) {
                const double stop = spot * std::exp(-k * step_sd), target = spot * std::exp(up * step_sd);
                const Thesis t = odds_thesis(spot, stop, target, drift, vol, horizon, Monitoring::Continuous,
                                             paths, seed, steps_per_year);
                const SimulatedOdds sim = simulate_odds(t, control);
                const DoubleBarrierOdds exact = double_barrier_odds(spot, stop, target, drift, vol, horizon);
                const std::string name = fmt::format(
                    "near: stop {:g} / target {:g} step SDs, mu {:g}%, 5 steps", k, up, drift * 100);
                rows.push_back(row(name, "P(target first)", sim.p_target_first.value,
                                   binomial_se(exact.p_upper_first, sim.paths), exact.p_upper_first));
                rows.push_back(row(name, "P(stop first)", sim.p_stop_first.value,
                                   binomial_se(exact.p_lower_first, sim.paths), exact.p_lower_first));
                rows.push_back(row(name, "P(neither)", sim.p_neither.value,
                                   binomial_se(exact.p_neither, sim.paths), exact.p_neither));
            }
    return rows;
}

}  // namespace thesis
