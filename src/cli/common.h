#pragma once
// What every subcommand shares: the scenario file, --set overrides, --format and -o.

#include "thesis/report.h"
#include "thesis/thesis.h"

#include <CLI/CLI.hpp>

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

/// Adds FILE, --set, --format, -o and --quiet to a subcommand.
void add_common_options(CLI::App& command, CommonOptions& options);
/// Adds --format and -o only (for commands without a scenario file).
void add_output_options(CLI::App& command, CommonOptions& options);

/// Loads the thesis the options name, with their overrides.
Thesis load(const CommonOptions& options);

/// Prints or writes the report in the chosen format (files atomically; never over the input).
void emit(const Report& report, const CommonOptions& options);

/// Parses a price given on the command line (`$700`, `1,000`), or throws InputError naming `flag`.
double parse_price_flag(const std::string& flag, const std::string& text);

void setup_run(CLI::App& app);
void setup_table(CLI::App& app);
void setup_init(CLI::App& app);

}  // namespace thesis::cli
