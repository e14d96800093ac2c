// `thesis sensitivity`: a tornado of one-at-a-time moves of every numeric input, on the same seed.
#include "evaluate.h"

#include "thesis/core/errors.h"
#include "thesis/report/html_report.h"
#include "thesis/report/sweep_reports.h"

#include <fmt/format.h>

#include <memory>

namespace thesis::cli {

namespace {

struct SensitivityOptions {
    CommonOptions common;
    EngineOptions engine;
    std::string metric;
    std::string spread = "10%";
    std::string report;  ///< --report FILE.html
};

int sensitivity(const SensitivityOptions& o) {
    // Nothing partial is worth reporting: a signal ends the command at once, -o untouched.
    const SignalGuard signals(SignalGuard::Mode::Exit, o.common.output);
    check_output_folder(o.common.output);
    check_report_output(o.report);
    const auto spread = parse_quantity(o.spread, Unit::Ratio);
    if (!spread || !(*spread > 0) || *spread >= 1)
        throw InputError({"command line"}, "--spread",
                         fmt::format("expected a fraction between 0% and 100% like 10%, got '{}'", o.spread));
    std::vector<Override> fixed;
    std::vector<std::string> ranges;
    for (const auto& s : o.common.sets) {
        const Override ov = parse_override(s);
        if (ov.value.find(':') != std::string::npos) ranges.push_back(s);
        else fixed.push_back(ov);
    }
    Evaluator ev(read_source(o.common, fixed), o.metric, eval_options(o.engine, false));
    if (ev.metrics().size() != 1)
        throw InputError({"command line"}, "--metric", "expected exactly one metric");
    std::vector<std::string> skipped;
    std::vector<SensitivityInput> inputs =
        sensitivity_inputs(ev.source().yaml, ev.metrics()[0], *spread, &skipped);
    for (const auto& spec : ranges) {
        SensitivityInput in = parse_sensitivity_range(ev.source().yaml, spec);
        auto it = std::find_if(inputs.begin(), inputs.end(), [&](const auto& x) { return x.key == in.key; });
        if (it != inputs.end()) *it = in;
        else inputs.push_back(in);
        std::erase_if(skipped, [&](const std::string& s) { return s.rfind(in.key + ":", 0) == 0; });
    }
    (void)ev.base_result();
    const auto rows = run_sensitivity(ev, inputs, progress_line(o.common.quiet, "input"));
    const Report report = sensitivity_report(ev, rows, *spread, skipped);
    emit(report, o.common);
    if (!o.report.empty())
        write_output_file(o.report, render_html(report, ev.base(), {tornado_chart(ev, rows)}), o.common.file);
    return 0;
}

}  // namespace

void setup_sensitivity(CLI::App& app) {
    auto o = std::make_shared<SensitivityOptions>();
    CLI::App* c = app.add_subcommand(
        "sensitivity", "Tornado: a metric with each numeric input moved alone to ±spread, ranked by swing");
    add_common_options(*c, o->common);
    c->add_option("--report", o->report, "Also write the tornado as one HTML file with its chart");
    c->add_option("--metric,-m", o->metric, "The metric: PLAN.METRIC or valuation.METRIC")->required();
    c->add_option("--spread", o->spread, "How far each input moves, down and up")->capture_default_str();
    add_engine_options(*c, o->engine);
    c->footer(
        "--set KEY=LOW:HIGH gives one input its own low and high; --set KEY=VALUE is a plain "
        "override. A scenario's probability moves with the others rescaled in proportion, so they "
        "still sum to 1.");
    c->callback([o] { exit_code() = sensitivity(*o); });
}

}  // namespace thesis::cli
