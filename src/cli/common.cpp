#include "common.h"

#include "thesis/report/html_report.h"

#include "thesis/core/errors.h"
#include "thesis/io/output.h"
#include "thesis/io/yaml_loader.h"

#include <fmt/format.h>

#include <iostream>
#include <sstream>

#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>

namespace thesis::cli {

void add_output_options(CLI::App& command, CommonOptions& o) {
    command
        .add_option_function<std::string>(
            "--format,-f",
            [&o](const std::string& name) {
                static const std::map<std::string, Format> kFormats{{"table", Format::Table},
                                                                    {"csv", Format::Csv},
                                                                    {"json", Format::Json},
                                                                    {"markdown", Format::Markdown},
                                                                    {"records", Format::Records}};
                o.format = kFormats.at(name);
            },
            "Output format: table (default), markdown, json (the nested document), csv or records "
            "(one table, --part, as CSV or as a JSON array of records)")
        ->check(CLI::IsMember({"table", "csv", "json", "markdown", "records"}));
    command.add_option("--part", o.part,
                       "csv and records: which table to write (default: the command's main one; an "
                       "unknown name lists them)");
    command.add_option("-o,--output", o.output,
                       "Write to FILE (atomically: temp file, then rename) instead of stdout; with csv "
                       "or records, a folder (an existing one, or a path ending in /) gets every "
                       "table as PART.csv or PART.json");
}

void add_common_options(CLI::App& command, CommonOptions& o) {
    command
        .add_option(
            "file", o.file,
            "Scenario file (YAML), or - to read it from standard input; without it, the seed's thesis "
            "built into thesis")
        ->check(existing_file_or_stdin());
    command.add_option("--set,-s", o.sets,
                       "Override a value by key path, e.g. --set plans.aggressive.stop=550 "
                       "(repeatable)");
    add_output_options(command, o);
    command.add_flag("--quiet,-q", o.quiet, "Print nothing but the result");
}

// Fails before any work when -o names a folder that is missing or not writable, so a long run is
// not wasted; the atomic write still checks again at the end.
void check_output_folder(const std::string& output) {
    if (output.empty()) return;
    // A folder for csv or records parts ("out/") must be made in an existing folder, as a file.
    std::string name = output;
    while (name.size() > 1 && name.back() == '/') name.pop_back();
    const std::filesystem::path folder = std::filesystem::path(name).has_parent_path()
                                             ? std::filesystem::path(name).parent_path()
                                             : std::filesystem::path(".");
    std::error_code error;
    const auto status = std::filesystem::status(folder, error);
    // A parent that is a file (out.txt/x.json) is "Not a directory", not "Permission denied".
    const int reason = !std::filesystem::exists(status)             ? ENOENT
                       : !std::filesystem::is_directory(status)     ? ENOTDIR
                       : ::access(folder.c_str(), W_OK | X_OK) != 0 ? errno
                                                                    : 0;
    if (reason != 0)
        throw std::runtime_error(fmt::format("cannot write {}: {}", output, std::strerror(reason)));
}

void check_report_output(const std::string& path, const std::string& hint) {
    if (path.empty()) return;
    if (!html_report_available())
        throw InputError(
            {}, "report",
            "this binary was built without the report's chart libraries (THESIS_BUILD_REPORT=OFF "
            "or no npm at build time)" +
                hint);
    check_output_folder(path);
}

// ---- Signals ----

namespace {

enum SignalMode : int { kRecord = 0, kCancel = 1, kExit = 2 };
std::atomic<bool> g_cancel{false};
std::atomic<int> g_signal{0};
std::atomic<int> g_mode{kRecord};
std::atomic<bool> g_writing{false};  // an -o file is being written: the signal waits
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free);
// Mode::Exit's message, composed before any signal (a handler may not allocate).
char g_exit_message[512] = "thesis: interrupted; nothing was written\n";
std::size_t g_exit_message_size = std::strlen(g_exit_message);

extern "C" void on_signal(int signal) {
    // Recorded before g_writing is read: either write_output_file sees the signal after its
    // write, or this handler sees the write over and exits itself.
    g_signal.store(signal);
    g_cancel.store(true);
    if (g_mode.load() == kExit && !g_writing.load()) {
        (void)!::write(STDERR_FILENO, g_exit_message, g_exit_message_size);
        ::_exit(128 + signal);
    }
    std::signal(signal, SIG_DFL);  // a second signal kills at once
}

}  // namespace

SignalGuard::SignalGuard(Mode mode, const std::string& output) {
    const std::string message =
        fmt::format("{}thesis: interrupted; {}\n", ::isatty(STDERR_FILENO) ? "\n" : "",
                    output.empty() ? "nothing was written" : output + " was not written (left as it was)");
    g_exit_message_size = std::min(message.size(), sizeof g_exit_message);
    std::memcpy(g_exit_message, message.data(), g_exit_message_size);
    g_cancel = false;
    g_signal = 0;
    g_mode = mode == Mode::Exit ? kExit : kCancel;
    previous_int_ = std::signal(SIGINT, on_signal);
    previous_term_ = std::signal(SIGTERM, on_signal);
}

SignalGuard::~SignalGuard() {
    std::signal(SIGINT, previous_int_);
    std::signal(SIGTERM, previous_term_);
    g_mode = kRecord;
}

const std::atomic<bool>* SignalGuard::cancel_flag() { return &g_cancel; }
int SignalGuard::caught() { return g_signal.load(); }

void write_output_file(const std::string& path, std::string_view text, const std::string& protect) {
    // While the temp file exists, a signal only records itself (the handler's default action
    // would leave the temp file behind, Mode::Exit would skip the rename).
    g_writing = true;
    const auto previous_int = std::signal(SIGINT, on_signal);
    const auto previous_term = std::signal(SIGTERM, on_signal);
    const auto restore = [&] {
        std::signal(SIGINT, previous_int);
        std::signal(SIGTERM, previous_term);
        g_writing = false;
    };
    try {
        write_file_atomically(path, text, protect);
    } catch (...) {
        restore();
        throw;
    }
    restore();
    if (const int signal = g_signal.load()) {
        fmt::print(stderr,
                   "thesis: interrupted; {} was written in full before the signal took "
                   "effect\n",
                   path);
        std::fflush(stdout);
        std::exit(128 + signal);
    }
}

namespace {

// --part picks a table of csv or records output; other formats write the whole report.
void check_part(const CommonOptions& o) {
    if (!o.part.empty() && o.format != Format::Csv && o.format != Format::Records)
        throw InputError({"command line"}, "--part", "applies to --format csv and records only");
}

// -o names a folder: every part of a csv or records output is written into it.
bool writes_folder(const CommonOptions& o) {
    if (o.output.empty() || (o.format != Format::Csv && o.format != Format::Records)) return false;
    return o.output.back() == '/' || std::filesystem::is_directory(o.output);
}

}  // namespace

Thesis load(const CommonOptions& o) {
    check_output_folder(o.output);
    check_part(o);
    std::vector<Override> overrides;
    for (const auto& s : o.sets) overrides.push_back(parse_override(s));
    if (o.file == "-") return load_thesis(read_standard_input(), "<stdin>", overrides);
    return o.file.empty() ? load_seed_thesis(overrides) : load_thesis_file(o.file, overrides);
}

std::string read_standard_input() {
    std::ostringstream text;
    text << std::cin.rdbuf();
    if (std::cin.bad()) throw InputError({"<stdin>"}, "", "cannot read standard input");
    return text.str();
}

CLI::Validator existing_file_or_stdin() {
    return CLI::Validator(
        [](std::string& name) { return name == "-" ? std::string() : CLI::ExistingFile(name); },
        "FILE or - (standard input)");
}

void emit(const Report& report, const CommonOptions& o) {
    check_part(o);
    if (writes_folder(o)) {
        const std::filesystem::path folder(o.output);
        std::error_code error;
        std::filesystem::create_directories(folder, error);
        if (error)
            throw std::runtime_error(fmt::format("cannot make folder {}: {}", o.output, error.message()));
        const std::vector<std::string> ids =
            o.part.empty() ? parts(report) : std::vector<std::string>{o.part};
        for (const std::string& id : ids) {
            const std::string text = render(report, o.format, id);  // an unknown --part throws first
            const std::string path = (folder / (id + (o.format == Format::Csv ? ".csv" : ".json"))).string();
            write_output_file(path, text, o.file);
            if (!o.quiet) fmt::print(stderr, "wrote {}\n", path);
        }
        return;
    }
    const std::string text = render(report, o.format, o.part);
    if (o.output.empty()) {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
        return;
    }
    write_output_file(o.output, text, o.file);
    if (!o.quiet) fmt::print(stderr, "wrote {}\n", o.output);
}

int emit_simulation(const Report& report, const CommonOptions& o, const SimulationOutcome& sim) {
    if (!sim.result.interrupted) {
        emit(report, o);
        return 0;
    }
    const std::string text = render(report, o.format, o.part);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    fmt::print(stderr, "thesis: interrupted after {} of {} paths; partial results above{}\n",
               format_count(static_cast<double>(sim.result.paths)),
               format_count(static_cast<double>(sim.requested)),
               o.output.empty() ? "" : "; " + o.output + " was not written");
    return 128 + (sim.signal ? sim.signal : SIGINT);
}

InputError naming_flags(const InputError& e) {
    if (e.where().file != "command line") return e;
    // Engine parameter → the flag that sets it; "set KEY" and "vary KEY" keep their key.
    static const std::map<std::string_view, std::string_view> kFlags{{"set", "--set"},
                                                                     {"vary", "--vary"},
                                                                     {"metric", "--metric"},
                                                                     {"paths", "--paths"},
                                                                     {"between", "--between"},
                                                                     {"spread", "--spread"},
                                                                     {"part", "--part"},
                                                                     {"scenario", "--scenario"},
                                                                     {"grid.step", "--step"},
                                                                     {"grid.from", "--from"},
                                                                     {"grid.to", "--to"},
                                                                     {"spot", "--spot"},
                                                                     {"stop", "--stop"},
                                                                     {"target", "--target"},
                                                                     {"volatility", "--vol"},
                                                                     {"drift", "--drift"},
                                                                     {"horizon", "--horizon"},
                                                                     {"plan", "--plan"},
                                                                     {"strike", "--strike"},
                                                                     {"strikes", "--strikes"},
                                                                     {"collar_strike", "--collar-strike"},
                                                                     {"expiry", "--expiry"},
                                                                     {"implied_vol", "--implied-vol"}};
    const std::string& key = e.key_path();
    const std::size_t space = key.find(' ');
    const auto it = kFlags.find(std::string_view(key).substr(0, space));
    if (it == kFlags.end()) return e;
    const std::string flag = std::string(it->second) + (space == std::string::npos ? "" : key.substr(space));
    return InputError(e.where(), flag, e.message());
}

int& exit_code() {
    static int code = 0;
    return code;
}

double parse_price_flag(const std::string& flag, const std::string& text) {
    auto v = parse_quantity(text, Unit::Money);
    if (!v)
        throw InputError({"command line"}, flag,
                         fmt::format("expected a price like 650 or $1,000, got '{}'", text));
    if (std::fabs(*v) > limits::kMaxPrice)
        throw InputError({"command line"}, flag,
                         fmt::format("expected a price of at most $1,000,000,000,000, got '{}'", text));
    return *v;
}

}  // namespace thesis::cli
