#pragma once
// What every subcommand shares: the scenario file, --set overrides, --format and -o.

#include "thesis/core/errors.h"
#include "thesis/core/thesis.h"
#include "thesis/report/report.h"
#include "thesis/simulation/monte_carlo.h"

#include <CLI/CLI.hpp>

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace thesis::cli {

struct CommonOptions {
    std::string file;               ///< empty: the seed's thesis built into the binary
    std::vector<std::string> sets;  ///< KEY=VALUE overrides
    Format format = Format::Table;
    std::string output;  ///< empty: stdout; a folder (csv, records): every part
    std::string part;    ///< csv, records: the table to write (empty: the primary)
    bool quiet = false;
};

/// Monte Carlo flags shared by run and odds.
struct SimulationOptions {
    std::optional<std::uint64_t> paths, seed;
    unsigned threads = 0;
    std::uint64_t chunk = 8 * 1024;
    std::string monitoring;
    bool no_touch_odds = false;  ///< --no-touch-odds: simulation.touch_odds = false
    std::optional<double> tolerance;
    std::string tolerance_metric = "pnl_per_share";  ///< a simulated metric of the catalogue (metrics.h)
    std::uint64_t max_paths = 20'000'000;
    bool policies = false;  ///< --policies: every plan under every fill policy too
};
void add_simulation_options(CLI::App& command, SimulationOptions& options);
/// --paths, --seed, --monitoring and --no-touch-odds override the file's simulation settings.
void apply_simulation_options(const SimulationOptions& options, Thesis& thesis);

/// A finished (or interrupted) simulation and how it went.
struct SimulationOutcome {
    SimulationResult result;
    std::uint64_t requested = 0;
    std::optional<double> half_width;  ///< --tolerance: the worst 95% half-width reached
    bool tolerance_met = false;
    int signal = 0;  ///< SIGINT/SIGTERM that stopped it, or 0
};
/// Runs the thesis's simulation with a progress bar on a terminal; Ctrl-C stops it cleanly.
/// `pairs`: plans compared path by path (MonteCarlo::pair_plans).
SimulationOutcome simulate(const Thesis& thesis, const SimulationOptions& options, bool quiet,
                           const std::vector<PlanPair>& pairs = {});

/// Catches SIGINT and SIGTERM (Ctrl-C, `kill`, `timeout`) while alive.
/// - Mode::Cancel (`thesis run`): the first signal sets cancel_flag(); the engine stops at its
///   next chunk and the command reports the paths done so far, exiting with 128 + the signal.
/// - Mode::Exit (`sweep`, `sensitivity`, `solve`, which have nothing partial to report): the
///   program exits at once with status 128 + the signal, saying on stderr that nothing was
///   written; an -o file is left as it was (it is written only at the end).
/// Either way a signal that arrives while an -o file is being written waits until the file is
/// complete (write_output_file); a second signal kills the program as usual.
class SignalGuard {
  public:
    enum class Mode { Cancel, Exit };
    /// `output` (the -o file, may be empty) is named in Mode::Exit's message.
    explicit SignalGuard(Mode mode, const std::string& output = "");
    ~SignalGuard();
    SignalGuard(const SignalGuard&) = delete;
    SignalGuard& operator=(const SignalGuard&) = delete;

    /// Set by the first signal; what RunControl::cancel points to.
    static const std::atomic<bool>* cancel_flag();
    /// The signal caught since the guard was made (SIGINT, SIGTERM), or 0.
    static int caught();

  private:
    void (*previous_int_)(int);
    void (*previous_term_)(int);
};

/// Writes an -o file atomically (output.h), never over `protect`. A SIGINT or SIGTERM during the
/// write waits for the rename; then the program exits with 128 + the signal, the file complete.
void write_output_file(const std::string& path, std::string_view text, const std::string& protect);

/// Adds FILE, --set, --format, -o and --quiet to a subcommand.
void add_common_options(CLI::App& command, CommonOptions& options);
/// Adds --format and -o only (for commands without a scenario file).
void add_output_options(CLI::App& command, CommonOptions& options);

/// Throws (exit 1) when -o names a folder that is missing or not writable: checked before a long
/// run so that it is not wasted. load() calls it.
void check_output_folder(const std::string& output);

/// --report FILE.html: fails before any work when the binary lacks the report's chart libraries
/// or the file's folder is not writable (nothing to do for an empty path).
/// `hint` ends the message for a binary without them (what the command can do instead).
void check_report_output(const std::string& path, const std::string& hint = "");

/// The whole of standard input (a scenario file given as `-`).
std::string read_standard_input();
/// A scenario file's positional: an existing file, or `-` for standard input.
CLI::Validator existing_file_or_stdin();

/// Loads the thesis the options name (`-`: from standard input), with their overrides.
Thesis load(const CommonOptions& options);

/// Prints or writes the report in the chosen format (files atomically; never over the input).
void emit(const Report& report, const CommonOptions& options);

/// Emits a report that may hold an interrupted simulation: a complete one as emit(); a partial
/// one to stdout only (an -o file is left as it was), returning 128 + the signal.
int emit_simulation(const Report& report, const CommonOptions& options, const SimulationOutcome& outcome);

/// The engines name what a bad value was for by its parameter ("paths", "grid.step", "set KEY");
/// the command line shows the flag that set it ("--paths", "--step", "--set KEY"). Errors from a
/// scenario file (a key path) come back unchanged.
InputError naming_flags(const InputError& error);

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
void setup_report(CLI::App& app);
void setup_hedge(CLI::App& app);
void setup_calibrate(CLI::App& app);

}  // namespace thesis::cli
