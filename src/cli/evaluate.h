#pragma once
// What sweep, sensitivity and solve share on the command line: the engine's flags, the file's text
// for the Evaluator, and a one-line progress counter.

#include "common.h"

#include "thesis/analysis/sweep.h"

#include <functional>

namespace thesis::cli {

struct EngineOptions {
    std::optional<std::uint64_t> paths, seed;
    unsigned threads = 0;
};
/// --paths, --seed and --threads.
void add_engine_options(CLI::App& command, EngineOptions& options);

/// The file's YAML text (or the built-in seed's) and the plain --set overrides.
ThesisSource read_source(const CommonOptions& common, std::vector<Override> fixed);

EvalOptions eval_options(const EngineOptions& options, bool versus_base);

/// A one-line "WHAT i of N" on a terminal; nothing when quiet or not a terminal.
std::function<void(std::size_t, std::size_t)> progress_line(bool quiet, const char* what);

}  // namespace thesis::cli
