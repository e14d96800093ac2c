#pragma once
// What every subcommand shares: the scenario file, --set overrides, --format and -o.

#include "thesis/monte_carlo.h"
#include "thesis/report.h"
#include "thesis/thesis.h"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace thesis::cli {

struct CommonOptions {
    std::string file;                 ///< empty: the seed's thesis built into the binary
    std::vector<std::string> sets;    ///< KEY=VALUE overrides
    Format format = Format::Table;
    std::string output;               ///< empty: stdout
    bool quiet = false;
};

/// Monte Carlo flags shared by run and odds.
struct SimulationOptions {
    std::optional<std::uint64_t> paths, seed;
    unsigned threads = 0;
    std::uint64_t chunk = 8 * 1024;
    std::string monitoring;
    std::optional<double> tolerance;
    std::string tolerance_metric = "pnl";   ///< pnl (dollars a share), p_target, p_stop, p_loss
    std::uint64_t max_paths = 20'000'000;
};
void add_simulation_options(CLI::App& command, SimulationOptions& options);
/// --paths, --seed and --monitoring override the file's simulation settings.
void apply_simulation_options(const SimulationOptions& options, Thesis& thesis);

/// A finished (or interrupted) simulation and how it went.
struct SimulationOutcome {
    SimulationResult result;
    std::uint64_t requested = 0;
    std::optional<double> half_width;   ///< --tolerance: the worst 95% half-width reached
    bool tolerance_met = false;
    int signal = 0;                     ///< SIGINT/SIGTERM that stopped it, or 0
};
/// Runs the thesis's simulation with a progress bar on a terminal; Ctrl-C stops it cleanly.
SimulationOutcome simulate(const Thesis& thesis, const SimulationOptions& options, bool quiet);

/// Adds FILE, --set, --format, -o and --quiet to a subcommand.
void add_common_options(CLI::App& command, CommonOptions& options);
/// Adds --format and -o only (for commands without a scenario file).
void add_output_options(CLI::App& command, CommonOptions& options);

/// Loads the thesis the options name, with their overrides.
Thesis load(const CommonOptions& options);

/// Prints or writes the report in the chosen format (files atomically; never over the input).
void emit(const Report& report, const CommonOptions& options);

/// Emits a report that may hold an interrupted simulation: a complete one as emit(); a partial
/// one to stdout only (an -o file is left as it was), returning 128 + the signal.
int emit_simulation(const Report& report, const CommonOptions& options,
                    const SimulationOutcome& outcome);

/// The exit code a subcommand's callback sets (CLI11 callbacks return void).
int& exit_code();

/// Parses a price given on the command line (`$700`, `1,000`), or throws InputError naming `flag`.
double parse_price_flag(const std::string& flag, const std::string& text);

void setup_run(CLI::App& app);
void setup_table(CLI::App& app);
void setup_init(CLI::App& app);
void setup_odds(CLI::App& app);
void setup_check(CLI::App& app);
void setup_sweep(CLI::App& app);
void setup_sensitivity(CLI::App& app);
void setup_solve(CLI::App& app);

}  // namespace thesis::cli
