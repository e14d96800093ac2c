// `thesis sweep`: a metric over a range or list of one or two inputs. Every point reloads the file
// with its overrides and simulates on the same seed (common random numbers).
#include "evaluate.h"

#include "thesis/core/errors.h"
#include "thesis/report/html_report.h"
#include "thesis/report/sweep_reports.h"

#include <fmt/format.h>

#include <memory>

namespace thesis::cli {

namespace {

struct SweepOptions {
    CommonOptions common;
    EngineOptions engine;
    std::string metrics;
    bool versus_base = false;
    bool list_metrics = false;
    std::string report;  ///< --report FILE.html
};

int sweep(const SweepOptions& o) {
    // Nothing partial is worth reporting: a signal ends the command at once, -o untouched.
    const SignalGuard signals(SignalGuard::Mode::Exit, o.common.output);
    check_output_folder(o.common.output);
    check_report_output(o.report);
    if (o.list_metrics) {
        emit(metric_list_report(), o.common);
        return 0;
    }
    if (o.metrics.empty())
        throw InputError(
            {"command line"}, "--metric",
            "expected a metric like aggressive.p_stop ('thesis sweep --list-metrics' lists them)");
    std::vector<Override> fixed;
    std::vector<SweepAxis> axes;
    for (const auto& s : o.common.sets) {
        const Override ov = parse_override(s);
        if (is_sweep_value(ov.value)) axes.push_back(parse_sweep_axis(s));
        else fixed.push_back(ov);
    }
    if (axes.empty())
        throw InputError({"command line"}, "--set",
                         "expected a key to sweep, like --set plans.aggressive.stop=550:650:25 or =550,600");
    if (axes.size() > kMaxSweepAxes)
        throw InputError(
            {"command line"}, "--set " + axes[kMaxSweepAxes].key,
            fmt::format("at most {} swept keys (a table or a grid), got {}", kMaxSweepAxes, axes.size()));
    Evaluator ev(read_source(o.common, fixed), o.metrics, eval_options(o.engine, o.versus_base));
    const SweepGrid grid = run_sweep(ev, axes, progress_line(o.common.quiet, "point"));
    const Report report = sweep_report(ev, grid, o.versus_base);
    emit(report, o.common);
    if (!o.report.empty())
        write_output_file(o.report, render_html(report, ev.base(), sweep_charts(ev, grid)), o.common.file);
    return 0;
}

}  // namespace

void setup_sweep(CLI::App& app) {
    auto o = std::make_shared<SweepOptions>();
    CLI::App* c = app.add_subcommand(
        "sweep", "A metric over a range or list of one or two inputs, on common random numbers");
    add_common_options(*c, o->common);
    c->add_option("--metric,-m", o->metrics, "Metrics, comma-separated: PLAN.METRIC or valuation.METRIC");
    add_engine_options(*c, o->engine);
    c->add_flag("--versus-base", o->versus_base,
                "Also each point's difference to the base (the file as is), with a paired CI");
    c->add_flag("--list-metrics", o->list_metrics, "List the metrics and exit");
    c->add_option(
        "--report", o->report,
        "Also write the sweep as one HTML file with a chart per metric (a line with its 95% band, or "
        "a heatmap)");
    c->footer(
        "--set KEY=FROM:TO:STEP (a ':' makes a range) or KEY=v1,v2,... (a ',' makes a list) is a "
        "swept key, at most two; --set KEY=VALUE is a plain override. Ranges share a unit: "
        "550:650:25, 30%:70%:10%, 6B:10B:1B. Write list thousands without commas (1000, 1K).\n"
        "Example: thesis sweep --set plans.aggressive.stop=550:650:25 --metric "
        "aggressive.p_stop,aggressive.pnl_per_share --paths 20000");
    c->callback([o] { exit_code() = sweep(*o); });
}

}  // namespace thesis::cli
