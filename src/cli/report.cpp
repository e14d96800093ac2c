// `thesis report [FILE] [-o report.html]`: the run as one self-contained HTML file with charts
// (html_report.h), or the charts' Vega-Lite specifications alone (--format vega-lite).
#include "common.h"

#include "thesis/report/html_report.h"
#include "thesis/report/reports.h"
#include "thesis/simulation/price_fan.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace thesis::cli {

namespace {

struct ReportOptions {
    CommonOptions common;
    SimulationOptions simulation;
    std::string format = "html";
    std::uint64_t fan_paths = 20'000;
};

int report(const ReportOptions& o) {
    const std::string output =
        o.common.output.empty() && o.format == "html" ? "report.html" : o.common.output;
    if (o.format == "html")
        check_report_output(output, "; --format vega-lite prints the charts' specifications");
    Thesis thesis = load(o.common);
    apply_simulation_options(o.simulation, thesis);
    Report report = valuation_report(thesis);
    std::vector<Chart> charts;
    if (thesis.plans.empty()) {
        charts = run_charts(thesis, SimulationResult(), o.fan_paths);
    } else {
        SignalGuard guard(SignalGuard::Mode::Exit, o.common.output);
        const SimulationOutcome sim = simulate(thesis, o.simulation, o.common.quiet);
        add_simulation(report, thesis, sim.result, sim.requested);
        charts = run_charts(thesis, sim.result, o.fan_paths);
    }
    const std::string text = o.format == "vega-lite" ? vega_lite_document(charts).dump(2) + "\n"
                                                     : render_html(report, thesis, charts);
    if (output.empty()) {
        fmt::print("{}", text);
        return 0;
    }
    write_output_file(output, text, o.common.file);
    if (!o.common.quiet)
        fmt::print(stderr, "wrote {} ({:.0f} KB, {} charts)\n", output,
                   static_cast<double>(text.size()) / 1024, charts.size());
    return 0;
}

}  // namespace

void setup_report(CLI::App& app) {
    auto options = std::make_shared<ReportOptions>();
    CLI::App* command = app.add_subcommand(
        "report",
        "The run as one HTML file that opens offline: valuation, payoff, outcome, P&L and scenario charts "
        "for every plan, the price fan, and the run's tables");
    command
        ->add_option(
            "file", options->common.file,
            "Scenario file (YAML), or - to read it from standard input; without it, the seed's thesis")
        ->check(existing_file_or_stdin());
    command->add_option("--set,-s", options->common.sets,
                        "Override a value by key path, e.g. --set plans.aggressive.stop=550 (repeatable)");
    command->add_option("--output,-o", options->common.output,
                        "Write to FILE (atomically) — default report.html for html, stdout for vega-lite");
    command
        ->add_option("--format,-f", options->format,
                     "html (one self-contained page) or vega-lite (the charts' specifications as JSON)")
        ->check(CLI::IsMember({"html", "vega-lite"}))
        ->capture_default_str();
    command
        ->add_option("--fan-paths", options->fan_paths,
                     "Paths the price fan is drawn from: the run's first N (default 20,000)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{10'000'000}));
    command->add_flag("--quiet,-q", options->common.quiet, "Print nothing but the result");
    add_simulation_options(*command, options->simulation);
    command->callback([options] { exit_code() = report(*options); });
}

}  // namespace thesis::cli
