#include "evaluate.h"

#include "thesis/core/errors.h"
#include "thesis/io/seed_thesis.h"

#include <fmt/format.h>

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace thesis::cli {

void add_engine_options(CLI::App& command, EngineOptions& o) {
    command.add_option("--paths,-n", o.paths, "Simulated paths per point (default: the file's)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000'000ULL}));
    command.add_option("--seed", o.seed, "Random seed, the same at every point (default: the file's)");
    command.add_option("--threads,-j", o.threads, "Worker threads (default: all cores)")
        ->check(CLI::Range(0u, 1024u));
}

ThesisSource read_source(const CommonOptions& common, std::vector<Override> fixed) {
    ThesisSource s;
    if (common.file.empty()) {
        s.yaml = std::string(seed_thesis_yaml());
        s.source = std::string(kSeedThesisName);
    } else if (common.file == "-") {
        s.yaml = read_standard_input();
        s.source = "<stdin>";
    } else {
        std::ifstream in(common.file, std::ios::binary);
        if (!in) throw InputError({common.file}, "", "cannot read the file");
        std::ostringstream text;
        text << in.rdbuf();
        s.yaml = text.str();
        s.source = common.file;
    }
    s.fixed = std::move(fixed);
    return s;
}

EvalOptions eval_options(const EngineOptions& o, bool versus_base) {
    EvalOptions e;
    e.paths = o.paths;
    e.seed = o.seed;
    e.threads = o.threads;
    e.versus_base = versus_base;
    return e;
}

// A one-line "point i of N" on a terminal.
std::function<void(std::size_t, std::size_t)> progress_line(bool quiet, const char* what) {
    if (quiet || !::isatty(STDERR_FILENO)) return {};
    return [what](std::size_t done, std::size_t total) {
        fmt::print(stderr, "\r{} {} of {} ", what, done, total);
        if (done == total) fmt::print(stderr, "\r{}\r", std::string(40, ' '));
        std::fflush(stderr);
    };
}

}  // namespace thesis::cli
