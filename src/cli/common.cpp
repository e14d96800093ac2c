#include "common.h"

#include "thesis/errors.h"
#include "thesis/output.h"
#include "thesis/yaml_loader.h"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <unistd.h>
#include <cstdio>
#include <map>

namespace thesis::cli {

void add_output_options(CLI::App& command, CommonOptions& o) {
    command
        .add_option_function<std::string>(
            "--format,-f",
            [&o](const std::string& name) {
                static const std::map<std::string, Format> kFormats{
                    {"table", Format::Table}, {"csv", Format::Csv},
                    {"json", Format::Json}, {"markdown", Format::Markdown}};
                o.format = kFormats.at(name);
            },
            "Output format: table (default), csv, json or markdown")
        ->check(CLI::IsMember({"table", "csv", "json", "markdown"}));
    command.add_option("-o,--output", o.output,
                       "Write to FILE (atomically: temp file, then rename) instead of stdout");
}

void add_common_options(CLI::App& command, CommonOptions& o) {
    command.add_option("file", o.file,
                       "Scenario file (YAML); without it, the seed's thesis built into thesis")
        ->check(CLI::ExistingFile);
    command.add_option("--set,-s", o.sets,
                       "Override a value by key path, e.g. --set plans.aggressive.stop=550 "
                       "(repeatable)");
    add_output_options(command, o);
    command.add_flag("--quiet,-q", o.quiet, "Print nothing but the result");
}

namespace {
// Fails before any work when -o names a folder that is missing or not writable, so a long run is
// not wasted; the atomic write still checks again at the end.
void check_output_folder(const std::string& output) {
    if (output.empty()) return;
    const std::filesystem::path folder = std::filesystem::path(output).has_parent_path()
                                             ? std::filesystem::path(output).parent_path()
                                             : std::filesystem::path(".");
    if (::access(folder.c_str(), W_OK | X_OK) != 0)
        throw std::runtime_error(
            fmt::format("cannot write {}: {}", output, std::strerror(errno)));
}
}  // namespace

Thesis load(const CommonOptions& o) {
    check_output_folder(o.output);
    std::vector<Override> overrides;
    for (const auto& s : o.sets) overrides.push_back(parse_override(s));
    return o.file.empty() ? load_seed_thesis(overrides) : load_thesis_file(o.file, overrides);
}

void emit(const Report& report, const CommonOptions& o) {
    const std::string text = render(report, o.format);
    if (o.output.empty()) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
        return;
    }
    write_file_atomically(o.output, text, o.file);
    if (!o.quiet) fmt::print(stderr, "wrote {}\n", o.output);
}

int emit_simulation(const Report& report, const CommonOptions& o, const SimulationOutcome& sim) {
    if (!sim.result.interrupted) {
        emit(report, o);
        return 0;
    }
    const std::string text = render(report, o.format);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    fmt::print(stderr, "thesis: interrupted after {} of {} paths; partial results above{}\n",
               format_count(static_cast<double>(sim.result.paths)),
               format_count(static_cast<double>(sim.requested)),
               o.output.empty() ? "" : "; " + o.output + " was not written");
    return 128 + (sim.signal ? sim.signal : SIGINT);
}

int& exit_code() {
    static int code = 0;
    return code;
}

double parse_price_flag(const std::string& flag, const std::string& text) {
    auto v = parse_quantity(text, Unit::Money);
    if (!v) throw InputError({"command line"}, flag,
                             fmt::format("expected a price like 650 or $1,000, got '{}'", text));
    return *v;
}

}  // namespace thesis::cli
