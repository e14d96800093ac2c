// thesis: a scenario calculator for stock theses. Exit codes: 0 success, 2 bad input or usage,
// 1 anything else. Errors go to stderr, one line each.
#include "common.h"

#include "thesis/core/errors.h"
#include "thesis/version.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
    CLI::App app{
        "thesis — turn a written stock thesis into numbers: price-target bridges, "
        "buy/stop-loss payoff tables and scenario odds.",
        "thesis"};
    app.set_version_flag("--version", std::string("thesis ") + thesis::kVersion);
    app.require_subcommand(1);
    app.footer(
        "Examples:\n  thesis run                     the seed's thesis, built in\n"
        "  thesis init my.yaml            a commented file to start from\n"
        "  thesis run my.yaml --format json -o out.json\n"
        "  thesis table my.yaml --plan aggressive\n"
        "  thesis odds --spot 770 --stop 600 --target 1000 --drift 10% --vol 50%\n"
        "  thesis check                   the engine against closed forms\n"
        "  thesis sweep --set plans.aggressive.stop=550:650:25 --metric aggressive.p_stop\n"
        "  thesis sensitivity --metric aggressive.pnl_per_share --paths 20000\n"
        "  thesis solve --vary model.volatility --metric aggressive.expectancy_r --target 0\n"
        "  thesis report -o report.html    the run as one HTML page with charts\n"
        "  thesis hedge --plan aggressive  its stop against a put and a collar\n"
        "  thesis calibrate prices.csv     volatility and jumps from a price history\n"
        "Run 'thesis COMMAND --help' for a command's options.");
    thesis::cli::setup_run(app);
    thesis::cli::setup_table(app);
    thesis::cli::setup_init(app);
    thesis::cli::setup_odds(app);
    thesis::cli::setup_check(app);
    thesis::cli::setup_sweep(app);
    thesis::cli::setup_sensitivity(app);
    thesis::cli::setup_solve(app);
    thesis::cli::setup_report(app);
    thesis::cli::setup_hedge(app);
    thesis::cli::setup_calibrate(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // Misuse: one line, exit 2.
        std::string message = e.what();
        if (dynamic_cast<const CLI::RequiredError*>(&e) && argc > 1 && argv[1][0] != '-' &&
            !app.get_subcommands().size())
            message = fmt::format(
                "unknown command '{}'; the commands are run, table, init, odds, check, "
                "sweep, sensitivity, solve, report, hedge, calibrate",
                argv[1]);
        fmt::print(stderr, "thesis: error: {} (see thesis --help)\n", message);
        return 2;
    } catch (const thesis::InputError& e) {
        fmt::print(stderr, "thesis: error: {}\n", thesis::cli::naming_flags(e).what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "thesis: error: {}\n", e.what());
        return 1;
    }
    return thesis::cli::exit_code();
}
