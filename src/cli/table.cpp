// `thesis table [FILE] --plan NAME`: the buy / stop-loss payoff table of a plan.
#include "common.h"

#include "thesis/core/errors.h"
#include "thesis/report/reports.h"

#include <fmt/format.h>

#include <memory>

namespace thesis::cli {

namespace {
struct TableOptions {
    CommonOptions common;
    std::string plan;
    std::string from, to, step;
};

void run_table(const TableOptions& o) {
    const Thesis thesis = load(o.common);
    const Plan* plan = thesis.find_plan(o.plan);
    if (!plan) {
        std::vector<std::string> names;
        for (const auto& p : thesis.plans) names.push_back(p.name);
        const std::string hint = did_you_mean(o.plan, names);
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        throw InputError({"command line"}, "--plan",
                         fmt::format("no plan named '{}'{}; the file has: {}", o.plan,
                                     hint.empty() ? "" : " (did you mean '" + hint + "'?)",
                                     list.empty() ? "no plans" : list));
    }
    GridRequest grid;
    if (!o.from.empty()) grid.from = parse_price_flag("--from", o.from);
    if (!o.to.empty()) grid.to = parse_price_flag("--to", o.to);
    if (!o.step.empty()) grid.step = parse_price_flag("--step", o.step);
    emit(payoff_report(thesis, *plan, grid), o.common);
}
}  // namespace

void setup_table(CLI::App& app) {
    auto options = std::make_shared<TableOptions>();
    CLI::App* command = app.add_subcommand(
        "table", "Payoff table of a trade plan: risk, reward, R, breakeven, size, P&L by exit");
    add_common_options(*command, options->common);
    command->add_option("--plan,-p", options->plan, "The plan to tabulate (a key under plans:)")->required();
    command->add_option("--from", options->from, "Lowest exit price of the grid");
    command->add_option("--to", options->to, "Highest exit price of the grid");
    command->add_option("--step", options->step, "Step between exit prices");
    command->callback([options] { run_table(*options); });
}

}  // namespace thesis::cli
