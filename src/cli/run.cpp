// `thesis run [FILE] [--scenario NAME]`: the valuation report of a thesis.
#include "common.h"

#include "thesis/analysis/metrics.h"

#include "thesis/report/html_report.h"
#include "thesis/report/reports.h"

#include <fmt/format.h>

#include <memory>

namespace thesis::cli {

namespace {
struct RunOptions {
    CommonOptions common;
    SimulationOptions simulation;
    std::string scenario;
    bool no_simulation = false;
    std::string report;  ///< --report FILE.html: the HTML report too
};

std::string tolerance_line(const SimulationOptions& o, const SimulationOutcome& sim) {
    const MetricInfo& metric = *find_metric(o.tolerance_metric);
    const auto show = [&](double v) {
        // A half-width: unsigned, in the metric's unit.
        switch (metric.unit) {
            case MetricUnit::Percent: return format_percent(v, 2);
            case MetricUnit::Money:
            case MetricUnit::Loss:
            case MetricUnit::Position: return format_money(v);
            default: return format_metric(metric, v);
        }
    };
    return fmt::format("Tolerance {} on {} ({}): {} (worst 95% half-width {} at {} paths)",
                       show(*o.tolerance), metric.name, metric.label,
                       sim.tolerance_met ? "reached" : "NOT reached", show(*sim.half_width),
                       format_count(static_cast<double>(sim.result.paths)));
}

int run(const RunOptions& o) {
    check_report_output(o.report);
    Thesis thesis = load(o.common);
    apply_simulation_options(o.simulation, thesis);
    Report report = valuation_report(thesis, o.scenario);
    if (o.no_simulation || thesis.plans.empty()) {
        emit(report, o.common);
        return 0;
    }
    const SimulationOutcome sim = simulate(thesis, o.simulation, o.common.quiet);
    add_simulation(report, thesis, sim.result, sim.requested, o.scenario);
    if (o.simulation.policies) add_policy_bracket(report, thesis, sim.result);
    if (sim.half_width) {
        report.verdict.insert(report.verdict.begin() + 1, tolerance_line(o.simulation, sim));
        report.json["simulation"]["tolerance"] = {{"metric", o.simulation.tolerance_metric},
                                                  {"target", *o.simulation.tolerance},
                                                  {"half_width", *sim.half_width},
                                                  {"met", sim.tolerance_met}};
    }
    const int status = emit_simulation(report, o.common, sim);
    if (!o.report.empty() && status == 0) {
        // The same run's charts; the fan from its first paths again (price_fan.h).
        write_output_file(o.report, render_html(report, thesis, run_charts(thesis, sim.result, 20'000)),
                          o.common.file);
    }
    return status;
}
}  // namespace

void setup_run(CLI::App& app) {
    auto options = std::make_shared<RunOptions>();
    CLI::App* command =
        app.add_subcommand("run",
                           "Value a thesis (bridge, scenarios, implied numbers, audit), then simulate every "
                           "plan: odds, P&L distribution, risk, with 95% confidence intervals");
    add_common_options(*command, options->common);
    command->add_option("--scenario", options->scenario,
                        "Show only this named scenario (its valuation row and, under the scenarios model, "
                        "the plans on its paths)");
    add_simulation_options(*command, options->simulation);
    command->add_option("--report", options->report,
                        "Also write the run as one HTML file with charts (thesis report's page)");
    command->add_flag("--no-simulation", options->no_simulation,
                      "Only the deterministic valuation, no Monte Carlo");
    command->add_flag("--policies", options->simulation.policies,
                      "Also play every plan under each fill policy (discrete, sessions, continuous) on "
                      "the same paths, with the paired differences: how much of the answer is the fill "
                      "assumption");
    command->callback([options] { exit_code() = run(*options); });
}

}  // namespace thesis::cli
