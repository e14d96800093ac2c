// `thesis hedge [FILE] --plan NAME`: the plan with no protection, its stop, a protective option, a
// collar, and the stop with the option, on the same paths, each against the stop path by path.
#include "common.h"

#include "thesis/analysis/hedge.h"
#include "thesis/core/errors.h"
#include "thesis/report/hedge_report.h"
#include "thesis/report/html_report.h"

#include <fmt/format.h>

#include <memory>

namespace thesis::cli {

namespace {

struct HedgeOptions {
    CommonOptions common;
    SimulationOptions simulation;
    std::string plan, strike, collar_strike, strikes, expiry, implied_vol;
    std::string report;  ///< --report FILE.html
};

// --strikes A:B:STEP: A, A + STEP, … up to B.
std::vector<Price> parse_strikes(const std::string& text) {
    const auto fail = [&] {
        throw InputError({"command line"}, "--strikes",
                         fmt::format("expected LOW:HIGH:STEP like 550:650:25, got '{}'", text));
    };
    std::vector<double> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t colon = text.find(':', start);
        const auto v = parse_quantity(text.substr(start, colon == std::string::npos ? colon : colon - start),
                                      Unit::Money);
        if (!v) fail();
        parts.push_back(*v);
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    if (parts.size() != 3 || !(parts[0] > 0) || !(parts[1] >= parts[0]) || !(parts[2] > 0)) fail();
    const double count = std::floor((parts[1] - parts[0]) / parts[2] + 1e-9) + 1;
    if (count > 20)
        throw InputError({"command line"}, "--strikes",
                         fmt::format("expected at most 20 strikes, got {:g} from '{}'", count, text));
    std::vector<Price> out;
    for (int i = 0; i < static_cast<int>(count); ++i) out.push_back(parts[0] + i * parts[2]);
    return out;
}

int hedge(const HedgeOptions& o) {
    check_report_output(o.report);
    Thesis thesis = load(o.common);
    apply_simulation_options(o.simulation, thesis);
    HedgeRequest request;
    request.plan = o.plan;
    if (!o.strike.empty()) request.strike = parse_price_flag("--strike", o.strike);
    if (!o.collar_strike.empty())
        request.financing_strike = parse_price_flag("--collar-strike", o.collar_strike);
    if (!o.strikes.empty()) request.strikes = parse_strikes(o.strikes);
    if (!o.expiry.empty()) {
        const auto expiry = parse_duration(o.expiry, thesis.stock.valuation_date);
        if (!expiry || !(*expiry > 0) || *expiry > limits::kMaxHorizon)
            throw InputError({"command line"}, "--expiry",
                             fmt::format("expected a duration like 1y or 18m, or a date after the valuation "
                                         "date, got '{}'",
                                         o.expiry));
        request.expiry = *expiry;
    }
    if (!o.implied_vol.empty()) {
        const auto vol = parse_quantity(o.implied_vol, Unit::Ratio);
        if (!vol || !(*vol >= 1e-4) || *vol > 10)
            throw InputError(
                {"command line"}, "--implied-vol",
                fmt::format("expected a volatility from 0.01% to 1000% like 45%, got '{}'", o.implied_vol));
        request.implied_volatility = *vol;
    }
    const HedgeComparison comparison = hedge_comparison(thesis, request);
    const SimulationOutcome sim = simulate(comparison.thesis, o.simulation, o.common.quiet, comparison.pairs);
    const Report report = hedge_report(comparison, sim.result, sim.requested);
    const int status = emit_simulation(report, o.common, sim);
    if (!o.report.empty() && status == 0)
        write_output_file(o.report,
                          render_html(report, comparison.thesis, {hedge_chart(comparison, sim.result)}),
                          o.common.file);
    return status;
}

}  // namespace

void setup_hedge(CLI::App& app) {
    auto o = std::make_shared<HedgeOptions>();
    CLI::App* c = app.add_subcommand(
        "hedge",
        "Protection compared on the same paths: no protection, the plan's stop, a protective option, a "
        "collar, and stop plus option, each against the stop with paired CIs");
    add_common_options(*c, o->common);
    c->add_option("--plan,-p", o->plan, "The plan to protect (a key under plans:)")->required();
    c->add_option("--strike", o->strike,
                  "The protective option's strike: a put's for a long, a call's for a short (default: the "
                  "plan's hedge, else its stop, else 10% from the entry)");
    c->add_option("--collar-strike", o->collar_strike,
                  "The collar's sold option's strike: a call's for a long, a put's for a short (default: "
                  "the plan's collar, else its target, else 20% from the entry)");
    c->add_option("--strikes", o->strikes,
                  "A protective option at each strike LOW:HIGH:STEP (at most 20), instead of one");
    c->add_option("--expiry", o->expiry,
                  "The options' expiry, a duration or a date, at or after the plan's horizon (default: "
                  "the plan's hedge, else its horizon)");
    c->add_option("--implied-vol", o->implied_vol,
                  "The volatility that prices the options (default: the plan's hedge, else the model's)");
    c->add_option("--report", o->report, "Also write the comparison as one HTML file with its chart");
    add_simulation_options(*c, o->simulation);
    c->footer(
        "Options are bought when the plan's entry fills and sold when it exits, at their Black-Scholes "
        "value for the time left, with simulation.risk_free_rate and stock.dividend_yield.");
    c->callback([o] { exit_code() = hedge(*o); });
}

}  // namespace thesis::cli
