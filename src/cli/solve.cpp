// `thesis solve`: the value of one input that makes a metric hit a target (TOMS 748, on the same
// seed at every evaluation).
#include "evaluate.h"

#include "thesis/core/errors.h"
#include "thesis/report/sweep_reports.h"

#include <fmt/format.h>

#include <memory>

namespace thesis::cli {

namespace {

struct SolveOptions {
    CommonOptions common;
    EngineOptions engine;
    std::string key, metric, target;
    std::vector<std::string> between;
};

double parse_number_flag(const std::string& flag, const std::string& text) {
    for (Unit u : {Unit::Number, Unit::Money, Unit::Times})
        if (auto v = parse_quantity(text, u)) return *v;
    throw InputError({"command line"}, flag,
                     fmt::format("expected a number like 0.05, 5% or 600, got '{}'", text));
}

int solve(const SolveOptions& o) {
    // Nothing partial is worth reporting: a signal ends the command at once, -o untouched.
    const SignalGuard signals(SignalGuard::Mode::Exit, o.common.output);
    check_output_folder(o.common.output);
    std::vector<Override> fixed;
    for (const auto& s : o.common.sets) fixed.push_back(parse_override(s));
    Evaluator ev(read_source(o.common, fixed), o.metric, eval_options(o.engine, false));
    if (ev.metrics().size() != 1)
        throw InputError({"command line"}, "--metric", "expected exactly one metric");
    const double target = parse_number_flag("--target", o.target);
    double lower = 0, upper = 0;
    const std::string text = check_numeric_key(ev.source().yaml, o.key, "--vary " + o.key);
    if (o.between.empty()) {
        // Default bracket: the file's value ±50%.
        const double v = parse_number_flag("--vary " + o.key, text);
        if (v == 0)
            throw InputError({"command line"}, "--between",
                             fmt::format("{} is 0 in the file: give a bracket --between A B", o.key));
        lower = std::min(v * 0.5, v * 1.5);
        upper = std::max(v * 0.5, v * 1.5);
    } else {
        lower = parse_number_flag("--between", o.between[0]);
        upper = parse_number_flag("--between", o.between[1]);
    }
    const SolveResult s = solve_for(ev, o.key, lower, upper, target);
    emit(solve_report(ev, o.key, target, s), o.common);
    return 0;
}

}  // namespace

void setup_solve(CLI::App& app) {
    auto o = std::make_shared<SolveOptions>();
    CLI::App* c = app.add_subcommand(
        "solve", "The value of one input that makes a metric hit a target (TOMS 748, common random numbers)");
    add_common_options(*c, o->common);
    c->add_option("--vary", o->key, "The input to solve for, by key path")->required();
    c->add_option("--metric,-m", o->metric, "The metric: PLAN.METRIC or valuation.METRIC")->required();
    c->add_option("--target", o->target, "The metric's wanted value (0.05, 5%, 0)")->required();
    c->add_option("--between", o->between, "The bracket A B (default: the file's value ±50%)")->expected(2);
    add_engine_options(*c, o->engine);
    c->footer(
        "Example: thesis solve --vary model.volatility --metric aggressive.expectancy_r "
        "--target 0 --between 0.2 1.2 --paths 20000");
    c->callback([o] { exit_code() = solve(*o); });
}

}  // namespace thesis::cli
