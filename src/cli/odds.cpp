// `thesis odds --spot 770 --stop 600 --target 1000 --drift 10% --vol 50% --horizon 1y`:
// the odds that the target or the stop is hit first, closed form and simulated side by side.
#include "common.h"

#include "thesis/core/errors.h"
#include "thesis/report/reports.h"
#include "thesis/simulation/rqmc_odds.h"
#include "thesis/simulation/self_check.h"

#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <utility>

namespace thesis::cli {

namespace {
struct OddsOptions {
    CommonOptions common;
    std::string spot, stop, target, drift = "0", vol, horizon = "1y";
    std::string side = "long";  ///< short: the stop above the spot, the target below
    std::string monitoring = "continuous";
    std::string method = "mc";  ///< rqmc: scrambled Sobol' points (rqmc_odds.h), discrete monitoring
    int replicates = 16;
    bool paths_given = false;
    std::uint64_t paths = 1'000'000, seed = 1;
    unsigned threads = 0;
    int steps_per_year = 252;
};

double number_flag(const std::string& flag, const std::string& text, Unit unit) {
    auto v = parse_quantity(text, unit);
    if (!v)
        throw InputError({"command line"}, flag, fmt::format("expected {}, got '{}'", describe(unit), text));
    return *v;
}

// The ranges of README "Numeric edges" (limits in units.h), so that no number the flags allow
// makes the closed form or the simulation overflow. Signs and order are odds_thesis's business.
void check_ranges(const OddsOptions& o, Price spot, Price stop, Price target, double drift, double vol,
                  Years horizon) {
    using namespace limits;
    const auto fail = [](const char* flag, std::string message) {
        throw InputError({"command line"}, flag, std::move(message));
    };
    const std::pair<const char*, Price> prices[] = {{"--spot", spot}, {"--stop", stop}, {"--target", target}};
    for (const auto& [flag, price] : prices)
        if (price > 0 && (price < kMinPrice || price > kMaxPrice))
            fail(flag, fmt::format("expected a price from $0.01 to $1,000,000,000,000, got {:g}", price));
    const auto hint = [](const std::string& text, double v, double lo, double hi) {
        return text.find('%') == std::string::npos && v / 100 >= lo && v / 100 <= hi
                   ? fmt::format(" (did you mean {}%?)", text)
                   : std::string();
    };
    if (vol > kMaxRate)
        fail("--vol", fmt::format("expected a volatility of at most 1000% a year (10), got '{}'{}", o.vol,
                                  hint(o.vol, vol, 0, kMaxRate)));
    if (std::fabs(drift) > kMaxRate)
        fail("--drift", fmt::format("expected a drift from -1000% to 1000% a year (-10 to 10), "
                                    "got '{}'{}",
                                    o.drift, hint(o.drift, drift, -kMaxRate, kMaxRate)));
    if (horizon > 0 && (horizon < kMinHorizon || horizon > kMaxHorizon))
        fail("--horizon", fmt::format("expected a horizon from 1d to 100y, got '{}'", o.horizon));
    if (std::round(horizon * o.steps_per_year) > kMaxStepsPerPath)
        fail("--steps-per-year", fmt::format("{} steps a year over {:g}y is more than 100,000 steps a path",
                                             o.steps_per_year, horizon));
    if (drift * horizon > kMaxLogGrowth)
        fail("--drift", fmt::format("a drift of {} over {:g}y grows prices e^{:.0f}-fold; expected "
                                    "at most e^100: lower the drift or the horizon",
                                    format_percent(drift, 0), horizon, drift * horizon));
}

void run_odds(const OddsOptions& o) {
    const Price spot = number_flag("--spot", o.spot, Unit::Money);
    const Price stop = number_flag("--stop", o.stop, Unit::Money);
    const Price target = number_flag("--target", o.target, Unit::Money);
    const double drift = number_flag("--drift", o.drift, Unit::Number);
    const double vol = number_flag("--vol", o.vol, Unit::Number);
    const auto horizon = parse_duration(o.horizon, Date{});
    if (!horizon || *horizon > 1000)
        throw InputError({"command line"}, "--horizon",
                         fmt::format("expected a duration like 1y, 0.75y, 6m or 90d, got '{}'", o.horizon));
    check_ranges(o, spot, stop, target, drift, vol, *horizon);
    const Monitoring monitoring = o.monitoring == "discrete" ? Monitoring::Discrete : Monitoring::Continuous;
    const bool rqmc = o.method == "rqmc";
    if (rqmc && monitoring != Monitoring::Discrete)
        throw InputError({"command line"}, "--method",
                         "rqmc observes the price at the steps only: add --monitoring discrete");
    // RQMC's error bar shrinks faster than 1/√paths: its default is 16 scrambles of 4,096 points.
    const std::uint64_t paths = rqmc && !o.paths_given ? 65'536 : o.paths;
    if (rqmc && paths < static_cast<std::uint64_t>(o.replicates))
        throw InputError(
            {"command line"}, "--paths",
            fmt::format("rqmc needs at least a path per scramble ({} with --replicates {}), got {}",
                        o.replicates, o.replicates, paths));
    if (rqmc && paths / static_cast<std::uint64_t>(o.replicates) > (std::uint64_t{1} << 32))
        throw InputError({"command line"}, "--paths",
                         "rqmc takes at most 2^32 points a scramble: raise --replicates or lower --paths");
    const Side side = o.side == "short" ? Side::Short : Side::Long;
    const Thesis t = odds_thesis(spot, stop, target, drift, vol, *horizon, monitoring, paths, o.seed,
                                 o.steps_per_year, side);
    // The closed forms take the band's lower and upper levels: a long's stop and target, a short's
    // target and stop (its odds are then read the other way round, below).
    const Price lower = side == Side::Short ? target : stop, upper = side == Side::Short ? stop : target;
    // The closed form for continuous monitoring; for discrete monitoring the exact discrete odds
    // (transition density integrated observation by observation; its cost grows with the steps).
    const int steps = make_time_grid(*horizon, o.steps_per_year).steps;
    // The discrete odds integrate on a grid of 2,001 points across the band, which must resolve
    // one step's spread σ√dt: for a volatility too small for it (1e-12) the quadrature loses or
    // multiplies the mass (the odds sum to 0 or to 10^41). The continuous closed form, which is
    // then within a step's tiny move of the discrete odds, stands in for it.
    const double step_sd = vol * std::sqrt(*horizon / steps);
    const double grid_spacing = std::log(upper / lower) / 2000;
    const bool grid_resolves = grid_spacing <= step_sd;
    bool discrete_exact = monitoring == Monitoring::Discrete && steps <= 2000 && grid_resolves;
    DoubleBarrierOdds exact{};
    if (discrete_exact) {
        exact = discrete_barrier_odds(spot, lower, upper, drift, vol, *horizon, steps);
        const double sum = exact.p_upper_first + exact.p_lower_first + exact.p_neither;
        discrete_exact = std::fabs(sum - 1) < 1e-3;  // else fall back as for a tiny volatility
    }
    if (!discrete_exact) exact = double_barrier_odds(spot, lower, upper, drift, vol, *horizon);
    // For a short the target is the lower level: "target first" is the lower level first.
    if (side == Side::Short) std::swap(exact.p_upper_first, exact.p_lower_first);
    const std::string method = discrete_exact ? fmt::format("exact discrete odds, {} observations", steps)
                                              : "Kunitomo-Ikeda double-barrier series, continuous monitoring";
    SimulatedOdds sim;
    if (rqmc) {
        const RqmcOdds q = rqmc_barrier_odds({.spot = spot,
                                              .lower = lower,
                                              .upper = upper,
                                              .drift = drift,
                                              .volatility = vol,
                                              .horizon = *horizon,
                                              .steps = steps,
                                              .paths = paths,
                                              .replicates = o.replicates,
                                              .seed = o.seed,
                                              .threads = o.threads});
        // For a short the target is the lower level.
        sim.p_target_first = side == Side::Short ? q.p_lower_first : q.p_upper_first;
        sim.p_stop_first = side == Side::Short ? q.p_upper_first : q.p_lower_first;
        sim.p_neither = q.p_neither;
        sim.paths = q.paths;
    } else {
        sim = simulate_odds(t, {.threads = o.threads});
    }
    const std::string simulated_by =
        rqmc ? fmt::format("{} randomised QMC paths ({} scrambles of Sobol' points)",
                           format_count(static_cast<double>(sim.paths)), o.replicates)
             : fmt::format("{} simulated paths", format_count(static_cast<double>(sim.paths)));

    Report r;
    r.heading = fmt::format(
        "Odds{} from {} between a stop at {} and a target at {}: drift {}, "
        "volatility {}, horizon {:g}y",
        side == Side::Short ? " of a short" : "", format_money(spot, -1), format_money(stop, -1),
        format_money(target, -1), format_percent(drift, 1), format_percent(vol, 1), *horizon);
    r.verdict.push_back(fmt::format(
        "Verdict: target first {}, stop first {}, neither {} ({})", format_percent(exact.p_upper_first, 2),
        format_percent(exact.p_lower_first, 2), format_percent(exact.p_neither, 2), method));
    Table table;
    table.id = "odds";
    table.title = fmt::format(
        "Closed form ({}) vs {} ({} monitoring, {} steps, "
        "seed {})",
        method, simulated_by, o.monitoring, steps, o.seed);
    table.columns = {{"outcome", "outcome", false},
                     {"closed form", "analytic", true},
                     {"simulated", "simulated", true},
                     {"std error", "std_error", true},
                     {"z", "z", true}};
    const auto add = [&](const char* label, const char* key, double analytic, const Estimate& e) {
        const double z = e.std_error > 0 ? (e.value - analytic) / e.std_error : 0;
        table.rows.push_back({Cell::keyed(label, key), Cell(format_fixed(analytic, 8), analytic),
                              Cell(format_fixed(e.value, 6), e.value),
                              Cell(format_fixed(e.std_error, 6), e.std_error),
                              Cell(format_fixed(z, 2, true), z)});
    };
    add("target first", "p_target_first", exact.p_upper_first, sim.p_target_first);
    add("stop first", "p_stop_first", exact.p_lower_first, sim.p_stop_first);
    add("neither", "p_neither", exact.p_neither, sim.p_neither);
    if (monitoring == Monitoring::Discrete && !discrete_exact && steps <= 2000)
        table.footnotes.push_back(fmt::format(
            "the volatility is too small for the exact discrete odds (a step's sd {:.3g} is under "
            "their grid's spacing {:.3g} in log price): the reference is the continuous closed "
            "form, which differs from discrete monitoring by at most a step's move",
            step_sd, grid_spacing));
    else if (monitoring == Monitoring::Discrete && !discrete_exact)
        table.footnotes.push_back(
            "over 2,000 observations the reference is the continuous closed "
            "form: discrete monitoring sees fewer touches, so z measures that "
            "bias, not an error");
    r.tables.push_back(table);

    using nlohmann::json;
    const auto est = [](const Estimate& e) { return estimate_json(e); };
    r.json = json{{"program", "thesis"},
                  {"command", "odds"},
                  {"inputs",
                   {{"spot", spot},
                    {"side", o.side},
                    {"stop", stop},
                    {"target", target},
                    {"drift", drift},
                    {"volatility", vol},
                    {"horizon_years", *horizon}}},
                  {"analytic",
                   {{"p_target_first", exact.p_upper_first},
                    {"p_stop_first", exact.p_lower_first},
                    {"p_neither", exact.p_neither},
                    {"method", method}}},
                  {"simulated",
                   {{"p_target_first", est(sim.p_target_first)},
                    {"p_stop_first", est(sim.p_stop_first)},
                    {"p_neither", est(sim.p_neither)},
                    {"paths", sim.paths},
                    {"seed", o.seed},
                    {"method", o.method},
                    {"replicates", rqmc ? json(o.replicates) : json(nullptr)},
                    {"generator", rqmc ? "Sobol (Joe-Kuo 6.21201), Owen-scrambled; Brownian bridge"
                                       : std::string(kGeneratorName)},
                    {"monitoring", o.monitoring},
                    {"steps_per_year", o.steps_per_year}}}};
    r.json.merge_patch(json{{"version", json_stamp(t, "odds")["version"]}});
    emit(r, o.common);
}
}  // namespace

void setup_odds(CLI::App& app) {
    auto o = std::make_shared<OddsOptions>();
    CLI::App* command =
        app.add_subcommand("odds",
                           "Quick odds without a file: P(target first), P(stop first), P(neither) for a "
                           "GBM, closed form and simulated");
    command->add_option("--spot", o->spot, "Price now, e.g. 770")->required();
    command->add_option("--stop", o->stop, "Stop below the spot (above it for --side short), e.g. 600")
        ->required();
    command->add_option("--target", o->target, "Target above the spot (below it for --side short), e.g. 1000")
        ->required();
    command->add_option("--side", o->side, "long, or short: the stop above the spot and the target below")
        ->check(CLI::IsMember({"long", "short"}))
        ->capture_default_str();
    command->add_option("--drift", o->drift, "mu in dS/S = mu dt + sigma dW, a year: 10% or 0.10")
        ->capture_default_str();
    command->add_option("--vol", o->vol, "Volatility a year: 50% or 0.50")->required();
    command->add_option("--horizon", o->horizon, "1y, 0.75y, 6m or 90d")->capture_default_str();
    command->add_option("--monitoring", o->monitoring, "continuous or discrete")
        ->check(CLI::IsMember({"discrete", "continuous"}))
        ->capture_default_str();
    command
        ->add_option("--method", o->method,
                     "mc (Monte Carlo) or rqmc (randomised quasi-Monte Carlo: scrambled Sobol' points, "
                     "the error bar from independent scrambles; --monitoring discrete)")
        ->check(CLI::IsMember({"mc", "rqmc"}))
        ->capture_default_str();
    command->add_option("--replicates", o->replicates, "rqmc: independent scrambles, the error bar's sample")
        ->check(CLI::Range(2, 100))
        ->capture_default_str();
    command->add_option("--paths,-n", o->paths, "Simulated paths (rqmc: 65,536 unless given)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000'000ULL}))
        ->capture_default_str()
        ->each([o](const std::string&) { o->paths_given = true; });
    command->add_option("--seed", o->seed, "Random seed")->capture_default_str();
    command->add_option("--threads,-j", o->threads, "Worker threads (0: all cores)");
    command->add_option("--steps-per-year", o->steps_per_year, "Time steps a year")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    add_output_options(*command, o->common);
    command->callback([o] { run_odds(*o); });
}

}  // namespace thesis::cli
