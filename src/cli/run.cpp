// `thesis run [FILE] [--scenario NAME]`: the valuation report of a thesis.
#include "common.h"

#include "thesis/reports.h"

#include <memory>

namespace thesis::cli {

namespace {
struct RunOptions {
    CommonOptions common;
    std::string scenario;
};

void run(const RunOptions& o) {
    const Thesis thesis = load(o.common);
    emit(valuation_report(thesis, o.scenario), o.common);
}
}  // namespace

void setup_run(CLI::App& app) {
    auto options = std::make_shared<RunOptions>();
    CLI::App* command = app.add_subcommand(
        "run", "Value a thesis: bridge, scenarios, expectation, implied numbers, audit");
    add_common_options(*command, options->common);
    command->add_option("--scenario", options->scenario, "Show only this named scenario");
    command->callback([options] { run(*options); });
}

}  // namespace thesis::cli
