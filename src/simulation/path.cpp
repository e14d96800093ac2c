#include "thesis/simulation/path.h"

#include "thesis/simulation/detail/price_models.h"

#include "thesis/core/errors.h"
#include "thesis/valuation/valuation.h"

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

PathGenerator::PathGenerator(const Thesis& t, Years horizon, bool every_policy)
    : grid_(make_time_grid(horizon, t.simulation.steps_per_year)), events_(t.model.events) {
    c_.kind = t.model.kind;
    c_.monitoring = every_policy ? Monitoring::Sessions : t.simulation.monitoring;
    c_.every_policy = every_policy;
    c_.seed = t.simulation.seed;
    c_.steps = grid_.steps;
    c_.dt = grid_.dt;
    c_.x0 = std::log(t.stock.price);
    models::Setup setup{t, grid_, c_, variance_, events_, scenarios_, event_scenarios_};
    models::with_model(c_.kind, [&]<class Model>() { Model::setup(setup); });
    c_.bridge_variance = variance_ * grid_.dt;
    const double share = t.simulation.overnight_variance_share;
    c_.overnight_share = share;
    c_.overnight_sd = std::sqrt(share * (1 - share) * c_.bridge_variance);
    c_.session_variance = (1 - share) * c_.bridge_variance;
    if (event_scenarios_.empty()) {
        // No scenario drawn: an event tied to scenarios fires on the same share of all paths.
        const std::vector<std::uint64_t> masks = models::event_scenario_masks(t);
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
    c_.antithetic = t.simulation.method == SimulationMethod::Antithetic;
    if (t.simulation.method == SimulationMethod::Rqmc) {
        // The scenarios model draws its scenario and landing from the point's first two
        // coordinates (draw_scenario), the best spread of all.
        const int lead = scenarios_.empty() ? 0 : 2;
        rqmc_ = std::make_shared<const SobolBridgeNormals>(grid_.steps, t.simulation.seed, lead);
        c_.rqmc = rqmc_.get();
    }
    // Merton's horizon price draws its jump count by inversion, which stays short and exact only
    // for a modest expected count.
    c_.settle_early = c_.jump_rate_step * c_.steps <= 30;
}

ScenarioDraw PathGenerator::draw_scenario(const Constants& c, std::uint64_t path) {
    if (c.scenarios == nullptr || c.scenarios->empty()) return {};  // a model without scenarios
    const std::vector<ScenarioLanding>& s = *c.scenarios;
    // Antithetic pairs: the pair's stream, u ↦ 1 − u and z ↦ −z on its odd path.
    PathRandom r(c.seed, stream_path(c, path), RandomStream::Scenario);
    const bool flip = antithetic_sign(c, path) < 0;
    // simulation.method rqmc: the path's Sobol' point's first two coordinates.
    const bool from_point = c.rqmc != nullptr && c.rqmc->lead() >= 2;
    double u = from_point ? c.rqmc->lead_uniform(path, 0) : r.uniform();
    if (flip) u = 1 - u;
    std::size_t j = 0;
    while (j + 1 < s.size() && !(u < s[j].cumulative)) ++j;
    double z = from_point ? normal_quantile(c.rqmc->lead_uniform(path, 1)) : r.normal();
    if (flip) z = -z;
    return {static_cast<int>(j), s[j].landing_mean + s[j].landing_sd * z};
}

double PathGenerator::horizon_log_price(const Constants& c, std::uint64_t path, int k, double x, double e,
                                        double m, const int* event_steps, const double* event_jumps) {
    const int left = c.steps - k;
    if (left <= 0) return x;
    // Antithetic pairs: the pair's stream, its normal negated on the odd path (the model's other
    // draws, Merton's jumps, then the same for both: each path's law is still exact).
    PathRandom r(c.seed, stream_path(c, path), RandomStream::Horizon);
    const double z = antithetic_sign(c, path) * r.normal();
    const models::HorizonFrom from{path, k, left, x, e, m, event_steps, event_jumps};
    return models::with_model(c.kind, [&]<class Model>() { return Model::horizon_log_price(c, r, z, from); });
}

std::string describe_model(const Thesis& t) {
    return models::with_model(t.model.kind, [&]<class Model>() { return Model::describe(t); });
}

bool model_reads(const Thesis& t, std::string_view key) {
    return models::with_model(t.model.kind, [&]<class Model>() { return Model::reads(t, key); });
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
